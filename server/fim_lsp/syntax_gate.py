"""The syntax gate: with the item in, the code around the cursor must be no worse than without.

Read lexically for every language: a completion that closes a bracket nothing opened (``))``
after a call the suffix already closes, ``}`` past the user's block) breaks code that was
whole.  The gate keeps the longest run of whole lines that closes only what is open, and
drops the item when even its first line does not.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fim_lsp.postprocess import CompletionContext


def gate_syntax(text: str, context: CompletionContext) -> str:
    if not text:
        return text
    if context.single_line:
        # The rest of the line stays: together they must close no more than it does alone.
        alone = len(context.lexer.copy().feed(context.line_suffix).unmatched)
        together = context.lexer.copy().feed(text + context.line_suffix).unmatched
        return text if len(together) <= alone else ""
    lexer = context.lexer.copy()
    surplus = len(lexer.unmatched)
    kept: list[str] = []
    for index, line in enumerate(text.split("\n")):
        lexer.feed(("\n" if index else "") + line)
        if len(lexer.unmatched) > surplus:
            break
        kept.append(line)
    return "\n".join(kept)
