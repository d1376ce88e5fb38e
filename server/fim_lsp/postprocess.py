"""Step 8: pure filters that turn raw model output into what the user should see.

Each filter is named for what it cuts and takes ``(text, context)``; ``postprocess`` runs them
in order.  The model of the user's scope (``Scope``): a suggestion ends where its code leaves
the scope the user is writing in — below both the cursor's statement and the code that
follows the hole, or out of the enclosing definition.  A dedent alone does not prove it:
branches of the same statement, the rest of the enclosing block and lines inside brackets stay.
Code the suffix already holds is cut by the suffix rule, loops by the repetition rule.
``is_settled`` tells the streaming loop when more tokens cannot change the answer, so the HTTP
stream can be closed and the provider stops generating.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

from fim_lsp.closers import close_brackets
from fim_lsp.lexical import BLOCK, PAIRS, Lexer, indent_of, is_closing_line
from fim_lsp.syntax_gate import gate_syntax

CLOSERS = ")]}>\"'`;,"
# How far around the cursor line the filters look (lines the model might retype, the
# enclosing definition, open brackets).
FOLLOWING_CHARS = 2000
PRECEDING_CHARS = 2000
# How many lines the repetition rule compares as one repeated unit.
MAX_REPEATED_BLOCK = 3
# An answer that opens with this many of the file's first lines has started the file over.
RESTART_LINES = 2
_DEFINITION = re.compile(
    r"^\s*(export\s+)?(default\s+)?(async\s+)?(pub(\(\w+\))?\s+)?"
    r"(def|class|function|fn|func|local\s+function|interface|impl|struct|enum|module)\b"
    r"|^\s*(public\s+|private\s+|protected\s+|static\s+|async\s+)*[\w$.:]+\s*=\s*(async\s*)?"
    r"(function\b|\([^)]*\)\s*=>)"
    r"|^\s*(public\s+|private\s+|protected\s+|static\s+|async\s+|get\s+|set\s+)*"
    r"(?!(if|for|while|switch|catch|with|return|elseif|function)\b)"
    r"[\w$]+\s*\([^)]*\)\s*(:\s*[^{]+)?\{\s*$"
)
_OPENER_ENDS = (":", "{", "(", "[", "then", "do", "else", "->", "=>")
_BRANCHES = {"else", "elif", "elseif", "except", "finally", "catch", "case", "default", "when"}


@dataclass(frozen=True)
class CompletionContext:
    line_prefix: str
    line_suffix: str
    following: str
    max_lines: int
    special_tokens: tuple[str, ...]
    preceding: str = ""  # the text before the cursor line, from where it lexes safely
    language_id: str = ""
    suffix_seen: bool = True  # False: the model never saw the code after the cursor

    @property
    def single_line(self) -> bool:
        """Mid-line with real text to the right: one line only."""
        return not rest_is_closers(self.line_suffix)

    @cached_property
    def lexer(self) -> Lexer:
        """What is open at the cursor."""
        return Lexer(self.language_id).feed(self.preceding + self.line_prefix, self.line_suffix)

    @property
    def reaches_end(self) -> bool:
        """Whether ``following`` runs to the end of the document."""
        return len(self.following) < FOLLOWING_CHARS

    @property
    def scope(self) -> Scope:
        return self._scope_at(_cursor_indent(self.line_prefix))

    @cached_property
    def _scopes(self) -> dict[int, Scope]:
        """Scopes by the cursor's indentation: the stream asks for one at every chunk."""
        return {}

    def _scope_at(self, cursor_indent: int) -> Scope:
        if cursor_indent not in self._scopes:
            self._scopes[cursor_indent] = Scope.around(self, cursor_indent)
        return self._scopes[cursor_indent]

    def scope_for(self, text: str) -> Scope:
        """The scope of ``text`` as the completion: on a line still blank, the completion's
        first line of code sets the cursor's indentation (at column 0 of an empty line in a
        function body, the model indents its code to the body)."""
        if self.line_prefix.strip():
            return self.scope
        lines = [self.line_prefix + text.split("\n", 1)[0], *text.split("\n")[1:]]
        first = next((line for line in lines if line.strip()), self.line_prefix)
        return self._scope_at(_cursor_indent(first))


