"""Keystroke replay: a seeded typist types real source files into the real server.

Like an editor, it sends ``didChange`` + ``inlineCompletion`` on every keystroke, cancels the
previous request, and accepts a suggestion when it matches what it was about to type (one
keystroke for the whole suggestion).  The model is a fake on 127.0.0.1 with a latency model
(time to first token + time per token) that answers with the file's true upcoming text, so
usefulness is measurable.  Prints one table.

Run: ``.venv/bin/python bench/keystrokes.py`` (5,000 keystrokes, about 12 minutes, real time);
``--keystrokes 600`` for a quick look.
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import random
import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import support
from lsprotocol import types
from pygls.lsp.client import LanguageClient

from tests.support.fake_provider import FakeProvider, Reply

CORPUS = sorted((support.REPO / "bench" / "corpus").glob("*.txt"))
LANGUAGES = {".py": "python", ".ts": "typescript", ".lua": "lua"}
CHARS_PER_TOKEN = 4
PAUSE_AFTER = set(".,(:;{=")


@dataclass
class Typist:
    """Inter-key intervals: bursts of 80-150 ms; 0.5-2 s pauses at line ends and sometimes
    after punctuation.  Seeded, so runs are comparable."""

    rng: random.Random

    def interval(self, typed: str) -> float:
        at_line_end = typed.rstrip(" \t").endswith("\n")  # a new line comes auto-indented
        if at_line_end or (typed[-1:] in PAUSE_AFTER and self.rng.random() < 0.15):
            return self.rng.uniform(0.5, 2.0)
        return self.rng.uniform(0.08, 0.15)


@dataclass
class Results:
    keystrokes: int = 0
    accepted: int = 0
    saved: int = 0
    latencies: list[float] = field(default_factory=list)
    pauses: int = 0
    pauses_served: int = 0
    # Longest text shown per item id: typed-ahead re-shows the rest of an item under its id,
    # and those characters must not count twice.
    shown: dict[str, int] = field(default_factory=dict)
    produced: int = 0  # characters of file written, by hand or by accepts
    # (time.monotonic(), was it an accept) per keystroke, to place each upstream request
    moments: list[tuple[float, bool]] = field(default_factory=list)


def continuation_at(file: str, body: dict[str, Any]) -> int:
    """Where the prompt's prefix ends in the typed file: what follows is the truth."""
    prompt = body.get("prompt", "")
    prefix = prompt.split("<|fim_prefix|>", 1)[-1].split("<|fim_suffix|>", 1)[0]
    anchor = prefix[-300:]
    return file.find(anchor) + len(anchor) if anchor else 0


def max_characters(body: dict[str, Any]) -> int:
    return body.get("max_tokens", 64) * CHARS_PER_TOKEN


class TruthfulModel:
    """Answers with the typed file's real continuation, at a configurable speed."""

    def __init__(self, ttft: float, per_token: float) -> None:
        self.ttft, self.per_token = ttft, per_token
        self.file = ""

    def reply(self, body: dict[str, Any]) -> Reply:
        truth = self.file[continuation_at(self.file, body) :][: max_characters(body)]
        if "\n" in body.get("stop", []):
            truth = truth.split("\n", 1)[0]
        tokens = [truth[i : i + CHARS_PER_TOKEN] for i in range(0, len(truth), CHARS_PER_TOKEN)]
        return Reply(chunks=tokens or [""], first_delay=self.ttft, chunk_delay=self.per_token)


class Editor:
    """One LSP client that edits one document the way an editor does."""

    def __init__(self, client: LanguageClient, uri: str) -> None:
        self.client, self.uri = client, uri
        self.version = 1
        self.pending: asyncio.Task | None = None
        self.pending_id = ""
        self.shown: tuple[int, str, list[Any]] | None = None  # version, text, accept arguments
        self._ids = 0

    def change(self, line: int, character: int, text: str) -> None:
        self.version += 1
        at = types.Position(line, character)
        self.client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                types.VersionedTextDocumentIdentifier(version=self.version, uri=self.uri),
                [types.TextDocumentContentChangePartial(range=types.Range(at, at), text=text)],
            )
        )

    def ask(self, line: int, character: int, results: Results) -> None:
        if self.pending and not self.pending.done():
            self.client.protocol.notify(
                types.CANCEL_REQUEST, types.CancelParams(id=self.pending_id)
            )
        self._ids += 1
        self.pending_id = f"{self.uri}#{self._ids}"
        self.pending = asyncio.ensure_future(self._request(line, character, results))

    async def _request(self, line: int, character: int, results: Results) -> None:
        version, started = self.version, time.perf_counter()
        params = types.InlineCompletionParams(
            context=types.InlineCompletionContext(types.InlineCompletionTriggerKind.Automatic),
            text_document=types.TextDocumentIdentifier(self.uri),
            position=types.Position(line, character),
        )
        try:
            result = await self.client.protocol.send_request_async(
                types.TEXT_DOCUMENT_INLINE_COMPLETION, params, msg_id=self.pending_id
            )
        except Exception:  # cancelled by the next keystroke: the editor drops it too
            return
        if result is None or not result.items or version != self.version:
            return
        now = time.perf_counter()
        results.latencies.append(now - started)
        item = result.items[0]
        text = item.insert_text if isinstance(item.insert_text, str) else item.insert_text.value
        item_id = str(item.command.arguments[0]["id"]) if item.command else f"{version}"
        results.shown[item_id] = max(results.shown.get(item_id, 0), len(text))
        self.shown = (version, text, list(item.command.arguments) if item.command else [])


