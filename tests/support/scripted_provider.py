"""An in-process provider whose answers the test writes chunk by chunk, and a clock it moves.

Nothing waits on real time: a stream yields a chunk only when the test sends it, so the order
of events in an engine test is the order the test writes them in.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from dataclasses import dataclass, field

from fim_lsp.providers.base import CompletionRequest, ProviderError

_END = object()


@dataclass(eq=False)
class ScriptedStream:
    """One upstream request: its body, the chunks sent so far, and whether it was closed."""

    request: CompletionRequest
    sent: int = 0
    closed: bool = False
    _queue: asyncio.Queue[object] = field(default_factory=asyncio.Queue)

    def send(self, *chunks: str) -> None:
        for chunk in chunks:
            self._queue.put_nowait(chunk)

    def end(self, *chunks: str) -> None:
        self.send(*chunks)
        self._queue.put_nowait(_END)

    def fail(self, error: ProviderError) -> None:
        self._queue.put_nowait(error)

    async def chunks(self) -> AsyncGenerator[str, None]:
        try:
            while (item := await self._queue.get()) is not _END:
                if isinstance(item, ProviderError):
                    raise item
                assert isinstance(item, str)
                self.sent += 1
                yield item
        finally:
            self.closed = True


class ScriptedProvider:
    name = "scripted"

    def __init__(self) -> None:
        self.streams: list[ScriptedStream] = []
        self.alternatives_asked: list[CompletionRequest] = []
        self.choices: list[str] = []  # what an alternatives request answers
        self.warmed = 0

    def stream(self, request: CompletionRequest) -> AsyncGenerator[str, None]:
        stream = ScriptedStream(request)
        self.streams.append(stream)
        return stream.chunks()

    async def alternatives(self, request: CompletionRequest, n: int) -> list[str]:
        self.alternatives_asked.append(request)
        return self.choices[:n]

    async def warm(self) -> None:
        self.warmed += 1

    async def aclose(self) -> None:
        return None


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


async def settle() -> None:
    """Let every task that can run, run (no real time passes)."""
    for _ in range(50):
        await asyncio.sleep(0)
