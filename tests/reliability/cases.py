"""The malformed things a client can send, shared by the one-by-one tests and the fuzz."""

from __future__ import annotations

import json
from typing import Any

URI = "file:///work/project/app.py"
GOOD_POSITION = {"line": 0, "character": 4}
GOOD = {"textDocument": {"uri": URI}, "position": GOOD_POSITION, "context": {"triggerKind": 2}}


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
