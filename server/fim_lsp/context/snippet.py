"""One piece of context: text from another file, where it came from and why."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Snippet:
    """``path`` is relative to the workspace folder, with '/' separators."""

    path: str
    text: str
    source: str  # "definitions", "similar" or "recent"
