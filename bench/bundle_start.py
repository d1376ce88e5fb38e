"""The VS Code bundle against a pip install: how soon the server answers ``initialize``.

The extension runs ``python -m fim_lsp`` on the user's Python with
``PYTHONPATH=editors/vscode/bundled/libs`` (run ``npm run bundle-server`` there first); a pip
install runs the same module from site-packages.  Times ``initialize`` from the launch
(Python and imports included: what the editor waits for), interleaving the two, and the very
first start of the bundle on its own: it ships no ``.pyc``, so that start compiles every
module it imports (later starts reuse the ``__pycache__`` Python writes next to them).
Prints median and p95 of each.  Run: ``.venv/bin/python bench/bundle_start.py [--starts 9]``.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import support

LIBS = support.REPO / "editors" / "vscode" / "bundled" / "libs"
# The venv's own interpreter without the venv: the same Python, none of the project installed.
SYSTEM_PYTHON = str(Path(sys.base_prefix) / "bin" / "python3")


async def initialize_s(python: str, server: Path) -> float:
    launched = time.perf_counter()
    client = await support.start_server(
        {"apiKey": "bench", "baseUrl": "http://127.0.0.1:9"}, server, python=python
    )
    took = time.perf_counter() - launched
    await support.stop_server(client)
    return took


def figures(samples: list[float]) -> str:
    median, p95 = statistics.median(samples), support.percentile(samples, 0.95)
    return f"median {median * 1000:,.0f} ms, p95 {p95 * 1000:,.0f} ms"


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--starts", type=int, default=9)
    args = parser.parse_args()
    if not (LIBS / "fim_lsp").is_dir():
        sys.exit(f"no bundle in {LIBS}: run `npm run bundle-server` in editors/vscode")
    files = [p for p in LIBS.rglob("*") if p.is_file() and "__pycache__" not in p.parts]
    size = sum(p.stat().st_size for p in files)
    print(f"bundle: {len(files)} files, {size / 1024:,.0f} KiB; {args.starts} starts each")
    print(f"bundle on {SYSTEM_PYTHON}, pip install on {sys.executable}")
    first = []
    with tempfile.TemporaryDirectory() as scratch:
        for n in range(args.starts):
            fresh = Path(scratch) / str(n)
            shutil.copytree(LIBS, fresh, ignore=shutil.ignore_patterns("__pycache__"))
            first.append(await initialize_s(SYSTEM_PYTHON, fresh))
        warm_libs = Path(scratch) / "0"  # compiled by its first start
        bundle, pip = [], []
        for _ in range(args.starts):
            bundle.append(await initialize_s(SYSTEM_PYTHON, warm_libs))
            pip.append(await initialize_s(sys.executable, support.SERVER))
    print(f"bundle, first start (no .pyc yet): {figures(first)}")
    print(f"bundle, later starts:              {figures(bundle)}")
    print(f"pip install:                       {figures(pip)}")
    print(f"bundle / pip, medians: {statistics.median(bundle) / statistics.median(pip):.2f}")


if __name__ == "__main__":
    asyncio.run(main())
