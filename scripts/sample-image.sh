#!/usr/bin/env bash
# Builds a local Docker image of the sample engine without any registry: the sample's build output, the .NET runtime
# it runs on and the shared libraries these load, imported as a root filesystem (docker import).
# Usage: scripts/sample-image.sh [tag]   (default controller-samples/wordcount:local; prints the tag)
set -euo pipefail
cd "$(dirname "$0")/.."
tag=${1:-controller-samples/wordcount:local}
config=${CONFIGURATION:-Release}
dotnet build samples/WordCount -c "$config" >/dev/null
out=samples/WordCount/bin/$config/net10.0
dotnet_root=$(dirname "$(readlink -f "$(command -v dotnet)")")
runtime=$(ls -d "$dotnet_root"/shared/Microsoft.NETCore.App/10.* | sort -V | tail -1)
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/app" "$root/dotnet/shared/Microsoft.NETCore.App" "$root/tmp"
chmod 1777 "$root/tmp"
cp -r "$out"/. "$root/app/"
cp "$dotnet_root/dotnet" "$root/dotnet/"
cp -r "$dotnet_root/host" "$root/dotnet/"
cp -r "$runtime" "$root/dotnet/shared/Microsoft.NETCore.App/"
# The shared libraries the host and the runtime link to, and OpenSSL (loaded at run time by the runtime's
# cryptography, e.g. SHA-256), at the same paths as here.
openssl=$(ldconfig -p | grep -E 'lib(ssl|crypto)\.so\.3 ' | awk '{print $NF}')
for lib in $( { ldd "$root/dotnet/dotnet"; find "$root/dotnet" -name '*.so' -exec ldd {} \; ; echo "$openssl"; } 2>/dev/null | grep -o '/[^ ]*' | sort -u); do
  mkdir -p "$root$(dirname "$lib")"
  cp -L "$lib" "$root$lib"
done
tar -C "$root" -c . | docker import \
  --change 'ENTRYPOINT ["/dotnet/dotnet", "/app/wordcount.dll"]' --change 'ENV DOTNET_ROOT=/dotnet' - "$tag" >/dev/null
echo "$tag"
