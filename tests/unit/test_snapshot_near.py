"""A request reads a part of a large document around the cursor: every step must see what it
would in the whole text (the prompt, the filters' view of the cursor line, the state kept for
later keystrokes, the imports), whatever the lines' lengths and breaks."""

from __future__ import annotations

import random

import pytest

from fim_lsp.context.imports import HEAD_CHARS
from fim_lsp.context.similar import query
from fim_lsp.documents import Document
from fim_lsp.pipeline import context_for, prepare, snapshot_near
from fim_lsp.settings import Settings
from fim_lsp.snapshot import Snapshot, Suggestion
from fim_lsp.tokens import PieceCounter
from fim_lsp.typeahead import typed_since

SETTINGS = Settings(context_tokens=512)  # windows of a few KB: documents of 100 KB dwarf them
COUNTER = PieceCounter()


def document_text(rng: random.Random) -> str:
    """Lines of every length (a few minified ones), with every LSP line break."""
    lines = []
    while sum(map(len, lines)) < 120_000:
        width = rng.choice([0, 3, 20, 40, 80, 300]) if rng.random() > 0.01 else 9_000
        words = " ".join(
            rng.choice(["x", "total", "item.price", "(", ")", "é"]) for _ in range(width // 4)
        )
        lines.append(words + rng.choice(["\n", "\n", "\n", "\r\n", "\r"]))
    return "".join(lines)


@pytest.mark.parametrize("seed", range(12))
def test_every_step_reads_the_part_as_it_would_the_whole(seed: int):
    rng = random.Random(seed)
    text = document_text(rng)
    document = Document.opened("file:///big.py", "python", 1, text)
    for offset in [0, 5, len(text) - 3, len(text), *(rng.randrange(len(text)) for _ in range(8))]:
        whole = Snapshot("file:///big.py", "/big.py", text, offset, "python")
        near = snapshot_near(document, "file:///big.py", "/big.py", offset, "python", SETTINGS)
        assert len(near.text) < len(text) or offset < HEAD_CHARS + 40_000
        assert near.length == len(text) and near.offset == offset
        assert near.text[near.cursor - 100 : near.cursor] == text[offset - 100 : offset]
        assert prepare(near, SETTINGS, COUNTER).request == prepare(whole, SETTINGS, COUNTER).request
        assert context_for(near, SETTINGS) == context_for(whole, SETTINGS)
        assert near.state == whole.state
        assert query(near.text, near.cursor) == query(text, offset)
        assert near.head[:HEAD_CHARS] == text[:HEAD_CHARS]
        shown = Suggestion("total(", offset)
        assert near.after_accepting(shown).state == whole.after_accepting(shown).state
        assert typed_since(whole.state, near.after_accepting(shown)) == "total("


def test_a_snapshot_tells_where_its_text_does_not_reach():
    text = "a\n" * 100_000
    near = snapshot_near(Document.opened("u", "", 1, text), "u", "/u", 150_000, "", SETTINGS)
    assert near.start > 0 and near.rest > 0
    assert near.slice(near.start - 1, near.offset) is None
    assert near.slice(near.offset, near.length) is None
    assert near.slice(near.offset - 4, near.offset) == text[149_996:150_000]
