"""No request stays unanswered past ``timeoutMs`` (and the engine's half-second grace),
whatever the provider or the pool does: the real server over stdio, the fake DashScope on
127.0.0.1 streaming one character every 50 ms for 20 s — never long enough without data for
httpx's read timeout (which counts per read, as its pool, connect and write timeouts count
per attempt), never hung by the slots' rule, so without a deadline of our own such a
request is answered when the stream ends."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import pytest

from fim_lsp.engine import MAX_UPSTREAM_REQUESTS
from tests.reliability.raw_client import RawClient
from tests.support.fake_provider import FakeProvider, Reply

TIMEOUT_MS = 1500  # answered by then and DEADLINE_GRACE_S (0.5 s)
REPLY = Reply(chunks=["x"] * 400, chunk_delay=0.05)  # 20 s, a character at a time
ANSWERED_WITHIN_S = 6.0  # timeoutMs and a loaded machine's margin; the drip lasts 20 s


@pytest.fixture
async def client(fake: FakeProvider) -> AsyncIterator[RawClient]:
    raw = await RawClient.start(fake, timeoutMs=TIMEOUT_MS, alternatives=1)
    yield raw
    await raw.stop()


def request(client: RawClient, uri: str, trigger: int) -> object:
    return client.send_request(
        "textDocument/inlineCompletion",
        {
            "textDocument": {"uri": uri},
            "position": {"line": 0, "character": 8},
            "context": {"triggerKind": trigger},
        },
    )


async def test_a_stream_that_never_settles_is_answered_by_timeout_ms(
    client: RawClient, fake: FakeProvider
):
    client.open("file:///work/drip.py", "value = ")
    started = time.monotonic()
    reply = await client.reply(request(client, "file:///work/drip.py", 2), ANSWERED_WITHIN_S)
    assert "result" in reply, reply
    assert time.monotonic() - started >= TIMEOUT_MS / 1000 * 0.9  # it did wait for the model
    assert client.popups() == []


async def test_requests_waiting_for_a_slot_held_by_such_streams_are_answered_too(
    client: RawClient, fake: FakeProvider
):
    # One document more than there are upstream slots: the last waits for one to free.
    uris = [f"file:///work/drip_{n}.py" for n in range(MAX_UPSTREAM_REQUESTS + 1)]
    for uri in uris:
        client.open(uri, "value = ")
    sent = [request(client, uri, 1) for uri in uris]
    replies = await asyncio.wait_for(
        asyncio.gather(*(client.reply(one, ANSWERED_WITHIN_S) for one in sent)),
        ANSWERED_WITHIN_S,
    )
    assert all("result" in reply for reply in replies), replies
