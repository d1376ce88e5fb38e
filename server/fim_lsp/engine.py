"""Steps 1-9 of one completion, with the per-document and per-provider state they share.

The engine knows nothing of LSP: it takes a ``Snapshot`` (text, cursor offset) and returns a
``Suggestion``.  ``server.py`` converts positions and builds the LSP items.

Per document there is at most one piece of *work* (debounce, then one upstream request, or
the rest of the previous answer read as a follow-up).  A newer request either finishes from
what is known (typed-ahead of the suggestion on screen, or of the work still streaming) or
supersedes the work, which closes its HTTP stream.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import statistics
import time
import uuid
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass

from fim_lsp.answer import Answer
from fim_lsp.cache import CompletionCache
from fim_lsp.debounce import Rhythm, choose_delay_ms
from fim_lsp.exclusion import is_excluded
from fim_lsp.logs import add_secret
from fim_lsp.notices import Notices, Notify, Severity
from fim_lsp.postprocess import CompletionContext, context_at, postprocess, replacement
from fim_lsp.providers import make_provider
from fim_lsp.providers.base import (
    AuthError,
    CompletionRequest,
    MissingKeyError,
    Provider,
    ProviderError,
    RateLimitError,
    RejectedError,
)
from fim_lsp.settings import Settings
from fim_lsp.snapshot import Snapshot, Suggestion
from fim_lsp.stats import Stats
from fim_lsp.templates import template_of
from fim_lsp.tokens import TokenCounter, default_counter
from fim_lsp.typeahead import continue_typed, typed_since
from fim_lsp.window import cut_window

log = logging.getLogger(__name__)

MAX_RATE_LIMIT_PAUSE_S = 60.0
# A cancelled request's work lives this long, so the keystroke that cancelled it can adopt it.
ADOPTION_GRACE_S = 0.1
# How long a prefetch may run with nobody waiting for it before its stream is closed.
PREFETCH_LIFETIME_S = 2.0
MAX_UPSTREAM_REQUESTS = 4
# Just under the pool's keep-alive: after this long idle the connection is assumed gone.
WARM_AFTER_IDLE_S = 50.0
OFFERED_ITEMS = 64
# Each offered item keeps its document's text (a 2 MB file, 2 MB an item) for the accept hook:
# the item on screen and the one before it, should an accept cross a keystroke.
OFFERED_PER_DOCUMENT = 2


@dataclass
class Timing:
    prompt_tokens: int = 0
    first_chunk_s: float | None = None
    total_s: float = 0.0
    from_cache: bool = False


@dataclass
class Work:
    """The debounce and upstream request for one document state."""

    snapshot: Snapshot
    invoked: bool = False
    prefetch: bool = False  # started by an accept, not by the editor asking
    task: asyncio.Task[Suggestion | None] | None = None
    fetching: bool = False
    waiters: int = 0
    # A follow-up's snapshot is the document with this (snapshot, suggestion) accepted.
    follows: tuple[Snapshot, Suggestion] | None = None
    empty: bool = False  # the model's continuation for this state was nothing

    def wanted_at(self, now: Snapshot) -> bool:
        """Whether the user can still reach this work's state by typing or accepting."""
        if typed_since(self.snapshot, now) is not None:
            return True
        return self.follows is not None and continue_typed(*self.follows, now) is not None

    def finished(self) -> Suggestion | None:
        task = self.task
        if task is None or not task.done() or task.cancelled() or task.exception():
            return None
        return task.result()


@dataclass
class DocumentState:
    work: Work | None = None
    shown: tuple[Snapshot, Suggestion] | None = None
    latest: Snapshot | None = None  # the last state the editor asked about or accepted into

    def reached(self, snapshot: Snapshot) -> bool:
        """Whether the user is at ``snapshot`` or has typed on from it."""
        return self.latest is not None and typed_since(snapshot, self.latest) is not None


