#!/usr/bin/env bash
# Everything for the VS Code extension from a fresh clone: install, typecheck, lint, bundle the
# server, build and package the .vsix, then one node test run (unit, package, contract), then
# the .vsix in a real VS Code (code-server in Chromium; test/real/install.sh installs them).
# FIM_LSP_PYTHON: the Python that runs the project's server in the contract test and bundles
# the server's dependencies (default python3).
set -euo pipefail
cd "$(dirname "$0")/.."
export FIM_LSP_PYTHON="${FIM_LSP_PYTHON:-python3}"

step() { printf '\n== vscode: %s\n' "$*"; }

step "npm ci"
npm ci --no-audit --no-fund
step "typecheck"
npm run --silent typecheck
step "lint"
npm run --silent lint
step "bundle the server into bundled/libs"
npm run --silent bundle-server
step "build and package the .vsix"
npm run --silent package </dev/null
step "tests (unit, package, contract)"
npm run --silent compile-tests
npm run --silent test:all
step "real VS Code: the .vsix in code-server, typed into (test/real)"
node --test --test-concurrency=1 test/real/