def position(text: str) -> tuple[int, int]:
    line = text.count("\n")
    return line, len(text) - (text.rfind("\n") + 1)


@dataclass
class Draft:
    """One corpus file and how far the typist has got; a file left unfinished is resumed."""

    path: Path
    typed: str = ""
    editor: Editor | None = None
    file: str = field(init=False)

    def __post_init__(self) -> None:
        self.file = self.path.read_text(encoding="utf-8")

    def done(self) -> bool:
        return self.editor is not None and len(self.typed) >= len(self.file)


async def type_file(
    client: LanguageClient, draft: Draft, budget: int, typist: Typist, results: Results
) -> int:
    """Type on in ``draft`` until it ends or ``budget`` keystrokes are spent; returns what is
    left."""
    file = draft.file
    if draft.editor is None:
        uri = f"file:///bench/{draft.path.stem}"
        language = LANGUAGES.get(Path(draft.path.stem).suffix, "plaintext")
        client.text_document_did_open(
            types.DidOpenTextDocumentParams(types.TextDocumentItem(uri, language, 1, ""))
        )
        draft.editor = Editor(client, uri)
    editor = draft.editor
    typed = draft.typed
    while len(typed) < len(file) and budget > 0:
        upcoming = file[len(typed) :]
        shown = editor.shown
        if (
            shown
            and shown[0] == editor.version
            and len(shown[1]) >= 2
            and upcoming.startswith(shown[1])
        ):
            step, accept_arguments = shown[1], shown[2]
            results.accepted += 1
            results.saved += len(step) - 1
            accepted = True
        else:
            step = upcoming[0]
            if step == "\n":  # the editor auto-indents: the new line's indentation comes free
                rest = upcoming[1:]
                step += rest[: len(rest) - len(rest.lstrip(" \t"))]
            accepted = False
        line, character = position(typed)
        results.moments.append((time.monotonic(), accepted))
        editor.change(line, character, step)
        typed += step
        results.keystrokes += 1
        results.produced += len(step)
        budget -= 1
        if accepted:
            await client.workspace_execute_command_async(
                types.ExecuteCommandParams(command="fim-lsp.accepted", arguments=accept_arguments)
            )
        editor.ask(*position(typed), results)
        pause = typist.interval(typed)
        if pause >= 0.5:
            results.pauses += 1
            await asyncio.sleep(0.1)
            shown = editor.shown
            if shown and shown[0] == editor.version and file[len(typed) :].startswith(shown[1]):
                results.pauses_served += 1
            pause -= 0.1
        await asyncio.sleep(pause)
    if editor.pending:
        await asyncio.wait({editor.pending}, timeout=5)
    draft.typed = typed
    return budget


async def server_stats(client: LanguageClient) -> dict[str, Any]:
    return await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="fim-lsp.stats")
    )


