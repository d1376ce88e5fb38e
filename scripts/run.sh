#!/usr/bin/env bash
# Install fim-lsp into .venv (once) and run it: with no arguments it serves LSP on stdio, as an
# editor starts it; `check`, `complete FILE --line L --character C` and `--help` work too.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
venv="$root/.venv"
if [ ! -x "$venv/bin/fim-lsp" ] || [ "$root/pyproject.toml" -nt "$venv/bin/fim-lsp" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -e "$root" >&2
  touch "$venv/bin/fim-lsp"
fi
exec "$venv/bin/fim-lsp" "$@"
