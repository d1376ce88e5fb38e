"""LSP positions (line, character in the negotiated encoding) to code-point offsets.

LSP counts lines at '\\n', '\\r\\n' and '\\r' only (Python's ``splitlines`` also splits at
form feeds, '\\v', U+0085 and U+2028, which would put the cursor on the wrong line).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from lsprotocol.types import PositionEncodingKind

LINE_BREAK = re.compile(r"\r\n|\r|\n")


def line_starts(text: str) -> list[int]:
    """Offsets where each line begins."""
    return [0, *(match.end() for match in LINE_BREAK.finditer(text))]


def units(text: str, encoding: str) -> int:
    """Length of ``text`` in the client's position units."""
    if encoding == PositionEncodingKind.Utf8:
        return len(text.encode("utf-8", "surrogatepass"))
    if encoding == PositionEncodingKind.Utf32:
        return len(text)
    return len(text) + sum(1 for char in text if ord(char) > 0xFFFF)


def column(line_text: str, character: int, encoding: str) -> int:
    """Code points of ``line_text`` before ``character`` units: clamped to the line's end, and
    a position inside a character (half a surrogate pair, a UTF-8 byte) moves past it."""
    if encoding == PositionEncodingKind.Utf32 or line_text.isascii():
        return min(character, len(line_text))
    counted = 0
    for index, char in enumerate(line_text):
        if counted >= character:
            return index
        counted += units(char, encoding)
    return len(line_text)


def without_break(line: str) -> str:
    """A line's text without the line break that ends it."""
    if line.endswith("\r\n"):
        return line[:-2]
    return line[:-1] if line.endswith(("\n", "\r")) else line


def offset_at(
    text: str, starts: Sequence[int], line: int, character: int, encoding: str
) -> int | None:
    """Code-point offset of a position; None past the last line, clamped past a line's end."""
    if line < 0 or line >= len(starts) or character < 0:
        return None
    start = starts[line]
    end = starts[line + 1] if line + 1 < len(starts) else len(text)
    return start + column(without_break(text[start:end]), character, encoding)
