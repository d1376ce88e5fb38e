"""The document store against a flat-string model of LSP's rules, blocks made tiny so every
edit crosses block borders."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lsprotocol.types import Position

from fim_lsp import documents
from fim_lsp.documents import Document
from fim_lsp.positions import units
from tests.reliability import reference

# Characters that break lines somewhere (Python's splitlines, Unicode) but only some in LSP.
TRICKY = ["\n", "\r", "\r\n", "\x0c", "\x0b", "\x85", "\u2028", "\u2029", "😀", "你", "a", " "]
texts = st.lists(st.sampled_from(TRICKY), max_size=40).map("".join)
encodings = st.sampled_from(["utf-8", "utf-16", "utf-32"])
positions = st.tuples(st.integers(0, 12), st.integers(0, 12))


@pytest.fixture(autouse=True)
def tiny_blocks(monkeypatch):
    monkeypatch.setattr(documents, "BLOCK_CHARS", 4)


@settings(max_examples=400, deadline=None)
@given(texts, st.lists(st.tuples(positions, positions, texts), max_size=8), encodings)
def test_edits_match_the_flat_model(text, edits, encoding):
    document = Document.opened("file:///a", "python", 1, text)
    expected = text
    for start, end, new in edits:
        document.apply(Position(*start), Position(*end), new, encoding)
        expected = reference.apply(expected, start, end, new, encoding)
        assert document.text == expected
        assert document.line_count == len(reference.line_starts(expected))


@settings(max_examples=200, deadline=None)
@given(texts, encodings)
def test_every_position_converts_like_the_flat_model(text, encoding):
    document = Document.opened("file:///a", "python", 1, text)
    starts = reference.line_starts(text)
    for line, start in enumerate(starts):
        assert document.line_start(line) == start
        end = starts[line + 1] if line + 1 < len(starts) else len(text)
        for character in range(units(text[start:end], encoding) + 2):
            assert document.offset_at(Position(line, character), encoding) == (
                reference.offset(text, line, character, encoding)
            )
    assert document.offset_at(Position(len(starts), 0), encoding) is None


def test_the_issue_form_feed_case():
    document = Document.opened("file:///a", "python", 1, "a\nb\n")
    document.apply(Position(0, 1), Position(0, 1), "\x0c", "utf-16")
    document.apply(Position(1, 0), Position(1, 0), "Z", "utf-16")
    assert document.text == "a\x0c\nZb\n"


def test_a_lone_carriage_return_ends_a_line():
    document = Document.opened("file:///a", "python", 1, "one\rtwo")
    assert document.offset_at(Position(1, 1), "utf-16") == 5


@settings(max_examples=300, deadline=None)
@given(
    texts,
    st.lists(st.tuples(positions, positions, texts), max_size=4),
    st.integers(-2, 45),
    st.integers(-2, 45),
)
def test_a_slice_reads_what_the_whole_text_holds_there(text, edits, start, end):
    document = Document.opened("file:///a", "python", 1, text)
    for first, last, new in edits:  # the block offsets follow every edit
        document.apply(Position(*first), Position(*last), new, "utf-16")
    whole = document.text
    assert document.length == len(whole)
    assert document.slice(start, end) == whole[max(0, start) : max(0, end)]


@settings(max_examples=300, deadline=None)
@given(texts, st.integers(0, 14), st.integers(0, 14))
def test_lines_are_read_as_the_editor_numbers_them(text, first, count):
    document = Document.opened("file:///a", "python", 1, text)
    starts = [*reference.line_starts(text), len(text)]
    last = len(starts) - 1

    def at(line: int) -> int:
        return starts[min(line, last)]

    piece = text[at(first) : at(first + count)]
    expected = piece.replace("\r\n", "\n").replace("\r", "\n").removesuffix("\n")
    assert document.lines(first, first + count) == expected


def test_a_form_feed_stays_inside_its_line():
    document = Document.opened("file:///a", "python", 1, "zero\x0cstill zero\r\none\rtwo\nthree")
    assert document.lines(1, 3) == "one\ntwo"
    assert document.lines(0, 99) == "zero\x0cstill zero\none\ntwo\nthree"
