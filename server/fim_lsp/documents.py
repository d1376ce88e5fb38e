"""The open documents, kept exactly as the editor holds them.

Lines end at '\\n', '\\r\\n' or '\\r' only, as in LSP.  A document's text lives in blocks of
whole lines (about ``BLOCK_CHARS`` each): an incremental change rewrites only the blocks it
touches, so a keystroke costs the same in a 2 MB file as in a 20 KB one, and a position is
found by walking the blocks' line counts.  A request reads only the characters near its
cursor (``slice``); the whole text is joined only to cut the document for the context, in
the background.

Editors get versions wrong now and then (a change that keeps the number, a second
``didOpen``); nothing here is cached per version, so such quirks cannot misplace a cursor.
"""

from __future__ import annotations

import logging
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import accumulate

from lsprotocol.types import Position, TextDocumentContentChangeEvent

from fim_lsp.positions import LINE_BREAK, column

log = logging.getLogger(__name__)

BLOCK_CHARS = 4096


def _blocks_of(text: str) -> list[str]:
    """``text`` cut after line breaks into blocks of about ``BLOCK_CHARS`` (never inside
    '\\r\\n'; a longer line stays whole)."""
    blocks = []
    start = 0
    while len(text) - start > BLOCK_CHARS:
        found = LINE_BREAK.search(text, start + BLOCK_CHARS - 1)
        if found is None:
            break
        blocks.append(text[start : found.end()])
        start = found.end()
    if start < len(text) or not blocks:
        blocks.append(text[start:])
    return blocks


def _breaks(block: str) -> int:
    return block.count("\n") + block.count("\r") - block.count("\r\n")


def _ends_line(block: str) -> bool:
    return block.endswith(("\n", "\r"))


@dataclass
class Document:
    uri: str
    language_id: str
    version: int
    _blocks: list[str] = field(default_factory=list, repr=False)
    _breaks: list[int] = field(default_factory=list, repr=False)
    # Running sums of _breaks (the lines before each block's end), made on the first lookup
    # after a change: a line is found by bisection, not a walk over 500 blocks of a 2 MB file.
    _ends: list[int] | None = field(default=None, repr=False)
    # Running sums of the blocks' lengths (the offset of each block's end), made likewise.
    _offsets: list[int] | None = field(default=None, repr=False)

    @classmethod
    def opened(cls, uri: str, language_id: str, version: int, text: str) -> Document:
        document = cls(uri, language_id, version)
        document.replace_all(text)
        return document

    @property
    def text(self) -> str:
        """The whole text, O(size): never per keystroke nor per request.  Safe to read from
        another thread (the context's worker): the blocks are immutable strings replaced
        by single list assignments, and joining them never lets go of the GIL."""
        return "".join(self._blocks)

    @property
    def line_count(self) -> int:
        return self._line_ends()[-1] + 1

    @property
    def length(self) -> int:
        return self._block_offsets()[-1]

    def slice(self, start: int, end: int) -> str:
        """``text[start:end]``, joining only the blocks it touches."""
        offsets = self._block_offsets()
        start, end = max(0, start), min(end, offsets[-1])
        if start >= end:
            return ""
        first, last = bisect_right(offsets, start), bisect_left(offsets, end)
        base = offsets[first - 1] if first else 0
        if first == last:
            return self._blocks[first][start - base : end - base]
        return "".join(self._blocks[first : last + 1])[start - base : end - base]

    def lines(self, first: int, end: int) -> str:
        """Lines ``first`` up to ``end`` (clamped), without their breaks, joined by '\n':
        the line ``first`` is looked up once, the rest read on from it."""
        if first >= self.line_count or end <= first:
            return ""
        index, local = self._block_of(first)
        start = _skip_lines(self._blocks[index], 0, local)
        wanted, pieces = end - first, []
        while index < len(self._blocks):
            block, ending = self._blocks[index], self._breaks[index] - local
            if wanted <= ending:
                pieces.append(block[start : _skip_lines(block, start, wanted)])
                break
            pieces.append(block[start:])
            wanted, index, start, local = wanted - ending, index + 1, 0, 0
        piece = "".join(pieces)
        return (LINE_BREAK.sub("\n", piece) if "\r" in piece else piece).removesuffix("\n")

    def replace_all(self, text: str) -> None:
        self._blocks = _blocks_of(text)
        self._breaks = [_breaks(block) for block in self._blocks]
        self._ends = self._offsets = None

    def offset_at(self, position: Position, encoding: str) -> int | None:
        """Code-point offset of a position; None past the last line, clamped past a line's end."""
        found = self._line(position.line)
        if found is None:
            return None
        block_start, block, start, end = found
        return block_start + start + column(block[start:end], position.character, encoding)

    def line_start(self, line: int) -> int | None:
        found = self._line(line)
        return None if found is None else found[0] + found[2]

    def apply(self, start: Position, end: Position, new_text: str, encoding: str) -> None:
        """Replace a range as LSP says: positions past a line's end mean its end, past the
        last line the document's end; a reversed range is read from its earlier end."""
        first, last = self._clamped(start, encoding), self._clamped(end, encoding)
        if (last[0], last[1]) < (first[0], first[1]):
            first, last = last, first
        low, high = first[0], last[0] + 1
        region = self._blocks[low][: first[1]] + new_text + self._blocks[last[0]][last[1] :]
        # Keep blocks of whole lines, and never split a '\r\n' the edit has just made.
        while low > 0 and region.startswith("\n") and self._blocks[low - 1].endswith("\r"):
            low -= 1
            region = self._blocks[low] + region
        while high < len(self._blocks) and (
            not _ends_line(region)
            or (region.endswith("\r") and self._blocks[high].startswith("\n"))
        ):
            region += self._blocks[high]
            high += 1
        replacement = _blocks_of(region) if region or len(self._blocks) == high - low else []
        self._blocks[low:high] = replacement
        self._breaks[low:high] = [_breaks(block) for block in replacement]
        self._ends = self._offsets = None

    def _clamped(self, position: Position, encoding: str) -> tuple[int, int]:
        """(block index, offset in the block) of a position, clamped into the document."""
        if position.line >= self.line_count:
            return len(self._blocks) - 1, len(self._blocks[-1])
        index, local = self._block_of(position.line)
        block = self._blocks[index]
        start, end = _line_in_block(block, local)
        return index, start + column(block[start:end], position.character, encoding)

    def _block_offsets(self) -> list[int]:
        if self._offsets is None:
            self._offsets = list(accumulate(map(len, self._blocks)))
        return self._offsets

    def _line_ends(self) -> list[int]:
        if self._ends is None:
            self._ends = list(accumulate(self._breaks))
        return self._ends

    def _block_of(self, line: int) -> tuple[int, int]:
        """The block holding ``line`` (which must exist) and the line's index inside it: the
        first block ending after it; the last block takes every remaining line."""
        ends = self._line_ends()
        index = min(bisect_right(ends, line), len(ends) - 1)
        return index, line - (ends[index - 1] if index else 0)

    def _line(self, line: int) -> tuple[int, str, int, int] | None:
        """(block's offset, block, line start and end in it without the break) or None."""
        if line >= self.line_count:
            return None
        index, local = self._block_of(line)
        block = self._blocks[index]
        start, end = _line_in_block(block, local)
        return self._block_offsets()[index] - len(block), block, start, end


