"""One upstream answer, read only as far as the suggestions made from it need.

The first suggestion settles while the model is still generating.  What the model generates
next is its continuation of the document *with that suggestion accepted* (the same prompt
plus the suggestion, the same suffix), so the rest of the same answer can become the next
suggestion: no second request, no second prompt to pay for, nothing to wait for on accept.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncGenerator, Callable

from fim_lsp.postprocess import CompletionContext, is_settled


class Answer:
    """The open stream of one request and the text read from it so far."""

    def __init__(
        self,
        chunks: AsyncGenerator[str, None],
        on_close: Callable[[], None],
        clock: Callable[[], float] = time.monotonic,
        on_first_chunk: Callable[[float], None] = lambda latency: None,
    ) -> None:
        """``on_first_chunk`` is told the seconds from opening to the first chunk."""
        self._chunks = chunks
        self._clock = clock
        self._on_close = on_close
        self._on_first_chunk = on_first_chunk
        self._closing: asyncio.Future[None] | None = None
        self.raw = ""
        self.ended = False
        self.first_chunk_at: float | None = None
        self.last_chunk_at: float | None = None
        self.opened_at = self._clock()

    async def read_until_settled(
        self, start: int, context: CompletionContext, lines_after: float | None = None
    ) -> str:
        """Read until ``raw[start:]`` cannot change its suggestion, or the answer ends.  Past
        ``lines_after`` (on ``clock``), whole lines are enough: they are returned
        and the rest of the block can follow."""
        while not self.ended and not is_settled(self.raw[start:], context):
            if lines_after is not None and self._clock() >= lines_after:
                read = self.raw[start:]
                whole_lines = read[: max(0, read.rfind("\n"))]
                if whole_lines.strip():
                    return whole_lines
            try:
                chunk = await anext(self._chunks)
            except StopAsyncIteration:
                self.ended = True
                break
            self.last_chunk_at = self._clock()
            if self.first_chunk_at is None:
                self.first_chunk_at = self.last_chunk_at
                self._on_first_chunk(self.first_chunk_at - self.opened_at)
            self.raw += chunk
        return self.raw[start:]

    async def aclose(self) -> None:
        """Close the HTTP stream (the provider stops generating) and free its request slot.
        The close runs as its own task: a cancel of the caller meanwhile cannot cut it short
        and leave the connection open in the pool."""
        if self._closing is None:
            self._closing = asyncio.ensure_future(self._close())
        await asyncio.shield(self._closing)

    async def _close(self) -> None:
        try:
            await self._chunks.aclose()
        finally:
            self._on_close()
