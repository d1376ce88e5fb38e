"""Whatever a client sends, every request gets a reply, a mistake is one log line and never a
pop-up, and the server keeps serving.  The real server over stdio, fed raw bytes."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.reliability.raw_client import RawClient
from tests.support.fake_provider import FakeProvider, Reply

URI = "file:///work/project/app.py"
GOOD_POSITION = {"line": 0, "character": 4}
GOOD = {"textDocument": {"uri": URI}, "position": GOOD_POSITION, "context": {"triggerKind": 2}}


@pytest.fixture
def fake() -> AsyncIterator[FakeProvider]:
    provider = FakeProvider(Reply(text=" + 1")).start()
    yield provider
    provider.stop()


@pytest.fixture
async def client(fake: FakeProvider) -> AsyncIterator[RawClient]:
    raw = await RawClient.start(fake)
    raw.open(URI, "x = 2\n")
    yield raw
    await raw.stop()


async def healthy(client: RawClient) -> None:
    """Alive, and a good request gets its completion."""
    reply = await client.request("textDocument/inlineCompletion", GOOD)
    assert reply["result"]["items"][0]["insertText"] == " + 1", reply
    assert client.popups() == []


BAD_PARAMS: dict[str, Any] = {
    "line -1": {**GOOD, "position": {"line": -1, "character": 0}},
    "no context": {key: value for key, value in GOOD.items() if key != "context"},
    "triggerKind 99": {**GOOD, "context": {"triggerKind": 99}},
    "line 2**31": {**GOOD, "position": {"line": 2**31, "character": 0}},
    "character 2**40": {**GOOD, "position": {"line": 0, "character": 2**40}},
    "position as a string": {**GOOD, "position": "0:4"},
    "no textDocument": {"position": GOOD_POSITION, "context": {"triggerKind": 1}},
    "params as a list": [URI, 0, 4],
    "params as a string": "inline please",
    "params null": None,
}


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


BAD_NOTIFICATIONS = {
    "didChange for an unopened document": (
        "textDocument/didChange",
        {
            "textDocument": {"uri": "file:///nowhere.py", "version": 2},
            "contentChanges": [{"text": "x"}],
        },
    ),
    "didChange with changes as a string": (
        "textDocument/didChange",
        {"textDocument": {"uri": URI, "version": 2}, "contentChanges": "abc"},
    ),
    "acceptedLength not a number": (
        "textDocument/didPartiallyAcceptCompletion",
        {"acceptedLength": "abc"},
    ),
    "didOpen without text": (
        "textDocument/didOpen",
        {"textDocument": {"uri": URI, "languageId": "python", "version": 1}},
    ),
    "unknown notification": ("fim/whatever", [1, 2]),
}


@pytest.mark.parametrize("notification", BAD_NOTIFICATIONS.values(), ids=BAD_NOTIFICATIONS.keys())
async def test_bad_notifications_are_logged_not_shown(client: RawClient, notification):
    client.notify(*notification)
    await healthy(client)


def framed(body: bytes, header: bytes | None = None) -> bytes:
    return (header or b"Content-Length: %d\r\n" % len(body)) + b"\r\n" + body


def request_body(request_id: int) -> bytes:
    message = {"jsonrpc": "2.0", "id": request_id, "method": "textDocument/inlineCompletion"}
    return json.dumps({**message, "params": GOOD}).encode()


HEADERS = {
    "absurd length": lambda body: framed(body, b"Content-Length: 99999999999\r\n"),
    "length 10**20": lambda body: framed(body, b"Content-Length: 100000000000000000000\r\n"),
    "length over the limit": lambda body: framed(body, b"Content-Length: 2147483647\r\n"),
    "lying long": lambda body: framed(body, b"Content-Length: %d\r\n" % (len(body) + 500)),
    "lying short": lambda body: framed(body, b"Content-Length: %d\r\n" % (len(body) // 2)),
    "lower case": lambda body: framed(body, b"content-length: %d\r\n" % len(body)),
    "garbage first": lambda body: b"hello there\r\n\r\n" + framed(body),
    "a line of 100 KB first": lambda body: b"x" * 100_000 + framed(body),
    "not JSON": lambda body: framed(b"{this is not json}") + framed(body),
    "not UTF-8": lambda body: framed(b'{"jsonrpc": "2.0", "method": "\xff\xfe"}') + framed(body),
    "a batch": lambda body: framed(b"[" + body + b"]") + framed(body),
}


@pytest.mark.parametrize("frame", HEADERS.values(), ids=HEADERS.keys())
async def test_header_cases_leave_the_server_serving(client: RawClient, frame):
    client.send_bytes(frame(request_body(900)))
    client.send_bytes(framed(request_body(901)))
    reply = await client.reply(901)
    assert reply["result"]["items"], reply
    assert client.process.returncode is None
    await healthy(client)


async def test_a_lying_long_length_alone_is_still_answered(client: RawClient):
    """Nothing follows the short body: it is read once the wire goes quiet."""
    body = request_body(902)
    client.send_bytes(framed(body, b"Content-Length: %d\r\n" % (len(body) + 500)))
    reply = await client.reply(902)
    assert reply["result"]["items"], reply
