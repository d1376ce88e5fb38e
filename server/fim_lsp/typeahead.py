"""Step 2: the user typed the start of what we suggested, so the rest is already known.

Comparisons look only at a bounded stretch around the cursor: a 2 MB document costs what a
small one does, and an edit far from the cursor does not change what the model would say.
"""

from __future__ import annotations

from dataclasses import replace

from fim_lsp.snapshot import Snapshot, Suggestion

# Characters either side of the cursor that must be unchanged for an old answer to stand.
CONTEXT_CHARS = 4000


def typed_since(before: Snapshot, now: Snapshot) -> str | None:
    """What was typed at the cursor between two snapshots, or None if anything else changed.

    An empty string means the same state.
    """
    typed_length = now.offset - before.offset
    if typed_length < 0 or len(now.text) - len(before.text) != typed_length:
        return None
    start = max(0, before.offset - CONTEXT_CHARS)
    if now.text[start : before.offset] != before.text[start : before.offset]:
        return None
    after = before.text[before.offset : before.offset + CONTEXT_CHARS]
    if now.text[now.offset : now.offset + len(after)] != after:
        return None
    return now.text[before.offset : now.offset]


def continue_typed(before: Snapshot, shown: Suggestion, now: Snapshot) -> Suggestion | None:
    """The rest of ``shown`` when the user has typed its beginning (or nothing), else None."""
    typed = typed_since(before, now)
    if typed is None or not shown.text.startswith(typed) or typed == shown.text:
        return None
    if not typed:
        return shown
    rest = shown.text[len(typed) :]
    return replace(shown, text=rest, replace_to=shown.replace_to + len(typed), alternatives=())
