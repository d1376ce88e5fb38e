"""Stop sequences enforced on our side, for APIs that cannot take them all (Qianfan: four).

The text up to the first stop is passed on as it streams; only a tail that could still grow
into a stop is held back.  Leaving the loop closes the upstream stream.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncGenerator, Iterable


def cut_at_stop(text: str, stops: Iterable[str]) -> tuple[str, bool]:
    """``text`` up to the earliest stop sequence, and whether one was found."""
    cut = min((text.find(stop) for stop in stops if stop and stop in text), default=-1)
    return (text, False) if cut < 0 else (text[:cut], True)


async def enforce_stops(
    chunks: AsyncGenerator[str, None], stops: tuple[str, ...]
) -> AsyncGenerator[str, None]:
    """Pass ``chunks`` through until a stop sequence appears in the text, even across chunks."""
    stops = tuple(stop for stop in stops if stop)
    pending = ""
    async with contextlib.aclosing(chunks):
        async for chunk in chunks:
            text, stopped = cut_at_stop(pending + chunk, stops)
            if stopped:
                if text:
                    yield text
                return
            held = _partial_stop_length(text, stops)
            pending = text[len(text) - held :]
            if len(text) > held:
                yield text[: len(text) - held]
    if pending:
        yield pending


def _partial_stop_length(text: str, stops: tuple[str, ...]) -> int:
    """Length of the longest end of ``text`` that is the start of some stop sequence."""
    for length in range(min(len(text), max((len(s) for s in stops), default=1) - 1), 0, -1):
        if any(stop.startswith(text[-length:]) for stop in stops):
            return length
    return 0
