"""Scheduling one completion: when to ask the model, and which answer serves which keystroke.

The engine knows nothing of LSP: it takes a ``Snapshot`` (text, cursor offset) and returns a
``Suggestion``; ``server.py`` converts positions and builds the LSP items.  What a request
says is the pure ``pipeline``; whether one may be sent is the ``gate``; every suggestion,
done or on its way, is an entry of the ``store``; the accept hook's items are ``accepts``.

``complete`` reads top to bottom: gate → lookup → adopt → debounce → start → await.  Per
document at most one entry is in flight (a debounce and one upstream request, or the rest
of the previous answer read as a follow-up); a newer keystroke either is served by what the
store knows or supersedes it, which closes its HTTP stream.  The upstream slots, shared by
every document, go to the newest request; a hung one gives its slot up (``slots``).
"""

from __future__ import annotations

import asyncio
import logging
import math
import statistics
import time
from collections import Counter, deque
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from fim_lsp.accepts import Offers
from fim_lsp.answer import Answer
from fim_lsp.compat import cancelling, timeout
from fim_lsp.context.workspace import Gathered, Sources, Workspace
from fim_lsp.debounce import Rhythm, choose_delay_ms
from fim_lsp.gate import Gate
from fim_lsp.logs import add_secret
from fim_lsp.notices import Notices, Notify
from fim_lsp.pipeline import Plan, context_for, finish, new_id, prepare
from fim_lsp.postprocess import CompletionContext, context_at, postprocess
from fim_lsp.providers import make_provider
from fim_lsp.providers.base import Provider, ProviderError, TransientError
from fim_lsp.settings import Settings
from fim_lsp.slots import Slots
from fim_lsp.snapshot import Snapshot, Suggestion
from fim_lsp.stats import Stats
from fim_lsp.store import Entry, Kind, Store
from fim_lsp.tokens import TokenCounter, default_counter
from fim_lsp.typeahead import continue_typed, typed_since

log = logging.getLogger(__name__)

# A cancelled request's entry lives this long, so the keystroke that cancelled it can adopt it.
ADOPTION_GRACE_S = 0.1
# How long a prefetch may run with nobody waiting for it before its stream is closed.
PREFETCH_LIFETIME_S = 2.0
MAX_UPSTREAM_REQUESTS = 4
# A multi-line suggestion is shown when its block is settled; when the model is slow, the
# whole lines it has written by this time after the request are shown instead, and the rest
# of the block follows as the next suggestion (a follow-up of the same answer).
SHOW_WHOLE_LINES_AFTER_S: float | None = 0.5
# A request with no chunk this long after it was sent or after its last chunk (or HUNG_FACTOR
# times the model's usual first-chunk latency, if longer) is taken for hung: a keystroke
# replaces it rather than waits for it, and a request waiting for an upstream slot takes its
# slot.  Until a first chunk has come from the model, HUNG_UNTIL_LEARNT_S: a slow model's
# first request is not taken for hung and asked again (a provider that never answered gains
# nothing from a replacement, which would hang as well).
HUNG_AFTER_S = 1.0
HUNG_FACTOR = 3.0
HUNG_UNTIL_LEARNT_S = 3.0
# Every request is answered, and let go upstream, this long after ``timeoutMs`` at the latest:
# when httpx's own timeout works (a model that sends nothing), it fires first and says what
# failed; this catches what it cannot (see ``_run``).
DEADLINE_GRACE_S = 0.5
# Just under the pool's keep-alive: after this long idle the connection is assumed gone.
WARM_AFTER_IDLE_S = 50.0


# Called when an answer kept for an editor that gave up on its request has arrived.
Landed = Callable[[], None]


@dataclass
class Timing:
    """Where the time of the last upstream request went (``fim-lsp complete --verbose``)."""

    prompt_tokens: int
    first_chunk_s: float | None = None
    total_s: float = 0.0
    context: Gathered | None = None  # other files' snippets that went in, with their tokens