class Engine:
    def __init__(
        self,
        settings: Settings,
        notify: Notify,
        counter: TokenCounter | None = None,
        provider_factory: Callable[[Settings], Provider] = make_provider,
    ) -> None:
        self._provider_factory = provider_factory
        self._counter = counter
        self._notices = Notices(notify)
        self._documents: dict[str, DocumentState] = {}
        self._rhythm = Rhythm()  # one user, one typing rhythm, whatever the document
        self._offered: OrderedDict[str, tuple[Snapshot, Suggestion]] = OrderedDict()
        self._upstream = asyncio.Semaphore(MAX_UPSTREAM_REQUESTS)
        self._model_latency: deque[float] = deque(maxlen=20)
        self._last_activity = time.monotonic()
        self._warming: asyncio.Future[None] | None = None
        self.stats = Stats()
        self._apply(settings)

    def _apply(self, settings: Settings) -> None:
        self.settings = settings
        add_secret(settings.api_key)
        add_secret(settings.secret_key)
        self._provider = self._provider_factory(settings)
        self._cache = CompletionCache(settings.cache_size, settings.cache_ttl_s)
        self._blocked_reason: str | None = None
        self._paused_until = 0.0
        self._rate_limit_pause = 0.0

    async def update_settings(self, settings: Settings) -> None:
        """New settings: a new provider and cache, and every notice may be said again."""
        old = self._provider
        self._cancel_all()
        self._apply(settings)
        self._notices.clear()
        await old.aclose()
        self._warm()

    def typing(self) -> None:
        """The user is editing: after an idle spell the pooled connection is gone, so open a
        new one now, while they type, rather than on the completion that follows."""
        now = time.monotonic()
        if now - self._last_activity > WARM_AFTER_IDLE_S:
            self._warm()
        self._last_activity = now

    def _warm(self) -> None:
        if self.refusal_for_all() is None:
            self._warming = asyncio.ensure_future(self._provider.warm())

    async def aclose(self) -> None:
        self._cancel_all()
        await self._provider.aclose()

    def _cancel_all(self) -> None:
        for state in self._documents.values():
            if state.work and state.work.task:
                state.work.task.cancel()
            state.shown = None

    def forget(self, uri: str) -> None:
        """The document was closed."""
        state = self._documents.pop(uri, None)
        if state and state.work and state.work.task:
            state.work.task.cancel()

    @property
    def counter(self) -> TokenCounter:
        if self._counter is None:
            self._counter = default_counter()
        return self._counter

    def refusal(self, snapshot: Snapshot) -> str | None:
        """Why this document gets no completion at all, or None."""
        settings = self.settings
        if snapshot.language_id and snapshot.language_id in settings.disabled_languages:
            return f"completions are disabled for {snapshot.language_id}"
        if is_excluded(snapshot.path, settings.exclude_globs):
            return f"{snapshot.path} matches an exclusion glob; it is never sent"
        return self.refusal_for_all()

    def refusal_for_all(self) -> str | None:
        """Why no document gets a completion now, or None."""
        if not self.settings.enabled:
            return "completions are disabled"
        if self._blocked_reason:
            return self._blocked_reason
        if time.monotonic() < self._paused_until:
            return "paused after the provider's rate limit"
        return None

    async def complete(
        self, snapshot: Snapshot, invoked: bool = False, timing: Timing | None = None
    ) -> Suggestion | None:
        """The suggestion for this cursor, or None (also when a newer call superseded it)."""
        received = time.perf_counter()
        reason = self.refusal(snapshot)
        if reason:
            log.debug("no completion for %s: %s", snapshot.uri, reason)
            return None
        state = self._documents.setdefault(snapshot.uri, DocumentState())
        state.latest = snapshot
        self._rhythm.keystroke()
        self._leave_other_documents(snapshot.uri)
        work = state.work
        if work and work.task and not work.task.done() and not work.wanted_at(snapshot):
            work.task.cancel()  # the user moved on: that answer can never be shown
        suggestion = self._typed_ahead(state, snapshot)
        if suggestion is not None:
            self.stats.typed_ahead_s.append(time.perf_counter() - received)
        else:
            suggestion = await self._from_work(state, snapshot, invoked, timing or Timing())
        if suggestion is not None:
            suggestion = self._offer(state, snapshot, suggestion)
            self.stats.items_s.append(time.perf_counter() - received)
        return suggestion

    def _leave_other_documents(self, uri: str) -> None:
        """The user types here now: what streams for another document (a follow-up, a
        prefetch) with nobody waiting can only be shown once they come back; stop paying."""
        for other, state in self._documents.items():
            work = state.work
            if other != uri and work and work.task and not work.task.done() and not work.waiters:
                work.task.cancel()

    def _typed_ahead(self, state: DocumentState, snapshot: Snapshot) -> Suggestion | None:
        """The rest of what is on screen, or of a finished follow-up the user typed into."""
        known = [state.shown] if state.shown else []
        if state.work and (follow_up := state.work.finished()):
            known.append((state.work.snapshot, follow_up))
        for before, suggestion in known:
            rest = continue_typed(before, suggestion, snapshot)
            if rest is not None:
                self.stats.typed_ahead += 1
                return rest
        return None

    async def _from_work(
        self, state: DocumentState, snapshot: Snapshot, invoked: bool, timing: Timing
    ) -> Suggestion | None:
        previous = state.work
        if previous and previous.task and not previous.task.done():
            typed = typed_since(previous.snapshot, snapshot)
            if typed == "" or (previous.fetching and typed is not None):
                result = await self._wait(previous)
                if result is None:
                    return None
                adopted = continue_typed(previous.snapshot, result, snapshot)
                if adopted is not None:
                    self.stats.adopted += 1
                    return adopted
            else:
                previous.task.cancel()
        if (
            previous
            and previous.empty
            and not invoked
            and typed_since(previous.snapshot, snapshot) == ""
        ):
            return None  # the answer that made the accepted suggestion ended here: nothing more
        delay = self._delay_ms(snapshot, invoked)
        work = self._start(state, snapshot, delay, timing, invoked)
        return await self._wait(work)

    def _delay_ms(self, snapshot: Snapshot, invoked: bool) -> int:
        context = context_at(snapshot.text, snapshot.offset, 1, ())
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
        state: DocumentState,
        snapshot: Snapshot,
        delay_ms: int,
        timing: Timing,
        invoked: bool = False,
        prefetch: bool = False,
    ) -> Work:
        previous = state.work.task if state.work else None
        work = Work(snapshot, invoked, prefetch)
        work.task = asyncio.ensure_future(self._run(state, work, delay_ms, previous, timing))
        state.work = work
        return work

    async def _run(
        self,
        state: DocumentState,
        work: Work,
        delay_ms: int,
        previous: asyncio.Task | None,
        timing: Timing,
    ) -> Suggestion | None:
        if delay_ms:
            await asyncio.sleep(delay_ms / 1000)
        if previous is not None and not previous.done():
            # Never two requests in flight for one document: let the old stream close first.
            await asyncio.wait({previous})
        work.fetching = True
        return await self._suggest(state, work, timing)

    async def _wait(self, work: Work) -> Suggestion | None:
        """Await shared work; a waiter's cancellation ends the work only if nobody adopts it."""
        assert work.task is not None
        work.waiters += 1
        try:
            return await asyncio.shield(work.task)
        except asyncio.CancelledError:
            if work.task.cancelled():
                return None  # superseded by a newer keystroke
            raise
        finally:
            work.waiters -= 1
            if work.waiters == 0 and not work.task.done():
                asyncio.get_running_loop().call_later(ADOPTION_GRACE_S, _abandon, work)

    def _offer(
        self, state: DocumentState, snapshot: Snapshot, suggestion: Suggestion
    ) -> Suggestion:
        """Remember what is on screen, for typed-ahead and for the accept hook."""
        if not suggestion.id:
            suggestion = dataclasses.replace(suggestion, id=uuid.uuid4().hex[:12])
            self.stats.suggestions += 1
        state.shown = (snapshot, suggestion)
        self._offered[suggestion.id] = (snapshot, suggestion)
        self._offered.move_to_end(suggestion.id)
        uri = snapshot.uri
        same_document = [key for key, (seen, _) in self._offered.items() if seen.uri == uri]
        for key in same_document[:-OFFERED_PER_DOCUMENT]:
            del self._offered[key]
        while len(self._offered) > OFFERED_ITEMS:
            self._offered.popitem(last=False)
        return suggestion

    def accepted(self, item_id: str) -> None:
        """The editor applied a suggestion: prefetch the completion for the document it made."""
        self.stats.accepted += 1
        shown_id, _, index = item_id.partition(":")
        offered = self._offered.pop(shown_id, None)
        if offered is None:
            return
        snapshot, suggestion = offered
        after = snapshot.after_accepting(suggestion.choice(int(index or 0)))
        state = self._documents.setdefault(after.uri, DocumentState())
        state.shown = None
        state.latest = after
        current = state.work
        if current and current.task and typed_since(current.snapshot, after) == "":
            # The editor already asked for exactly this, or a follow-up read it from the answer
            # that made the accepted suggestion.
            if not current.task.done():
                current.task.add_done_callback(lambda task: self._prefetched(state, current))
                return
            if known := current.finished():
                state.shown = (after, known)
                return
            if current.empty:
                return  # the model's own continuation here was nothing: so would a prefetch be
        elif current and current.task and not current.task.done():
            current.task.cancel()
        if self.refusal(after) is None:
            work = self._start(state, after, 0, Timing(), prefetch=True)
            work.task.add_done_callback(lambda task: self._prefetched(state, work))
            asyncio.get_running_loop().call_later(PREFETCH_LIFETIME_S, _abandon, work)

    def _prefetched(self, state: DocumentState, work: Work) -> None:
        """A finished prefetch is on hand for the editor's next request, like a shown one."""
        if state.work is work and (suggestion := work.finished()):
            state.shown = (work.snapshot, suggestion)

    def partially_accepted(self, accepted_length: int) -> None:
        self.stats.partially_accepted += 1
        log.debug("partial accept of %d characters", accepted_length)

    async def _suggest(self, state: DocumentState, work: Work, timing: Timing) -> Suggestion | None:
        started = time.perf_counter()
        settings = self.settings
        snapshot, invoked = work.snapshot, work.invoked
        text, offset = snapshot.text, snapshot.offset
        window = cut_window(
            text, offset, self.counter, settings.prefix_budget, settings.suffix_budget
        )
        template = template_of(settings)
        context = self._context_for(snapshot)
        prompt = template.render(window.prefix, window.suffix)
        timing.prompt_tokens = window.prefix_tokens + window.suffix_tokens + 3
        key = CompletionCache.key(settings, prompt, context.line_suffix)
        completion = self._cache.get(key)
        model_s = 0.0
        choices: list[str] = []
        if completion is not None and not (invoked and settings.alternatives > 1):
            self.stats.cache_hits += 1
            timing.from_cache = True
        else:
            stop = (*template.stop, "\n") if context.single_line else template.stop
            request = CompletionRequest(
                prompt,
                window.prefix,
                window.suffix,
                settings.max_tokens,
                settings.temperature,
                settings.top_p,
                stop,
            )
            fetch_started = time.perf_counter()
            if invoked and settings.alternatives > 1:
                async with self._upstream:
                    choices = await self._fetch_choices(request, context, settings.alternatives)
                completion = choices[0] if choices else None
            else:
                completion = await self._fetch(state, work, request, context, timing, started)
            model_s = time.perf_counter() - fetch_started
            if completion is None:
                return None
            self._cache.put(key, completion)
        timing.total_s = time.perf_counter() - started
        self.stats.overhead_s.append(timing.total_s - model_s)
        if not completion:
            return None
        language = snapshot.language_id
        text_to_insert, replace_to = replacement(completion, text, offset, language)
        others = tuple(replacement(choice, text, offset, language)[0] for choice in choices[1:])
        return Suggestion(text_to_insert, replace_to, alternatives=others)

    async def _fetch_choices(
        self, request: CompletionRequest, context: CompletionContext, n: int
    ) -> list[str] | None:
        """Several distinct completions at once, for a user who asked and may browse them."""
        self.stats.requests += 1
        try:
            raws = await self._provider.alternatives(request, n)
        except ProviderError as error:
            self.stats.errors += 1
            self._react(error)
            return None
        choices = []
        for raw in raws:
            completion = postprocess(raw, context)
            self._count_tokens(raw, completion)
            if completion and completion not in choices:
                choices.append(completion)
        return choices

    async def _fetch(
        self,
        state: DocumentState,
        work: Work,
        request: CompletionRequest,
        context: CompletionContext,
        timing: Timing,
        started: float,
    ) -> str | None:
        """Stream from the provider until the answer is settled; None on failure."""
        self.stats.requests += 1
        self.stats.prefetches += work.prefetch
        await self._upstream.acquire()
        answer = Answer(self._provider.stream(request), self._upstream.release)
        completion = await self._read(state, work, answer, 0, context)
        if answer.first_chunk_at is not None:
            timing.first_chunk_s = answer.first_chunk_at - started
            self.stats.first_chunk_s.append(timing.first_chunk_s)
        if completion is not None:
            self._model_latency.append(time.perf_counter() - started)
            self._rate_limit_pause = 0.0
            self._notices.clear("rate-limit")
        return completion

    async def _read(
        self,
        state: DocumentState,
        work: Work,
        answer: Answer,
        start: int,
        context: CompletionContext,
    ) -> str | None:
        """Read ``work``'s completion from ``answer``; when the answer goes on past it, hand
        the open stream to a follow-up for the document with it accepted.  None on failure."""
        goes_on = False
        try:
            raw = await answer.read_until_settled(start, context)
            completion = postprocess(raw, context)
            # A follow-up continues the text as inserted: not where the item replaces closers.
            # And it is read only while the user is at this work's state: a follow-up of a
            # follow-up they have not reached yet would be generated for nobody.
            goes_on = bool(
                not answer.ended
                and completion
                and raw.startswith(completion)
                and not context.line_suffix.strip()
                and state.work is work
                and state.reached(work.snapshot)
            )
            self._count_tokens(raw[: len(completion)] if goes_on else raw, completion)
            if goes_on:
                shown = Suggestion(completion, work.snapshot.offset)
                self._follow(state, work, shown, answer, start + len(completion))
            return completion
        except ProviderError as error:
            self.stats.errors += 1
            self._react(error)
            return None
        except asyncio.CancelledError:
            self.stats.cancelled += 1
            self._count_tokens(answer.raw[start:], "")
            raise
        finally:
            if not goes_on:
                await answer.aclose()

    def _follow(
        self, state: DocumentState, work: Work, shown: Suggestion, answer: Answer, start: int
    ) -> None:
        """Keep reading ``answer`` as the suggestion for the document with ``shown`` accepted."""
        follow_up = Work(work.snapshot.after_accepting(shown), fetching=True)
        follow_up.follows = (work.snapshot, shown)
        follow_up.task = asyncio.ensure_future(self._continue(state, follow_up, answer, start))
        state.work = follow_up

    async def _continue(
        self, state: DocumentState, work: Work, answer: Answer, start: int
    ) -> Suggestion | None:
        snapshot = work.snapshot
        completion = await self._read(state, work, answer, start, self._context_for(snapshot))
        work.empty = completion == ""
        if not completion:
            return None
        self.stats.follow_ups += 1
        return Suggestion(completion, snapshot.offset)  # the line ends here: nothing to replace

    def _context_for(self, snapshot: Snapshot) -> CompletionContext:
        special_tokens = template_of(self.settings).special_tokens
        return context_at(
            snapshot.text,
            snapshot.offset,
            self.settings.max_lines,
            special_tokens,
            snapshot.language_id,
        )

    def _count_tokens(self, raw: str, kept: str) -> None:
        generated = self.counter.count(raw) if raw else 0
        self.stats.tokens_generated += generated
        self.stats.tokens_discarded += max(0, generated - (self.counter.count(kept) if kept else 0))

    def _react(self, error: ProviderError) -> None:
        """One log line per failure; the user hears of it once, and only when they must act."""
        log.warning("completion failed: %s", error)
        if isinstance(error, (AuthError, MissingKeyError)):
            what = "the API key was rejected" if isinstance(error, AuthError) else "no API key"
            self._blocked_reason = f"{what}; waiting for new settings"
            # A missing key's own message names the variables of that provider.
            hint = "" if isinstance(error, MissingKeyError) else " Check the apiKey setting."
            self._notices.say(
                "auth",
                Severity.ERROR,
                f"fim-lsp: {error}.{hint} Completions are paused until settings change.",
            )
        elif isinstance(error, RateLimitError):
            self._rate_limit_pause = min(
                MAX_RATE_LIMIT_PAUSE_S, max(1.0, self._rate_limit_pause * 2)
            )
            pause = error.retry_after if error.retry_after is not None else self._rate_limit_pause
            self._paused_until = time.monotonic() + pause
            self._notices.say(
                "rate-limit",
                Severity.WARNING,
                f"fim-lsp: the provider is rate limiting us; pausing completions for {pause:g} s.",
            )
        elif isinstance(error, RejectedError):
            self._notices.say(f"rejected:{error}", Severity.ERROR, f"fim-lsp: {error}")


def _abandon(work: Work) -> None:
    """Nobody waits for this work any more and nobody adopted it: close its stream."""
    if work.waiters == 0 and work.task is not None and not work.task.done():
        work.task.cancel()
