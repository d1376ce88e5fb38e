"""A provider that hangs for some documents' requests must not stall the others: the real
server over stdio, the fake DashScope on 127.0.0.1 hanging (no headers, for a minute) on
every request whose prompt comes from a "hung" document, answering the rest at once."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from fim_lsp.engine import MAX_UPSTREAM_REQUESTS
from tests.reliability.raw_client import RawClient
from tests.support.fake_provider import FakeProvider, Reply

HANG_S = 60.0
HUNG = [f"file:///work/project/hung_{n}.py" for n in range(MAX_UPSTREAM_REQUESTS)]
LIVE = "file:///work/project/live.py"


def reply(body: dict[str, Any]) -> Reply:
    if "hung_document" in body.get("prompt", ""):
        return Reply(text=" 1\n", hang=HANG_S)
    return Reply(text=" + 1\n")


@pytest.fixture
def fake() -> AsyncIterator[FakeProvider]:
    provider = FakeProvider()
    provider.responder = reply
    yield provider.start()
    provider.stop()


@pytest.fixture
async def client(fake: FakeProvider) -> AsyncIterator[RawClient]:
    # Longer than the wait for any reply below: on its own, a hung request never ends.
    raw = await RawClient.start(fake, timeoutMs=int(HANG_S * 1000))
    yield raw
    await raw.stop()


def items(reply: dict[str, Any]) -> list[str]:
    result = reply.get("result") or {}
    return [item["insertText"] for item in result.get("items", [])]


async def test_other_documents_are_answered_while_requests_for_some_hang(
    client: RawClient, fake: FakeProvider
):
    for uri in HUNG:
        client.open(uri, "hung_document = ")
    hung = [
        client.send_request(
            "textDocument/inlineCompletion",
            {
                "textDocument": {"uri": uri},
                "position": {"line": 0, "character": 16},
                "context": {"triggerKind": 2},
            },
        )
        for uri in HUNG
    ]
    fake.wait_for_requests(MAX_UPSTREAM_REQUESTS)  # every slot is upstream, hung

    text = "total = count"
    client.open(LIVE, text)
    for typed in ("", "s", "_"):
        text += typed
        if typed:
            client.change(LIVE, 1 + len(text), [{"text": text}])
        reply = await client.complete(LIVE, 0, len(text))
        assert items(reply) == [" + 1"], reply
    # The hung request that gave its slot up was answered too, with nothing.
    assert any(request_id in client.replies for request_id in hung)
    assert client.popups() == []
