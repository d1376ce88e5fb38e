"""What a correct client holds: LSP's edit rules applied to one flat string, plainly."""

from __future__ import annotations

from fim_lsp.positions import column, line_starts, without_break


def offset(text: str, line: int, character: int, encoding: str) -> int:
    """A position clamped into ``text``: past a line's end is its end, past the last line
    is the document's end."""
    starts = line_starts(text)
    if line >= len(starts):
        return len(text)
    end = starts[line + 1] if line + 1 < len(starts) else len(text)
    line_text = without_break(text[starts[line] : end])
    return starts[line] + column(line_text, character, encoding)


def apply(text: str, start: tuple[int, int], end: tuple[int, int], new: str, encoding: str) -> str:
    first, last = sorted((offset(text, *start, encoding), offset(text, *end, encoding)))
    return text[:first] + new + text[last:]
