"""A fallible model: can the bench tell a good latency policy from a bad one?

``keystrokes.py``'s model is always right, so every request sent inside a burst looks useful
and every cut looks costly.  Here the model is right on a configurable share of requests and
otherwise answers with a plausible wrong continuation (another line of the file, or the right
one with a word changed), at the speed of a real endpoint.  The same seeded typist as in
``keystrokes.py`` types the same corpus into the real server over stdio, accepting a shown
suggestion when it is exactly what comes next.  Prints one row per (server, model).

Run: ``.venv/bin/python bench/fallible.py`` (3 shares x 2 speeds, 300 keystrokes each, two
runs at a time); ``--server DIR`` (repeatable) compares checkouts in one run.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import re
import statistics
import time
from dataclasses import dataclass, field
from typing import Any

import support
from lsprotocol import types
from pygls.lsp.client import LanguageClient

from bench.keystrokes import (
    CHARS_PER_TOKEN,
    CORPUS,
    Draft,
    Editor,
    Typist,
    continuation_at,
    max_characters,
    position,
    server_stats,
)
from tests.support.fake_provider import FakeProvider, Reply

WORD = re.compile(r"[A-Za-z_]\w*")


@dataclass(frozen=True)
class Speed:
    first_token_s: float
    per_token_s: float

    @classmethod
    def parse(cls, text: str) -> Speed:
        first, per_token = text.split("+")
        return cls(float(first) / 1000, float(per_token) / 1000)

    def __str__(self) -> str:
        return f"{self.first_token_s * 1000:g}+{self.per_token_s * 1000:g}ms"


class FallibleModel:
    """Right on ``right`` of the requests, else a plausible wrong continuation.  Whether it is
    right depends only on the place in the file (seeded), so every server meets the same model."""

    def __init__(self, right: float, speed: Speed, seed: int) -> None:
        self.right, self.speed, self.seed = right, speed, seed
        self.rng = random.Random(seed)
        self.file = ""

    def reply(self, body: dict[str, Any]) -> Reply:
        at = continuation_at(self.file, body)
        answer = self.file[at : at + max_characters(body)]
        self.rng = random.Random(f"{self.seed}:{len(self.file)}:{at}")
        if self.rng.random() >= self.right:
            answer = self._wrong(answer)
        if "\n" in body.get("stop", []):
            answer = answer.split("\n", 1)[0]
        tokens = [answer[i : i + CHARS_PER_TOKEN] for i in range(0, len(answer), CHARS_PER_TOKEN)]
        return Reply(
            chunks=tokens or [""],
            first_delay=self.speed.first_token_s,
            chunk_delay=self.speed.per_token_s,
        )

    def _wrong(self, truth: str) -> str:
        """Half the time a near miss (the first word changed), else another line of the file."""
        words = list(WORD.finditer(truth[:80]))
        if words and self.rng.random() < 0.5:
            word = words[0]
            return truth[: word.start()] + word.group() + "_x" + truth[word.end() :]
        lines = [line.strip() for line in self.file.splitlines() if len(line.strip()) > 3]
        other = self.rng.choice(lines) if lines else "pass"
        return other if not truth.startswith(other) else other + "  # ?"


class TimedEditor(Editor):
    """Remembers when each suggestion reached the screen."""

    def __init__(self, client: LanguageClient, uri: str) -> None:
        super().__init__(client, uri)
        self.shown_log: list[tuple[float, int, str]] = []  # (time, version, text)

    async def _request(self, line: int, character: int, results: Any) -> None:
        before = self.shown
        await super()._request(line, character, results)
        if self.shown is not None and self.shown is not before:
            self.shown_log.append((time.monotonic(), self.shown[0], self.shown[1]))


@dataclass
class Tally:
    keystrokes: int = 0
    accepted_chars: int = 0
    accepts: int = 0
    pauses: int = 0
    to_correct_s: list[float] = field(default_factory=list)  # pause start -> correct on screen
    latencies: list[float] = field(default_factory=list)
    shown: dict[str, int] = field(default_factory=dict)


async def type_draft(
    client: LanguageClient, draft: Draft, budget: int, typist: Typist, tally: Tally
) -> int:
    """Type on in ``draft``; what ``keystrokes.type_file`` does, timing each pause's wait."""
    file = draft.file
    if draft.editor is None:
        uri = f"file:///bench/{draft.path.stem}"
        client.text_document_did_open(
            types.DidOpenTextDocumentParams(types.TextDocumentItem(uri, "python", 1, ""))
        )
        draft.editor = TimedEditor(client, uri)
    editor = draft.editor
    assert isinstance(editor, TimedEditor)
    typed = draft.typed
    while len(typed) < len(file) and budget > 0:
        upcoming = file[len(typed) :]
        shown = editor.shown
        accept = bool(
            shown
            and shown[0] == editor.version
            and len(shown[1]) >= 2
            and upcoming.startswith(shown[1])
        )
        if accept and shown:
            step, arguments = shown[1], shown[2]
            tally.accepts += 1
            tally.accepted_chars += len(step)
        else:
            step = upcoming[0]
            if step == "\n":  # the editor auto-indents
                rest = upcoming[1:]
                step += rest[: len(rest) - len(rest.lstrip(" \t"))]
        editor.change(*position(typed), step)
        typed += step
        tally.keystrokes += 1
        budget -= 1
        if accept:
            await client.workspace_execute_command_async(
                types.ExecuteCommandParams(command="fim-lsp.accepted", arguments=arguments)
            )
        started = time.monotonic()
        editor.ask(*position(typed), tally)  # type: ignore[arg-type]
        pause = typist.interval(typed)
        await asyncio.sleep(pause)
        if pause >= 0.5:
            tally.pauses += 1
            rest = file[len(typed) :]
            for at, version, text in editor.shown_log:
                if version == editor.version and at >= started and text and rest.startswith(text):
                    tally.to_correct_s.append(at - started)
                    break
    if editor.pending:
        await asyncio.wait({editor.pending}, timeout=5)
    draft.typed = typed
    return budget


