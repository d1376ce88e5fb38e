"""Similar code: windows of other files' lines ranked by Jaccard similarity of their
identifier sets to the lines just above the cursor (as Copilot ranks its neighbouring tabs).
Pure: ``windows`` cuts a text once (callers keep the result while the text is unchanged),
``rank`` scores them against a query."""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass

WINDOW_LINES = 20  # Copilot uses 60; shorter windows fit more files into a small budget
STRIDE = 10
MIN_SCORE = 0.1  # below this a window shares only common words with the cursor's lines
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass(frozen=True)
class Window:
    start: int  # first line
    end: int  # one past the last line
    words: frozenset[str]


def words(text: str) -> frozenset[str]:
    """Interned: the windows of a file share one string per word (a 5,000-line file has
    500 windows, mostly of the same few hundred words)."""
    return frozenset(map(sys.intern, _WORD.findall(text)))


def windows(text: str, size: int = WINDOW_LINES, stride: int = STRIDE) -> list[Window]:
    lines = text.splitlines()
    found = []
    for start in range(0, max(1, len(lines) - size + stride), stride):
        end = min(len(lines), start + size)
        found.append(Window(start, end, words("\n".join(lines[start:end]))))
        if end == len(lines):
            break
    return found


def query(text: str, cursor: int | None = None, size: int = WINDOW_LINES) -> frozenset[str]:
    """The words of the ``size`` whole lines above the cursor's line (the cursor at the end
    of ``text`` unless given): typing on a line does not change them, so neither does the
    ranking (nor the prompt's order).  Only those lines are read, however long the text."""
    line_start = text.rfind("\n", 0, len(text) if cursor is None else cursor) + 1
    start = line_start
    for _ in range(size + 1):
        start = text.rfind("\n", 0, start - 1) if start > 0 else -1
        if start < 0:
            break
    return words(text[start + 1 : line_start])


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    shared = len(a & b)  # the union is never built: its size is |a| + |b| - shared
    union = len(a) + len(b) - shared
    return shared / union if union else 0.0


def rank(
    asked: frozenset[str], candidates: dict[str, list[Window]], limit: int
) -> list[tuple[float, str, Window]]:
    """The ``limit`` best windows, at most one per file, best first; ties by path, so the
    order does not change between keystrokes that do not change the scores."""
    best: dict[str, tuple[float, Window]] = {}
    for path, cut in candidates.items():
        for window in cut:
            score = jaccard(asked, window.words)
            if score >= MIN_SCORE and score > best.get(path, (0.0, window))[0]:
                best[path] = (score, window)
    ranked = sorted(((score, path, w) for path, (score, w) in best.items()), key=_order)
    return ranked[:limit]


def _order(item: tuple[float, str, Window]) -> tuple[float, str]:
    return (-item[0], item[1])
