"""``fim-lsp eval``: its arguments, its progress bar, and where its results go.

The progress bar is tqdm: pure Python with no dependencies of its own (rich would bring
markdown-it and Pygments for one bar), and it prints a sane line when stderr is not a
terminal.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

from tqdm import tqdm  # type: ignore[import-untyped]

from fim_lsp.evaluation import report
from fim_lsp.evaluation.journal import Journal, JournalError
from fim_lsp.evaluation.runner import Evaluation, StoppedError, TaskResult
from fim_lsp.evaluation.sandbox import Limits
from fim_lsp.evaluation.suites import Task, load_tasks
from fim_lsp.notices import Severity
from fim_lsp.settings import Settings
from fim_lsp.stats import stats_dir

SECRET_SETTINGS = ("api_key", "secret_key")


def run(settings: Settings, args: argparse.Namespace) -> int:
    if args.compare:
        return _compare(args.compare, args.chart)
    if not args.suite:
        print("fim-lsp eval: give --suite (or --compare RUN.json ...)", file=sys.stderr)
        return 2
    if args.concurrency < 1 or (args.limit is not None and args.limit < 1):
        print("fim-lsp eval: --concurrency and --limit must be at least 1", file=sys.stderr)
        return 2
    tasks = load_tasks(args.suite, args.limit, args.seed)
    identity = _identity(settings, args)
    journal = Journal(_journal_path(args), identity)
    try:
        kept = journal.resume()
    except JournalError as error:
        print(f"fim-lsp eval: {error}", file=sys.stderr)
        return 2
    results = {task.task_id: kept[task.task_id] for task in tasks if task.task_id in kept}
    try:
        asyncio.run(_evaluate(settings, args, tasks, results, journal))
    except KeyboardInterrupt:
        print(
            f"\ninterrupted: {len(results)} of {len(tasks)} tasks kept in {journal.path}; "
            "run the same command again to go on",
            file=sys.stderr,
        )
        return 130
    except StoppedError as error:
        print(
            f"fim-lsp eval: stopped: {error}\n{len(results)} of {len(tasks)} tasks kept in "
            f"{journal.path}; fix the settings (try `fim-lsp check`) and run again",
            file=sys.stderr,
        )
        return 1
    ordered = [results[task.task_id] for task in tasks]
    summary = report.summarize(args.suite, ordered)
    split = report.by_type(ordered)
    if args.json:
        output = {"summary": summary, "by_type": split, "run": identity, "tasks": ordered}
        args.json.write_text(json.dumps(output, indent=1, ensure_ascii=False) + "\n", "utf-8")
    journal.remove()
    print(report.format_summary(summary, split))
    return 0


async def _evaluate(
    settings: Settings,
    args: argparse.Namespace,
    tasks: list[Task],
    results: dict[str, dict[str, Any]],
    journal: Journal,
) -> None:
    bar = tqdm(total=len(tasks), initial=len(results), unit="task", desc=args.suite)

    def notify(severity: Severity, message: str) -> None:
        bar.write(message, file=sys.stderr)

    counts = {
        "passed": sum(r["passed"] for r in results.values()),
        "errors": sum(r["error"] is not None for r in results.values()),
    }

    def done(result: TaskResult) -> None:
        record = result.as_dict()
        journal.add(record)
        results[result.task_id] = record
        counts["passed"] += result.passed
        counts["errors"] += result.error is not None
        rate = counts["passed"] / len(results)
        bar.set_postfix_str(f"pass@1 {rate:.1%}, errors {counts['errors']}", refresh=False)
        bar.update()

    evaluation = Evaluation(settings, args.raw, notify, Limits(timeout_s=args.timeout))
    pending = [task for task in tasks if task.task_id not in results]
    try:
        await evaluation.run(pending, args.concurrency, done)
    finally:
        bar.close()


def _identity(settings: Settings, args: argparse.Namespace) -> dict[str, Any]:
    """What makes two runs' results comparable: suite, sample, mode and every setting."""
    public = {
        name: value
        for name, value in dataclasses.asdict(settings).items()
        if name not in SECRET_SETTINGS
    }
    fingerprint = hashlib.sha256(json.dumps(public, sort_keys=True).encode()).hexdigest()[:16]
    return {
        "suite": args.suite,
        "limit": args.limit,
        "seed": args.seed,
        "raw": args.raw,
        "provider": settings.provider,
        "base_url": settings.base_url,
        "model": settings.model,
        "template": settings.template,
        "settings": fingerprint,
    }


def _journal_path(args: argparse.Namespace) -> Path:
    if args.json:
        return args.json.with_name(args.json.name + ".partial.jsonl")
    return stats_dir() / "eval" / f"{args.suite}{'-raw' if args.raw else ''}.partial.jsonl"


def _compare(paths: list[Path], chart: Path) -> int:
    try:
        runs = report.load_runs(paths)
    except report.CompareError as error:
        print(f"fim-lsp eval: {error}", file=sys.stderr)
        return 2
    print(report.compare_table(runs))
    if report.write_chart(runs, chart):
        print(f"chart: {chart}")
    else:
        print("(no chart: pip install 'fim-lsp[chart]' for a PNG)")
    return 0
