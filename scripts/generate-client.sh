#!/usr/bin/env bash
# Regenerates the C# client in clients/Controller.Client/Generated from docs/openapi.json with Kiota (pinned in the
# tool manifest). With --check, generates into a temporary folder and fails when the committed client differs.
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet tool restore >/dev/null
out=clients/Controller.Client/Generated
if [ "${1:-}" = "--check" ]; then
  out=$(mktemp -d)/Generated
fi
# Kiota looks for a newer version of itself on the network; that check is not needed (and may not be reachable).
KIOTA_TUTORIAL_ENABLED=false dotnet kiota generate -l CSharp -d docs/openapi.json -o "$out" \
  -c ControllerApiClient -n Controller.Client --exclude-backward-compatible --clean-output --log-level Error >/dev/null
if [ "${1:-}" = "--check" ]; then
  if ! diff -r -x kiota-lock.json -x .kiota.log "$out" clients/Controller.Client/Generated >/dev/null; then
    echo "!! clients/Controller.Client/Generated is out of date with docs/openapi.json: run scripts/generate-client.sh"
    exit 1
  fi
  echo "generated client: current"
else
  echo "generated client written to $out"
fi
