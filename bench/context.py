"""Cross-file context: does the prompt carry the definition the hole needs, and at what cost?

Holes are cut from real multi-file projects on this machine (this repository's server, and
httpx, pygls and pytest from the venv): at each line that uses a name the file imports
with ``from … import`` and that another file of the project defines at top level (found by
``ast``, independently of the code under test), the cursor goes just before the name.  A hole
counts as recalled when the context part of the prompt (everything before the edited file's
own section) holds that name's ``def``/``class``/assignment.  Eight other files of the project,
chosen seeded, are the open tabs and two of them were edited recently, as a user would have.

Reported per source and all together: recall, context tokens per prompt (Qwen BPE), the time
to gather it on the keystroke path (p50/p95 over every keystroke: the hole's first and each
of the name's characters typed) and to build the whole prompt with it (first keystroke),
the cold index time and memory of loading the imported files, and the shared-prefix ratio of
the prompts of consecutive keystrokes while the hole's name is typed.

Run: ``.venv/bin/python bench/context.py`` (~1 minute); ``--budget N`` for another budget;
``--holes N`` per project.
"""

from __future__ import annotations

import argparse
import ast
import random
import statistics
import sysconfig
import time
import tracemalloc
from dataclasses import dataclass
from pathlib import Path

import support

from fim_lsp.context import similar
from fim_lsp.context.workspace import Sources, Workspace
from fim_lsp.documents import Document
from fim_lsp.pipeline import prepare
from fim_lsp.settings import Settings
from fim_lsp.snapshot import Snapshot
from fim_lsp.tokens import default_counter

SITE = Path(sysconfig.get_paths()["purelib"])
PROJECTS = {  # name: (workspace folder, files of the project inside it)
    "fim-lsp": (support.REPO, "server/fim_lsp"),
    "httpx": (SITE, "httpx"),
    "pygls": (SITE, "pygls"),
    "pytest": (SITE, "_pytest"),  # lsprotocol: one big generated file, no holes to cut
}
TABS = 8
EDITED = 2
SOURCE_SETS = {
    "definitions": Sources(0, definitions=True, similar=False, recent=False),
    "similar": Sources(0, definitions=False, similar=True, recent=False),
    "recent": Sources(0, definitions=False, similar=False, recent=True),
    "all": Sources(0),
}


@dataclass(frozen=True)
class Hole:
    path: Path
    offset: int  # just before the name
    name: str


def top_level_names(path: Path) -> set[str]:
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"))
    except (SyntaxError, UnicodeDecodeError, ValueError):
        return set()
    names = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
    return names


def holes_of(files: list[Path], rng: random.Random, limit: int) -> list[Hole]:
    defined = {path: top_level_names(path) for path in files}
    holes = []
    for path in files:
        text = path.read_text(encoding="utf-8")
        try:
            tree = ast.parse(text)
        except SyntaxError:
            continue
        imported = {
            alias.asname or alias.name
            for node in tree.body
            if isinstance(node, ast.ImportFrom)
            for alias in node.names
        }
        elsewhere = {
            name
            for name in imported - defined[path]
            if any(name in names for other, names in defined.items() if other != path)
        }
        header_end = max(
            (n.end_lineno or 0 for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))),
            default=0,
        )
        lines = text.splitlines(keepends=True)
        starts = [0]
        for line in lines:
            starts.append(starts[-1] + len(line))
        for number in range(header_end, len(lines)):
            for name in sorted(elsewhere):
                column = _word_at(lines[number], name)
                if column is not None:
                    holes.append(Hole(path, starts[number] + column, name))
                    break
    rng.shuffle(holes)
    return holes[:limit]


def _word_at(line: str, name: str) -> int | None:
    at = line.find(name)
    while at != -1:
        before = line[at - 1] if at else " "
        after = line[at + len(name)] if at + len(name) < len(line) else " "
        if not (before.isalnum() or before in "_.") and not (after.isalnum() or after == "_"):
            return at
        at = line.find(name, at + 1)
    return None


def recalled(prompt: str, current: str, name: str) -> bool:
    context = prompt.split(f"<|file_sep|>{current}\n")[0]
    return any(
        marker in context for marker in (f"def {name}(", f"class {name}", f"{name} =", f"{name}:")
    )


RANKINGS: list[tuple[float, float]] = []  # (seconds, best score) of each similarity ranking
_rank = similar.rank


def timed_rank(*arguments):  # type: ignore[no-untyped-def]
    """``similar.rank``, timed, and the best window's score (exact) noted."""
    began = time.perf_counter()
    ranked = _rank(*arguments)
    RANKINGS.append((time.perf_counter() - began, ranked[0][0] if ranked else 0.0))
    return ranked


similar.rank = timed_rank


def opened(path: Path) -> Document:
    return Document.opened(path.as_uri(), "python", 1, path.read_text(encoding="utf-8"))


def shared_prefix(a: str, b: str) -> int:
    n = min(len(a), len(b))
    i = 0
    while i < n and a[i] == b[i]:
        i += 1
    return i