class Engine:
    def __init__(
        self,
        settings: Settings,
        notify: Notify,
        counter: TokenCounter | None = None,
        provider_factory: Callable[[Settings], Provider] = make_provider,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._provider_factory = provider_factory
        self._clock = clock
        self._counter = counter
        self.gate = Gate(settings, Notices(notify), clock)
        self._offers = Offers()
        self._rhythm = Rhythm()  # one user, one typing rhythm, whatever the document
        self._slots = Slots(MAX_UPSTREAM_REQUESTS, self._yields_at, clock)
        self._model_latency: deque[float] = deque(maxlen=20)  # whole answers, for the debounce
        self._first_chunk_latency: deque[float] = deque(maxlen=20)  # for the hung rule
        self._last_activity = time.monotonic()
        self._warming: asyncio.Future[None] | None = None
        self.stats = Stats()
        self.last_timing: Timing | None = None
        self._closing: set[asyncio.Future[None]] = set()
        self._edits: Counter[str] = Counter()  # didChange notifications per document
        self.workspace = Workspace()
        self._apply(settings)

    def _apply(self, settings: Settings) -> None:
        self.settings = settings
        add_secret(settings.api_key)
        add_secret(settings.secret_key)
        self._provider = self._provider_factory(settings)
        self._first_chunk_latency.clear()  # another model, or the same one elsewhere
        self._store = Store(settings.cache_size, settings.cache_ttl_s, self._clock)
        self.workspace.globs = settings.exclude_globs
        self.gate.reset(settings)

    def update_settings(self, settings: Settings) -> None:
        """New settings: a new provider and store, and every notice may be said again.  In
        effect at once; the old provider is closed in the background (never on the reply
        to ``initialize``), once its warm-up has stopped: closing it under a running warm-up
        made that fail with "the client has been closed"."""
        old, warming = self._provider, self._warming
        self._store.cancel_all()
        self._apply(settings)
        self._in_background(_retire(old, warming))
        self._warm()

    def typing(self, uri: str) -> None:
        """The user edited a document.  It feeds the typing rhythm the debounce learns from;
        after an idle spell the pooled connection is gone, so open a new one now, while they
        type, rather than on the completion that follows; and an answer kept for the state
        they were in is given up unless the next keystroke adopts it."""
        self._edits[uri] += 1
        current = self._store.current(uri)
        if current and current.kept and current.in_flight():
            current.kept = False
            asyncio.get_running_loop().call_later(ADOPTION_GRACE_S, _abandon, current)
        now = time.monotonic()
        self._rhythm.keystroke(now)
        if now - self._last_activity > WARM_AFTER_IDLE_S:
            self._warm()
        self._last_activity = now

    def _warm(self) -> None:
        if self.gate.refusal_for_all() is None:
            self._warming = asyncio.ensure_future(self._provider.warm())

    async def aclose(self) -> None:
        self._store.cancel_all()
        self.workspace.close()
        await _retire(self._provider, self._warming)
        await asyncio.gather(*self._closing, return_exceptions=True)

    def forget(self, uri: str) -> None:
        """The document was closed."""
        self._store.forget(uri)

    @property
    def counter(self) -> TokenCounter:
        if self._counter is None:
            self._counter = default_counter()
        return self._counter

    async def complete(
        self,
        snapshot: Snapshot,
        invoked: bool = False,
        browse: bool = True,
        landed: Landed | None = None,
    ) -> Suggestion | None:
        """The suggestion for this cursor, or None (also when a newer call superseded it).
        ``invoked``: the user asked; ``browse``: and wants alternatives to the one known (a
        manual trigger does; the suggest widget's request does not).  ``landed`` is called
        when the editor gave up on this call and its answer, kept, arrives while the user
        is still where they were: an editor that will not ask again can be told to.  Within
        ``timeoutMs`` (and ``DEADLINE_GRACE_S``) whatever upstream does (see ``_run``): an
        adopted request that gives nothing and a new one after it share the one deadline."""
        try:
            async with timeout(self._deadline_s()):
                return await self._complete(snapshot, invoked, browse, landed)
        except asyncio.TimeoutError:  # the builtin one on 3.11, async-timeout's on 3.10
            log.debug("no suggestion for %s within timeoutMs", snapshot.uri)
            return None

    def _deadline_s(self) -> float:
        return self.settings.timeout_ms / 1000 + DEADLINE_GRACE_S

    async def _complete(
        self, snapshot: Snapshot, invoked: bool, browse: bool, landed: Landed | None
    ) -> Suggestion | None:
        received = time.perf_counter()
        if reason := self.gate.refusal(snapshot):
            log.debug("no completion for %s: %s", snapshot.uri, reason)
            return None
        store = self._store
        store.reach(snapshot)
        self._leave_other_documents(snapshot.uri)
        current = self._drop_unwanted(snapshot)
        if hit := store.lookup(snapshot, invoked):
            entry, suggestion = hit.entry, hit.suggestion
            if suggestion is not None and (hit.typed or entry is current):
                self.stats.typed_ahead += 1
                self.stats.typed_ahead_s.append(time.perf_counter() - received)
            elif suggestion is not None:
                self.stats.cache_hits += 1
        else:
            entry, suggestion = await self._adopt_or_start(snapshot, invoked, landed)
        if suggestion is not None and browse and self._browsing(entry, suggestion, invoked):
            entry = self._start(snapshot, 0, invoked=True, known=suggestion)
            suggestion = await self._wait(entry, landed)
        if suggestion is None:
            return None
        if not entry.shown:
            entry.shown = True
            self.stats.suggestions += 1
        self._offers.offer(snapshot, suggestion)
        self.stats.items_s.append(time.perf_counter() - received)
        return suggestion

    def _drop_unwanted(self, snapshot: Snapshot) -> Entry | None:
        """The document's newest entry; in flight for a state the user cannot reach from
        ``snapshot`` any more, it is cancelled (that answer can never be shown)."""
        current = self._store.current(snapshot.uri)
        if current and current.in_flight() and not current.wanted_at(snapshot):
            current.cancel()
        return current

    def _leave_other_documents(self, uri: str) -> None:
        """The user types here now: what streams for another document (a follow-up, a
        prefetch) with nobody waiting can only be shown once they come back; stop paying."""
        for entry in self._store.currents():
            if entry.state.uri != uri and entry.in_flight() and not entry.waiters:
                entry.cancel()

    async def _adopt_or_start(
        self, snapshot: Snapshot, invoked: bool, landed: Landed | None
    ) -> tuple[Entry, Suggestion | None]:
        """The document's entry in flight, when it is for this state or already upstream for
        one this state typed on from; else, or when that brought nothing for this state, a
        new entry, after the debounce."""
        current = self._store.current(snapshot.uri)
        if current and current.in_flight():
            typed = typed_since(current.state, snapshot)
            if typed == "" or (typed is not None and self._answering(current)):
                result = await self._wait(current, landed if typed == "" else None)
                adopted = continue_typed(current.state, result, snapshot) if result else None
                if adopted is not None:
                    self.stats.adopted += 1
                    return current, adopted
                if (typed == "" and result is None) or not self._asks_again(snapshot, current):
                    return current, None
                self._drop_unwanted(snapshot)  # a follow-up of that answer, say
            else:
                current.cancel()
        entry = self._start(snapshot, self._delay_ms(snapshot, invoked), invoked=invoked)
        return entry, await self._wait(entry, landed)

    def _asks_again(self, snapshot: Snapshot, adopted: Entry) -> bool:
        """Whether a keystroke that adopted the request for an earlier state, which brought
        nothing for this one (its answer was empty, went another way, or failed in a way
        worth trying again), asks for itself: once, if it is still the newest and the gate
        lets it (not after a refused key or a rate limit's pause)."""
        return (
            not adopted.task.cancelled()  # superseded: a newer keystroke asks
            and (adopted.failure is None or isinstance(adopted.failure, TransientError))
            and self._store.latest(snapshot.uri) is snapshot
            and self.gate.refusal(snapshot) is None
        )

    def _browsing(self, entry: Entry, suggestion: Suggestion, invoked: bool) -> bool:
        """A manual trigger where the suggestion known (shown, or the request in flight) has
        one choice: the user asked for more, so ask for alternatives."""
        return (
            invoked
            and self.settings.alternatives > 1
            and not suggestion.alternatives
            and not (entry.invoked and entry.fetching)  # it was that request already
        )

    def _answering(self, entry: Entry) -> bool:
        """Whether ``entry``'s request is upstream and alive: not hung.  A hung one, or one
        still waiting for a slot, is replaced by a newer keystroke rather than waited for."""
        answer = entry.answer
        if answer is None:  # about to send, or waiting for a slot: a newer request takes its place
            return entry.fetching and not self._slots.waiting(entry)
        return self._clock() < self._hung_at(answer)

    def _hung_at(self, answer: Answer) -> float:
        """When a request is taken for hung: nothing came for much longer than the model's
        first chunk usually takes, since it was sent or since its last chunk."""
        latency = self._first_chunk_latency
        hung_after = (
            max(HUNG_AFTER_S, HUNG_FACTOR * statistics.median(latency))
            if latency
            else HUNG_UNTIL_LEARNT_S
        )
        since = answer.last_chunk_at if answer.last_chunk_at is not None else answer.opened_at
        return since + hung_after

    def _yields_at(self, entry: Entry) -> float | None:
        """When ``entry`` gives its upstream slot to a request that waits for one: at once
        when nobody waits for it (read ahead, or its editor gave up), else once it is hung."""
        if not entry.waiters:
            return -math.inf
        return None if entry.answer is None else self._hung_at(entry.answer)

    def _delay_ms(self, snapshot: Snapshot, invoked: bool) -> int:
        context = context_at(snapshot.text, snapshot.cursor, 1, ())
        latency = self._model_latency
        delay = choose_delay_ms(
            self.settings.debounce_ms,
            context.line_prefix,
            context.line_suffix,
            self._rhythm.burst_gap_ms(),
            statistics.median(latency) * 1000 if latency else None,
            invoked,
        )
        self.stats.last_debounce_ms = delay
        return delay

    def _start(
        self,
        snapshot: Snapshot,
        delay_ms: int,
        invoked: bool = False,
        kind: Kind = Kind.REQUEST,
        known: Suggestion | None = None,
    ) -> Entry:
        previous = self._store.current(snapshot.uri)
        entry = Entry(snapshot.state, kind, invoked, first=known)
        entry.task = asyncio.ensure_future(self._run(snapshot, entry, delay_ms, previous))
        self._store.add(entry)
        return entry

    async def _run(
        self, snapshot: Snapshot, entry: Entry, delay_ms: int, previous: Entry | None
    ) -> Suggestion | None:
        """Make the entry, all of it within ``timeoutMs`` (and ``DEADLINE_GRACE_S``):
        httpx's timeouts count per attempt and per read (a pool wait starts again when a
        connection it was given goes away, and a stream sending a character now and then
        never times out), and a request waiting for a slot held by such a stream would wait
        as long.  So the deadline is our own, and what holds a slot or a pooled connection
        lets it go by then."""
        timeout_ms = self.settings.timeout_ms
        try:
            async with timeout(self._deadline_s()):
                if delay_ms:
                    await asyncio.sleep(delay_ms / 1000)
                if previous is not None and previous.in_flight():
                    # Never two requests in flight for one document: let the old one close.
                    await asyncio.wait({previous.task})
                entry.fetching = True
                return await self._suggest(snapshot, entry)
        except asyncio.TimeoutError:  # the builtin one on 3.11, async-timeout's on 3.10
            self.stats.errors += 1
            self.gate.failed(TransientError(f"no answer within timeoutMs ({timeout_ms} ms)"))
            return None

    async def _wait(self, entry: Entry, landed: Landed | None = None) -> Suggestion | None:
        """Await a shared entry.  When the last waiter goes, the entry ends unless the next
        keystroke adopts it.  But when the editor gave up on a document the user has not
        changed since, the answer is still for where the user is: it is kept up to
        ``timeoutMs``, so the next request there is served at once, and ``landed`` is
        called when it arrives.  (VS Code gives up ~740 ms after the last letter, when its
        suggest widget opens, and asks again only for the widget's item applied, up to a
        few hundred ms later — or, where no widget opens, at the next key.)"""
        uri = entry.state.uri
        edits = self._edits[uri]
        entry.waiters += 1
        given_up = False
        try:
            return await asyncio.shield(entry.task)
        except asyncio.CancelledError:
            waiter = asyncio.current_task()
            if entry.task.cancelled() and not cancelling(waiter):
                return None  # superseded by a newer keystroke; a cancel of our own goes on
            given_up = True
            raise
        finally:
            entry.waiters -= 1
            if entry.waiters == 0 and entry.in_flight():
                entry.kept = given_up and self._edits[uri] == edits
                if entry.kept:
                    log.debug("the editor gave up on %s; its answer is kept", uri)
                    if landed is not None:
                        entry.task.add_done_callback(lambda _: self._kept_done(entry, landed))
                lifetime = self.settings.timeout_ms / 1000 if entry.kept else ADOPTION_GRACE_S
                asyncio.get_running_loop().call_later(lifetime, _abandon, entry)

    def _kept_done(self, entry: Entry, landed: Landed) -> None:
        """A kept answer is in: tell its editor, once, if nobody took it meanwhile and the
        user is still at its state (an edit or a move there would have ended or unkept it)."""
        if entry.kept and not entry.waiters and entry.result() is not None:
            entry.kept = False
            landed()

    def accepted(self, item_id: str) -> None:
        """The editor applied a suggestion: prefetch the completion for the document it made,
        unless the store has it or has it on its way."""
        self.stats.accepted += 1
        after = self._offers.take(item_id)
        if after is None:
            return
        store = self._store
        store.reach(after)
        current = store.current(after.uri)
        if current and typed_since(current.state, after) == "":
            # The editor already asked for exactly this, or a follow-up read it from the answer
            # that made the accepted suggestion; where that was nothing, so would a prefetch be.
            if current.in_flight() or current.known():
                return
        elif current and current.in_flight():
            current.cancel()
        if store.lookup(after) is None and self.gate.refusal(after) is None:
            entry = self._start(after, 0, kind=Kind.PREFETCH)
            asyncio.get_running_loop().call_later(PREFETCH_LIFETIME_S, _abandon, entry)

    def partially_accepted(self, accepted_length: int) -> None:
        self.stats.partially_accepted += 1
        log.debug("partial accept of %d characters", accepted_length)

    async def _suggest(self, snapshot: Snapshot, entry: Entry) -> Suggestion | None:
        started = self._clock()
        settings = self.settings
        plan = prepare(snapshot, settings, self.counter, self._gather(snapshot))
        self.stats.context_tokens += plan.context_tokens
        timing = Timing(plan.prompt_tokens, context=plan.gathered)
        self.last_timing = timing  # also when the answer fails or is empty
        fetch_started = self._clock()
        if entry.invoked and settings.alternatives > 1:
            slot = await self._slots.acquire(entry)
            try:
                choices = await self._fetch_choices(entry, plan, settings.alternatives)
            finally:
                slot.release()
            if entry.first is not None:
                return _with_alternatives(entry.first, finish(snapshot, plan, choices or []))
            if not choices:
                return None
        else:
            completion = await self._fetch(snapshot, entry, plan, timing, started)
            if completion is None:
                return None
            choices = [completion]
        model_s = self._clock() - fetch_started
        timing.total_s = self._clock() - started
        self.stats.overhead_s.append(timing.total_s - model_s)
        entry.empty = choices[0] == ""
        return finish(snapshot, plan, choices)

    def _gather(self, snapshot: Snapshot) -> Gathered:
        """Other files' context from what the workspace has in memory (never the disk)."""
        started = time.perf_counter()
        settings = self.settings
        sources = Sources(
            settings.repo_context_tokens,
            settings.repo_context_definitions,
            settings.repo_context_similar,
            settings.repo_context_recent,
        )
        gathered = self.workspace.gather(
            snapshot.uri,
            snapshot.path,
            snapshot.text,
            snapshot.cursor,
            sources,
            self.counter,
            snapshot.head,
        )
        self.stats.context_s.append(time.perf_counter() - started)
        return gathered

    async def _fetch_choices(self, entry: Entry, plan: Plan, n: int) -> list[str] | None:
        """Several distinct completions at once, for a user who asked and may browse them."""
        self.stats.requests += 1
        try:
            raws = await self._provider.alternatives(plan.request, n)
        except ProviderError as error:
            entry.failure = error
            self.stats.errors += 1
            self.gate.failed(error)
            return None
        cuts = [postprocess(raw, plan.context) for raw in raws]
        for raw, cut in zip(raws, cuts, strict=True):
            self._count_tokens(raw, cut)
        return list(dict.fromkeys(cut for cut in cuts if cut))

    async def _fetch(
        self, snapshot: Snapshot, entry: Entry, plan: Plan, timing: Timing, started: float
    ) -> str | None:
        """Stream from the provider until the answer is settled; None on failure."""
        self.stats.requests += 1
        self.stats.prefetches += entry.kind is Kind.PREFETCH
        slot = await self._slots.acquire(entry)
        answer = Answer(
            self._provider.stream(plan.request),
            slot.release,
            self._clock,
            self._first_chunk_latency.append,  # learnt as it comes, even if cancelled after
        )
        entry.answer = answer
        completion = await self._read(snapshot, entry, answer, 0, plan.context)
        if answer.first_chunk_at is not None:
            timing.first_chunk_s = answer.first_chunk_at - started
            self.stats.first_chunk_s.append(timing.first_chunk_s)
        if completion is not None:
            self._model_latency.append(self._clock() - started)
            self.gate.answered()
        return completion

    async def _read(
        self,
        snapshot: Snapshot,
        entry: Entry,
        answer: Answer,
        start: int,
        context: CompletionContext,
    ) -> str | None:
        """Read ``entry``'s completion from ``answer``; when the answer goes on past it, hand
        the open stream to a follow-up for the document with it accepted.  None on failure."""
        goes_on = False
        lines_after = None
        if (
            SHOW_WHOLE_LINES_AFTER_S is not None
            and entry.waiters  # somebody is waiting for it now
            and not context.single_line
            and not context.line_suffix.strip()  # where the rest can follow
        ):
            lines_after = answer.opened_at + SHOW_WHOLE_LINES_AFTER_S
        try:
            raw = await answer.read_until_settled(start, context, lines_after)
            completion = postprocess(raw, context)
            # A follow-up continues the text as inserted: not where the item replaces closers.
            # And it is read only while the user is at this entry's state: a follow-up of a
            # follow-up they have not reached yet would be generated for nobody.
            goes_on = bool(
                not answer.ended
                and completion
                and raw.startswith(completion)
                and not context.line_suffix.strip()
                and self._store.current(snapshot.uri) is entry
                and self._store.reached(entry.state)
            )
            self._count_tokens(raw[: len(completion)] if goes_on else raw, completion)
            if goes_on:
                shown = Suggestion(completion, snapshot.offset)
                self._follow(snapshot, entry, shown, answer, start + len(completion))
            return completion
        except ProviderError as error:
            entry.failure = error
            self.stats.errors += 1
            self.gate.failed(error)
            return None
        except asyncio.CancelledError:
            self.stats.cancelled += 1
            self._count_tokens(answer.raw[start:], "")
            raise
        finally:
            if not goes_on:
                await answer.aclose()

    def _follow(
        self, snapshot: Snapshot, entry: Entry, shown: Suggestion, answer: Answer, start: int
    ) -> None:
        """Keep reading ``answer`` as the suggestion for the document with ``shown`` accepted."""
        after = snapshot.after_accepting(shown)
        follow_up = Entry(after.state, Kind.FOLLOW_UP, follows=(entry.state, shown), fetching=True)
        follow_up.answer = answer
        self._slots.hand_over(entry, follow_up)
        follow_up.task = asyncio.ensure_future(self._continue(after, follow_up, answer, start))
        follow_up.task.add_done_callback(lambda task: self._close_if_cancelled(task, answer))
        self._store.add(follow_up)

    async def _continue(
        self, after: Snapshot, entry: Entry, answer: Answer, start: int
    ) -> Suggestion | None:
        context = context_for(after, self.settings)
        completion = await self._read(after, entry, answer, start, context)
        entry.empty = completion == ""
        if not completion:
            return None
        self.stats.follow_ups += 1
        # The line ends here: nothing to replace.
        return Suggestion(completion, after.offset, new_id())

    def _close_if_cancelled(self, task: asyncio.Task[Suggestion | None], answer: Answer) -> None:
        """A follow-up cancelled before its first step never reaches ``_read``'s ``finally``:
        close its stream here, or the request slot it holds is never given back."""
        if task.cancelled():
            self._in_background(answer.aclose())

    def _in_background(self, closing: Coroutine[Any, Any, None]) -> None:
        task = asyncio.ensure_future(closing)
        self._closing.add(task)  # the loop keeps only a weak reference to a task
        task.add_done_callback(self._closing.discard)

    def _count_tokens(self, raw: str, kept: str) -> None:
        generated = self.counter.count(raw) if raw else 0
        self.stats.tokens_generated += generated
        self.stats.tokens_discarded += max(0, generated - (self.counter.count(kept) if kept else 0))


async def _retire(provider: Provider, warming: asyncio.Future[None] | None) -> None:
    """Close ``provider`` after stopping its warm-up (which must not see its client close)."""
    if warming is not None:
        warming.cancel()
        await asyncio.wait({warming})
    await provider.aclose()


def _with_alternatives(known: Suggestion, fetched: Suggestion | None) -> Suggestion:
    """``known`` first, as the user saw it, then the other choices fetched."""
    texts = (fetched.text, *fetched.alternatives) if fetched else ()
    others = tuple(text for text in dict.fromkeys(texts) if text != known.text)
    return Suggestion(known.text, known.replace_to, new_id(), alternatives=others)


def _abandon(entry: Entry) -> None:
    """Nobody waits for this entry any more and nobody adopted it: close its stream."""
    if entry.waiters == 0 and entry.in_flight():
        entry.cancel()
