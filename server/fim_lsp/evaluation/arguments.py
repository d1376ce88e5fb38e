"""``fim-lsp eval``'s arguments: kept apart so that building the CLI imports nothing heavy."""

from __future__ import annotations

import argparse
from pathlib import Path

from fim_lsp.evaluation.suites import SUITES


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--suite", choices=list(SUITES), help="HumanEval infilling suite")
    parser.add_argument("--limit", type=int, help="a seeded sample of this many tasks")
    parser.add_argument("--seed", type=int, default=0, help="which sample --limit draws")
    parser.add_argument(
        "--concurrency",
        type=int,
        default=4,
        help="tasks in progress at once (default 4; the engine sends at most 4 requests at once)",
    )
    parser.add_argument("--json", type=Path, help="write per-task results and the summary here")
    parser.add_argument("--raw", action="store_true", help="skip post-processing")
    parser.add_argument(
        "--timeout", type=float, default=10.0, help="seconds each task's tests may run"
    )
    parser.add_argument(
        "--compare", type=Path, nargs="+", metavar="RUN.json", help="show runs side by side"
    )
    parser.add_argument(
        "--chart", type=Path, default=Path("fim-lsp-compare.png"), help="--compare's PNG chart"
    )
