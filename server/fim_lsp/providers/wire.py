"""What every HTTP provider does alike: strict JSON, statuses and transport failures mapped
onto our error classes, and body previews that fit a log line."""

from __future__ import annotations

import json
import logging
import ssl
from collections.abc import AsyncGenerator, AsyncIterator, Callable
from types import TracebackType
from typing import Any

import httpx

from fim_lsp.providers.base import (
    AuthError,
    BadResponseError,
    ProviderError,
    RateLimitError,
    RejectedError,
    TransientError,
)

log = logging.getLogger(__name__)


def timeout(timeout_s: float) -> httpx.Timeout:
    return httpx.Timeout(timeout_s, connect=min(timeout_s, 5.0))


class TransportErrors:
    """``async with TransportErrors(name, timeout):`` turns httpx failures into TransientError."""

    def __init__(self, name: str, limit: httpx.Timeout) -> None:
        self._name = name
        self._limit = limit

    async def __aenter__(self) -> None:
        return None

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> bool:
        if isinstance(error, httpx.TimeoutException):
            raise TransientError(
                f"{self._name} at {_where(error)} timed out after {self._limit.read:g} s"
            ) from None
        if isinstance(error, httpx.TransportError):
            if (refused := _certificate_refusal(error)) is not None:
                raise TransientError(
                    f"{self._name} at {_where(error)}: its TLS certificate is not trusted "
                    f"({refused}); if your company's CA signs it, point SSL_CERT_FILE at that "
                    "CA's certificate"
                ) from None
            raise TransientError(
                f"{self._name} connection to {_where(error)} failed: {type(error).__name__}"
            ) from None
        return False


def _where(error: httpx.TransportError) -> str:
    try:
        return masked_url(error.request.url)
    except RuntimeError:  # an error raised before any request was made
        return "its URL"


def masked_url(url: httpx.URL) -> str:
    """The URL fit for a log line: no user name or password, no query (Qianfan's holds an
    access token, some proxies take a key there)."""
    host = f"[{url.host}]" if ":" in url.host else url.host
    port = f":{url.port}" if url.port else ""
    return f"{url.scheme}://{host}{port}{url.path}"


def _certificate_refusal(error: BaseException) -> str | None:
    """Why TLS verification refused the server, if that is what ``error`` comes from."""
    cause: BaseException | None = error
    while cause is not None:
        if isinstance(cause, ssl.SSLCertVerificationError):
            return cause.verify_message or cause.reason or "verification failed"
        cause = cause.__cause__ or cause.__context__
    return None


async def check_status(
    name: str, response: httpx.Response, message: Callable[[dict[str, Any]], str]
) -> None:
    """Raise the error class for a non-200 answer, with the provider's own words."""
    if response.status_code == 200:
        return
    await response.aread()
    raise status_error(name, response, message(lenient_json(response.content)))


def status_error(name: str, response: httpx.Response, detail: str) -> ProviderError:
    status = response.status_code
    text = f"{name} answered {status}: {detail}"
    if status in (401, 403):
        return AuthError(text)
    if status == 429:
        return RateLimitError(text, retry_after(response.headers.get("retry-after")))
    if 400 <= status < 500 or status == 501:  # 501: the server cannot do this, ever
        return RejectedError(text)
    return TransientError(text)


# One event's text (None: it carries none) and whether it is the last of the answer.
EventReader = Callable[[dict[str, Any]], tuple[str | None, bool]]


async def event_texts(
    name: str, frames: AsyncIterator[str], read: EventReader, last: str
) -> AsyncGenerator[str, None]:
    """The text of each JSON event of a stream, as it arrives.  An error event, or a stream
    that ends before its last event (``last`` names what marks it), is a TransientError: the
    next keystroke tries again."""
    ended = False
    async for data in frames:
        event = parse_json(data)
        if "error" in event:
            raise TransientError(f"{name} stream error: {openai_message(event)}")
        text, is_last = read(event)
        ended = ended or is_last
        if text is not None:
            yield text
    if not ended:
        raise TransientError(f"{name} stream ended before {last}")


def openai_message(body: dict[str, Any]) -> str:
    """The words in an OpenAI-style (also llama.cpp, Ollama) error body."""
    error = body.get("error")
    if isinstance(error, dict):
        return str(error.get("message") or error.get("code") or error)[:200]
    return str(body.get("message") or error or body.get("code") or "no details")[:200]


def parse_json(data: bytes | str) -> dict[str, Any]:
    try:
        parsed = json.loads(data)
    except (ValueError, UnicodeDecodeError):
        raise BadResponseError(f"invalid JSON from provider: {preview(data)}") from None
    if not isinstance(parsed, dict):
        raise BadResponseError(f"unexpected JSON from provider: {preview(data)}")
    return parsed


def lenient_json(content: bytes) -> dict[str, Any]:
    try:
        parsed = json.loads(content)
    except (ValueError, UnicodeDecodeError):
        return {"message": preview(content)}
    return parsed if isinstance(parsed, dict) else {"message": preview(content)}


def text_field(event: dict[str, Any], name: str) -> str:
    value = event.get(name)
    if not isinstance(value, str):
        raise BadResponseError(f"no string {name!r} in {preview(json.dumps(event))}")
    return value


def retry_after(value: str | None) -> float | None:
    try:
        return max(0.0, float(value)) if value else None
    except ValueError:
        return None


def preview(data: bytes | str) -> str:
    text = data.decode("utf-8", "replace") if isinstance(data, bytes) else data
    return text[:80].replace("\n", "\\n")


async def warm_connection(client: httpx.AsyncClient, url: str) -> None:
    """A bodiless request to the endpoint's host: whatever it answers, the connection stays
    in the pool, so the next completion does not pay for DNS, TCP and TLS."""
    try:
        await client.head(url, timeout=5.0)
    except httpx.HTTPError as error:
        log.debug("warming %s failed: %s", httpx.URL(url).host, type(error).__name__)
