"""A real small model through fim-lsp: Gemma 3 270M (no FIM) behind llama-cpp-python's server.

Runs ``fim-lsp eval`` on one seeded sample once per template, one task at a time (the server
answers one request at a time, so concurrency would only time its queue), and prints pass@1,
how many tasks got no completion at all, and the first-token and whole-answer times (median
and p95) as the eval measured them on the wire.  Needs ``bash scripts/realmodel.sh`` first.

    .venv/bin/python bench/realmodel.py --suite single-line --limit 40
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import support

from tests.support import llama_server


def run_eval(server: llama_server.LlamaServer, template: str, args: argparse.Namespace) -> dict:
    out = Path(tempfile.mkdtemp(prefix="fim-lsp-bench-")) / f"{template}.json"
    env = {
        **os.environ,
        "FIM_LSP_CONFIG": str(out.parent / "none.toml"),
        "FIM_LSP_PROVIDER": "openai",
        "FIM_LSP_BASE_URL": server.base_url,
        "FIM_LSP_MODEL": llama_server.MODEL,
        "FIM_LSP_TEMPLATE": template,
        "FIM_LSP_TEMPERATURE": "0",
        "FIM_LSP_TIMEOUT_MS": "60000",
        "PYTHONPATH": str(Path(__file__).resolve().parents[1] / "server"),
    }
    command = [sys.executable, "-m", "fim_lsp", "eval", "--suite", args.suite]
    command += ["--limit", str(args.limit), "--concurrency", "1", "--json", str(out)]
    subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL)
    return json.loads(out.read_text())


def row(template: str, data: dict) -> str:
    tasks = data["tasks"]
    first = [t["ttft_ms"] for t in tasks if t["ttft_ms"] is not None]
    whole = [t["ttft_ms"] + t["generation_s"] * 1000 for t in tasks if t["ttft_ms"] is not None]
    empty = sum(not t["completion"].strip() for t in tasks)
    return (
        f"| {template} | {data['summary']['pass_at_1']:.1%} | {empty} of {len(tasks)} | "
        f"{median_p95(first)} | {median_p95(whole)} | {data['summary']['completion_tokens']} |"
    )


def median_p95(samples_ms: list[float]) -> str:
    if not samples_ms:
        return "n/a / n/a"
    return f"{statistics.median(samples_ms):,.0f} / {support.percentile(samples_ms, 0.95):,.0f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--suite", default="single-line")
    parser.add_argument("--limit", type=int, default=40)
    parser.add_argument("--templates", nargs="+", default=["prefix-only", "qwen"])
    args = parser.parse_args()
    server = llama_server.start()
    try:
        rows = [row(template, run_eval(server, template, args)) for template in args.templates]
    finally:
        server.stop()
    print(f"{args.suite}, {args.limit} tasks (seed 0), Gemma 3 270M Q4_K_M, llama-cpp-python")
    print("| template | pass@1 | no completion | first token p50 / p95 ms |", end="")
    print(" whole answer p50 / p95 ms | completion tokens |")
    print("|---|---|---|---|---|---|")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