def context_at(
    text: str,
    offset: int,
    max_lines: int,
    special_tokens: tuple[str, ...],
    language_id: str = "",
    suffix_seen: bool = True,
) -> CompletionContext:
    """What the filters need to know about the cursor's surroundings in ``text``."""
    line_start = text.rfind("\n", 0, offset) + 1
    line_end = _line_end(text, offset)
    reach = line_start - PRECEDING_CHARS
    if reach <= 0:
        preceding = text[:line_start]
    else:
        preceding = _lexable(text[text.find("\n", reach) + 1 : line_start])
    return CompletionContext(
        line_prefix=text[line_start:offset],
        line_suffix=text[offset:line_end].rstrip("\r"),
        following=text[line_end + 1 : line_end + 1 + FOLLOWING_CHARS],
        max_lines=max_lines,
        special_tokens=special_tokens,
        preceding=preceding,
        language_id=language_id,
        suffix_seen=suffix_seen,
    )


def _lexable(window: str) -> str:
    """A window cut from the middle of a file may begin inside a string that spans lines (a
    docstring), which an odd count of its delimiters gives away: start after the first."""
    for delimiter in ('"""', "'''", "`"):
        if window.count(delimiter) % 2:
            window = window[window.index(delimiter) + len(delimiter) :]
    return window


def _line_end(text: str, offset: int) -> int:
    end = text.find("\n", offset)
    return len(text) if end < 0 else end


def rest_is_closers(line_suffix: str) -> bool:
    return all(char in CLOSERS or char.isspace() for char in line_suffix)


@dataclass(frozen=True)
class Scope:
    """Where the user's scope ends, read from the code around the cursor.

    ``floor``: lines (outside brackets) indented less leave the scope.  It is the lower of the
    cursor statement's indentation and the indentation the code after the hole resumes at —
    but never outside the enclosing definition.  At the end of a file only the definition
    bounds it.  ``resumes_at``: the indentation of the code after the hole (None at the end).
    """

    floor: int
    resumes_at: int | None
    definition_floor: int

    @staticmethod
    def around(context: CompletionContext, cursor_indent: int) -> Scope:
        resumes_at = _resumes_at(context)
        definition_floor = _definition_floor(context, cursor_indent)
        if resumes_at is None:
            floor = definition_floor
        else:
            statement = _statement_indent(context, cursor_indent)
            floor = max(min(statement, resumes_at), definition_floor)
        return Scope(floor, resumes_at, definition_floor)

    def verdict(self, line: str) -> str:
        """``keep``, ``last`` (keep it, then stop) or ``cut`` for a line outside brackets."""
        indent = indent_of(line)
        if indent >= self.floor:
            return "keep"
        if _opens_block(line) and self.resumes_at is not None and self.resumes_at > indent:
            return "keep"  # it opens the block the code after the hole is in
        if is_closing_line(line) and indent >= self.definition_floor - 1:
            if self.resumes_at is not None and self.resumes_at > indent:
                return "keep"  # the code after the hole is in a block opened after it
            return "last"  # it closes the user's block
        return "cut"

    def leaves_whatever_follows(self, partial: str) -> bool:
        """Whether a line that has only begun already leaves the scope, however it ends."""
        stripped = partial.lstrip(" \t")
        if not stripped or stripped[0] in PAIRS or stripped[0] == "e":
            return False  # it may yet close a block (``}``, ``end``) or be a branch
        indent = indent_of(partial)
        continues = self.resumes_at is not None and self.resumes_at > indent
        return indent < self.floor and not continues


def _cursor_indent(line: str) -> int:
    return indent_of(line) if line.strip() else len(line)


def _statement_indent(context: CompletionContext, cursor_indent: int) -> int:
    """Indentation of the line where the statement at the cursor began (inside brackets,
    the line that opened the outermost one)."""
    lexer = context.lexer
    opened = [at for char, at in lexer.opened_at if char != BLOCK]
    blocks = [at for char, at in lexer.opened_at if char == BLOCK]
    inner = [at for at in opened if not blocks or at > blocks[-1]]
    if not inner:
        return cursor_indent
    source = context.preceding + context.line_prefix
    start = source.rfind("\n", 0, inner[0]) + 1
    return indent_of(source[start:])


