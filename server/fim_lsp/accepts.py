"""The items on screen, by id, so the accept hook knows the document an accept makes.

An accept arrives as the item's ``fim-lsp.accepted`` command, which carries only the item's
id (``id`` or ``id:choice``).  Each offer keeps its document's text (a 2 MB file is 2 MB an
item), so only the item on screen and the one before it are kept per document, should an
accept cross a keystroke.
"""

from __future__ import annotations

from collections import OrderedDict

from fim_lsp.snapshot import Snapshot, Suggestion

OFFERED_ITEMS = 64
OFFERED_PER_DOCUMENT = 2


class Offers:
    def __init__(self) -> None:
        self._offered: OrderedDict[str, tuple[Snapshot, Suggestion]] = OrderedDict()

    def offer(self, snapshot: Snapshot, suggestion: Suggestion) -> None:
        """``suggestion`` is on screen at ``snapshot``."""
        self._offered[suggestion.id] = (snapshot, suggestion)
        self._offered.move_to_end(suggestion.id)
        uri = snapshot.uri
        same_document = [key for key, (seen, _) in self._offered.items() if seen.uri == uri]
        for key in same_document[:-OFFERED_PER_DOCUMENT]:
            del self._offered[key]
        while len(self._offered) > OFFERED_ITEMS:
            self._offered.popitem(last=False)

    def take(self, item_id: str) -> Snapshot | None:
        """The document as it is after the editor applied item ``item_id``, if we offered it."""
        shown_id, _, index = item_id.partition(":")
        offered = self._offered.pop(shown_id, None)
        if offered is None:
            return None
        snapshot, suggestion = offered
        try:
            return snapshot.after_accepting(suggestion.choice(int(index or 0)))
        except (ValueError, IndexError):
            return None  # not a choice we offered
