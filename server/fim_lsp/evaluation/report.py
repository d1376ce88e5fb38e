"""The figures of a run, and runs side by side.

The summary's keys are the interface other tools read (``pass_at_1`` is a fraction 0-1);
``by_type`` splits pass@1 by where the hole is, since post-processing treats each kind of
hole its own way.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from fim_lsp.evaluation.suites import KINDS


def summarize(suite: str, results: list[dict[str, Any]]) -> dict[str, Any]:
    tasks = len(results)
    ttfts = sorted(r["ttft_ms"] for r in results if r["ttft_ms"] is not None)
    streamed = [r for r in results if r["generation_s"] > 0]
    generation_s = sum(r["generation_s"] for r in streamed)
    return {
        "suite": suite,
        "tasks": tasks,
        "pass_at_1": _fraction(sum(r["passed"] for r in results), tasks),
        "exact_match": _fraction(sum(r["exact_match"] for r in results), tasks),
        "edit_similarity": _fraction(sum(r["edit_similarity"] for r in results), tasks),
        "ttft_ms_p50": percentile(ttfts, 50),
        "ttft_ms_p95": percentile(ttfts, 95),
        "tokens_per_s": round(sum(r["completion_tokens"] for r in streamed) / generation_s, 1)
        if generation_s
        else None,
        "prompt_tokens": sum(r["prompt_tokens"] for r in results),
        "completion_tokens": sum(r["completion_tokens"] for r in results),
        "errors": sum(r["error"] is not None for r in results),
    }


def by_type(results: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    split = {}
    for kind in KINDS:
        of_kind = [r for r in results if r["type"] == kind]
        if of_kind:
            passed = sum(r["passed"] for r in of_kind)
            split[kind] = {"tasks": len(of_kind), "pass_at_1": _fraction(passed, len(of_kind))}
    return split


def percentile(ordered: list[float], q: float) -> float | None:
    """Nearest rank: a value that was measured, never one in between."""
    if not ordered:
        return None
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


def _fraction(part: float, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


def format_summary(summary: dict[str, Any], split: dict[str, dict[str, Any]]) -> str:
    ms = lambda value: "n/a" if value is None else f"{value:.0f} ms"  # noqa: E731
    kinds = ", ".join(
        f"{kind} {figures['pass_at_1']:.1%} of {figures['tasks']}"
        for kind, figures in split.items()
    )
    rate = summary["tokens_per_s"]
    return "\n".join(
        [
            f"{summary['suite']}: {summary['tasks']} tasks, pass@1 {summary['pass_at_1']:.1%} "
            f"({kinds}), exact match {summary['exact_match']:.1%}, "
            f"edit similarity {summary['edit_similarity']:.3f}",
            f"first token p50 {ms(summary['ttft_ms_p50'])}, p95 {ms(summary['ttft_ms_p95'])}; "
            f"{'n/a' if rate is None else rate} tokens/s; {summary['prompt_tokens']} prompt + "
            f"{summary['completion_tokens']} completion tokens; {summary['errors']} errors",
        ]
    )


# --compare: the rows of the table, each a label and how to read it from one run's JSON.
ROWS: list[tuple[str, Any]] = [
    ("model", lambda run: run["run"]["model"]),
    ("post-processing", lambda run: "off (--raw)" if run["run"]["raw"] else "on"),
    ("tasks", lambda run: run["summary"]["tasks"]),
    ("pass@1", lambda run: f"{run['summary']['pass_at_1']:.1%}"),
    *[
        (
            f"  {kind}",
            lambda run, kind=kind: (
                f"{run['by_type'][kind]['pass_at_1']:.1%}" if kind in run["by_type"] else "-"
            ),
        )
        for kind in KINDS
    ],
    ("exact match", lambda run: f"{run['summary']['exact_match']:.1%}"),
    ("edit similarity", lambda run: f"{run['summary']['edit_similarity']:.3f}"),
    ("first token p50 ms", lambda run: _number(run["summary"]["ttft_ms_p50"])),
    ("first token p95 ms", lambda run: _number(run["summary"]["ttft_ms_p95"])),
    ("tokens/s", lambda run: _number(run["summary"]["tokens_per_s"])),
    ("completion tokens", lambda run: run["summary"]["completion_tokens"]),
    ("errors", lambda run: run["summary"]["errors"]),
]


def _number(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f}"


class CompareError(Exception):
    """A file given to --compare is not a run's JSON."""


def load_runs(paths: list[Path]) -> list[tuple[str, dict[str, Any]]]:
    runs = []
    for path in paths:
        try:
            run = json.loads(path.read_text(encoding="utf-8"))
            run["summary"]["suite"], run["run"]["model"], run["by_type"]
        except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError) as error:
            raise CompareError(f"{path} is not the JSON of a fim-lsp eval run ({error})") from error
        runs.append((path.stem, run))
    return runs


def compare_table(runs: list[tuple[str, dict[str, Any]]]) -> str:
    """One table per suite, a column per run."""
    tables = []
    for suite in dict.fromkeys(run["summary"]["suite"] for _, run in runs):
        columns = [(label, run) for label, run in runs if run["summary"]["suite"] == suite]
        cells = [[label for label, _ in columns]]
        cells += [[str(read(run)) for _, run in columns] for _, read in ROWS]
        names = [suite, *(name for name, _ in ROWS)]
        width = max(map(len, names))
        widths = [max(len(row[i]) for row in cells) for i in range(len(columns))]
        lines = [
            "  ".join([name.ljust(width), *map(str.rjust, row, widths)])
            for name, row in zip(names, cells, strict=True)
        ]
        lines.insert(1, "-" * len(lines[0]))
        tables.append("\n".join(lines))
    return "\n\n".join(tables)


def write_chart(runs: list[tuple[str, dict[str, Any]]], path: Path) -> bool:
    """pass@1 per suite and hole type, a bar per run; False when matplotlib is missing."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    groups: list[tuple[str, str | None]] = []
    for suite in dict.fromkeys(run["summary"]["suite"] for _, run in runs):
        of_suite = [run for _, run in runs if run["summary"]["suite"] == suite]
        groups.append((suite, None))
        groups += [(suite, kind) for kind in KINDS if any(kind in r["by_type"] for r in of_suite)]
    figure, axes = plt.subplots(figsize=(max(6.0, 0.5 * len(groups) * len(runs)), 4))
    width = 0.8 / len(runs)
    for index, (label, run) in enumerate(runs):
        values = [_pass_rate(run, suite, kind) for suite, kind in groups]
        positions = [g + index * width for g in range(len(groups))]
        axes.bar(positions, values, width, label=label)
    names = [suite if kind is None else f"{suite}\n{kind}" for suite, kind in groups]
    axes.set_xticks([g + 0.4 - width / 2 for g in range(len(groups))], names, fontsize=8)
    axes.set_ylabel("pass@1")
    axes.set_ylim(0, 1)
    axes.legend()
    axes.set_title("fim-lsp eval")
    figure.tight_layout()
    figure.savefig(path)
    plt.close(figure)
    return True


def _pass_rate(run: dict[str, Any], suite: str, kind: str | None) -> float:
    """NaN draws no bar: that run did not measure this group."""
    if run["summary"]["suite"] != suite:
        return math.nan
    if kind is None:
        return run["summary"]["pass_at_1"]
    return run["by_type"].get(kind, {}).get("pass_at_1", math.nan)