def _resumes_at(context: CompletionContext) -> int | None:
    """Indentation of the first line after the hole that is not inside brackets."""
    lexer = context.lexer.copy().feed(context.line_suffix)
    for line in context.following.split("\n"):
        if line.strip() and lexer.depth == 0 and not lexer.quote:
            return indent_of(line)
        lexer.feed(line + "\n")
    return None


def _definition_floor(context: CompletionContext, cursor_indent: int) -> int:
    """One past the indentation of the innermost definition around the cursor (0: none)."""
    lines = (context.preceding + context.line_prefix).split("\n")
    below = cursor_indent
    if _DEFINITION.match(lines[-1]):
        return indent_of(lines[-1]) + 1
    for line in reversed(lines[:-1]):
        if line.strip() and indent_of(line) < below:
            if _DEFINITION.match(line):
                return indent_of(line) + 1
            below = indent_of(line)
    return 0


def _opens_block(line: str) -> bool:
    return line.strip().endswith(_OPENER_ENDS) or _is_branch(line)


def _is_branch(line: str) -> bool:
    """``else``, ``except``, ``} catch (e) {``…: the statement above goes on."""
    words = line.strip().lstrip("}").split()
    return bool(words) and words[0].rstrip(":") in _BRANCHES


Filter = Callable[[str, CompletionContext], str]


def cut_at_special_token(text: str, context: CompletionContext) -> str:
    """A leaked marker means the model left the hole: nothing after it belongs here."""
    cut = min((text.find(t) for t in context.special_tokens if t in text), default=len(text))
    return text[:cut]


def drop_restart(text: str, context: CompletionContext) -> str:
    """A model that starts the file over (its server dropped the suffix, or it follows no FIM
    format) writes the file's first lines again: nothing it writes then belongs here."""
    first = _first_lines(context.preceding)
    return "" if len(first) == RESTART_LINES and _first_lines(text) == first else text


def _first_lines(text: str) -> list[str]:
    return [line.rstrip() for line in text.split("\n") if line.strip()][:RESTART_LINES]


def keep_first_line(text: str, context: CompletionContext) -> str:
    if not context.single_line:
        return text
    return text.split("\n", 1)[0]


def trim_rest_of_line_repeat(text: str, context: CompletionContext) -> str:
    """Mid-line, the model often re-types what is already right of the cursor."""
    rest = context.line_suffix.rstrip()
    core = rest.strip()
    if not context.single_line or not core:
        return text
    body = text.rstrip()
    if body.endswith(core):
        kept = body[: -len(core)]
    elif len(core) >= 3 and (found := _retyped_at(text, core)) is not None:
        kept = text[:found]
    else:
        return text
    return kept.rstrip() if rest[0].isspace() else kept  # the rest brings its own space


def _retyped_at(text: str, rest: str) -> int | None:
    """Where ``rest`` starts again in ``text`` as code of its own (not inside a longer name)."""
    start = text.find(rest)
    while start >= 0:
        before = text[start - 1 : start]
        if not (before.isalnum() or before == "_") or not (rest[0].isalnum() or rest[0] == "_"):
            return start
        start = text.find(rest, start + 1)
    return None


def cut_repetition(text: str, context: CompletionContext) -> str:
    """A model in a loop writes the same line (or the same few lines) again and again: keep
    the first time.  The cursor's line counts as written, so retyping it is a repeat too."""
    lines = text.split("\n")
    whole = [context.line_prefix + lines[0], *lines[1:]]
    # The cursor's line as it stands once the text is in: with the closers right of it too.
    if len(lines) > 1 and _same([lines[1]], [whole[0] + context.line_suffix]):
        return lines[0]
    for index in range(1, len(whole)):
        for size in range(1, MAX_REPEATED_BLOCK + 1):
            if index < size or index + size > len(whole):
                break
            unit = whole[index : index + size]
            if any(line.strip() for line in unit) and _same(unit, whole[index - size : index]):
                return "\n".join(lines[:index])
    return text


def _same(lines: list[str], others: list[str]) -> bool:
    return [line.rstrip() for line in lines] == [line.rstrip() for line in others]


