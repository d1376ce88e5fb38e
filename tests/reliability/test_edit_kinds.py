"""Each kind of edit that once made the server's copy drift from the editor's, one by one,
over the real server: after the edits, the document the server sends upstream is exactly
what a correct client holds."""

from __future__ import annotations

import pytest

from tests.reliability import reference
from tests.reliability.raw_client import RawClient, prompt_document, prompt_prefix
from tests.support.fake_provider import FakeProvider

URI = "file:///work/project/edits.py"


def edit(line: int, character: int, to_line: int, to_character: int, text: str) -> dict:
    return {
        "range": {
            "start": {"line": line, "character": character},
            "end": {"line": to_line, "character": to_character},
        },
        "text": text,
    }


# (name, opening text, edits as (start, end, text)); every second one lands after the first.
CASES = [
    ("form feed", "a\nb\n", [((0, 1), (0, 1), "\x0c"), ((1, 0), (1, 0), "Z")]),
    ("vertical tab", "a\nb\n", [((0, 1), (0, 1), "\x0b"), ((1, 0), (1, 0), "Z")]),
    ("U+0085", "a\nb\n", [((0, 1), (0, 1), "\x85"), ((1, 0), (1, 0), "Z")]),
    ("U+2028", "a\nb\n", [((0, 1), (0, 1), "\u2028"), ((1, 0), (1, 0), "Z")]),
    ("lone CR", "a\rb\rc", [((1, 1), (1, 1), "Z"), ((2, 0), (2, 1), "Q")]),
    ("CRLF", "a\r\nb\r\n", [((0, 1), (1, 0), "\r\nX"), ((1, 1), (1, 1), "Z")]),
    ("CR then LF makes one break", "a\rb", [((1, 0), (1, 0), "\n"), ((1, 0), (1, 0), "Z")]),
    ("astral", "😀x\n", [((0, 2), (0, 2), "Z"), ((0, 0), (0, 2), "é")]),
    ("past the line end", "ab\ncd\n", [((0, 99), (0, 99), "Z"), ((1, 1), (1, 99), "")]),
    ("past the last line", "ab\n", [((7, 0), (9, 0), "Z"), ((0, 0), (0, 1), "")]),
    ("reversed range", "abcdef\n", [((0, 4), (0, 1), "Z"), ((0, 0), (0, 0), "<")]),
]


@pytest.mark.parametrize(("name", "text", "edits"), CASES, ids=[case[0] for case in CASES])
async def test_edit_kind(client: RawClient, fake: FakeProvider, name, text, edits):
    client.open(URI, text)
    expected = text
    for version, (start, end, new) in enumerate(edits, start=2):
        client.change(URI, version, [edit(*start, *end, new)])
        expected = reference.apply(expected, start, end, new, "utf-16")
    last_line = len(reference.line_starts(expected)) - 1
    await client.complete(URI, last_line, 1)
    assert prompt_document(fake) == expected
    cursor = reference.offset(expected, last_line, 1, "utf-16")
    assert prompt_prefix(fake) == expected[:cursor]
    assert client.popups() == []


async def test_a_change_that_keeps_its_version(client: RawClient, fake: FakeProvider):
    client.open(URI, "ab\n")
    client.change(URI, 2, [edit(0, 2, 0, 2, "\nlonger line")])
    await client.complete(URI, 1, 11)
    client.change(URI, 2, [edit(0, 0, 0, 0, "first line\n")])
    await client.complete(URI, 2, 11)
    assert prompt_document(fake) == "first line\nab\nlonger line\n"
    assert prompt_prefix(fake) == "first line\nab\nlonger line"


async def test_a_second_open_with_the_same_version_replaces_the_text(
    client: RawClient, fake: FakeProvider
):
    client.open(URI, "first\n", version=3)
    await client.complete(URI, 0, 5)
    client.open(URI, "zero\nsecond text\n", version=3)
    await client.complete(URI, 1, 6)
    assert prompt_document(fake) == "zero\nsecond text\n"
    assert prompt_prefix(fake) == "zero\nsecond"


async def test_a_change_to_a_document_never_opened_is_logged_not_shown(client: RawClient):
    client.change("file:///never-opened.py", 2, [edit(0, 0, 0, 0, "x")])
    reply = await client.complete("file:///never-opened.py", 0, 0)
    assert reply["result"] is None
    assert client.popups() == []
    assert b"never-opened.py, which is not open" in client.stderr
