"""A document at the moment of a request, the state a suggestion depends on, and a suggestion."""

from __future__ import annotations

from dataclasses import dataclass

# Characters either side of the cursor that must be unchanged for an old answer to stand: a
# 2 MB document costs what a small one does, and an edit far from the cursor does not change
# what the model would say.
CONTEXT_CHARS = 4000


@dataclass(frozen=True)
class Snapshot:
    """``offset`` counts code points from the start of ``text``."""

    uri: str
    path: str
    text: str
    offset: int
    language_id: str = ""

    @property
    def state(self) -> State:
        text, offset = self.text, self.offset
        return State(
            self.uri,
            offset,
            len(text),
            text[max(0, offset - CONTEXT_CHARS) : offset],
            text[offset : offset + CONTEXT_CHARS],
        )

    def after_accepting(self, suggestion: Suggestion) -> Snapshot:
        """The document as it will be once the editor applies ``suggestion``."""
        text = self.text[: self.offset] + suggestion.text + self.text[suggestion.replace_to :]
        return Snapshot(
            self.uri, self.path, text, self.offset + len(suggestion.text), self.language_id
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
