"""Step 4: the prefix and suffix that fit their token budgets, cut at line boundaries.

Only a slice of the document proportional to the budget is ever tokenized, so a 2 MB file
costs what a 20 KB one does.  The cursor's own line is kept whole when it fits, and lines
are dropped from the far end first: what is nearest the cursor matters most to the model.
"""

from __future__ import annotations

from dataclasses import dataclass

from fim_lsp.tokens import TokenCounter

# No Qwen token is longer than this many characters in practice (long runs of spaces or
# '=' are the longest); slicing at budget * this never drops text that could have fitted.
MAX_CHARS_PER_TOKEN = 16


@dataclass(frozen=True)
class Window:
    prefix: str
    suffix: str
    prefix_tokens: int
    suffix_tokens: int


def cut_window(
    text: str, offset: int, counter: TokenCounter, prefix_budget: int, suffix_budget: int
) -> Window:
    prefix, prefix_tokens = _fit_lines(
        list(reversed(_lines_near(text, offset, -prefix_budget * MAX_CHARS_PER_TOKEN))),
        counter,
        prefix_budget,
        keep_end=True,
    )
    suffix, suffix_tokens = _fit_lines(
        _lines_near(text, offset, suffix_budget * MAX_CHARS_PER_TOKEN),
        counter,
        suffix_budget,
        keep_end=False,
    )
    return Window(prefix, suffix, prefix_tokens, suffix_tokens)


def _lines_near(text: str, offset: int, reach: int) -> list[str]:
    """Whole lines within ``reach`` characters before (negative) or after ``offset``.

    The cursor line's part is always first (after) or last (before); a line cut by the
    slice is dropped, except the cursor line's part itself.
    """
    if reach < 0:
        start = max(0, offset + reach)
        lines = text[start:offset].splitlines(keepends=True)
        if start > 0 and len(lines) > 1 and text[start - 1] != "\n":
            lines = lines[1:]
        return lines
    end = min(len(text), offset + reach)
    lines = text[offset:end].splitlines(keepends=True)
    if end < len(text) and len(lines) > 1 and not lines[-1].endswith("\n"):
        lines = lines[:-1]
    return lines


def _fit_lines(
    nearest_first: list[str], counter: TokenCounter, budget: int, keep_end: bool
) -> tuple[str, int]:
    """Join as many lines, nearest first, as fit ``budget`` by the counter's exact count."""
    if not nearest_first or budget <= 0:
        return "", 0
    chosen: list[str] = []
    estimated = 0
    for line in nearest_first:
        cost = counter.count(line)
        if chosen and estimated + cost > budget:
            break
        chosen.append(line)
        estimated += cost
    while True:
        ordered = list(reversed(chosen)) if keep_end else chosen
        joined = "".join(ordered)
        tokens = counter.count(joined)
        if tokens <= budget:
            return joined, tokens
        if len(chosen) == 1:
            return _fit_characters(joined, counter, budget, keep_end)
        chosen.pop()


def _fit_characters(
    line: str, counter: TokenCounter, budget: int, keep_end: bool
) -> tuple[str, int]:
    """The longest end (or start) of one over-long line that fits: binary search."""
    low, high = 0, len(line)
    while low < high:
        middle = (low + high + 1) // 2
        piece = line[-middle:] if keep_end else line[:middle]
        if counter.count(piece) <= budget:
            low = middle
        else:
            high = middle - 1
    piece = (line[-low:] if keep_end else line[:low]) if low else ""
    return piece, counter.count(piece)
