"""Step 8: pure filters that turn raw model output into what the user should see.

Each filter is named for what it cuts and takes ``(text, context)``.  ``postprocess`` runs
them in order; ``is_settled`` tells the streaming loop when more tokens cannot change the
answer, so the HTTP stream can be closed and the provider stops generating.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

CLOSERS = ")]}>\"'`;,"
# How far past the cursor line the filters look for lines the model might re-type.
FOLLOWING_CHARS = 2000
_PAIRS = {")": "(", "]": "[", "}": "{"}
_QUOTES = "\"'`"


@dataclass(frozen=True)
class CompletionContext:
    line_prefix: str
    line_suffix: str
    following: str
    max_lines: int
    special_tokens: tuple[str, ...]

    @property
    def single_line(self) -> bool:
        """Mid-line with real text to the right: one line only."""
        return not rest_is_closers(self.line_suffix)


def context_at(
    text: str, offset: int, max_lines: int, special_tokens: tuple[str, ...]
) -> CompletionContext:
    """What the filters need to know about the cursor's surroundings in ``text``."""
    line_start = text.rfind("\n", 0, offset) + 1
    line_end = _line_end(text, offset)
    return CompletionContext(
        line_prefix=text[line_start:offset],
        line_suffix=text[offset:line_end].rstrip("\r"),
        following=text[line_end + 1 : line_end + 1 + FOLLOWING_CHARS],
        max_lines=max_lines,
        special_tokens=special_tokens,
    )


def _line_end(text: str, offset: int) -> int:
    end = text.find("\n", offset)
    return len(text) if end < 0 else end


def rest_is_closers(line_suffix: str) -> bool:
    return all(char in CLOSERS or char.isspace() for char in line_suffix)


Filter = Callable[[str, CompletionContext], str]


def cut_at_special_token(text: str, context: CompletionContext) -> str:
    """A leaked marker means the model left the hole: nothing after it belongs here."""
    cut = min((text.find(t) for t in context.special_tokens if t in text), default=len(text))
    return text[:cut]


def keep_first_line(text: str, context: CompletionContext) -> str:
    if not context.single_line:
        return text
    return text.split("\n", 1)[0]


def trim_rest_of_line_repeat(text: str, context: CompletionContext) -> str:
    """Mid-line, the model often re-types what is already right of the cursor."""
    rest = context.line_suffix.strip()
    if not context.single_line or not rest:
        return text
    if text.rstrip().endswith(rest):
        return text.rstrip()[: -len(rest)]
    if len(rest) >= 3 and rest in text:
        return text[: text.index(rest)]
    return text


def limit_scope_by_indentation(text: str, context: CompletionContext) -> str:
    """Stop where the code leaves the cursor's block.

    When the completion opens a deeper block (its first new line is indented past the cursor
    line), it ends with that block; a closing bracket at the cursor's level may stay.
    """
    if context.single_line:
        return text
    lines = text.split("\n")
    cursor_line = context.line_prefix + lines[0]
    reference = _indent(cursor_line) if cursor_line.strip() else len(context.line_prefix)
    body = [line for line in lines[1:] if line.strip()]
    opens_block = bool(body) and _indent(body[0]) > reference
    for index in range(1, len(lines)):
        line = lines[index]
        if not line.strip():
            continue
        indent = _indent(line)
        if indent < reference or (opens_block and indent == reference):
            closes_block = line.strip()[0] in ")]}" and indent == reference
            return "\n".join(lines[: index + 1] if closes_block else lines[:index])
    return text


def trim_suffix_overlap(text: str, context: CompletionContext) -> str:
    """Cut where the completion starts re-typing the lines that follow the cursor."""
    upcoming = [line.strip() for line in context.following.split("\n") if line.strip()][:8]
    lines = text.split("\n")
    if not upcoming:
        return text
    for index in range(1, len(lines)):
        tail = [line.strip() for line in lines[index:] if line.strip()]
        if not tail:
            break
        matched = 0
        while matched < min(len(tail), len(upcoming)) and tail[matched] == upcoming[matched]:
            matched += 1
        if lines[index].strip() and (matched == len(tail) or matched >= 3):
            return "\n".join(lines[:index])
    return text


def limit_lines(text: str, context: CompletionContext) -> str:
    return "\n".join(text.split("\n")[: context.max_lines])


def drop_trailing_blank_lines(text: str, context: CompletionContext) -> str:
    return re.sub(r"(\n[ \t]*)+$", "", text)


def drop_blank(text: str, context: CompletionContext) -> str:
    return text if text.strip() else ""


FILTERS: tuple[Filter, ...] = (
    cut_at_special_token,
    keep_first_line,
    trim_rest_of_line_repeat,
    limit_scope_by_indentation,
    trim_suffix_overlap,
    limit_lines,
    drop_trailing_blank_lines,
    drop_blank,
)

# The filters whose cut is final: once they cut complete lines, more output cannot matter.
_CUTTING: tuple[Filter, ...] = (
    cut_at_special_token,
    limit_scope_by_indentation,
    trim_suffix_overlap,
)


def postprocess(raw: str, context: CompletionContext) -> str:
    text = raw
    for step in FILTERS:
        text = step(text, context)
    return text


def is_settled(raw: str, context: CompletionContext) -> bool:
    """True when the rest of the stream cannot change ``postprocess``'s answer."""
    if any(token in raw for token in context.special_tokens):
        return True
    if context.single_line:
        return "\n" in raw
    complete = raw[: raw.rfind("\n") + 1]
    if not complete:
        return False
    if complete.count("\n") >= context.max_lines:
        return True
    if any(step(complete, context) != complete for step in _CUTTING[1:]):
        return True
    # A line still being written shows its indentation with its first character: when it
    # leaves the block, the cut falls before it and no more of it needs paying for.
    if not raw[len(complete) :].strip():
        return False
    return len(limit_scope_by_indentation(raw, context)) < len(complete)


def replacement(completion: str, text: str, offset: int) -> tuple[str, int]:
    """The insert text and where its range ends: through line end when only closers follow."""
    line_end = _line_end(text, offset)
    line_suffix = text[offset:line_end].rstrip("\r")
    if line_suffix.strip() and rest_is_closers(line_suffix):
        return close_brackets(completion, line_suffix), offset + len(line_suffix)
    return completion, offset


def close_brackets(completion: str, line_suffix: str) -> str:
    """Insert text for an item that replaces through line end: the closers the model did not
    type itself are appended, so brackets are neither doubled nor lost."""
    closer_positions = [i for i, char in enumerate(line_suffix) if not char.isspace()]
    consumed = 0
    for char in _unmatched_closers(completion):
        if consumed < len(closer_positions) and line_suffix[closer_positions[consumed]] == char:
            consumed += 1
        else:
            break
    kept = line_suffix[closer_positions[consumed - 1] + 1 :] if consumed else line_suffix
    return completion + kept.rstrip()


def _unmatched_closers(text: str) -> list[str]:
    stack: list[str] = []
    unmatched: list[str] = []
    for char in text:
        if char in _QUOTES:
            if stack and stack[-1] == char:
                stack.pop()
            else:
                stack.append(char)
        elif char in "([{":
            stack.append(char)
        elif char in _PAIRS:
            if stack and stack[-1] == _PAIRS[char]:
                stack.pop()
            elif not any(q in stack for q in _QUOTES):
                unmatched.append(char)
    return unmatched + [char for char in stack if char in _QUOTES]


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" \t"))
