"""Closers right of the cursor, when an item replaces through line end: which ones the
completion typed itself (retyped, so dropped) and which it still needs (appended), so brackets
and quotes are neither doubled nor lost."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fim_lsp.lexical import BLOCK, PAIRS, Lexer, closes

if TYPE_CHECKING:
    from fim_lsp.postprocess import CompletionContext

QUOTES = "\"'`"


def close_brackets(completion: str, context: CompletionContext) -> str:
    """Insert text for an item that replaces through line end: of the closers right of the
    cursor, those whose partner the completion did not close itself are appended, so brackets
    and quotes are neither doubled nor lost.  Where the document is missing a closer (a
    bracket open at the cursor that nothing closes), the closers right of the cursor close
    whatever is open once the completion is in."""
    line_suffix, at_cursor = context.line_suffix, context.lexer
    partners, orphan_quote = _partners(line_suffix, at_cursor)
    if _missing_a_closer(context):
        partners = {}
    lexer = at_cursor.copy().feed(completion, line_suffix)
    still_open = set(lexer.positions)
    # The string open at the cursor, if the completion finished it: its quote is retyped.
    retyped_quote = at_cursor.quote if at_cursor.quote and not lexer.quote else ""

    def _closed_already(at: int) -> bool:
        partner = partners.get(at)
        return at == orphan_quote or (partner is not None and partner not in still_open)

    kept = ""
    index = 0
    while index < len(line_suffix):
        char = line_suffix[index]
        index += 1
        if retyped_quote and line_suffix.startswith(retyped_quote, index - 1):
            index += len(retyped_quote) - 1
            retyped_quote = ""
        elif char in QUOTES and not lexer.quote and _closed_already(index - 1):
            continue  # it closed a string the completion has closed already
        elif lexer.quote or char.isspace() or char in QUOTES:
            kept += char  # a string of the user's, or inside one: every character is theirs
            lexer.feed(char)
        elif char in PAIRS:
            partner = partners.get(index - 1)
            if partner is not None and partner in still_open:
                kept += char  # it still closes what it closed before
                if lexer.positions and lexer.positions[-1] == partner:
                    lexer.pop()
            elif (
                lexer.stack
                and closes(char, lexer.stack[-1])
                and (partner is None or lexer.positions[-1] >= at_cursor.consumed)
            ):
                kept += char  # it closes what the completion opened
                lexer.pop()
        elif not completion.rstrip().endswith(char):
            kept += char
    return completion + kept.rstrip()


def _missing_a_closer(context: CompletionContext) -> bool:
    """Whether a bracket open at the cursor is never closed in the text that follows (looked
    at as far as the window reaches: brackets opened above the cursor's line count only when
    it reaches the end of the document)."""
    at_cursor = context.lexer
    after = at_cursor.copy().feed(context.line_suffix + "\n" + context.following)
    never_closed = set(after.positions) & {
        at for entry, at in at_cursor.opened_at if entry != BLOCK
    }
    line_start = len(context.preceding)
    return any(at >= line_start or context.reaches_end for at in never_closed)


def _partners(line_suffix: str, at_cursor: Lexer) -> tuple[dict[int, int], int | None]:
    """For each closer right of the cursor, where the bracket it closes in the document was
    opened; and a quote there that opens a string the line never closes (its partner was
    on the left, in what the completion now writes), if any."""
    lexer = at_cursor.copy()
    partners = {}
    opened_at: int | None = None
    resumed_from: int | None = None  # a string resumed when the code in its braces closed
    for index, char in enumerate(line_suffix):
        if char in PAIRS and not lexer.quote and lexer.stack and closes(char, lexer.stack[-1]):
            partners[index] = lexer.positions[-1]
            resumed_from = partners[index] if len(lexer.pop()) > 1 else None
            continue
        if char in QUOTES and not lexer.quote:
            opened_at = index
        was_in_string = bool(lexer.quote)
        lexer.feed(char)
        if was_in_string and not lexer.quote and resumed_from is not None:
            partners[index] = resumed_from  # it ends the string those braces were in
    return partners, opened_at if lexer.quote and opened_at is not None else None
