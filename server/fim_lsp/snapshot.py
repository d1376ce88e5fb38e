"""A document at the moment of a request, and a suggestion made for it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Snapshot:
    """``offset`` counts code points from the start of ``text``."""

    uri: str
    path: str
    text: str
    offset: int
    language_id: str = ""

    def after_accepting(self, suggestion: Suggestion) -> Snapshot:
        """The document as it will be once the editor applies ``suggestion``."""
        text = self.text[: self.offset] + suggestion.text + self.text[suggestion.replace_to :]
        return Snapshot(
            self.uri, self.path, text, self.offset + len(suggestion.text), self.language_id
        )


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
