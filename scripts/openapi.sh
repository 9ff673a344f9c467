#!/usr/bin/env bash
# Regenerates docs/openapi.json from what the controller serves at /openapi/v1.json (without "servers").
# The API tests fail when the committed file differs from the served document.
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build tests/Controller.Api.Tests -c Release >/dev/null
UPDATE_OPENAPI=1 CONTROLLER_TEST_POSTGRES= dotnet test tests/Controller.Api.Tests --no-build -c Release \
  --filter "FullyQualifiedName~OpenApiDocumentTests.ServedDocument_IsThePublishedOne" --logger "console;verbosity=minimal"
echo "docs/openapi.json updated"
