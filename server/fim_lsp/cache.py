"""Step 5: recent prompts and the completions they produced (LRU with a time limit).

A user who deletes a character and retypes it, or moves away and back, gets the same
answer at once and pays for no tokens.
"""

from __future__ import annotations

import hashlib

from cachetools import TTLCache


class CompletionCache:
    def __init__(self, size: int, ttl_s: int) -> None:
        self._entries: TTLCache[str, str] | None = (
            TTLCache(maxsize=size, ttl=ttl_s) if size and ttl_s else None
        )

    @staticmethod
    def key(*parts: object) -> str:
        """A digest, so the cache holds no source text beyond the completions themselves."""
        return hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()

    def get(self, key: str) -> str | None:
        return self._entries.get(key) if self._entries is not None else None

    def put(self, key: str, completion: str) -> None:
        if self._entries is not None:
            self._entries[key] = completion