async def run(
    server: str, right: float, speed: Speed, keystrokes: int, seed: int
) -> dict[str, Any]:
    model = FallibleModel(right, speed, seed)
    fake = FakeProvider().start()
    fake.responder = model.reply
    client = await support.start_server({"baseUrl": fake.base_url, "apiKey": "bench"}, server)
    tally = Tally()
    typist = Typist(random.Random(seed))
    drafts = [Draft(path) for path in CORPUS]
    budget = keystrokes
    for draft in drafts:  # an equal share each; what a file leaves goes to the next
        if budget <= 0:
            break
        model.file = draft.file
        given = min(budget, max(1, keystrokes // 8))
        budget -= given - await type_draft(client, draft, given, typist, tally)
    await server_stats(client)  # a round trip: every notification before it was handled
    await support.stop_server(client)
    fake.stop()
    generated = sum(r.chunks_sent for r in fake.received)
    accepted_tokens = -(-tally.accepted_chars // CHARS_PER_TOKEN)
    pauses = max(1, tally.pauses)
    waits = tally.to_correct_s

    def within(limit_s: float) -> float:
        return sum(wait <= limit_s for wait in waits) / pauses

    return {
        "keystrokes": tally.keystrokes,
        "accepted per 100 keys": 100 * tally.accepted_chars / max(1, tally.keystrokes),
        "requests per accepted char": len(fake.received) / max(1, tally.accepted_chars),
        "tokens per accepted char": generated / max(1, tally.accepted_chars),
        "tokens thrown away": f"{max(0, generated - accepted_tokens) / max(1, generated):.0%}",
        "pause -> correct p50/p95 ms": (
            f"{statistics.median(waits) * 1000:.0f} / {support.percentile(waits, 0.95) * 1000:.0f}"
            if waits
            else "n/a"
        ),
        "correct within 100 / 300 ms": f"{within(0.1):.0%} / {within(0.3):.0%}",
        "requests": len(fake.received),
    }


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keystrokes", type=int, default=300)
    parser.add_argument("--right", default="30,50,70", help="percent of requests answered right")
    parser.add_argument("--speed", default="200+10,600+25", help="ms to first token + ms/token")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--parallel", type=int, default=2)
    parser.add_argument("--server", action="append", help="PYTHONPATH of a server (repeatable)")
    args = parser.parse_args()
    servers = args.server or [str(support.SERVER)]
    runs = [
        (server, int(right) / 100, Speed.parse(speed))
        for speed in args.speed.split(",")
        for right in args.right.split(",")
        for server in servers
    ]
    slots = asyncio.Semaphore(args.parallel)

    async def one(server: str, right: float, speed: Speed) -> dict[str, Any]:
        async with slots:
            return await run(server, right, speed, args.keystrokes, args.seed)

    rows = await asyncio.gather(*(one(*spec) for spec in runs))
    names = {server: f"#{n}" for n, server in enumerate(servers)}
    header = ["server", "right", "model", *rows[0]]
    table = [
        [names[server], f"{right:.0%}", str(speed), *(_cell(v) for v in row.values())]
        for (server, right, speed), row in zip(runs, rows, strict=True)
    ]
    for n, server in enumerate(servers):
        print(f"#{n} = {server}")
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for line in table:
        print("| " + " | ".join(line) + " |")


def _cell(value: object) -> str:
    return f"{value:.2f}" if isinstance(value, float) else str(value)


if __name__ == "__main__":
    asyncio.run(main())
