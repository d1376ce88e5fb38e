"""Similar code: windows of other files' lines ranked by Jaccard similarity of their
identifier sets to the lines just above the cursor (as Copilot ranks its neighbouring tabs).
Pure: ``windows`` cuts a text once (callers keep the result while the text is unchanged),
``rank`` scores them against a query.

A window is kept as a signature, not as its words: each word sets one of ``BITS`` bits (a
Python int), so a 5,000-line file's 500 windows hold about 80 KB, where an inverted index
of its words held 0.5 MB and a set per window five times that.  Two signatures estimate the
Jaccard score (a few words of two windows share a bit by chance); the few best windows of
each file are then scored exactly from their text, which the caller reads back."""

from __future__ import annotations

import heapq
import re
import zlib
from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from fim_lsp.positions import LINE_BREAK

WINDOW_LINES = 20  # Copilot uses 60; shorter windows fit more files into a small budget
STRIDE = 10
MIN_SCORE = 0.1  # below this a window shares only common words with the cursor's lines
BITS = 1024  # per signature: ~40 words a window and a query share a bit by chance ~1.5 times
RESCORED = 3  # a file's best windows by estimate that are scored exactly
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass(frozen=True)
class Window:
    start: int  # first line
    end: int  # one past the last line


@dataclass(frozen=True)
class Windows:
    """A text's windows: window ``i`` begins at line ``i * stride``; ``signatures[i]`` has a
    bit set for each of its words, ``sizes[i]`` counts those bits."""

    line_count: int  # LSP's lines, as the editor numbers them
    size: int
    stride: int
    signatures: tuple[int, ...]
    sizes: array[int]

    def __len__(self) -> int:
        return len(self.signatures)

    def __getitem__(self, index: int) -> Window:
        if not 0 <= index < len(self.signatures):
            raise IndexError(index)
        start = index * self.stride
        return Window(start, min(self.line_count, start + self.size))

    def __iter__(self) -> Iterator[Window]:
        return (self[index] for index in range(len(self.signatures)))


def words(text: str) -> frozenset[str]:
    return frozenset(_WORD.findall(text))


def signature(found: frozenset[str], bits: dict[str, int] | None = None) -> int:
    """One bit per word, the same in every process (``hash`` is salted per process);
    ``bits`` caches each word's bit while one text is cut."""
    signed = 0
    for word in found:
        bit = bits.get(word) if bits is not None else None
        if bit is None:
            bit = 1 << (zlib.crc32(word.encode()) % BITS)
            if bits is not None:
                bits[word] = bit
        signed |= bit
    return signed


def windows(text: str, size: int = WINDOW_LINES, stride: int = STRIDE) -> Windows:
    """Cut without a string per line: the windows are slices between line starts."""
    starts = array("I", [0])
    starts.extend(match.end() for match in LINE_BREAK.finditer(text))
    if text and starts[-1] != len(text):
        starts.append(len(text))  # the last line has no break
    elif not text:
        starts = array("I", [0])
    lines = len(starts) - 1
    signatures: list[int] = []
    bits: dict[str, int] = {}
    for start in range(0, max(1, lines - size + stride), stride):
        end = min(lines, start + size)
        signatures.append(signature(words(text[starts[min(start, lines)] : starts[end]]), bits))
        if end == lines:
            break
    sizes = array("H", (signed.bit_count() for signed in signatures))
    return Windows(lines, size, stride, tuple(signatures), sizes)


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
    asked: frozenset[str],
    candidates: dict[str, Windows],
    limit: int,
    read: Callable[[str, Window], str],
) -> list[tuple[float, str, Window]]:
    """The ``limit`` best windows, at most one per file (its first best), best first; ties
    by path, so the order does not change between keystrokes that do not change the scores.
    ``read(path, window)`` gives a window's text, for the exact scores.

    An estimate is seldom below the exact score (a chance collision adds a shared bit, or
    merges two of the union's), so files are scored exactly best estimate first, until the
    next one's estimate cannot beat the ``limit`` found."""
    asked_bits = signature(asked)
    asked_size = asked_bits.bit_count()
    likely: list[tuple[float, str, list[int]]] = []
    for path, cut in candidates.items():
        estimates = [
            shared / (asked_size + size - shared)
            if (shared := (asked_bits & signed).bit_count())
            else 0.0
            for signed, size in zip(cut.signatures, cut.sizes, strict=True)
        ]
        top = heapq.nlargest(RESCORED, range(len(estimates)), key=estimates.__getitem__)
        if estimates[top[0]] >= MIN_SCORE:
            likely.append((estimates[top[0]], path, sorted(top)))
    likely.sort(key=_order)
    best: list[tuple[float, str, Window]] = []
    for estimate, path, indices in likely:
        if len(best) >= limit and estimate < best[limit - 1][0]:
            break
        score, window = 0.0, None
        for index in indices:  # the first of equal scores
            found = words(read(path, candidates[path][index]))
            exact = jaccard(len(asked & found), len(asked), len(found))
            if exact > score:
                score, window = exact, candidates[path][index]
        if window is not None and score >= MIN_SCORE:
            best.append((score, path, window))
            best.sort(key=_order)
    return best[:limit]


def _order(item: tuple[float, str, object]) -> tuple[float, str]:
    return (-item[0], item[1])
