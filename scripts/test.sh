#!/usr/bin/env bash
# Everything from a fresh clone: install the server with its test tools into .venv, lint,
# typecheck, run every Python test (unit, LSP end-to-end, a real small model behind
# llama-cpp-python's server, real Neovim headless and in tmux), then the VS Code extension's
# install, typecheck, lint, packaging and tests, the .vsix in a real VS Code (code-server in
# Chromium) last. Missing Debian packages (tmux, chromium, …) come by apt-get.
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

# The Neovim terminal tests run Neovim in tmux (tests/editors/test_neovim_terminal.py).
if ! command -v tmux >/dev/null; then
  echo "== apt-get install tmux"
  as_root=()
  [[ $(id -u) == 0 ]] || as_root=(sudo)
  "${as_root[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -qq --no-install-recommends tmux
fi

# The real-model tier (tests/realmodel): llama-cpp-python's server and Gemma 3 270M, in
# .venv-llama; llama.cpp is built once per machine (~9 min) and cached in ~/.cache/fim-lsp.
echo "== real model (llama-cpp-python, Gemma 3 270M)"
bash scripts/realmodel.sh >/dev/null

echo "== pytest"
# Exit code 5 (no tests collected) is a failure like any other non-zero code.
"$venv/bin/pytest" -q -p no:cacheprovider

echo "== vscode extension"
FIM_LSP_PYTHON="$venv/bin/python" bash editors/vscode/scripts/test.sh
