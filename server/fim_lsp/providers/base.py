"""What every provider offers the engine, and the errors it may raise.

Providers turn a finished prompt into streamed text; they know nothing of prompts or LSP.
The error classes are what the engine reacts to, so every provider maps its own failures
onto them.  Messages never contain the API key.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, AsyncIterator, Callable
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class CompletionRequest:
    """``prompt`` is the template-rendered FIM prompt, other files' context included;
    ``prefix``/``suffix`` are the raw window for APIs that do FIM themselves (``suffix``
    field, ``/infill``), which get the context as ``context_comment`` (to put before the
    prefix) or ``context_files`` ((path, text) pairs: llama.cpp's ``input_extra``).
    ``plain``: there is no hole to fill (template prefix-only), so ``prompt`` is to be
    continued as it is, by an endpoint that does not wrap it in FIM tokens."""

    prompt: str
    prefix: str
    suffix: str
    max_tokens: int
    temperature: float
    top_p: float
    stop: tuple[str, ...]
    context_comment: str = ""
    context_files: tuple[tuple[str, str], ...] = ()
    plain: bool = False


class ProviderError(Exception):
    """A request failed; ``str(error)`` is one line fit for a log or the user."""


class MissingKeyError(ProviderError):
    """No API key is configured for a provider that needs one."""


class AuthError(ProviderError):
    """The provider refused our credentials (401/403): nothing works until settings change."""


class RateLimitError(ProviderError):
    """Too many requests (429): wait ``retry_after`` seconds, when the provider says."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class RejectedError(ProviderError):
    """The provider refused this request (other 4xx), e.g. an unknown model name."""


class TransientError(ProviderError):
    """A server error, timeout or dropped connection: worth trying on the next keystroke."""


class BadResponseError(ProviderError):
    """The answer was not what the wire format promises (bad JSON, SSE or UTF-8)."""


class Provider(Protocol):
    name: str

    def stream(self, request: CompletionRequest) -> AsyncGenerator[str, None]:
        """Yield completion text as it arrives; closing the generator closes the HTTP stream."""
        ...

    async def alternatives(self, request: CompletionRequest, n: int) -> list[str]:
        """Up to ``n`` distinct completions, not streamed: a manual trigger's choices."""
        ...

    async def warm(self) -> None:
        """Open a connection (TCP, TLS, HTTP/2) ahead of the first request; never raises."""
        ...

    async def aclose(self) -> None: ...


async def collect(stream: AsyncIterator[str]) -> str:
    return "".join([chunk async for chunk in stream])


async def repeated_alternatives(
    stream: Callable[[CompletionRequest], AsyncGenerator[str, None]],
    request: CompletionRequest,
    n: int,
) -> list[str]:
    """For APIs without ``n``: ask ``n`` times at once and keep the distinct answers."""
    answers = await asyncio.gather(*(collect(stream(request)) for _ in range(n)))
    return list(dict.fromkeys(answers))
