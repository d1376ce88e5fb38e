"""Placeholder."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fim_lsp.postprocess import CompletionContext


def gate_syntax(text: str, context: CompletionContext) -> str:
    return text
