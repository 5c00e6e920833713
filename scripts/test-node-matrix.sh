#!/usr/bin/env bash
# Run `npm test` again under other Node versions (default: the two supported LTS lines besides the
# machine's own). Each Node comes from the npm registry's `node-linux-<arch>` package, unpacked
# once into .cache/node/<version>/ (gitignored) and reused after that. The native modules in
# node_modules are N-API prebuilds, which load on any of these versions without a rebuild.
# Usage: bash scripts/test-node-matrix.sh [version ...]
set -euo pipefail
cd "$(dirname "$0")/.."

versions=("$@")
[ ${#versions[@]} -gt 0 ] || versions=(22.23.5 24.22.3)
case "$(uname -m)" in
  x86_64) arch=x64 ;;
  aarch64) arch=arm64 ;;
  *) echo "no Node package for $(uname -m)" >&2; exit 1 ;;
esac

# The Node that runs the first `npm test` (this machine's own), for the test that checks `engines`
# names exactly the tested lines: inside the matrix, `process.version` is the matrix's Node.
export AAUTH_MATRIX_BASE_NODE="${AAUTH_MATRIX_BASE_NODE:-$(node --version)}"
summary=()
for version in "${versions[@]}"; do
  dir=".cache/node/$version"
  if [ ! -x "$dir/bin/node" ]; then
    mkdir -p "$dir"
    tarball=$(cd "$dir" && npm pack --silent --no-fund "node-linux-$arch@$version" | tail -1)
    tar -xzf "$dir/$tarball" -C "$dir" --strip-components=1 package/bin/node
    rm -f "$dir/$tarball"
  fi
  echo "== npm test on Node $("$dir/bin/node" --version)"
  start=$SECONDS
  PATH="$PWD/$dir/bin:$PATH" npm test
  summary+=("Node $version: npm test passed in $((SECONDS - start)) s")
done
printf '%s\n' "${summary[@]}"
