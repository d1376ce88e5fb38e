"""Recently edited ranges: where the user changed other files lately, a few lines around
each place, newest first.  Edits to one place merge, so typing a word keeps one entry."""

from __future__ import annotations

from collections import OrderedDict

MAX_PLACES = 16
AROUND_LINES = 4
MERGE_LINES = 8  # an edit this close to a known place is the same place


class RecentEdits:
    def __init__(self, limit: int = MAX_PLACES) -> None:
        self._limit = limit
        self._places: OrderedDict[tuple[str, int], None] = OrderedDict()  # newest last

    def edited(self, uri: str, line: int) -> None:
        for known_uri, known_line in list(self._places):
            if known_uri == uri and abs(known_line - line) <= MERGE_LINES:
                del self._places[(known_uri, known_line)]
        self._places[(uri, line)] = None
        while len(self._places) > self._limit:
            self._places.popitem(last=False)

    def places(self, except_uri: str) -> list[tuple[str, int]]:
        """Newest first, leaving out the document being completed."""
        return [key for key in reversed(self._places) if key[0] != except_uri]


def around(line: int, lines: int = AROUND_LINES) -> tuple[int, int]:
    """The first line and one past the last of the place edited at ``line``."""
    return max(0, line - lines), line + lines + 1
