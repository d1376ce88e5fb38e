"""An editor that gives up on a request while the user is still where it asked (VS Code does
~740 ms after the last letter, when its suggest widget opens): the real server over stdio
gets a real ``$/cancelRequest``, the fake DashScope on 127.0.0.1 answers slowly.  The answer
is kept for that state, so asking there again is answered from it; an edit ends it."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from tests.reliability.raw_client import RawClient
from tests.support.fake_provider import FakeProvider, Reply

URI = "file:///work/project/slow.py"
TEXT = "total = count"
SLOW_S = 1.5


REPLY = Reply(text="(items)\n", first_delay=SLOW_S)


@pytest.fixture
def client(client: RawClient) -> RawClient:
    client.open(URI, TEXT)
    return client


def ask(client: RawClient) -> Any:
    return client.send_request(
        "textDocument/inlineCompletion",
        {
            "textDocument": {"uri": URI},
            "position": {"line": 0, "character": len(TEXT)},
            "context": {"triggerKind": 2},
        },
    )


async def wait_until(done: Any, what: str, timeout: float = 10.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not done():
        assert asyncio.get_running_loop().time() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.02)


async def test_a_request_the_editor_cancels_is_answered_when_asked_again(
    client: RawClient, fake: FakeProvider
):
    cancelled = ask(client)
    await asyncio.to_thread(fake.wait_for_requests, 1)
    client.notify("$/cancelRequest", {"id": cancelled})
    assert "error" in await client.reply(cancelled)  # the editor is told it was cancelled
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
