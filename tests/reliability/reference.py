"""What a correct client holds: LSP's edit rules applied to one flat string, written out
plainly and independently of the server's code."""

from __future__ import annotations

import re

_BREAK = re.compile(r"\r\n|\r|\n")  # the only line breaks in LSP


def line_starts(text: str) -> list[int]:
    return [0] + [match.end() for match in _BREAK.finditer(text)]


def _width(char: str, encoding: str) -> int:
    if encoding == "utf-8":
        return len(char.encode("utf-8", "surrogatepass"))
    if encoding == "utf-16":
        return len(char.encode("utf-16-le", "surrogatepass")) // 2
    return 1


def offset(text: str, line: int, character: int, encoding: str) -> int:
    """A position clamped into ``text``: past a line's end is its end, past the last line
    is the document's end; inside a character is after it."""
    starts = line_starts(text)
    if line >= len(starts):
        return len(text)
    end = starts[line + 1] if line + 1 < len(starts) else len(text)
    line_text = _BREAK.sub("", text[starts[line] : end])
    counted = 0
    for index, char in enumerate(line_text):
        if counted >= character:
            return starts[line] + index
        counted += _width(char, encoding)
    return starts[line] + len(line_text)


def apply(text: str, start: tuple[int, int], end: tuple[int, int], new: str, encoding: str) -> str:
    first, last = sorted((offset(text, *start, encoding), offset(text, *end, encoding)))
    return text[:first] + new + text[last:]
