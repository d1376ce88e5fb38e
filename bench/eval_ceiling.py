"""The pipeline's ceiling on HumanEval infilling: ``fim-lsp eval`` against a perfect model.

The fake model on 127.0.0.1 answers every task with its true middle and stops there, as a
FIM model does.  A pass@1 below 100 % is what our own pipeline (window, streaming,
post-processing, applying the item) loses; ``--raw`` shows the same without post-processing.
Runs the real command in a fresh process, as a user would, and prints its summary.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import support

from fim_lsp.evaluation.suites import SUITES, load_tasks
from tests.support.fake_provider import FakeProvider
from tests.support.infilling_model import InfillingModel


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--suite", action="append", choices=list(SUITES))
    parser.add_argument("--limit", type=int)
    parser.add_argument("--raw", action="store_true")
    args = parser.parse_args()
    for suite in args.suite or list(SUITES):
        tasks = load_tasks(suite)
        fake = FakeProvider().start()
        fake.responder = InfillingModel(tasks, {task.task_id for task in tasks})
        with tempfile.TemporaryDirectory() as state:
            env = {
                **os.environ,
                "PYTHONPATH": str(support.SERVER),
                "FIM_LSP_CONFIG": str(Path(state) / "none.toml"),
                "XDG_STATE_HOME": state,
                "FIM_LSP_BASE_URL": fake.base_url,
                "DASHSCOPE_API_KEY": "sk-bench",
            }
            command = [sys.executable, "-m", "fim_lsp", "eval", "--suite", suite]
            command += ["--limit", str(args.limit)] if args.limit else []
            command += ["--raw"] if args.raw else []
            started = time.perf_counter()
            subprocess.run(command, env=env, stderr=subprocess.DEVNULL, check=True)
            print(f"({time.perf_counter() - started:.0f} s)\n")
        fake.stop()


if __name__ == "__main__":
    main()
