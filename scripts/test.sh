#!/usr/bin/env bash
# Everything from a fresh clone: install the server with its test tools into .venv, lint,
# typecheck, run every Python test (unit, LSP end-to-end, real Neovim), then the VS Code
# extension's install, typecheck, lint, packaging and tests.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
venv="$root/.venv"

echo "== install (.venv)"
python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check -e ".[test]"

echo "== ruff"
"$venv/bin/ruff" check server tests bench
"$venv/bin/ruff" format --check server tests bench

echo "== mypy"
"$venv/bin/mypy"

echo "== pytest"
# Exit code 5 (no tests collected) is a failure like any other non-zero code.
"$venv/bin/pytest" -q -p no:cacheprovider

echo "== vscode extension"
FIM_LSP_PYTHON="$venv/bin/python" bash editors/vscode/scripts/test.sh
