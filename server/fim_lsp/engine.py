"""Steps 1-9 of one completion, with the per-document and per-provider state they share.

The engine knows nothing of LSP: it takes a snapshot (text, cursor offset) and returns a
``Suggestion``.  ``server.py`` converts positions and builds the LSP items.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum

from fim_lsp.cache import CompletionCache
from fim_lsp.debounce import LatestOnly
from fim_lsp.exclusion import is_excluded
from fim_lsp.logs import add_secret
from fim_lsp.postprocess import (
    CompletionContext,
    context_at,
    is_settled,
    postprocess,
    replacement,
)
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
from fim_lsp.templates import template_for
from fim_lsp.tokens import TokenCounter, default_counter
from fim_lsp.window import cut_window

log = logging.getLogger(__name__)

MAX_RATE_LIMIT_PAUSE_S = 60.0


class Severity(Enum):
    ERROR = 1
    WARNING = 2


Notify = Callable[[Severity, str], None]


@dataclass(frozen=True)
class Snapshot:
    """A document at the moment of the request; ``offset`` counts code points."""

    uri: str
    path: str
    text: str
    offset: int
    language_id: str = ""


@dataclass(frozen=True)
class Suggestion:
    """Text to insert at the cursor; ``replace_to`` is where the replaced range ends."""

    text: str
    replace_to: int


@dataclass
class Timing:
    prompt_tokens: int = 0
    first_chunk_s: float | None = None
    total_s: float = 0.0
    from_cache: bool = False


@dataclass
class Stats:
    requests: int = 0
    cache_hits: int = 0
    superseded: int = 0
    errors: int = 0
    suggestions: int = 0
    accepted: int = 0
    timings: list[Timing] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        overheads = sorted(t.total_s for t in self.timings)
        return {
            "requests": self.requests,
            "cacheHits": self.cache_hits,
            "superseded": self.superseded,
            "errors": self.errors,
            "suggestions": self.suggestions,
            "accepted": self.accepted,
            "medianLatencyMs": round(overheads[len(overheads) // 2] * 1000, 1)
            if overheads
            else None,
        }


class Notices:
    """Says each thing once: a key stays quiet until ``clear`` (settings change or success)."""

    def __init__(self, notify: Notify) -> None:
        self._notify = notify
        self._said: set[str] = set()

    def say(self, key: str, severity: Severity, message: str) -> None:
        if key not in self._said:
            self._said.add(key)
            self._notify(severity, message)

    def clear(self, *keys: str) -> None:
        if keys:
            self._said.difference_update(keys)
        else:
            self._said.clear()


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
        self._latest = LatestOnly()
        self.stats = Stats()
        self._apply(settings)

    def _apply(self, settings: Settings) -> None:
        self.settings = settings
        add_secret(settings.api_key)
        self._provider = self._provider_factory(settings)
        self._cache = CompletionCache(settings.cache_size, settings.cache_ttl_s)
        self._blocked_reason: str | None = None
        self._paused_until = 0.0
        self._rate_limit_pause = 0.0

    async def update_settings(self, settings: Settings) -> None:
        """New settings: a new provider and cache, and every notice may be said again."""
        old = self._provider
        self._latest.cancel_all()
        self._apply(settings)
        self._notices.clear()
        await old.aclose()

    async def aclose(self) -> None:
        self._latest.cancel_all()
        await self._provider.aclose()

    @property
    def counter(self) -> TokenCounter:
        if self._counter is None:
            self._counter = default_counter()
        return self._counter

    def refusal(self, snapshot: Snapshot) -> str | None:
        """Why this document gets no completion at all, or None."""
        settings = self.settings
        if not settings.enabled:
            return "completions are disabled"
        if snapshot.language_id and snapshot.language_id in settings.disabled_languages:
            return f"completions are disabled for {snapshot.language_id}"
        if is_excluded(snapshot.path, settings.exclude_globs):
            return f"{snapshot.path} matches an exclusion glob; it is never sent"
        if self._blocked_reason:
            return self._blocked_reason
        if time.monotonic() < self._paused_until:
            return "paused after the provider's rate limit"
        return None

    async def complete(
        self, snapshot: Snapshot, invoked: bool = False, timing: Timing | None = None
    ) -> Suggestion | None:
        """The suggestion for this cursor, or None; superseded by a newer call for the URI."""
        reason = self.refusal(snapshot)
        if reason:
            log.debug("no completion for %s: %s", snapshot.uri, reason)
            return None
        timing = timing or Timing()
        result = await self._latest.run(
            snapshot.uri,
            self._debounced(snapshot, 0 if invoked else self.settings.debounce_ms, timing),
        )
        if result is None:
            self.stats.superseded += 1
        return result

    async def _debounced(
        self, snapshot: Snapshot, delay_ms: int, timing: Timing
    ) -> Suggestion | None:
        if delay_ms:
            await asyncio.sleep(delay_ms / 1000)
        return await self._suggest(snapshot, timing)

    async def _suggest(self, snapshot: Snapshot, timing: Timing) -> Suggestion | None:
        started = time.perf_counter()
        settings = self.settings
        text, offset = snapshot.text, snapshot.offset
        window = cut_window(
            text, offset, self.counter, settings.prefix_budget, settings.suffix_budget
        )
        template = template_for(settings.model, settings.template)
        context = context_at(text, offset, settings.max_lines, template.special_tokens)
        prompt = template.render(window.prefix, window.suffix)
        timing.prompt_tokens = window.prefix_tokens + window.suffix_tokens + 3
        key = CompletionCache.key(settings, prompt, context.line_suffix)
        completion = self._cache.get(key)
        if completion is not None:
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
            completion = await self._fetch(request, context, timing, started)
            if completion is None:
                return None
            self._cache.put(key, completion)
        timing.total_s = time.perf_counter() - started
        self.stats.timings = [*self.stats.timings[-999:], timing]
        if not completion:
            return None
        self.stats.suggestions += 1
        return Suggestion(*replacement(completion, text, offset))

    async def _fetch(
        self,
        request: CompletionRequest,
        context: CompletionContext,
        timing: Timing,
        started: float,
    ) -> str | None:
        """Stream from the provider until the answer is settled; None on failure."""
        self.stats.requests += 1
        raw = ""
        try:
            async with contextlib.aclosing(self._provider.stream(request)) as chunks:
                async for chunk in chunks:
                    if timing.first_chunk_s is None:
                        timing.first_chunk_s = time.perf_counter() - started
                    raw += chunk
                    if is_settled(raw, context):
                        break
        except ProviderError as error:
            self.stats.errors += 1
            self._react(error)
            return None
        self._rate_limit_pause = 0.0
        self._notices.clear("rate-limit", "transient")
        return postprocess(raw, context)

    def _react(self, error: ProviderError) -> None:
        """One log line per failure; the user hears of it once, and only when they must act."""
        log.warning("completion failed: %s", error)
        if isinstance(error, (AuthError, MissingKeyError)):
            what = "the API key was rejected" if isinstance(error, AuthError) else "no API key"
            self._blocked_reason = f"{what}; waiting for new settings"
            self._notices.say(
                "auth",
                Severity.ERROR,
                f"fim-lsp: {error}. Set apiKey (or DASHSCOPE_API_KEY) for provider "
                f"{self.settings.provider}; completions are paused until settings change.",
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
