"""The syntax gate: with the item in, the code around the cursor must parse no worse than it
did without it.  If it does, the item is trimmed to the longest run of whole lines that
passes, or dropped.

- Every language, lexically: the item must not close a bracket nothing opened (``))`` after a
  call the suffix already closes, ``}`` past the user's block).
- Python, with its own parser: the top-level statements around the cursor are compiled with
  and without the item; the item fails when the first error moves into its own lines (a
  document that was whole and is broken, ``return import math``, an unexpected indent).
"""

from __future__ import annotations

import ast
import warnings
from typing import TYPE_CHECKING

from fim_lsp.closers import close_brackets

if TYPE_CHECKING:
    from fim_lsp.postprocess import CompletionContext

_CONTINUING = ("else", "elif", "except", "finally", "case", ")", "]", "}", "#", '"', "'")
# Errors that say the code is not finished yet, not that it is wrong.
_UNFINISHED = ("never closed", "unexpected EOF", "expected an indented block", "unterminated")


def gate_syntax(text: str, context: CompletionContext) -> str:
    if not text:
        return text
    if context.single_line:
        # The rest of the line stays: together they must close no more than it does alone.
        return text if _closes_only_what_is_open(text, context.line_suffix, context) else ""
    # The rest of the line is only closers, which the item's range replaces.
    lines = text.split("\n")
    for count in range(len(lines), 0, -1):
        candidate = "\n".join(lines[:count])
        if _closes_only_what_is_open(candidate, "", context) and _parses_no_worse(
            candidate, context
        ):
            return candidate
    return ""


def _closes_only_what_is_open(text: str, rest: str, context: CompletionContext) -> bool:
    alone = len(context.lexer.copy().feed(rest).unmatched)
    return len(context.lexer.copy().feed(text + rest).unmatched) <= alone


def _parses_no_worse(text: str, context: CompletionContext) -> bool:
    if context.language_id != "python":
        return True
    region = _python_region(context)
    if region is None:
        return True
    before, after, indent = region
    first_item_line = before.count("\n") + 1
    # As the editor will apply it (the closers right of the cursor replaced), on the cursor's
    # line, dedented with the region.
    item = context.line_prefix + close_brackets(text, context)
    lines = (_dedented_line(line, indent) for line in item.split("\n"))
    error = _first_error(before + "\n".join(lines) + after)
    if error is None or any(sign in error.msg for sign in _UNFINISHED):
        return True  # an item may leave its code unfinished: the next one goes on with it
    return not first_item_line <= (error.lineno or 0) <= first_item_line + text.count("\n")


def _python_region(context: CompletionContext) -> tuple[str, str, int] | None:
    """The statements around the cursor, dedented to the least indented line that starts one
    in the window: the lines above the cursor's, the text after the cursor's line (to the end
    of the statement that follows) and the indentation removed.  None when the window holds
    no such start."""
    above = (context.preceding + context.line_prefix).split("\n")
    starts = [i for i, line in enumerate(above[:-1]) if _starts_statement(line)]
    if not starts:
        return None
    indent = min(_indent(above[i]) for i in starts)
    first = next(i for i in starts if _indent(above[i]) == indent)
    below = ("\n" + context.following).split("\n")
    # Through the statement after the cursor's, which the item may lead into (a decorator).
    later = [i for i in range(1, len(below)) if _starts_statement(below[i], indent)]
    last = later[1] if len(later) > 1 else len(below)
    if last == len(below) and not context.reaches_end:
        below = below[:-1]  # the window cut its last line short
    return (
        "".join(_dedented_line(line, indent) + "\n" for line in above[first:-1]),
        "\n".join(_dedented_line(line, indent) for line in below[:last]),
        indent,
    )


def _starts_statement(line: str, at_most: int | None = None) -> bool:
    """A line that begins a statement of its own (not ``else:``, a decorator's function, a
    closer or a comment), indented no more than ``at_most`` when given."""
    stripped = line.strip()
    if not stripped or stripped.startswith(_CONTINUING):
        return False
    return at_most is None or _indent(line) <= at_most


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" \t"))


def _dedented_line(line: str, indent: int) -> str:
    return line[min(indent, _indent(line)) :]


def _first_error(source: str) -> SyntaxError | None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # invalid escape sequences and the like
            ast.parse(source)
    except SyntaxError as error:
        return error
    except (ValueError, RecursionError, MemoryError):
        return None
    return None