def _line_in_block(block: str, local: int) -> tuple[int, int]:
    """Start and end (before its break) of line ``local`` of ``block``."""
    start = _skip_lines(block, 0, local)
    if "\r" not in block:
        end = block.find("\n", start)
        return start, len(block) if end < 0 else end
    found = LINE_BREAK.search(block, start)
    return start, len(block) if found is None else found.start()


def _skip_lines(block: str, start: int, count: int) -> int:
    """Where the line ``count`` lines after the one at ``start`` begins (the block's end if
    it has fewer)."""
    if "\r" not in block:  # most blocks: str.find, ten times faster than the pattern
        for _ in range(count):
            after = block.find("\n", start) + 1
            if not after:
                return len(block)
            start = after
        return start
    matches = LINE_BREAK.finditer(block, start)
    for _ in range(count):
        match = next(matches, None)
        if match is None:
            return len(block)
        start = match.end()
    return start


class DocumentStore:
    """Documents by URI, changed by the editor's notifications."""

    def __init__(self) -> None:
        self._documents: dict[str, Document] = {}
        self._unknown_told: set[str] = set()

    def get(self, uri: str) -> Document | None:
        return self._documents.get(uri)

    def __getitem__(self, uri: str) -> Document:
        return self._documents[uri]

    def open(self, uri: str, language_id: str, version: int, text: str) -> Document:
        """Open, or replace what a second ``didOpen`` for the same URI sends."""
        document = self._documents[uri] = Document.opened(uri, language_id, version, text)
        self._unknown_told.discard(uri)
        return document

    def change(
        self,
        uri: str,
        version: int,
        changes: Sequence[TextDocumentContentChangeEvent],
        encoding: str,
    ) -> None:
        document = self._documents.get(uri)
        if document is None:
            if uri not in self._unknown_told:
                self._unknown_told.add(uri)
                log.warning("didChange for %s, which is not open: ignored until didOpen", uri)
            return
        for change in changes:
            changed = getattr(change, "range", None)
            if changed is None:
                document.replace_all(change.text)
            else:
                document.apply(changed.start, changed.end, change.text, encoding)
        document.version = version

    def close(self, uri: str) -> None:
        if self._documents.pop(uri, None) is None:
            log.info("didClose for %s, which is not open", uri)