def trim_suffix_overlap(text: str, context: CompletionContext) -> str:
    """Cut where the completion starts re-typing the code that follows the cursor: the next
    lines, blank lines and spacing aside.  Two lines, or one closer, retyped are proof
    enough, so the stream closes there; from a model that never saw that code (template
    prefix-only), its first line is."""
    upcoming = [line for line in context.following.split("\n") if line.strip()][:8]
    if not upcoming:
        return text
    lines = text.split("\n")
    for index in range(1, len(lines)):
        if not lines[index].strip():
            continue
        tail = [line for line in lines[index:] if line.strip()]
        matched = 0
        while matched < min(len(tail), len(upcoming)) and _retyped(
            tail[matched], upcoming[matched]
        ):
            matched += 1
        # Two lines retyped, or one closer at its own indentation (two in a row cannot both
        # be right), are proof enough; one other line may be the answer's own (the same
        # statement in another branch), unless the answer ends with it.
        proof = matched >= 2 or is_closing_line(upcoming[0]) or not context.suffix_seen
        if matched and (proof or matched == len(tail) or matched == len(upcoming)):
            return "\n".join(lines[:index])
    return text


def _retyped(line: str, upcoming: str) -> bool:
    """The same line: the same indentation (the same statement one level out is another
    line) and the same words, however they are spaced."""
    return indent_of(line) == indent_of(upcoming) and line.split() == upcoming.split()


def limit_scope(text: str, context: CompletionContext) -> str:
    """Stop where the code leaves the user's scope (see ``Scope``)."""
    if context.single_line:
        return text
    lines = text.split("\n")
    scope = context.scope_for(text)
    lexer = context.lexer.copy().feed(lines[0])
    for index in range(1, len(lines)):
        line = lines[index]
        lexer.feed("\n")
        if line.strip() and lexer.depth == 0 and not lexer.quote:
            verdict = scope.verdict(line)
            if verdict == "cut":
                return "\n".join(lines[:index])
            if verdict == "last":
                return "\n".join(lines[: index + 1])
        lexer.feed(line)
    return text


def limit_lines(text: str, context: CompletionContext) -> str:
    return "\n".join(text.split("\n")[: context.max_lines])


def drop_trailing_blank_lines(text: str, context: CompletionContext) -> str:
    return re.sub(r"(\n[ \t]*)+$", "", text)


def drop_blank(text: str, context: CompletionContext) -> str:
    return text if text.strip() else ""


FILTERS: tuple[Filter, ...] = (
    cut_at_special_token,
    drop_restart,
    keep_first_line,
    trim_rest_of_line_repeat,
    cut_repetition,
    trim_suffix_overlap,
    limit_scope,
    limit_lines,
    gate_syntax,
    drop_trailing_blank_lines,
    drop_blank,
)

# The filters that cut at a line and never depend on the line being still written.
_CUTTING: tuple[Filter, ...] = (cut_repetition, trim_suffix_overlap, limit_scope)
# Lines that could still follow: a cut that either of them moves was not final.
_PROBES = ("x\n", " " * 64 + "x\n")


def postprocess(raw: str, context: CompletionContext) -> str:
    text = raw
    for step in FILTERS:
        text = step(text, context)
    return text


def _cut(text: str, context: CompletionContext) -> int | None:
    """Length kept by the cutting filters, or None when they keep everything."""
    kept = text
    for step in _CUTTING:
        kept = step(kept, context)
    return len(kept) if len(kept) < len(text.rstrip("\n")) else None


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
    cut = _cut(complete, context)
    if cut is not None and all(_cut(complete + probe, context) == cut for probe in _PROBES):
        return True
    # A line still being written shows its indentation with its first character: when it
    # leaves the scope whatever it becomes, the cut falls before it.
    partial = raw[len(complete) :]
    if not partial.strip():
        return False
    lexer = context.lexer.copy().feed(complete)
    return (
        lexer.depth == 0
        and not lexer.quote
        and context.scope_for(raw).leaves_whatever_follows(partial)
        and cut is None
    )


def replacement(completion: str, context: CompletionContext, offset: int) -> tuple[str, int]:
    """The insert text for the cursor at ``offset`` that ``context`` was read at, and where its
    range ends: through line end when only closers follow."""
    line_suffix = context.line_suffix
    if line_suffix.strip() and rest_is_closers(line_suffix):
        return close_brackets(completion, context), offset + len(line_suffix)
    return completion, offset
