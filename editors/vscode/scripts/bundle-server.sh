#!/bin/sh
# Fills bundled/libs with the server and its pure-Python dependencies, so users need no pip
# install: the extension runs `python -m fim_lsp` with PYTHONPATH=bundled/libs.
# tiktoken is left out on purpose: it is compiled, and the server estimates tokens without it.
# The --platform/--implementation/--abi flags accept only pure py3-none-any wheels (tomli, for
# one, also ships compiled ones), and --python-version keeps the oldest supported Python.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
repo=$(cd "$here/../.." && pwd)
python=${FIM_LSP_PYTHON:-python3}
libs="$here/bundled/libs"

rm -rf "$libs"
mkdir -p "$libs"
"$python" -m pip install --quiet --disable-pip-version-check --no-input \
  --target "$libs" --no-deps --no-compile --only-binary :all: \
  --platform any --implementation py --abi none --python-version 3.10 \
  -r "$here/scripts/bundled-requirements.txt"
cp -R "$repo/server/fim_lsp" "$libs/fim_lsp"
# Console scripts and caches are of no use inside the extension.
rm -rf "$libs/bin"
find "$libs" -name __pycache__ -type d -prune -exec rm -rf {} +
echo "bundled server: $(du -sh "$libs" | cut -f1) in $libs"
