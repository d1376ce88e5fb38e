"""A document at the moment of a request, the state a suggestion depends on, and a suggestion."""

from __future__ import annotations

from dataclasses import dataclass, replace

# Characters either side of the cursor that must be unchanged for an old answer to stand: a
# 2 MB document costs what a small one does, and an edit far from the cursor does not change
# what the model would say.
CONTEXT_CHARS = 4000


@dataclass(frozen=True)
class Snapshot:
    """A document at a request.  ``offset`` counts code points from the start of the
    document.  ``text`` is the whole document, or (``pipeline.snapshot_near``) the part of
    it around the cursor that every step of a request reads, from ``start`` on, with
    ``rest`` characters after it: a request then costs the same in a 2 MB file as in a
    small one."""

    uri: str
    path: str
    text: str
    offset: int
    language_id: str = ""
    start: int = 0  # where ``text`` begins in the document
    rest: int = 0  # characters of the document after ``text``
    leading: str = ""  # the document's beginning (its imports) when ``text`` starts later

    @property
    def cursor(self) -> int:
        """The cursor in ``text``."""
        return self.offset - self.start

    @property
    def length(self) -> int:
        """The whole document's."""
        return self.start + len(self.text) + self.rest

    @property
    def head(self) -> str:
        """The document's beginning, where its imports are."""
        return self.leading if self.start else self.text

    def slice(self, start: int, end: int) -> str | None:
        """The document's characters ``start`` to ``end`` (clamped to the document); None
        where ``text`` does not reach."""
        reaches_start = not self.start or start >= self.start
        reaches_end = not self.rest or end <= self.start + len(self.text)
        if not (reaches_start and reaches_end):
            return None
        return self.text[max(0, start - self.start) : max(0, end - self.start)]

    @property
    def state(self) -> State:
        text, cursor = self.text, self.cursor
        return State(
            self.uri,
            self.offset,
            self.length,
            text[max(0, cursor - CONTEXT_CHARS) : cursor],
            text[cursor : cursor + CONTEXT_CHARS],
        )

    def after_accepting(self, suggestion: Suggestion) -> Snapshot:
        """The document as it will be once the editor applies ``suggestion``."""
        return self.replaced(self.offset, suggestion.replace_to, suggestion.text)

    def replaced(self, start: int, end: int, new_text: str) -> Snapshot:
        """``start`` to ``end`` (inside ``text``) replaced by ``new_text``, the cursor after it."""
        low, high = start - self.start, end - self.start
        return replace(
            self,
            text=self.text[:low] + new_text + self.text[high:],
            offset=start + len(new_text),
        )


@dataclass(frozen=True)
class State:
    """A document state as far as a suggestion depends on it: the cursor, the length of the
    whole and the text near the cursor.  Bounded, so keeping many of them costs little."""

    uri: str
    offset: int
    length: int
    before: str  # up to CONTEXT_CHARS before the cursor
    after: str  # up to CONTEXT_CHARS from the cursor on


@dataclass(frozen=True)
class Suggestion:
    """Text to insert at the cursor; the replaced range ends at ``replace_to``."""

    text: str
    replace_to: int
    id: str = ""
    alternatives: tuple[str, ...] = ()  # other choices, offered on a manual trigger

    def choice(self, index: int) -> Suggestion:
        """Choice ``index`` (0 is this one) as a suggestion of its own."""
        text = self.text if index == 0 else self.alternatives[index - 1]
        return Suggestion(text, self.replace_to, self.id)
