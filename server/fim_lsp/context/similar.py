"""Similar code: windows of other files' lines ranked by Jaccard similarity of their
identifier sets to the lines just above the cursor (as Copilot ranks its neighbouring tabs).
Pure: ``windows`` cuts a text once (callers keep the result while the text is unchanged),
``rank`` scores them against a query.

A file's windows are kept as an inverted index, each word with the windows that hold it:
a 5,000-line file has 500 windows of mostly the same few hundred words, and a set per window
held five times the memory.  Ranking then touches only the windows sharing a word with the
query."""

from __future__ import annotations

import re
from array import array
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

from fim_lsp.positions import LINE_BREAK

WINDOW_LINES = 20  # Copilot uses 60; shorter windows fit more files into a small budget
STRIDE = 10
MIN_SCORE = 0.1  # below this a window shares only common words with the cursor's lines
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass(frozen=True)
class Window:
    start: int  # first line
    end: int  # one past the last line


@dataclass(frozen=True)
class Windows:
    """A text's windows: window ``i`` begins at line ``i * stride``; ``sizes[i]`` counts
    its distinct words; ``holding[word]`` lists the windows the word is in, ascending.
    ``starts`` are where the text's lines begin (LSP's lines, as the editor numbers them),
    then where the text ends."""

    starts: array[int]
    size: int
    stride: int
    sizes: array[int]
    holding: dict[str, array[int]]

    @property
    def line_count(self) -> int:
        return len(self.starts) - 1

    def __len__(self) -> int:
        return len(self.sizes)

    def __getitem__(self, index: int) -> Window:
        if not 0 <= index < len(self.sizes):
            raise IndexError(index)
        start = index * self.stride
        return Window(start, min(self.line_count, start + self.size))

    def __iter__(self) -> Iterator[Window]:
        return (self[index] for index in range(len(self.sizes)))


def words(text: str) -> frozenset[str]:
    return frozenset(_WORD.findall(text))


def windows(text: str, size: int = WINDOW_LINES, stride: int = STRIDE) -> Windows:
    """Cut without a string per line: the windows are slices between line starts."""
    starts = array("I", [0])
    starts.extend(match.end() for match in LINE_BREAK.finditer(text))
    if text and starts[-1] != len(text):
        starts.append(len(text))  # the last line has no break
    elif not text:
        starts = array("I", [0])
    lines = len(starts) - 1
    sizes = array("I")
    holding: dict[str, list[int]] = {}
    for start in range(0, max(1, lines - size + stride), stride):
        end = min(lines, start + size)
        found = words(text[starts[min(start, lines)] : starts[end]])
        for word in found:
            holding.setdefault(word, []).append(len(sizes))
        sizes.append(len(found))
        if end == lines:
            break
    # Arrays of exactly their length: most words are in one or two windows.
    index = {word: array("I", found) for word, found in holding.items()}
    return Windows(starts, size, stride, sizes, index)


def lines(text: str, cut: Windows, first: int, end: int) -> str:
    """Lines ``first`` up to ``end`` (clamped) of the text ``cut`` was cut from, without
    their breaks, joined by '\n'."""
    last = cut.line_count
    piece = text[cut.starts[min(first, last)] : cut.starts[min(end, last)]]
    return LINE_BREAK.sub("\n", piece).removesuffix("\n")


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


def jaccard(shared: int, size: int, other_size: int) -> float:
    """Shared words over all words of two sets, from the sizes alone."""
    union = size + other_size - shared
    return shared / union if union else 0.0


def rank(
    asked: frozenset[str], candidates: dict[str, Windows], limit: int
) -> list[tuple[float, str, Window]]:
    """The ``limit`` best windows, at most one per file (its first best), best first; ties
    by path, so the order does not change between keystrokes that do not change the scores."""
    best: list[tuple[float, str, Window]] = []
    for path, cut in candidates.items():
        shared: Counter[int] = Counter()
        for word in asked:
            if (holding := cut.holding.get(word)) is not None:
                shared.update(holding)
        top = (0.0, 0)
        for index, count in shared.items():
            score = jaccard(count, len(asked), cut.sizes[index])
            if score > top[0] or (score == top[0] and index < top[1]):
                top = (score, index)
        if top[0] >= MIN_SCORE:
            best.append((top[0], path, cut[top[1]]))
    best.sort(key=_order)
    return best[:limit]


def _order(item: tuple[float, str, Window]) -> tuple[float, str]:
    return (-item[0], item[1])
