"""An editor that gives up on a request while the user is still where it asked (VS Code does
~740 ms after the last letter, when its suggest widget opens): the real server over stdio
gets a real ``$/cancelRequest``, the fake DashScope on 127.0.0.1 answers slowly.  The answer
is kept for that state, so asking there again is answered from it; an edit ends it.  An
editor that declared it is told when the kept answer is in (``fimLsp/suggestionReady``): VS
Code, where no suggest widget opens, never asks again by itself."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.reliability.raw_client import RawClient
from tests.support.fake_provider import FakeProvider, Reply

URI = "file:///work/project/slow.py"
TEXT = "total = count"
SLOW_S = 1.5


REPLY = Reply(text="(items)\n", first_delay=SLOW_S)
READY = "fimLsp/suggestionReady"
TELLS_READY = {"experimental": {"fimLsp": {"suggestionReady": True}}}


@pytest.fixture
def client(client: RawClient) -> RawClient:
    client.open(URI, TEXT)
    return client


@pytest.fixture
async def told_client(fake: FakeProvider) -> AsyncIterator[RawClient]:
    """A client that asks again when the server says a suggestion is ready (as VS Code's)."""
    raw = await RawClient.start(fake, capabilities=TELLS_READY)
    raw.open(URI, TEXT, version=7)
    yield raw
    await raw.stop()


def ask(client: RawClient) -> Any:
    return client.send_request(
        "textDocument/inlineCompletion",
        {
            "textDocument": {"uri": URI},
            "position": {"line": 0, "character": len(TEXT)},
            "context": {"triggerKind": 2},
        },
    )


async def give_up(client: RawClient, fake: FakeProvider, upstream: int = 1) -> dict[str, Any]:
    """Ask, and cancel once the request is upstream (the ``upstream``-th there), as VS Code
    does when its suggest widget opens; the reply to the cancelled request."""
    cancelled = ask(client)
    await asyncio.to_thread(fake.wait_for_requests, upstream)
    client.notify("$/cancelRequest", {"id": cancelled})
    return await client.reply(cancelled)


async def wait_until(done: Any, what: str, timeout: float = 10.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not done():
        assert asyncio.get_running_loop().time() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.02)


async def test_a_request_the_editor_cancels_is_answered_when_asked_again(
    client: RawClient, fake: FakeProvider
):
    assert "error" in await give_up(client, fake)  # the editor is told it was cancelled
    [upstream] = fake.received
    await wait_until(lambda: upstream.chunks_sent == 1, "the slow answer to be sent")
    assert not upstream.client_closed

    again = await client.reply(ask(client))

    assert [item["insertText"] for item in again["result"]["items"]] == ["(items)"]
    assert len(fake.received) == 1  # from the kept answer


async def test_a_request_cancelled_after_the_user_typed_on_closes_its_stream(
    client: RawClient, fake: FakeProvider
):
    cancelled = ask(client)
    await asyncio.to_thread(fake.wait_for_requests, 1)
    client.change(URI, 2, [{"text": TEXT + "s"}])  # VS Code: didChange, then the cancel
    client.notify("$/cancelRequest", {"id": cancelled})
    await client.reply(cancelled)

    closed = await asyncio.to_thread(fake.wait_for_close)  # not kept: the user moved on
    assert closed is fake.received[0]


async def test_a_client_that_declared_it_is_told_when_the_kept_answer_is_in(
    told_client: RawClient, fake: FakeProvider
):
    await give_up(told_client, fake)
    assert told_client.notified(READY) == []  # not yet: the model is still thinking

    await wait_until(lambda: told_client.notified(READY), "the suggestion-ready notification")

    assert told_client.notified(READY) == [
        {
            "textDocument": {"uri": URI, "version": 7},
            "position": {"line": 0, "character": len(TEXT)},
        }
    ]
    again = await told_client.reply(ask(told_client))
    assert [item["insertText"] for item in again["result"]["items"]] == ["(items)"]
    assert len(fake.received) == 1


async def test_no_client_is_told_of_an_answer_it_did_not_give_up_on_or_cannot_use(
    told_client: RawClient, client: RawClient, fake: FakeProvider
):
    # Answered while asked: nothing to tell.
    reply = await told_client.reply(ask(told_client), timeout=2 * SLOW_S + 5)
    assert [item["insertText"] for item in reply["result"]["items"]] == ["(items)"]
    # Given up on, for a client that never said it would ask again.
    await give_up(client, fake, upstream=2)
    upstream = fake.received[-1]
    await wait_until(lambda: upstream.chunks_sent == 1, "the slow answer to be sent")
    await client.reply(ask(client))  # answered from the kept answer, so it was in

    assert told_client.notified(READY) == [] and client.notified(READY) == []


async def test_no_one_is_told_when_the_user_typed_on_after_giving_up(
    told_client: RawClient, fake: FakeProvider
):
    await give_up(told_client, fake)
    told_client.change(URI, 8, [{"text": TEXT + "s"}])

    closed = await asyncio.to_thread(fake.wait_for_close)
    # Anything the server would send about it comes before its reply to a later request.
    await told_client.request("workspace/executeCommand", {"command": "fim-lsp.stats"})

    assert closed is fake.received[0]
    assert told_client.notified(READY) == []
