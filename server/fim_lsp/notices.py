"""Telling the user once: a failure seen on every keystroke must not become a message each."""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum


class Severity(Enum):
    ERROR = 1
    WARNING = 2


Notify = Callable[[Severity, str], None]


def sentence(text: object) -> str:
    """``text`` ending in one full stop, so that sentences can follow it: a provider's own
    words often end in one already ("Incorrect API key provided.")."""
    words = str(text).rstrip()
    return words if words.endswith((".", "!", "?")) else f"{words}."


class Notices:
    """Says each thing once: a key stays quiet until ``clear`` (settings change or success)."""

    def __init__(self, notify: Notify) -> None:
        self._notify = notify
        self._said: set[str] = set()

    def say(self, key: str, severity: Severity, message: str) -> None:
        if key not in self._said:
            self._said.add(key)
            self._notify(severity, message)

    def clear(self, *keys: str) -> None:
        if keys:
            self._said.difference_update(keys)
        else:
            self._said.clear()
