"""The keystroke path reads memory only; the worker fills it from disk and documents."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from fim_lsp.context.workspace import Sources, Workspace
from fim_lsp.documents import Document
from fim_lsp.tokens import PieceCounter

MAIN = "from pkg.prices import parse_price\n\ndef order(lines):\n    for line in lines:\n        "
SOURCES = Sources(budget=1024)
COUNTER = PieceCounter()


@pytest.fixture
def workspace(tmp_path: Path):
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "prices.py").write_text(
        'def parse_price(text):\n    """Dollars in TEXT."""\n    return float(text)\n'
    )
    (tmp_path / "main.py").write_text(MAIN)
    ws = Workspace()
    ws.folders = [str(tmp_path)]
    yield ws
    ws.close()


def drain(ws: Workspace) -> None:
    """The worker is one thread taking jobs in order: a no-op job done means all are."""
    ws._worker.submit(lambda: None).result(timeout=10)


def gather(ws: Workspace, folder: Path, uri: str = "file:///main.py"):
    return ws.gather(uri, str(folder / "main.py"), MAIN, len(MAIN), SOURCES, COUNTER)


def test_the_first_gather_waits_for_nothing_and_the_next_has_the_definition(
    workspace: Workspace, tmp_path: Path
):
    assert gather(workspace, tmp_path).snippets == ()  # nothing was read on this path
    drain(workspace)
    [snippet] = gather(workspace, tmp_path).snippets
    assert (snippet.path, snippet.source) == ("pkg/prices.py", "definitions")
    assert snippet.text == 'def parse_price(text):\n    """Dollars in TEXT."""\n    ...'
    assert gather(workspace, tmp_path).current == "main.py"


def test_similar_windows_and_recent_edits_come_from_other_documents(
    workspace: Workspace, tmp_path: Path
):
    other = "def total(lines):\n    for line in lines:\n        total += line.price\n"
    document = Document.opened("file:///other.py", "python", 1, other)
    workspace.changed("file:///other.py", str(tmp_path / "other.py"), document, 2)
    workspace.opened("file:///secret.py", str(tmp_path / ".env"), document)
    gather(workspace, tmp_path)  # left for main.py: other.py is cut now
    drain(workspace)
    found = gather(workspace, tmp_path).snippets
    assert [(s.path, s.source) for s in found] == [
        ("pkg/prices.py", "definitions"),
        ("other.py", "similar"),
        ("other.py", "recent"),
    ]
    off = Sources(budget=1024, similar=False, recent=False)
    only = workspace.gather("file:///main.py", str(tmp_path / "main.py"), MAIN, 0, off, COUNTER)
    assert [s.source for s in only.snippets] == ["definitions"]


def test_files_outside_every_folder_get_no_context(workspace: Workspace):
    found = workspace.gather("file:///x.py", "/elsewhere/x.py", MAIN, 0, SOURCES, COUNTER)
    assert found.snippets == ()


def test_the_budget_bounds_what_is_chosen(workspace: Workspace, tmp_path: Path):
    gather(workspace, tmp_path)
    drain(workspace)
    small = Sources(budget=5)
    found = workspace.gather("u", str(tmp_path / "main.py"), MAIN, len(MAIN), small, COUNTER)
    assert found.snippets == ()


def test_a_file_changed_on_disk_is_read_again_once_the_refresh_interval_passes(tmp_path: Path):
    (tmp_path / "pkg").mkdir()
    source = tmp_path / "pkg" / "prices.py"
    source.write_text("def parse_price(text):\n    return 1\n")
    now = [0.0]
    ws = Workspace(clock=lambda: now[0])
    ws.folders = [str(tmp_path)]
    try:
        gather(ws, tmp_path)
        drain(ws)
        assert "def parse_price(text):" in gather(ws, tmp_path).snippets[0].text
        source.write_text("def parse_price(text, currency):\n    return 1\n")
        os.utime(source, ns=(1, 1))  # a new modification time, whatever the clock's grain
        assert "currency" not in gather(ws, tmp_path).snippets[0].text  # not yet checked
        now[0] += 11  # past REFRESH_AFTER_S: the next gather has the worker look again
        gather(ws, tmp_path)
        drain(ws)
        assert "currency" in gather(ws, tmp_path).snippets[0].text
    finally:
        ws.close()


def test_typing_reads_no_text_and_leaving_the_document_cuts_it_once(
    workspace: Workspace, tmp_path: Path
):
    reads = []
    other = "def total(lines):\n    for line in lines:\n        total += line.price\n"

    class Counted(Document):
        @property
        def text(self) -> str:
            reads.append(1)
            return super().text

    uri, path = "file:///other.py", str(tmp_path / "other.py")
    document = Counted.opened(uri, "python", 1, other)
    workspace.opened(uri, path, document)
    drain(workspace)
    assert len(reads) == 1  # cut once when opened
    for _ in range(50):  # keystrokes, and completions in the same document
        workspace.changed(uri, path, document, 2)
        workspace.gather(uri, path, other, len(other), SOURCES, COUNTER)
    drain(workspace)
    assert len(reads) == 1  # its windows serve only other documents: nothing to cut yet

    gather(workspace, tmp_path)  # completing in main.py: other.py was left
    gather(workspace, tmp_path)
    drain(workspace)
    assert len(reads) == 2
    assert ("other.py", "recent") in [
        (s.path, s.source) for s in gather(workspace, tmp_path).snippets
    ]
