"""Brackets, strings and comments read lexically: enough structure to tell where code opens
and closes, for any language, without a parser per language.

A ``{`` that ends a line opens a *block* in brace languages (its lines are indented like any
block) and is not counted as an open bracket; in Python every bracket is a continuation.
"""

from __future__ import annotations

from dataclasses import dataclass, field

PAIRS = {")": "(", "]": "[", "}": "{"}
OPENERS = "([{"
BLOCK = "B"  # a brace block on the stack
_HASH_COMMENTS = {
    "python",
    "ruby",
    "shellscript",
    "perl",
    "r",
    "yaml",
    "toml",
    "makefile",
    "dockerfile",
    "elixir",
    "coffeescript",
    "julia",
    "nim",
}
_DASH_COMMENTS = {"lua", "sql", "haskell", "ada", "elm"}


def comment_markers(language_id: str) -> tuple[str, ...]:
    if language_id in _HASH_COMMENTS:
        return ("#",)
    if language_id in _DASH_COMMENTS:
        return ("--",)
    if language_id:
        return ("//",)
    return ("#", "//")


def has_brace_blocks(language_id: str) -> bool:
    return language_id != "python"


@dataclass
class Lexer:
    """Reads text piece by piece and keeps what is open: brackets, and a string if any."""

    language_id: str = ""
    stack: list[str] = field(default_factory=list)
    quote: str = ""  # the open string's delimiter
    interpolating: bool = False  # the open string holds code in braces (f-string, template)
    unmatched: list[str] = field(default_factory=list)  # closers with nothing to close
    positions: list[int] = field(default_factory=list)  # where each open entry was opened
    consumed: int = 0  # characters fed so far

    def copy(self) -> Lexer:
        return Lexer(
            self.language_id,
            list(self.stack),
            self.quote,
            self.interpolating,
            list(self.unmatched),
            list(self.positions),
            self.consumed,
        )

    @property
    def opened_at(self) -> list[tuple[str, int]]:
        """Each open entry with the offset (in all text fed) where it was opened."""
        return list(zip(self.stack, self.positions, strict=True))

    @property
    def depth(self) -> int:
        """Open brackets, brace blocks not counted: a line starting at depth > 0 continues
        an expression."""
        return sum(1 for entry in self.stack if entry != BLOCK)

    def feed(self, text: str, then: str = "") -> Lexer:
        """Read ``text``; ``then`` is what follows it on its last line (not read), which tells
        a ``{`` ending the text as a block or as a literal."""
        comments = comment_markers(self.language_id)
        blocks = has_brace_blocks(self.language_id)
        index, length = 0, len(text)
        while index < length:
            char = text[index]
            if self.quote:
                index = self._in_string(text, index)
                continue
            if any(text.startswith(marker, index) for marker in comments):
                end = text.find("\n", index)
                index = length if end < 0 else end
                continue
            if char in "\"'`":
                triple = text[index : index + 3]
                self.quote = triple if triple in ('"""', "'''") else char
                prefix = text[max(0, index - 2) : index].lower()
                self.interpolating = char == "`" or ("f" in prefix and prefix.isalpha())
                index += len(self.quote)
                continue
            if char in OPENERS:
                line_end = text.find("\n", index)
                rest = text[index + 1 : line_end] if line_end >= 0 else text[index + 1 :] + then
                at_line_end = not rest.strip()
                self.stack.append(BLOCK if char == "{" and blocks and at_line_end else char)
                self.positions.append(self.consumed + index)
            elif char in PAIRS:
                if self.stack and closes(char, self.stack[-1]):
                    self.pop()
                else:
                    self.unmatched.append(char)
            index += 1
        self.consumed += length
        return self

    def _in_string(self, text: str, index: int) -> int:
        """Read on inside the open string from ``index``; returns where to go on."""
        char = text[index]
        if char == "\\":
            return index + 2
        if text.startswith(self.quote, index):
            end = index + len(self.quote)
            self.quote = ""
            return end
        opener = "${" if self.quote == "`" else "{"
        if self.interpolating and text.startswith(opener, index):
            if opener == "{" and text.startswith("{{", index):
                return index + 2  # an escaped brace
            self.stack.append("{" + self.quote)  # code until its brace closes, then the string
            self.positions.append(self.consumed + index)
            self.quote = ""
            return index + len(opener)
        if char == "\n" and len(self.quote) == 1 and self.quote != "`":
            self.quote = ""  # an unterminated one-line string ends with its line
        return index + 1

    def pop(self) -> str:
        """Close the innermost open entry; closing a brace of a string's code resumes it."""
        entry = self.stack.pop()
        self.positions.pop()
        if len(entry) > 1 and entry != BLOCK:
            self.quote, self.interpolating = entry[1:], True
        return entry


def closes(closer: str, entry: str) -> bool:
    """Whether ``closer`` closes the open ``entry`` (a bracket, a brace block, or the brace of
    code inside a string)."""
    return entry == PAIRS[closer] or (closer == "}" and (entry == BLOCK or entry[0] == "{"))


def indent_of(line: str) -> int:
    return len(line) - len(line.lstrip(" \t"))


def is_closing_line(line: str) -> bool:
    """A line that only closes what is open (``}``, ``)``, ``end``…), perhaps with a tail
    such as ``) {`` or ``} else {``."""
    stripped = line.strip()
    return bool(stripped) and (stripped[0] in PAIRS or stripped.split()[0] in ("end", "end)"))
