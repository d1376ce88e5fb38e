"""Token counts for prompt budgets: Qwen2.5's count, estimated from its pre-tokenizer.

Qwen's BPE first cuts text into pieces (a word with the space or sign before it, one digit,
a run of signs, a run of whitespace) and almost every piece is one token; only long words
and non-ASCII text take more.  So the count is the number of pieces, plus a share for long
words and non-ASCII characters.  Against the real tokenizer (``bench/tokens.py``) this is
within a few percent on code, costs no vocabulary (the real one holds ~41 MB and takes
~0.5 s to load, delaying ``initialize``) and needs no compiled package, so VS Code users get
the same count as everyone else.
"""

from __future__ import annotations

import math
import re
from typing import Protocol


def _pieces(letter: str, flags: int = 0) -> re.Pattern[str]:
    """Qwen2's split pattern, simplified for Python's re: a leading space joins a word or a
    run of signs, digits stand alone, whitespace runs are one piece.  Long words come out
    in the one group, so their share is counted without a Python loop."""
    return re.compile(rf"( ?{letter}{{10,}})| ?{letter}+| ?[^\w\s]+|\d|\s+", flags)


_UNICODE_PIECES = _pieces(r"[^\W\d_]")
_ASCII_PIECES = _pieces("[A-Za-z]", re.ASCII)  # most code: the same pieces, found faster
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
# Fitted on this repository's sources and HumanEval (bench/tokens.py prints the error).
LETTERS_PER_LONG_WORD_TOKEN = 7
TOKENS_PER_NON_ASCII_CHAR = 0.5


class TokenCounter(Protocol):
    name: str

    def count(self, text: str) -> int: ...


class PieceCounter:
    name = "qwen-pieces"

    def count(self, text: str) -> int:
        ascii_only = text.isascii()
        found = (_ASCII_PIECES if ascii_only else _UNICODE_PIECES).findall(text)
        long_words = len(found) - found.count("")
        estimate = len(found) - long_words + len("".join(found)) / LETTERS_PER_LONG_WORD_TOKEN
        if not ascii_only:
            estimate += len(_NON_ASCII.findall(text)) * TOKENS_PER_NON_ASCII_CHAR
        return math.ceil(estimate)


_COUNTER = PieceCounter()


def default_counter() -> TokenCounter:
    return _COUNTER
