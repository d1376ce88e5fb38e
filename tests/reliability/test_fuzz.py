"""A seeded, bounded fuzz of the real server: 2,000 messages a hostile or buggy client could
send (edits of every kind, re-opens, repeated versions, bad params, bad headers, cancels),
in batches of 100.  After each batch: the server is alive, every request sent so far has
its reply, nothing was popped up, and for each document the text the server sends upstream
is byte-identical to what a correct client holds."""

from __future__ import annotations

import asyncio
import json
import random
from collections.abc import Callable

from tests.reliability import reference
from tests.reliability.cases import BAD_NOTIFICATIONS, BAD_PARAMS, HEADERS
from tests.reliability.raw_client import RawClient, prompt_document
from tests.support.fake_provider import FakeProvider

SEED = 13
MESSAGES = 2000
BATCH = 100
URIS = [f"file:///work/fuzz/doc_{n}.py" for n in range(3)]
ALPHABET = ["a", "b", " ", "\n", "\r", "\r\n", "\x0c", "\x0b", "\x85", "\u2028", "😀", "é", "{}"]
MAX_CHARS = 1200  # documents stay small enough that the prompt holds them whole
# Header cases that answer at once (a lying-long length waits for the wire to go quiet).
INSTANT_HEADERS = ["absurd length", "length 10**20", "lying short", "lower case", "garbage first"]


def _position(at: tuple[int, int]) -> dict[str, int]:
    return {"line": at[0], "character": at[1]}


class Fuzzer:
    def __init__(self, client: RawClient, fake: FakeProvider, rng: random.Random) -> None:
        self.client = client
        self.fake = fake
        self.rng = rng
        self.texts: dict[str, str] = {}  # what a correct client holds
        self.versions: dict[str, int] = {}
        self.requests: list[object] = []
        self.sent_as: dict[object, str] = {}  # request id: what it was, for failure reports

    def random_text(self, most: int) -> str:
        return "".join(self.rng.choice(ALPHABET) for _ in range(self.rng.randint(0, most)))

    def position(self, uri: str) -> tuple[int, int]:
        lines = len(reference.line_starts(self.texts[uri]))
        if self.rng.random() < 0.05:
            return self.rng.choice([(0, 2**31 - 1), (2**31 - 1, 0), (lines + 3, 7)])
        return self.rng.randint(0, lines), self.rng.randint(0, 12)

    def version(self, uri: str) -> int:
        """Mostly the next version; sometimes the same, or an older one."""
        step = self.rng.choice([1, 1, 1, 1, 0, -1])
        self.versions[uri] = max(0, self.versions[uri] + step)
        return self.versions[uri]

    def open(self, uri: str) -> None:
        self.texts[uri] = self.random_text(60)
        self.versions[uri] = self.rng.choice([1, self.versions.get(uri, 1)])
        self.client.open(uri, self.texts[uri], self.versions[uri])

    # -- the message kinds -------------------------------------------------------------------

    def edit(self) -> None:
        uri = self.rng.choice(URIS)
        start, end = self.position(uri), self.position(uri)
        new = self.random_text(6)
        self.texts[uri] = reference.apply(self.texts[uri], start, end, new, "utf-16")
        change = {
            "range": {
                "start": {"line": start[0], "character": start[1]},
                "end": {"line": end[0], "character": end[1]},
            },
            "text": new,
        }
        self.client.change(uri, self.version(uri), [change])
        if len(self.texts[uri]) > MAX_CHARS:
            self.replace_all(uri)

    def replace_all(self, uri: str | None = None) -> None:
        uri = uri or self.rng.choice(URIS)
        self.texts[uri] = self.random_text(60)
        self.client.change(uri, self.version(uri), [{"text": self.texts[uri]}])

    def reopen(self) -> None:
        uri = self.rng.choice(URIS)
        if self.rng.random() < 0.5:
            self.client.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
        self.open(uri)

    def complete(self) -> None:
        uri = self.rng.choice(URIS)
        line, character = self.position(uri)
        params = {
            "textDocument": {"uri": uri},
            "position": {"line": line, "character": character},
            "context": {"triggerKind": self.rng.choice([1, 2])},
        }
        self.requests.append(self.client.send_request("textDocument/inlineCompletion", params))

    def bad_request(self) -> None:
        params = self.rng.choice(list(BAD_PARAMS.values()))
        method = self.rng.choice(["textDocument/inlineCompletion", "fim/unknown"])
        self.requests.append(self.client.send_request(method, params))

    def bad_notification(self) -> None:
        self.client.notify(*self.rng.choice(list(BAD_NOTIFICATIONS.values())))

    def cancel(self) -> None:
        if self.requests:
            target = self.rng.choice([*self.requests[-3:], 10**9])
            self.client.notify("$/cancelRequest", {"id": target})

    def bad_header(self) -> None:
        request_id = self.client.next_id()
        body = json.dumps(
            {
                "jsonrpc": "2.0",
                "id": request_id,
                "method": "workspace/executeCommand",
                "params": {"command": "fim-lsp.stats", "arguments": []},
            }
        ).encode()
        header = self.rng.choice(INSTANT_HEADERS)
        self.client.send_bytes(HEADERS[header](body))
        self.requests.append(request_id)
        self.sent_as[request_id] = header

    def kinds(self) -> list[tuple[Callable[[], None], int]]:
        return [
            (self.edit, 50),
            (self.replace_all, 3),
            (self.reopen, 4),
            (self.complete, 15),
            (self.bad_request, 8),
            (self.bad_notification, 8),
            (self.cancel, 5),
            (self.bad_header, 4),
        ]

    # -- the health check --------------------------------------------------------------------

    async def check(self, batch: int) -> None:
        client = self.client
        assert client.process.returncode is None, f"server died in batch {batch}"
        try:
            await asyncio.wait_for(
                asyncio.gather(*(client.reply(request) for request in self.requests)), 30
            )
        except asyncio.TimeoutError:
            unanswered = [
                (request, self.sent_as.get(request, "a request"))
                for request in self.requests
                if request not in client.replies
            ]
            raise AssertionError(f"batch {batch}: no reply to {unanswered}") from None
        for uri in URIS:
            # A state never seen before, so the answer cannot come from the server's memory.
            end = (2**31 - 1, 0)
            marker = f"#{batch}"
            self.texts[uri] = reference.apply(self.texts[uri], end, end, marker, "utf-16")
            change = {"range": {"start": _position(end), "end": _position(end)}, "text": marker}
            client.change(uri, self.version(uri) + 1, [change])
            before = len(self.fake.received)
            reply = await client.complete(uri, 0, 0)
            assert "result" in reply, reply
            assert len(self.fake.received) == before + 1, "no prompt went upstream"
            assert prompt_document(self.fake) == self.texts[uri], (batch, uri)
        assert client.popups() == [], client.popups()


async def test_fuzz(fake: FakeProvider):
    client = await RawClient.start(fake)
    rng = random.Random(SEED)
    fuzzer = Fuzzer(client, fake, rng)
    for uri in URIS:
        fuzzer.open(uri)
    kinds, weights = zip(*fuzzer.kinds(), strict=True)
    for batch in range(MESSAGES // BATCH):
        for _ in range(BATCH):
            rng.choices(kinds, weights)[0]()
        await fuzzer.check(batch)
    code = await client.stop()
    assert code == 0
    assert client.popups() == []
