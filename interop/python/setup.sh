#!/usr/bin/env bash
# Creates one virtual environment per pinned PyPI `aauth` release under .cache/interop/ (the
# project's ignored cache), only when it is missing. Each `requirements/<name>.txt` pins the whole
# dependency set, so the interop table does not move when a transitive release does.
# Needs python3 (with venv) and pip access to PyPI; the interop tests skip, saying so, without it.
set -euo pipefail
cd "$(dirname "$0")/../.."
for req in interop/python/requirements/*.txt; do
  name=$(basename "$req" .txt)
  dir=.cache/interop/$name
  if [ -f "$dir/.installed" ] && cmp -s "$req" "$dir/.installed"; then continue; fi
  echo "interop: creating $dir from $req"
  rm -rf "$dir"
  python3 -m venv "$dir"
  "$dir/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps -r "$req"
  cp "$req" "$dir/.installed"
done
