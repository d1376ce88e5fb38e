"""Step 2: the user typed the start of what we suggested, so the rest is already known."""

from __future__ import annotations

from dataclasses import replace

from fim_lsp.snapshot import Snapshot, State, Suggestion


def typed_since(before: State, now: Snapshot) -> str | None:
    """What was typed at the cursor between ``before`` and ``now``, or None if anything else
    changed near the cursor.  An empty string means the same state."""
    typed_length = now.offset - before.offset
    if now.uri != before.uri or typed_length < 0 or now.length - before.length != typed_length:
        return None
    typed = now.slice(before.offset, now.offset)
    if (
        typed is None
        or now.slice(before.offset - len(before.before), before.offset) != before.before
        or now.slice(now.offset, now.offset + len(before.after)) != before.after
    ):
        return None
    return typed


def continue_typed(before: State, shown: Suggestion, now: Snapshot) -> Suggestion | None:
    """The rest of ``shown`` when the user has typed its beginning (or nothing), else None."""
    typed = typed_since(before, now)
    if typed is None or not shown.text.startswith(typed) or typed == shown.text:
        return None
    if not typed:
        return shown
    rest = shown.text[len(typed) :]
    return replace(shown, text=rest, replace_to=shown.replace_to + len(typed), alternatives=())
