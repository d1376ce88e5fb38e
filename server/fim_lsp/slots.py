"""The limit on upstream requests in flight, shared by every document, given to the newest.

One user types in one place at a time, so the request that matters is the newest: a free slot
goes to the request that waited least, and a request that waits takes the slot of one that
has stopped earning it — nobody waits for it any more, or it is hung (nothing has come for
much longer than the model usually takes).  A provider that hangs for one document's requests
therefore cannot hold the others for ``timeoutMs``.  Which holder yields when is the
engine's to say (``yields_at``); this module only hands slots out and takes them back.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Callable
from dataclasses import dataclass, field

from fim_lsp.store import Entry

# When a holder gives its slot to a request that waits: a time on the engine's clock, or
# None (never: it is answering somebody).
YieldsAt = Callable[[Entry], float | None]


@dataclass(eq=False)
class Slot:
    """One request's place upstream; ``entry`` changes when a follow-up reads on."""

    entry: Entry
    _slots: Slots = field(repr=False)
    released: bool = False
    preempted: bool = False

    def release(self) -> None:
        if not self.released:
            self.released = True
            self._slots._release(self)


class Slots:
    def __init__(
        self,
        limit: int,
        yields_at: YieldsAt,
        clock: Callable[[], float],
    ) -> None:
        self._limit = limit
        self._yields_at = yields_at
        self._clock = clock
        self._held: list[Slot] = []
        self._waiting: list[tuple[Slot, asyncio.Future[None]]] = []  # newest last

    @property
    def held(self) -> int:
        return len(self._held)

    def waiting(self, entry: Entry) -> bool:
        return any(slot.entry is entry for slot, _ in self._waiting)

    def hand_over(self, entry: Entry, to: Entry) -> None:
        """``to`` reads on from ``entry``'s stream (a follow-up): the slot is its now."""
        for slot in self._held:
            if slot.entry is entry:
                slot.entry = to

    async def acquire(self, entry: Entry) -> Slot:
        """A slot for ``entry``, as soon as one is free or a holder yields one.  A cancel
        while waiting (the request was superseded) leaves the queue at once."""
        slot = Slot(entry, self)
        if len(self._held) < self._limit:
            self._held.append(slot)
            return slot
        given: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.append((slot, given))
        try:
            while not given.done():
                await asyncio.wait({given}, timeout=self._preempt())
        except asyncio.CancelledError:
            if given.done():
                slot.release()  # handed over just as it was cancelled: pass it on
            else:
                self._waiting.remove((slot, given))
            raise
        return slot

    def _preempt(self) -> float | None:
        """Ask holders that have stopped earning their slot to give it up, one for each
        request waiting; the seconds until the next holder would, or None."""
        now = self._clock()
        yielding = sum(slot.preempted for slot in self._held)
        next_at = math.inf
        for slot in sorted(self._held, key=self._order):
            if slot.preempted:
                continue
            at = self._yields_at(slot.entry)
            if at is None:
                continue
            if at <= now and yielding < len(self._waiting):
                slot.preempted = True
                yielding += 1
                slot.entry.cancel()
            elif at > now:
                next_at = min(next_at, at)
        return None if next_at == math.inf else next_at - now

    def _order(self, slot: Slot) -> tuple[bool, float]:
        """Nobody's first, then the oldest."""
        entry = slot.entry
        return (entry.waiters > 0, entry.answer.opened_at if entry.answer else -math.inf)

    def _release(self, slot: Slot) -> None:
        if slot in self._held:
            self._held.remove(slot)
        if self._waiting and len(self._held) < self._limit:
            newest, given = self._waiting.pop()
            self._held.append(newest)
            given.set_result(None)
