"""Step 3: one piece of work per document; a newer request supersedes the older one.

Superseding cancels the older work wherever it is (waiting out the debounce, or streaming
from the provider, whose HTTP stream then closes), so the model never generates text for a
cursor the user has already left.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Awaitable
from typing import TypeVar

T = TypeVar("T")


class LatestOnly:
    def __init__(self) -> None:
        self._work: dict[str, asyncio.Task] = {}
        self._superseded: weakref.WeakSet[asyncio.Task] = weakref.WeakSet()

    async def run(self, key: str, work: Awaitable[T]) -> T | None:
        """Run ``work`` as the only work for ``key``; ``None`` when a newer call replaced it."""
        previous = self._work.get(key)
        if previous is not None and not previous.done():
            self._superseded.add(previous)
            previous.cancel()
        task = asyncio.ensure_future(work)
        self._work[key] = task
        try:
            return await task
        except asyncio.CancelledError:
            if task in self._superseded:
                return None
            raise
        finally:
            if self._work.get(key) is task:
                del self._work[key]

    def cancel_all(self) -> None:
        for task in self._work.values():
            task.cancel()
