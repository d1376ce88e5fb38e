"""Step 1: LSP positions (line, character in the negotiated encoding) to code-point offsets.

LSP counts lines at '\\n', '\\r\\n' and '\\r' only (Python's ``splitlines`` also splits at
form feeds and U+2028, which would put the cursor on the wrong line).  We index line starts
once per document version, so converting a position costs the same in a 2 MB file.
"""

from __future__ import annotations

import itertools

from lsprotocol.types import PositionEncodingKind


def line_starts(text: str) -> list[int]:
    """Offsets where each line begins ('\\r\\n' and '\\n' end lines; a lone '\\r' does not)."""
    return [0, *itertools.accumulate(len(line) + 1 for line in text.split("\n")[:-1])]


def units(text: str, encoding: str) -> int:
    """Length of ``text`` in the client's position units."""
    if encoding == PositionEncodingKind.Utf8:
        return len(text.encode("utf-8", "surrogatepass"))
    if encoding == PositionEncodingKind.Utf32:
        return len(text)
    return len(text) + sum(1 for char in text if ord(char) > 0xFFFF)


def offset_at(text: str, starts: list[int], line: int, character: int, encoding: str) -> int | None:
    """Code-point offset of a position; None past the last line, clamped past a line's end."""
    if line < 0 or line >= len(starts) or character < 0:
        return None
    start = starts[line]
    end = starts[line + 1] - 1 if line + 1 < len(starts) else len(text)
    if end > start and text[end - 1] == "\r":
        end -= 1
    line_text = text[start:end]
    if encoding == PositionEncodingKind.Utf32 or line_text.isascii():
        return start + min(character, len(line_text))
    counted = 0
    for index, char in enumerate(line_text):
        if counted >= character:
            return start + index
        counted += units(char, encoding)
    return end
