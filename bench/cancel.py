"""How promptly a cancelled or superseded request closes its upstream stream.

The fake model streams a token every 2 ms, so a closed stream is noticed within 2 ms of the
close.  Each round edits the document, starts a completion, waits until tokens flow, then
cancels it after an edit (``didChange`` + ``$/cancelRequest``, as an editor does when you type
on), supersedes it (a request at another cursor), or cancels it with the document unchanged
(VS Code when its suggest widget opens: the answer is kept) and types a key a second later;
it measures from the edit or request that ends the stream to the fake provider seeing the
connection gone.
Run: ``.venv/bin/python bench/cancel.py [--rounds 30]``.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time

import support
from lsprotocol import types
from pygls.lsp.client import LanguageClient

from tests.support.fake_provider import FakeProvider, Reply

URI = "file:///bench/cancel.py"
TEXT = "value = f(x)"


def params(character: int) -> types.InlineCompletionParams:
    return types.InlineCompletionParams(
        context=types.InlineCompletionContext(types.InlineCompletionTriggerKind.Automatic),
        text_document=types.TextDocumentIdentifier(URI),
        position=types.Position(0, character),
    )


class Rounds:
    def __init__(self, client: LanguageClient, fake: FakeProvider) -> None:
        self.client = client
        self.fake = fake
        self.version = 1
        self.length = len(TEXT)

    def edit(self) -> None:
        """Type a character at the end of the line (not where the completion is asked)."""
        self.version += 1
        end = types.Position(0, self.length)
        self.length += 1
        self.client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                types.VersionedTextDocumentIdentifier(version=self.version, uri=URI),
                [types.TextDocumentContentChangePartial(range=types.Range(end, end), text="y")],
            )
        )

    async def round_trip(self, index: int, how: str) -> float:
        client, fake = self.client, self.fake
        fake.replies.clear()
        fake.queue(Reply(chunks=["word "] * 2000, chunk_delay=0.002))
        self.edit()  # a new state for every round: nothing is served from a kept answer
        seen = len(fake.received)
        msg_id = f"{how}-{index}"
        pending = asyncio.ensure_future(
            client.protocol.send_request_async(
                types.TEXT_DOCUMENT_INLINE_COMPLETION, params(7), msg_id
            )
        )
        await asyncio.to_thread(fake.wait_for_requests, seen + 1)
        await asyncio.sleep(0.05)
        stream = fake.received[seen]
        started = time.monotonic()
        if how == "superseded":
            await client.protocol.send_request_async(
                types.TEXT_DOCUMENT_INLINE_COMPLETION, params(3)
            )
        else:
            if how == "cancel after an edit":
                self.edit()
            client.protocol.notify(types.CANCEL_REQUEST, types.CancelParams(id=msg_id))
            if how == "cancel, unchanged":
                await asyncio.sleep(1.0)
                assert stream.closed_at is None, "an answer for the state the user is in was closed"
                started = time.monotonic()
                self.edit()  # typing on ends it
        deadline = time.monotonic() + 10
        while stream.closed_at is None and time.monotonic() < deadline:
            await asyncio.sleep(0.001)
        await asyncio.gather(pending, return_exceptions=True)
        assert stream.closed_at is not None, "the stream was never closed"
        return stream.closed_at - started


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    fake = FakeProvider(Reply(text=" done")).start()
    # Automatic triggers, no debounce: a manual trigger asks for alternatives without a stream.
    options = {"baseUrl": fake.base_url, "apiKey": "bench", "cacheSize": 0, "debounceMs": 0}
    client = await support.start_server(options)
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(types.TextDocumentItem(URI, "python", 1, TEXT + "\n"))
    )
    rounds = Rounds(client, fake)
    for label in ("cancel after an edit", "superseded", "cancel, unchanged"):
        samples = [await rounds.round_trip(i, label) for i in range(args.rounds)]
        p95 = support.percentile(samples, 0.95)
        print(
            f"{label:<21} stream closed after median {statistics.median(samples) * 1000:.1f} ms,"
            f" p95 {p95 * 1000:.1f} ms ({args.rounds} rounds)"
        )
    await support.stop_server(client)
    fake.stop()


if __name__ == "__main__":
    asyncio.run(main())
