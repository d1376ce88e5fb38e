"""What ``fim-lsp eval`` itself costs per task, with a model that answers at once.

The fake model on 127.0.0.1 answers every task with its true middle, instantly, so what is
measured is ours: the engine (window, template, streaming, post-processing) plus the local
HTTP round trip, and the sandboxed test run (a fresh ``python -I`` per task).  Prints
median and p95 of each, per task, and the throughput of a whole run at the default
concurrency.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time

import support  # noqa: F401  (puts the repository on sys.path)

from fim_lsp.evaluation.report import percentile
from fim_lsp.evaluation.runner import Evaluation
from fim_lsp.evaluation.sandbox import Limits, run_program
from fim_lsp.evaluation.suites import SUITES, load_tasks
from fim_lsp.settings import Settings
from tests.support.fake_provider import FakeProvider
from tests.support.infilling_model import InfillingModel


def _figures(name: str, seconds: list[float]) -> str:
    ordered = sorted(seconds)
    median = statistics.median(ordered) * 1000
    return f"{name:<28} median {median:7.1f} ms   p95 {percentile(ordered, 95) * 1000:7.1f} ms"


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--suite", default="single-line", choices=list(SUITES))
    parser.add_argument("--tasks", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=4)
    args = parser.parse_args()
    tasks = load_tasks(args.suite, args.tasks, seed=0)
    fake = FakeProvider().start()
    fake.responder = InfillingModel(tasks, {task.task_id for task in tasks})
    settings = Settings(base_url=fake.base_url, api_key="bench")
    limits = Limits()
    try:
        sandbox = []
        for task in tasks:
            program = task.program(task.prompt + task.canonical_solution + task.suffix)
            started = time.perf_counter()
            await run_program(program, limits)
            sandbox.append(time.perf_counter() - started)

        evaluation = Evaluation(settings, False, lambda *_: None, limits)
        engine = evaluation.engine()
        whole = []
        for task in tasks:
            started = time.perf_counter()
            await evaluation.evaluate(task, engine)
            whole.append(time.perf_counter() - started)
        await engine.aclose()
        completing = [max(0.0, w - s) for w, s in zip(whole, sandbox, strict=True)]

        evaluation = Evaluation(settings, False, lambda *_: None, limits)
        passed: list[bool] = []
        started = time.perf_counter()
        await evaluation.run(tasks, args.concurrency, lambda result: passed.append(result.passed))
        wall = time.perf_counter() - started
    finally:
        fake.stop()
    print(f"{args.suite}, {len(tasks)} tasks, one at a time:")
    print(_figures("sandboxed test run", sandbox))
    print(_figures("task, end to end", whole))
    print(_figures("  of which completing", completing))
    print(
        f"whole run at concurrency {args.concurrency}: {wall:.1f} s, "
        f"{len(tasks) / wall:.1f} tasks/s, pass@1 {sum(passed) / len(passed):.1%}"
    )


if __name__ == "__main__":
    asyncio.run(main())