def run_project(name: str, budget: int, per_project: int, rng: random.Random) -> dict:
    folder, inside = PROJECTS[name]
    files = sorted((folder / inside).rglob("*.py"))
    holes = holes_of(files, rng, per_project)
    counter = default_counter()
    settings = Settings(repo_context_tokens=budget)
    ws = Workspace()
    ws.folders = [str(folder)]
    tabs = rng.sample(files, min(TABS, len(files)))
    for tab in tabs:
        ws.opened(tab.as_uri(), str(tab), opened(tab))
    for tab in tabs[:EDITED]:
        line = rng.randrange(max(1, len(tab.read_text(encoding="utf-8").splitlines())))
        ws.changed(tab.as_uri(), str(tab), opened(tab), line)
    # Cold index: every hole's file opened once, the worker loads what it imports.
    tracemalloc.start()
    started = time.perf_counter()
    texts = {hole.path: hole.path.read_text(encoding="utf-8") for hole in holes}
    for path, text in texts.items():
        ws.opened(path.as_uri(), str(path), Document.opened(path.as_uri(), "python", 1, text))
    tabs_and_holes = len(set(tabs) | set(texts))
    ws._worker.submit(lambda: None).result()  # one worker, in order: all loaded
    index_s = time.perf_counter() - started
    index_mb = tracemalloc.get_traced_memory()[0] / 2**20
    tracemalloc.stop()
    results = {}
    RANKINGS.clear()
    for label, chosen in SOURCE_SETS.items():
        sources = Sources(budget, chosen.definitions, chosen.similar, chosen.recent)
        hits, tokens, build, gathering, ratios = 0, [], [], [], []
        for hole in holes:
            whole = texts[hole.path]
            text = whole[: hole.offset] + whole[hole.offset + len(hole.name) :]  # the middle out
            uri = hole.path.as_uri()
            snap = Snapshot(uri, str(hole.path), text, hole.offset, "python")
            began = time.perf_counter()
            gathered = ws.gather(uri, snap.path, text, snap.offset, sources, counter)
            gathered_at = time.perf_counter()
            plan = prepare(snap, settings, counter, gathered)
            build.append(time.perf_counter() - began)
            gathering.append(gathered_at - began)
            tokens.append(plan.context_tokens)
            hits += recalled(plan.request.prompt, gathered.current, hole.name)
            # Typing the name, one keystroke at a time: how much of each prompt is the last's.
            previous = plan.request.prompt
            for typed in range(1, len(hole.name) + 1):
                typed_text = text[: hole.offset] + hole.name[:typed] + text[hole.offset :]
                offset = hole.offset + typed
                began = time.perf_counter()
                gathered = ws.gather(uri, snap.path, typed_text, offset, sources, counter)
                gathering.append(time.perf_counter() - began)
                snap2 = Snapshot(uri, snap.path, typed_text, offset, "python")
                prompt = prepare(snap2, settings, counter, gathered).request.prompt
                ratios.append(shared_prefix(previous, prompt) / len(prompt))
                previous = prompt
        results[label] = {
            "recall": hits / len(holes) if holes else 0.0,
            "tokens": statistics.median(tokens) if tokens else 0,
            "gather_p50_ms": support.percentile(gathering, 0.5) * 1000,
            "gather_p95_ms": support.percentile(gathering, 0.95) * 1000,
            "p50_ms": support.percentile(build, 0.5) * 1000,
            "p95_ms": support.percentile(build, 0.95) * 1000,
            "shared": statistics.median(ratios) if ratios else 0.0,
        }
    # The prompt without any context, for the ratio: what the pipeline already cost.
    plain = []
    for hole in holes:
        snap = Snapshot(hole.path.as_uri(), str(hole.path), texts[hole.path], hole.offset)
        began = time.perf_counter()
        prepare(snap, settings, counter)
        plain.append(time.perf_counter() - began)
    ws.close()
    return {
        "rankings": len(RANKINGS),
        "rank_p50_ms": support.percentile([took for took, _ in RANKINGS], 0.5) * 1000,
        "rank_p95_ms": support.percentile([took for took, _ in RANKINGS], 0.95) * 1000,
        "best_score": statistics.mean(score for _, score in RANKINGS) if RANKINGS else 0.0,
        "holes": len(holes),
        "documents": tabs_and_holes,
        "index_s": index_s,
        "index_mb": index_mb,
        "plain_p50_ms": support.percentile(plain, 0.5) * 1000 if plain else 0.0,
        **results,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--budget", type=int, default=Settings().repo_context_tokens)
    parser.add_argument("--holes", type=int, default=60, help="per project")
    parser.add_argument("--seed", type=int, default=14)
    args = parser.parse_args()
    print(f"budget {args.budget} tokens, up to {args.holes} holes per project, seed {args.seed}")
    header = f"{'project':<11} {'source':<12} {'recall':>7} {'tokens':>7}"
    print(f"{header} {'gather p50/p95 ms':>18} {'prompt p50/p95 ms':>18} {'shared':>7}")
    totals: dict[str, list[float]] = {label: [] for label in SOURCE_SETS}
    for name in PROJECTS:
        result = run_project(name, args.budget, args.holes, random.Random(args.seed))
        for label in SOURCE_SETS:
            r = result[label]
            totals[label] += [r["recall"]] * result["holes"]
            gather = f"{r['gather_p50_ms']:.2f} / {r['gather_p95_ms']:.2f}"
            prompt = f"{r['p50_ms']:.2f} / {r['p95_ms']:.2f}"
            print(
                f"{name:<11} {label:<12} {r['recall']:>7.1%} {r['tokens']:>7.0f} "
                f"{gather:>18} {prompt:>18} {r['shared']:>7.1%}"
            )
        print(
            f"{name:<11} {result['holes']} holes, {result['documents']} documents seen; "
            f"cold index {result['index_s'] * 1000:.0f} ms, {result['index_mb']:.1f} MB; "
            f"prompt without context p50 {result['plain_p50_ms']:.2f} ms"
        )
        print(
            f"{name:<11} similarity ranking {result['rank_p50_ms']:.2f} / "
            f"{result['rank_p95_ms']:.2f} ms p50/p95 over {result['rankings']} rankings; "
            f"best window's Jaccard score, mean {result['best_score']:.3f}"
        )
    for label, recalls in totals.items():
        print(f"all projects {label:<12} recall {statistics.mean(recalls):.1%}")


if __name__ == "__main__":
    main()
