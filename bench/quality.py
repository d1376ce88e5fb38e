"""Post-processing quality: is what the user is shown exactly the right edit?

Holes are cut, seeded, from real files (this repository's sources in bench/corpus — Python,
TypeScript, Lua — and the running interpreter's standard library): mid-line, whole line,
2-4-line block, and after an auto-closed opener.  For each hole a fake model on 127.0.0.1
streams the raw answer of one class (exact; running 1-3 lines into the suffix; looping on its
last line; an end marker and junk; retyping the closers right of the cursor; whitespace only),
honouring the stop sequences it is sent, as real servers do.  The real server is asked over
LSP (one server per class, so no answer comes from another class's cache), its first item is
applied as VS Code applies it (the range replaced by the insert text), and the document is
compared with the truth.  A blank answer is right when no item is offered.

Run: ``.venv/bin/python bench/quality.py`` (about 400 holes, 6 classes, ~1 minute);
``--per-kind 25`` for a quick look; ``--show CLASS`` prints the failures of one class.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import support
from lsprotocol import types

from fim_lsp.postprocess import FILTERS, CompletionContext, context_at, replacement
from fim_lsp.syntax_gate import gate_syntax
from fim_lsp.templates import QWEN
from tests.support.fake_provider import FakeProvider, Reply
from tests.support.holes import CLASSES, KINDS, Hole, answers, corpus, cut_holes


@dataclass
class Outcome:
    hole: Hole
    cls: str
    raw: str
    applied: str | None  # the document with the first item applied; None: no item

    @property
    def right(self) -> bool:
        if self.cls == "blank":
            return self.applied is None
        return self.applied == self.hole.truth


# A model's pace, so that a stream closed early is seen to stop (4 characters a chunk).
CHUNK_DELAY_S = 0.003


class ScriptedModel:
    """Streams the answer set for the next request in small chunks, cut at the first stop
    sequence it is sent (as DashScope, vLLM and llama.cpp do)."""

    def __init__(self) -> None:
        self.answer = ""
        self.offered = 0  # chunks the model would have streamed, had nobody closed

    def reply(self, body: dict[str, Any]) -> Reply:
        text = self.answer
        for stop in body.get("stop") or []:
            if stop and stop in text:
                text = text[: text.index(stop)]
        chunks = [text[i : i + 4] for i in range(0, len(text), 4)]
        self.offered += len(chunks)
        return Reply(chunks=chunks or [""], chunk_delay=CHUNK_DELAY_S)


def utf16_position(text: str, offset: int) -> types.Position:
    line = text.count("\n", 0, offset)
    start = text.rfind("\n", 0, offset) + 1
    return types.Position(line, len(text[start:offset].encode("utf-16-le")) // 2)


def utf16_offset(text: str, position: types.Position) -> int:
    starts = [0] + [i + 1 for i, char in enumerate(text) if char == "\n"]
    start = starts[position.line]
    units, index = 0, start
    while units < position.character and index < len(text):
        units += len(text[index].encode("utf-16-le")) // 2
        index += 1
    return index


def apply(text: str, item: types.InlineCompletionItem, cursor: int) -> str:
    """The document after VS Code applies ``item`` (its range, or the cursor when it has none)."""
    insert = item.insert_text if isinstance(item.insert_text, str) else item.insert_text.value
    if item.range is None:
        start = end = cursor
    else:
        start, end = utf16_offset(text, item.range.start), utf16_offset(text, item.range.end)
    return text[:start] + insert + text[end:]


# Per class: chunks streamed before the server closed the stream, and chunks on offer.
streamed: dict[str, tuple[int, int]] = {}


async def run_class(cls: str, cases: list[tuple[Hole, str]], server: str) -> list[Outcome]:
    model = ScriptedModel()
    fake = FakeProvider().start()
    fake.responder = model.reply
    options = {"baseUrl": fake.base_url, "apiKey": "bench", "debounceMs": 0, "alternatives": 1}
    client = await support.start_server(options, server)
    outcomes = []
    for number, (hole, raw) in enumerate(cases):
        # Not the file's own name: a corpus file such as secrets.py is never sent anywhere.
        uri = f"file:///quality/{cls}/{number}/hole{Path(hole.source.path).suffix}"
        client.text_document_did_open(
            types.DidOpenTextDocumentParams(
                types.TextDocumentItem(uri, hole.language, 1, hole.document)
            )
        )
        model.answer = raw
        result = await client.text_document_inline_completion_async(
            types.InlineCompletionParams(
                text_document=types.TextDocumentIdentifier(uri),
                position=utf16_position(hole.document, hole.offset),
                context=types.InlineCompletionContext(types.InlineCompletionTriggerKind.Automatic),
            )
        )
        items = result.items if isinstance(result, types.InlineCompletionList) else result
        applied = apply(hole.document, items[0], hole.offset) if items else None
        outcomes.append(Outcome(hole, cls, raw, applied))
        client.text_document_did_close(
            types.DidCloseTextDocumentParams(types.TextDocumentIdentifier(uri))
        )
    await support.stop_server(client)
    fake.stop()
    streamed[cls] = (sum(r.chunks_sent for r in fake.received), model.offered)
    return outcomes


def table(outcomes: list[Outcome]) -> str:
    right: Counter[tuple[str, str]] = Counter()
    total: Counter[tuple[str, str]] = Counter()
    for outcome in outcomes:
        for key in ((outcome.cls, outcome.hole.kind), (outcome.cls, "all")):
            total[key] += 1
            right[key] += outcome.right
    columns = [*KINDS, "all"]
    lines = [f"{'class':<9}" + "".join(f"{kind:>14}" for kind in columns)]
    for cls in CLASSES:
        cells = []
        for kind in columns:
            n = total[cls, kind]
            cells.append(f"{100 * right[cls, kind] / n:6.1f}% {n:>5}" if n else f"{'-':>14}")
        lines.append(f"{cls:<9}" + "".join(f"{cell:>14}" for cell in cells))
    by_kind = [sum(right[c, kind] for c in CLASSES) for kind in columns]
    counts = [sum(total[c, kind] for c in CLASSES) for kind in columns]
    lines.append(
        f"{'overall':<9}"
        + "".join(
            f"{100 * r / n:6.1f}% {n:>5}".rjust(14) for r, n in zip(by_kind, counts, strict=True)
        )
    )
    return "\n".join(lines)


def gate_report(cases: list[tuple[Hole, str]]) -> str:
    """What the syntax gate changes, in process, over the same answers and over each answer
    broken as models break code: a stray closer (``))``), and a line that cannot parse
    (``return import math``, a model restarting the file): wrong items it removed or mended
    vs right items it lost, per language, and its time per item."""
    tally: Counter[tuple[str, str]] = Counter()
    timings: list[float] = []
    for hole, raw in cases:
        indent = " " * (len(raw.split("\n")[-1]) - len(raw.split("\n")[-1].lstrip()))
        for answer in (raw, raw + ")", raw + "\n" + indent + "return import math"):
            context = context_at(hole.document, hole.offset, 8, QWEN.special_tokens, hole.language)
            context.lexer  # noqa: B018 - computed once per request in the server too
            plain = gated = answer
            for step in FILTERS:
                if step is gate_syntax:
                    started = time.perf_counter()
                    gated = step(gated, context)
                    timings.append(time.perf_counter() - started)
                else:
                    plain, gated = step(plain, context), step(gated, context)
            tally[hole.language, "items"] += 1
            if plain != gated:
                right = [_is_right(hole, context, text) for text in (plain, gated)]
                tally[hole.language, "changed"] += 1
                tally[hole.language, "removed"] += right == [False, True] or (
                    right[0] is False and not gated
                )
                tally[hole.language, "lost"] += right[0] is True
    timings.sort()
    lines = [
        f"syntax gate: {1e6 * timings[len(timings) // 2]:.0f} us median, "
        f"{1e6 * timings[int(len(timings) * 0.95)]:.0f} us p95 per item"
    ]
    for language in sorted({language for language, _ in tally}):
        lines.append(
            f"  {language:<11} {tally[language, 'items']:>5} items, "
            f"{tally[language, 'changed']:>4} changed: "
            f"{tally[language, 'removed']:>4} wrong ones removed or mended, "
            f"{tally[language, 'lost']:>3} right ones lost"
        )
    return "\n".join(lines)


def _is_right(hole: Hole, context: CompletionContext, completion: str) -> bool:
    insert, end = replacement(completion, context, hole.offset)
    return hole.document[: hole.offset] + insert + hole.document[end:] == hole.truth


def show(outcomes: list[Outcome], cls: str, limit: int) -> None:
    wrong = [o for o in outcomes if o.cls == cls and not o.right]
    for outcome in wrong[:limit]:
        hole = outcome.hole
        line_start = hole.document.rfind("\n", 0, hole.offset) + 1
        print(f"--- {hole.source.path} {hole.kind}")
        print(f"cursor line: {hole.document[line_start : hole.offset]!r}|")
        print(f"middle:  {hole.middle!r}")
        print(f"raw:     {outcome.raw!r}")
        if outcome.applied is None:
            print("item:    none")
        else:
            end = hole.offset + len(hole.middle)
            got = outcome.applied[line_start : end + 200]
            print(f"got:     {got!r}")
            print(f"want:    {hole.truth[line_start : end + 200]!r}")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-kind", type=int, default=100)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--show", choices=CLASSES, help="print this class's wrong answers")
    parser.add_argument("--limit", type=int, default=15)
    support.add_server_option(parser)
    args = parser.parse_args()
    holes = cut_holes(corpus(), args.per_kind, args.seed)
    rng = random.Random(args.seed)
    by_class: dict[str, list[tuple[Hole, str]]] = defaultdict(list)
    for hole in holes:
        for cls, raw in answers(hole, rng).items():
            by_class[cls].append((hole, raw))
    runs = [run_class(cls, by_class[cls], args.server) for cls in CLASSES]
    outcomes = [outcome for run in await asyncio.gather(*runs) for outcome in run]
    languages = Counter(hole.language for hole in holes)
    print(f"{len(holes)} holes ({', '.join(f'{n} {lang}' for lang, n in languages.items())})")
    print(table(outcomes))
    print(
        "chunks streamed of those on offer: "
        + ", ".join(f"{cls} {sent}/{offered}" for cls, (sent, offered) in streamed.items())
    )
    print(gate_report([case for cls in CLASSES if cls != "blank" for case in by_class[cls]]))
    if args.show:
        show(outcomes, args.show, args.limit)


if __name__ == "__main__":
    asyncio.run(main())
