#!/bin/sh
# Fills bundled/libs with the server and its dependencies, so users need no pip install: the
# extension runs `python -m fim_lsp` with PYTHONPATH=bundled/libs. The dependencies are
# pyproject.toml's, less those only `fim-lsp eval` imports (scripts/bundled_requirements.py),
# and what pip resolves for them. All are pure Python: the --platform/--implementation/--abi
# flags accept py3-none-any wheels only (tomli, for one, also ships compiled ones), so one
# .vsix serves every platform, and --python-version resolves for the oldest supported Python
# (its backports, such as tomli and exceptiongroup, included).
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
repo=$(cd "$here/../.." && pwd)
python=${FIM_LSP_PYTHON:-python3}
libs="$here/bundled/libs"

rm -rf "$libs"
mkdir -p "$libs"
requirements="$libs/requirements.txt"
install() {
  "$python" -m pip install --quiet --disable-pip-version-check --no-input \
    --target "$libs" --no-compile --only-binary :all: \
    --platform any --implementation py --abi none --python-version 3.10 -r "$requirements" "$@"
}
"$python" "$here/scripts/bundled_requirements.py" >"$requirements"
install
# Then what Python 3.10 needs besides (pip resolved the markers for this Python), a round for
# each level of dependencies.
for round in 1 2 3; do
  "$python" "$here/scripts/bundled_requirements.py" --missing "$libs" >"$requirements"
  [ -s "$requirements" ] || break
  [ "$round" -lt 3 ] || { echo "still missing for Python 3.10:" >&2; cat "$requirements" >&2; exit 1; }
  install --no-deps
done
rm "$requirements"
cp -R "$repo/server/fim_lsp" "$libs/fim_lsp"
# Console scripts and caches are of no use inside the extension.
rm -rf "$libs/bin"
find "$libs" -name __pycache__ -type d -prune -exec rm -rf {} +
echo "bundled server: $(du -sh "$libs" | cut -f1) in $libs"
