"""Whatever a client sends, every request gets a reply, a mistake is one log line and never a
pop-up, and the server keeps serving.  The real server over stdio, fed raw bytes."""

from __future__ import annotations

from typing import Any

import pytest

from tests.reliability.cases import (
    BAD_NOTIFICATIONS,
    BAD_PARAMS,
    GOOD,
    HEADERS,
    URI,
    framed,
    request_body,
)
from tests.reliability.raw_client import RawClient
from tests.support.fake_provider import Reply

REPLY = Reply(text=" + 1")


@pytest.fixture
def client(client: RawClient) -> RawClient:
    client.open(URI, "x = 2\n")
    return client


async def healthy(client: RawClient) -> None:
    """Alive, and a good request gets its completion."""
    reply = await client.request("textDocument/inlineCompletion", GOOD)
    assert reply["result"]["items"][0]["insertText"] == " + 1", reply
    assert client.popups() == []


@pytest.mark.parametrize("params", BAD_PARAMS.values(), ids=BAD_PARAMS.keys())
async def test_bad_params_get_an_error_reply(client: RawClient, params: Any):
    request_id = client.send_request("textDocument/inlineCompletion", params)
    reply = await client.reply(request_id, timeout=5)
    assert reply["error"]["code"] == -32602, reply  # InvalidParams
    assert "inlineCompletion" in reply["error"]["message"]
    await healthy(client)


@pytest.mark.parametrize(
    ("message", "code"),
    [
        ({"jsonrpc": "2.0", "id": "s-1", "method": 42, "params": {}}, -32600),
        ({"jsonrpc": "2.0", "id": 5, "method": "fim/noSuchMethod", "params": {}}, -32601),
        (
            {"jsonrpc": "2.0", "id": 6, "method": "initialize", "params": {"capabilities": 3}},
            -32602,
        ),
    ],
    ids=["method not a string", "unknown method", "initialize twice, badly"],
)
async def test_bad_requests_get_an_error_reply(client: RawClient, message: dict, code: int):
    client.send(message)
    reply = await client.reply(message["id"], timeout=5)
    assert reply["error"]["code"] == code, reply
    await healthy(client)


@pytest.mark.parametrize("notification", BAD_NOTIFICATIONS.values(), ids=BAD_NOTIFICATIONS.keys())
async def test_bad_notifications_are_logged_not_shown(client: RawClient, notification):
    client.notify(*notification)
    await healthy(client)


@pytest.mark.parametrize("frame", HEADERS.values(), ids=HEADERS.keys())
async def test_header_cases_leave_the_server_serving(client: RawClient, frame):
    client.send_bytes(frame(request_body(900)))
    client.send_bytes(framed(request_body(901)))
    for request_id in (900, 901):  # even the badly framed one is read and answered
        reply = await client.reply(request_id)
        assert reply["result"]["items"], reply
    assert client.process.returncode is None
    await healthy(client)


async def test_a_lying_long_length_alone_is_still_answered(client: RawClient):
    """Nothing follows the short body: it is read once the wire goes quiet."""
    body = request_body(902)
    client.send_bytes(framed(body, b"Content-Length: %d\r\n" % (len(body) + 500)))
    reply = await client.reply(902)
    assert reply["result"]["items"], reply
