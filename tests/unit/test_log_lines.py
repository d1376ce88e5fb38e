"""The log line format is defined once (fim_lsp.logs) and quoted by the contract the editors
follow; their parsers are tested on the real lines (tests/support/log_lines.py)."""

from __future__ import annotations

from pathlib import Path

from fim_lsp.logs import FAILURE_PREFIX, LINE_FORMAT

CONTRACT = Path(__file__).resolve().parents[2] / "docs" / "CONTRACT.md"


def test_the_contract_quotes_the_format_the_server_writes():
    text = CONTRACT.read_text(encoding="utf-8")
    assert f"`{LINE_FORMAT}`" in text
    assert f"`{FAILURE_PREFIX}`" in text
