"""The server under load with provider faults: 50 documents typed in at 20 keystrokes/s.

The real server over stdio against the fake provider on 127.0.0.1 answering after 200 ms plus
10 ms a token.  For 60 s a seeded typist picks a document and types a character
(didChange + inlineCompletion; no cancel, the server supersedes by document).  Three 5 s
faults: every request answered 500, every request hung (answers after 30 s), every stream
dropped after its first chunk.  Prints: requests answered with items, latency from a
keystroke to its items (p50/p95; each request is its document's newest for ~2.5 s), upstream
requests, recovery after each fault (its end to the first items for a keystroke typed after
it), and the server's RSS every 5 s.
Run: ``.venv/bin/python bench/load.py [--seconds 60] [--server DIR]``.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import time
from typing import Any

import support
from lsprotocol import types

from tests.support.fake_provider import FakeProvider, Reply

DOCUMENTS = 50
KEYS_PER_S = 20
ANSWER = " + offset\n"
TOKENS = 3
FAULT_S = 5.0


def faults(seconds: float) -> dict[str, tuple[float, float]]:
    """Each fault's window, spread over the run."""
    return {
        name: (seconds * share, seconds * share + FAULT_S)
        for name, share in (("500", 0.25), ("hang", 0.5), ("dropped", 0.75))
    }


def responder(started: float, windows: dict[str, tuple[float, float]]):
    def reply(body: dict[str, Any]) -> Reply:
        now = time.monotonic() - started
        fault = next((name for name, (a, b) in windows.items() if a <= now < b), None)
        normal = Reply(text=ANSWER, first_delay=0.2, chunk_delay=0.01)
        if fault == "500":
            return Reply(status=500)
        if fault == "hang":
            return Reply(text=ANSWER, hang=30.0)
        if fault == "dropped":
            return Reply(text=ANSWER, first_delay=0.2, drop_after_chunks=1)
        return normal

    return reply


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--seed", type=int, default=7)
    support.add_server_option(parser)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    fake = FakeProvider().start()
    options = {"baseUrl": fake.base_url, "apiKey": "bench", "debounceMs": 0, "cacheSize": 0}
    client = await support.start_server(options, args.server)
    lines = [f"    value_{i} = compute({i})" for i in range(200)]
    uris = [f"file:///bench/load_{n}.py" for n in range(DOCUMENTS)]
    columns = {uri: [len(line) for line in lines] for uri in uris}
    versions = dict.fromkeys(uris, 1)
    for uri in uris:
        item = types.TextDocumentItem(uri, "python", 1, "\n".join(lines) + "\n")
        client.text_document_did_open(types.DidOpenTextDocumentParams(item))

    started = time.monotonic()
    windows = faults(args.seconds)
    fake.responder = responder(started, windows)
    answers: list[tuple[float, float]] = []  # (sent, answered) for requests with items
    empty = 0
    pending: set[asyncio.Task[None]] = set()
    rss: list[tuple[float, float]] = []

    async def keystroke(uri: str, line: int) -> None:
        nonlocal empty
        columns[uri][line] += 1
        versions[uri] += 1
        at = types.Position(line, columns[uri][line] - 1)
        client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                types.VersionedTextDocumentIdentifier(version=versions[uri], uri=uri),
                [types.TextDocumentContentChangePartial(range=types.Range(at, at), text="x")],
            )
        )
        sent = time.monotonic() - started
        params = types.InlineCompletionParams(
            context=types.InlineCompletionContext(types.InlineCompletionTriggerKind.Automatic),
            text_document=types.TextDocumentIdentifier(uri),
            position=types.Position(line, columns[uri][line]),
        )
        try:
            result = await client.text_document_inline_completion_async(params)
        except Exception:  # an error reply counts as no answer
            result = None
        items = result.items if isinstance(result, types.InlineCompletionList) else result
        if items:
            answers.append((sent, time.monotonic() - started))
        else:
            empty += 1

    next_rss = 0.0
    keys = 0
    while (now := time.monotonic() - started) < args.seconds:
        if now >= next_rss:
            rss.append((now, support.rss_mb(support.server_pid(client))))
            next_rss += 5.0
        uri = rng.choice(uris)
        task = asyncio.ensure_future(keystroke(uri, rng.randrange(len(lines))))
        pending.add(task)
        task.add_done_callback(pending.discard)
        keys += 1
        await asyncio.sleep(max(0.0, keys / KEYS_PER_S - (time.monotonic() - started)))
    if pending:
        await asyncio.wait(pending, timeout=15)

    latencies = [answered - sent for sent, answered in answers]
    print(f"{args.seconds:.0f} s, {keys} keystrokes over {DOCUMENTS} documents, faults {FAULT_S} s")
    print(f"answered with items: {len(answers)}, without: {empty}, unfinished: {len(pending)}")
    print(
        f"keystroke -> items: p50 {support.percentile(latencies, 0.5) * 1000:.0f} ms   "
        f"p95 {support.percentile(latencies, 0.95) * 1000:.0f} ms   (model alone: ~230 ms)"
    )
    print(f"upstream requests: {len(fake.received)}")
    for name, (_, end) in windows.items():
        after = [answered for sent, answered in answers if sent >= end]
        recovery = (min(after) - end) if after else float("nan")
        print(f"recovery after {name:>7}: {recovery:.2f} s")
    print("server RSS: " + ", ".join(f"{at:.0f} s {mb:.0f} MB" for at, mb in rss))
    for task in pending:
        task.cancel()
    await support.stop_server(client)
    fake.stop()


if __name__ == "__main__":
    asyncio.run(main())
