"""Closers right of the cursor, when an item replaces through line end: which ones the
completion typed itself (retyped, so dropped) and which it still needs (appended), so brackets
and quotes are neither doubled nor lost."""

from __future__ import annotations

from fim_lsp.lexical import BLOCK, PAIRS, Lexer

QUOTES = "\"'`"


def close_brackets(completion: str, line_suffix: str, at_cursor: Lexer) -> str:
    """Insert text for an item that replaces through line end: of the closers right of the
    cursor, those whose partner the completion did not close itself are appended, so brackets
    and quotes are neither doubled nor lost.  ``at_cursor`` has read the document up to the
    cursor."""
    partners = _partners(line_suffix, at_cursor)
    lexer = at_cursor.copy().feed(completion, line_suffix)
    still_open = set(lexer.positions)
    # The string open at the cursor, if the completion finished it: its quote is retyped.
    retyped_quote = at_cursor.quote if at_cursor.quote and not lexer.quote else ""
    kept = ""
    for index, char in enumerate(line_suffix):
        if char == retyped_quote and not lexer.quote:
            retyped_quote = ""
            continue
        if lexer.quote or char.isspace() or char in QUOTES:
            kept += char  # a string of the user's, or inside one: every character is theirs
            lexer.feed(char)
        elif char in PAIRS:
            partner = partners.get(index)
            if partner is not None and partner in still_open:
                kept += char  # it still closes what it closed before
                if lexer.positions and lexer.positions[-1] == partner:
                    lexer.pop()
            elif partner is None and lexer.stack and _closes(char, lexer.stack[-1]):
                kept += char  # it closes what the completion opened
                lexer.pop()
        elif not completion.rstrip().endswith(char):
            kept += char
    return completion + kept.rstrip()


def _partners(line_suffix: str, at_cursor: Lexer) -> dict[int, int]:
    """For each closer right of the cursor, where the bracket it closes in the document was
    opened."""
    lexer = at_cursor.copy()
    partners = {}
    for index, char in enumerate(line_suffix):
        if char in PAIRS and not lexer.quote and lexer.stack and _closes(char, lexer.stack[-1]):
            partners[index] = lexer.positions[-1]
            lexer.pop()
        else:
            lexer.feed(char)
    return partners


def _closes(closer: str, opened: str) -> bool:
    return opened == PAIRS[closer] or (closer == "}" and opened == BLOCK)