async def open_many(client: LanguageClient, documents: int, lines: int) -> None:
    text = "".join(f"def function_{i}(value):\n    return value * {i}\n" for i in range(lines // 2))
    for n in range(documents):
        client.text_document_did_open(
            types.DidOpenTextDocumentParams(
                types.TextDocumentItem(f"file:///bench/many_{n}.py", "python", 1, text)
            )
        )
    await server_stats(client)  # a round trip: every didOpen before it has been handled


BURST_GAP_S = 0.5  # the typist's pauses are 0.5-2 s; anything shorter is inside a burst


def requests_inside_bursts(arrivals: list[float], results: Results) -> tuple[int, int]:
    """Upstream requests that arrived between two keystrokes of a fast burst: all of them, and
    those right after an accept keystroke (prefetches for the accepted text)."""
    inside = after_accept = 0
    moments = results.moments
    times = [at for at, _ in moments]
    for arrival in arrivals:
        index = bisect.bisect_right(times, arrival) - 1
        if index < 0 or index + 1 >= len(moments):
            continue
        if times[index + 1] - times[index] < BURST_GAP_S:
            inside += 1
            after_accept += moments[index][1]
    return inside, after_accept


COUNTERS = (
    "requests",
    "cancelled",
    "cacheHits",
    "typedAhead",
    "adopted",
    "prefetches",
    "followUps",
    "accepted",
)


def _percentiles(stats: dict[str, Any], name: str) -> str:
    found = stats.get(name)
    return f"{found['p50']} / {found['p95']} ms" if isinstance(found, dict) else "n/a"


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keystrokes", type=int, default=5000)
    parser.add_argument("--ttft-ms", type=float, default=200)
    parser.add_argument("--per-token-ms", type=float, default=10)
    parser.add_argument("--seed", type=int, default=7)
    support.add_server_option(parser)
    args = parser.parse_args()

    model = TruthfulModel(args.ttft_ms / 1000, args.per_token_ms / 1000)
    fake = FakeProvider().start()
    fake.responder = model.reply
    options = {"baseUrl": fake.base_url, "apiKey": "bench"}
    client = await support.start_server(options, args.server)
    results = Results()
    typist = Typist(random.Random(args.seed))
    budget = args.keystrokes
    drafts = [Draft(path) for path in CORPUS]
    # Accepts can finish a file in a few keystrokes: what a short file leaves goes to the
    # next, and a second round resumes the files left unfinished.
    while budget > 0 and (unfinished := [draft for draft in drafts if not draft.done()]):
        for done, draft in enumerate(unfinished):
            share = budget // (len(unfinished) - done)
            if share:
                model.file = draft.file
                budget += await type_file(client, draft, share, typist, results) - share
    typing_rss = support.rss_mb(support.server_pid(client), peak=True)
    stats = await server_stats(client)
    await open_many(client, 50, 5000)
    many_rss = support.rss_mb(support.server_pid(client), peak=True)
    await support.stop_server(client)
    fake.stop()

    generated = sum(r.chunks_sent for r in fake.received)
    requests = len(fake.received)
    shown_tokens = sum(-(-length // CHARS_PER_TOKEN) for length in results.shown.values())
    per100 = 100 / max(1, results.keystrokes)
    inside, after_accept = requests_inside_bursts([r.at for r in fake.received], results)
    rows = [
        ("keystrokes typed (accepts count one)", f"{results.keystrokes}"),
        ("characters of file produced", f"{results.produced}"),
        ("upstream requests / 100 keystrokes", f"{requests * per100:.1f}"),
        (
            "upstream requests / 100 characters produced",
            f"{requests * 100 / max(1, results.produced):.2f}",
        ),
        (
            "upstream requests per typing pause",
            f"{requests / max(1, results.pauses):.2f} ({requests} / {results.pauses})",
        ),
        (
            "requests inside a fast burst (of them right after an accept)",
            f"{inside} ({after_accept})",
        ),
        ("generated tokens / 100 keystrokes", f"{generated * per100:.1f}"),
        (
            "tokens thrown away (generated - shown)",
            f"{max(0, generated - shown_tokens)} "
            f"({max(0, generated - shown_tokens) / max(1, generated):.0%})",
        ),
        (
            "keystroke -> items p50 / p95",
            f"{statistics.median(results.latencies) * 1000:.0f} / "
            f"{support.percentile(results.latencies, 0.95) * 1000:.0f} ms"
            if results.latencies
            else "n/a",
        ),
        (
            "pauses with a correct suggestion within 100 ms",
            f"{results.pauses_served}/{results.pauses} "
            f"({results.pauses_served / max(1, results.pauses):.0%})",
        ),
        ("accepts / keystrokes saved", f"{results.accepted} / {results.saved}"),
        ("server overhead p50 / p95 (our code, model excluded)", _percentiles(stats, "overheadMs")),
        ("typed-ahead answer p50 / p95 (server side)", _percentiles(stats, "typedAheadMs")),
        ("server counters", " ".join(f"{k}={stats[k]}" for k in COUNTERS if k in stats)),
        ("server peak RSS after typing", f"{typing_rss:.0f} MB"),
        ("server peak RSS with 50 open 5,000-line docs", f"{many_rss:.0f} MB"),
    ]
    print(
        f"model: {args.ttft_ms:g} ms to first token + {args.per_token_ms:g} ms per token;"
        f" seed {args.seed}"
    )
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"{name:<{width}}  {value}")


if __name__ == "__main__":
    asyncio.run(main())
