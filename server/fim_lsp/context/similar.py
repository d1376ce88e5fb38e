"""Similar code: windows of other files' lines ranked by Jaccard similarity of their
identifier sets to the lines just above the cursor (as Copilot ranks its neighbouring tabs).
Pure: ``windows`` cuts a text once (callers keep the result while the text is unchanged),
``rank`` scores them against a query.

A file's windows are kept as an inverted index of hashed words: each word is one of ``BUCKETS``
numbers, and for each number the windows holding it are listed in one flat array.  A 5,000-line
file's index holds about 30 KB; with the words themselves as keys (a string and an array
each) it held 0.5 MB, a set per window five times that.  Ranking touches only the windows
sharing a bucket with the query; two words of the query and a window share one by chance now
and then, so the count is an estimate, and each file's few best windows are scored exactly
from their text, which the caller reads back."""

from __future__ import annotations

import heapq
import re
import zlib
from array import array
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import accumulate

from fim_lsp.positions import LINE_BREAK

WINDOW_LINES = 20  # Copilot uses 60; shorter windows fit more files into a small budget
STRIDE = 10
MIN_SCORE = 0.1  # below this a window shares only common words with the cursor's lines
BUCKETS = 4096  # ~50 words of a query and 40 of a window share one by chance 0.5 times
RESCORED = 3  # a file's best windows by estimate that are scored exactly
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass(frozen=True)
class Window:
    start: int  # first line
    end: int  # one past the last line


@dataclass(frozen=True)
class Windows:
    """A text's windows: window ``i`` begins at line ``i * stride``; ``sizes[i]`` counts
    its buckets; ``holding[starts[b] : starts[b + 1]]`` lists the windows holding bucket
    ``b``, ascending."""

    line_count: int  # LSP's lines, as the editor numbers them
    size: int
    stride: int
    sizes: array[int]
    starts: array[int]
    holding: array[int]

    def __len__(self) -> int:
        return len(self.sizes)

    def __getitem__(self, index: int) -> Window:
        if not 0 <= index < len(self.sizes):
            raise IndexError(index)
        start = index * self.stride
        return Window(start, min(self.line_count, start + self.size))

    def __iter__(self) -> Iterator[Window]:
        return (self[index] for index in range(len(self.sizes)))

    def windows_holding(self, bucket: int) -> array[int]:
        return self.holding[self.starts[bucket] : self.starts[bucket + 1]]


def words(text: str) -> frozenset[str]:
    return frozenset(_WORD.findall(text))


def bucket(word: str) -> int:
    """The same in every process (``hash`` is salted per process)."""
    return zlib.crc32(word.encode()) % BUCKETS


def windows(text: str, size: int = WINDOW_LINES, stride: int = STRIDE) -> Windows:
    """Cut without a string per line: the windows are slices between line starts."""
    starts = array("I", [0])
    starts.extend(match.end() for match in LINE_BREAK.finditer(text))
    if text and starts[-1] != len(text):
        starts.append(len(text))  # the last line has no break
    elif not text:
        starts = array("I", [0])
    lines = len(starts) - 1
    # One pass to count, one to place: no list per bucket nor a Python int per entry kept
    # while cutting (they left the worker's memory fragmented: 0.5 MB for 20 documents).
    pairs = array("Q")  # bucket << 32 | window
    sizes = array("H")
    for start in range(0, max(1, lines - size + stride), stride):
        end = min(lines, start + size)
        held = {bucket(word) for word in words(text[starts[min(start, lines)] : starts[end]])}
        pairs.extend(number << 32 | len(sizes) for number in held)
        sizes.append(len(held))
        if end == lines:
            break
    counts = array("I", bytes(4 * BUCKETS))
    for pair in pairs:
        counts[pair >> 32] += 1
    offsets = array(_typecode(len(pairs)), accumulate(counts, initial=0))
    holding = array(
        _typecode(len(sizes)), bytes(len(pairs) * array(_typecode(len(sizes))).itemsize)
    )
    placed = array("I", offsets[:-1])
    for pair in pairs:  # windows in ascending order, so is each bucket's list
        number = pair >> 32
        holding[placed[number]] = pair & 0xFFFFFFFF
        placed[number] += 1
    return Windows(lines, size, stride, sizes, offsets, holding)


def _typecode(largest: int) -> str:
    """The smallest unsigned array type holding ``largest``."""
    return "H" if largest < 2**16 else "I"


def query(text: str, cursor: int | None = None, size: int = WINDOW_LINES) -> frozenset[str]:
    """The words of the ``size`` whole lines above the cursor's line (the cursor at the end
    of ``text`` unless given): typing on a line does not change them, so neither does the
    ranking (nor the prompt's order).  Only those lines are read, however long the text."""
    cursor = len(text) if cursor is None else cursor
    return words(text[query_start(text, cursor, size) : text.rfind("\n", 0, cursor) + 1])


def query_start(text: str, cursor: int, size: int = WINDOW_LINES) -> int:
    """Where the query's lines begin: 0 when it reached the start of ``text``."""
    start = text.rfind("\n", 0, cursor) + 1
    for _ in range(size + 1):
        start = text.rfind("\n", 0, start - 1) if start > 0 else -1
        if start < 0:
            return 0
    return start + 1


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

    An estimate is seldom below the exact score (a chance collision adds a shared bucket,
    or merges two of the union's), so files are scored exactly best estimate first, until
    the next one's estimate cannot beat the ``limit`` found."""
    buckets = {bucket(word) for word in asked}
    asked_size = len(buckets)
    likely: list[tuple[float, str, list[int]]] = []
    for path, cut in candidates.items():
        shared: Counter[int] = Counter()
        for number in buckets:
            shared.update(cut.windows_holding(number))
        sizes = cut.sizes
        top = heapq.nlargest(  # ties: the first window
            RESCORED,
            (
                (count / (asked_size + sizes[index] - count), -index)
                for index, count in shared.items()
            ),
        )
        if top and top[0][0] >= MIN_SCORE:
            likely.append((top[0][0], path, sorted(-index for _, index in top)))
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
