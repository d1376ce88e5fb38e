"""Whether a completion may be asked for at all, and how a provider's failure changes that.

Settings can switch completions off for everything, a language or a file.  Without a key
nothing is sent until the settings change.  When the provider refuses our key (401/403),
nothing is sent for 10 s, then 20, 40 … 300 s, so that a fix made elsewhere (a model enabled
in the console, an account topped up) is noticed; new settings retry at once.  When it
rate-limits us, nothing is sent for ``Retry-After`` seconds, or 1, 2, 4 … 60 s.  The user
hears of each once, and again only after it has worked in between.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from fim_lsp.exclusion import is_excluded
from fim_lsp.logs import FAILURE_PREFIX
from fim_lsp.notices import Notices, Severity, sentence
from fim_lsp.providers.base import (
    AuthError,
    MissingKeyError,
    ProviderError,
    RateLimitError,
    RejectedError,
)
from fim_lsp.providers.registry import REGISTRY
from fim_lsp.settings import Settings
from fim_lsp.snapshot import Snapshot

log = logging.getLogger(__name__)

MAX_RATE_LIMIT_PAUSE_S = 60.0
FIRST_AUTH_PAUSE_S = 10.0
MAX_AUTH_PAUSE_S = 300.0


class Gate:
    def __init__(
        self, settings: Settings, notices: Notices, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._notices = notices
        self._clock = clock
        self.reset(settings)

    def reset(self, settings: Settings) -> None:
        """New settings: whatever the old ones were refused for may work now."""
        self._settings = settings
        self._blocked_reason: str | None = None  # no key: until the settings change
        self._refused_until = 0.0  # the key was refused: until then
        self._auth_pause = 0.0
        self._paused_until = 0.0
        self._rate_limit_pause = 0.0
        self._notices.clear()

    def refusal(self, snapshot: Snapshot) -> str | None:
        """Why this document gets no completion at all, or None."""
        settings = self._settings
        if snapshot.language_id and snapshot.language_id in settings.disabled_languages:
            return f"completions are disabled for {snapshot.language_id}"
        if is_excluded(snapshot.path, settings.exclude_globs):
            return f"{snapshot.path} matches an exclusion glob; it is never sent"
        return self.refusal_for_all()

    def refusal_for_all(self) -> str | None:
        """Why no document gets a completion now, or None."""
        if not self._settings.enabled:
            return "completions are disabled"
        if self._blocked_reason:
            return self._blocked_reason
        if self._clock() < self._refused_until:
            return "the API key was rejected; trying again later or when settings change"
        if self._clock() < self._paused_until:
            return "paused after the provider's rate limit"
        return None

    def answered(self) -> None:
        """The provider answered: a refusal or rate limit is over, back-offs start again."""
        self._auth_pause = self._rate_limit_pause = 0.0
        self._notices.clear("auth", "rate-limit")

    def failed(self, error: ProviderError) -> None:
        """One log line per failure; the user hears of it once, and only when they must act."""
        log.warning("%s%s", FAILURE_PREFIX, error)
        if isinstance(error, MissingKeyError):
            self._blocked_reason = "no API key; waiting for new settings"
            self._notices.say(
                "auth",
                Severity.ERROR,
                f"fim-lsp: {sentence(error)} To give it one, {self._key_advice()}. "
                "Completions are paused until settings change.",
            )
        elif isinstance(error, AuthError):
            self._auth_pause = min(MAX_AUTH_PAUSE_S, max(FIRST_AUTH_PAUSE_S, self._auth_pause * 2))
            self._refused_until = self._clock() + self._auth_pause
            self._notices.say(
                "auth",
                Severity.ERROR,
                f"fim-lsp: {sentence(error)} Check the API key: {self._key_advice()}. "
                "Completions are paused; they are tried again now and then, and at once when "
                "settings change.",
            )
        elif isinstance(error, RateLimitError):
            self._rate_limit_pause = min(
                MAX_RATE_LIMIT_PAUSE_S, max(1.0, self._rate_limit_pause * 2)
            )
            pause = error.retry_after if error.retry_after is not None else self._rate_limit_pause
            self._paused_until = self._clock() + pause
            self._notices.say(
                "rate-limit",
                Severity.WARNING,
                f"fim-lsp: the provider is rate limiting us; pausing completions for {pause:g} s.",
            )
        elif isinstance(error, RejectedError):
            self._notices.say(f"rejected:{error}", Severity.ERROR, f"fim-lsp: {error}")

    def _key_advice(self) -> str:
        return REGISTRY[self._settings.provider].key_advice()
