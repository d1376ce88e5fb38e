"""Every suggestion the engine knows, keyed by the document state it was made for.

An entry is a suggestion for one state of a document, done or still on its way (debounced,
streaming, or read as the follow-up of another).  The engine asks the store first:

- *typed-ahead* is a look-back: an entry whose suggestion starts with what was typed since;
- *the cache* is the same look-back with nothing typed (the user came back to a state);
- *a follow-up* or *a prefetch* is an entry for the state after an accept;
- *adoption* is awaiting the document's entry still in flight.

Entries hold a bounded ``State``, never the whole document, and live ``cacheTtlS`` seconds,
``cacheSize`` at most; the two newest of each document (the suggestion on screen and the one
read after it) stay whatever those settings say.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from enum import Enum

from fim_lsp.answer import Answer
from fim_lsp.providers.base import ProviderError
from fim_lsp.snapshot import Snapshot, State, Suggestion
from fim_lsp.typeahead import continue_typed, typed_since

KEPT_PER_DOCUMENT = 2


class Kind(Enum):
    REQUEST = "request"  # the editor asked
    FOLLOW_UP = "follow-up"  # the rest of another entry's answer
    PREFETCH = "prefetch"  # started by an accept, before the editor asks


@dataclass(eq=False)
class Entry:
    """A suggestion for ``state``: ``task`` makes it (or fails, or is cancelled)."""

    state: State
    kind: Kind = Kind.REQUEST
    invoked: bool = False
    # A follow-up's state is the document with this suggestion, shown at this state, accepted.
    follows: tuple[State, Suggestion] | None = None
    # A manual trigger where one choice was known: it stays first, the alternatives follow.
    first: Suggestion | None = None
    fetching: bool = False  # past its debounce: a request is (or was) upstream
    answer: Answer | None = None  # the stream it is read from, once upstream
    waiters: int = 0
    kept: bool = False  # its editor gave up, but the user is still at its state
    empty: bool = False  # the model's continuation for this state was nothing
    failure: ProviderError | None = None  # why its request failed
    shown: bool = False
    made: float = 0.0  # the store's clock when it was added
    task: asyncio.Task[Suggestion | None] = field(init=False)
    _cancel_sent: bool = field(default=False, init=False, repr=False)

    def in_flight(self) -> bool:
        return not self.task.done()

    def cancel(self) -> None:
        """Stop making this entry, once: a second cancel landing while its HTTP stream
        closes interrupts the close, and the connection is never given back to the pool."""
        if not self.task.done() and not self._cancel_sent:
            self._cancel_sent = True
            self.task.cancel()

    def result(self) -> Suggestion | None:
        task = self.task
        if not task.done() or task.cancelled() or task.exception():
            return None
        return task.result()

    def known(self) -> bool:
        """Done with something to say about its state: a suggestion, or that there is none."""
        return self.result() is not None or (self.empty and not self.in_flight())

    def wanted_at(self, now: Snapshot) -> bool:
        """Whether the user can still reach this entry's state by typing or accepting."""
        if typed_since(self.state, now) is not None:
            return True
        return self.follows is not None and continue_typed(*self.follows, now) is not None


@dataclass(frozen=True)
class Hit:
    """What the store knows for a snapshot: the rest of an entry's suggestion, or (``None``)
    that the model's continuation here is nothing."""

    entry: Entry
    suggestion: Suggestion | None
    typed: bool  # the user typed into the suggestion (else they are at its very state)


class Store:
    def __init__(
        self, size: int, ttl_s: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._clock = clock
        self._size = size
        self._ttl_s = ttl_s
        self._entries: dict[str, list[Entry]] = {}  # per document, oldest first
        self._latest: dict[str, Snapshot] = {}  # the last state asked about or accepted into

    def add(self, entry: Entry) -> None:
        entry.made = self._clock()
        self._entries.setdefault(entry.state.uri, []).append(entry)
        self._prune()

    def current(self, uri: str) -> Entry | None:
        """The document's newest entry: the only one that may still be in flight."""
        entries = self._entries.get(uri)
        return entries[-1] if entries else None

    def currents(self) -> Iterator[Entry]:
        for entries in self._entries.values():
            yield entries[-1]

    def lookup(self, snapshot: Snapshot, invoked: bool = False) -> Hit | None:
        """The newest done entry that covers ``snapshot``.  A manual trigger is not told that
        the model had nothing to say: the user asks again on purpose."""
        entries = self._entries.get(snapshot.uri, [])
        expired = self._clock() - self._ttl_s
        for entry in reversed(entries):
            if entry.made <= expired and entry not in entries[-KEPT_PER_DOCUMENT:]:
                continue
            if (suggestion := entry.result()) is not None:
                rest = continue_typed(entry.state, suggestion, snapshot)
                if rest is not None:
                    return Hit(entry, rest, typed=snapshot.offset > entry.state.offset)
            elif entry.empty and not invoked and typed_since(entry.state, snapshot) == "":
                return Hit(entry, None, typed=False)
        return None

    def reach(self, snapshot: Snapshot) -> None:
        """The user is at ``snapshot`` now."""
        self._latest[snapshot.uri] = snapshot

    def latest(self, uri: str) -> Snapshot | None:
        """The last state of the document asked about or accepted into."""
        return self._latest.get(uri)

    def reached(self, state: State) -> bool:
        """Whether the user is at ``state`` or has typed on from it."""
        latest = self._latest.get(state.uri)
        return latest is not None and typed_since(state, latest) is not None

    def forget(self, uri: str) -> None:
        """The document was closed."""
        for entry in self._entries.pop(uri, ()):
            entry.cancel()
        self._latest.pop(uri, None)

    def cancel_all(self) -> None:
        for entries in self._entries.values():
            for entry in entries:
                entry.cancel()

    def _prune(self) -> None:
        """Drop failed and expired entries, then the oldest beyond ``size``; never an entry in
        flight, nor a document's newest two."""
        expired = self._clock() - self._ttl_s
        kept: list[Entry] = []
        for uri, entries in list(self._entries.items()):
            newest = entries[-KEPT_PER_DOCUMENT:]
            entries[:] = [
                entry
                for entry in entries
                if entry in newest or entry.in_flight() or (entry.known() and entry.made > expired)
            ]
            kept.extend(entry for entry in entries if entry not in newest and not entry.in_flight())
            if not entries:
                del self._entries[uri]
        for entry in sorted(kept, key=lambda e: e.made)[: max(0, len(kept) - self._size)]:
            self._entries[entry.state.uri].remove(entry)
