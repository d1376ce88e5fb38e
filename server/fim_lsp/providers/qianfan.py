"""Baidu Qianfan completions (续写): ``POST /rpc/2.0/ai_custom/v1/wenxinworkshop/completions/
{endpoint}``, authenticated by an access token or a request signature (``qianfan_auth``).

The template-rendered prompt goes in ``prompt``.  Qianfan takes at most four stop sequences
of at most 20 characters and a temperature in (0, 1]: we send the stops that matter most and
enforce all of them on our side, and clamp the temperature.  Failures arrive as HTTP 200 with
``error_code``/``error_msg``; streamed chunks carry ``result``, ``sentence_id`` and ``is_end``.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncGenerator
from typing import Any, Protocol

import httpx

from fim_lsp.providers.base import (
    AuthError,
    CompletionRequest,
    MissingKeyError,
    ProviderError,
    RateLimitError,
    RejectedError,
    TransientError,
    repeated_alternatives,
)
from fim_lsp.providers.framing import sse_data
from fim_lsp.providers.qianfan_auth import SignatureAuth, TokenAuth
from fim_lsp.providers.stops import enforce_stops
from fim_lsp.providers.wire import (
    TransportErrors,
    check_status,
    event_texts,
    parse_json,
    text_field,
    timeout,
    warm_connection,
)

log = logging.getLogger(__name__)

PATH = "/rpc/2.0/ai_custom/v1/wenxinworkshop/completions/"
# The preset services, by the model names Baidu documents.
ENDPOINTS = {"sqlcoder-7b": "sqlcoder_7b", "codellama-7b-instruct": "codellama_7b_instruct"}
MAX_STOPS = 4
MAX_STOP_CHARS = 20
STALE_TOKEN = (110, 111)
RATE_LIMITED = (4, 17, 18, 336501, 336502)
OVERLOADED = (336100,)
REFUSED_CREDENTIALS = (6, 13, 14)


class Auth(Protocol):
    refreshable: bool

    async def sign(self, method: str, url: httpx.URL) -> tuple[httpx.URL, dict[str, str]]: ...

    def refresh(self) -> None: ...


class QianfanCompletions:
    name = "qianfan"

    def __init__(
        self,
        client: httpx.AsyncClient,
        base_url: str,
        model: str,
        endpoint: str,
        ak: str,
        sk: str,
        auth: str,
        timeout_s: float,
    ) -> None:
        self._client = client
        self._base = base_url.rstrip("/")
        self._endpoint = endpoint or ENDPOINTS.get(model.lower(), "")
        self._model = model
        self._has_keys = bool(ak and sk)
        self._timeout = timeout(timeout_s)
        self._auth: Auth = (
            SignatureAuth(ak, sk)
            if auth == "signature"
            else TokenAuth(client, self._base, ak, sk, self._timeout)
        )

    def body(self, request: CompletionRequest) -> dict[str, Any]:
        return {
            "prompt": request.prompt,
            "stream": True,
            "temperature": min(1.0, max(0.01, request.temperature)),
            "top_p": request.top_p,
            "stop": sendable_stops(request.stop),
        }

    async def stream(self, request: CompletionRequest) -> AsyncGenerator[str, None]:
        chunks = self._stream_results(request)
        async for text in enforce_stops(chunks, request.stop):
            yield text

    async def _stream_results(self, request: CompletionRequest) -> AsyncGenerator[str, None]:
        if not self._has_keys:
            raise MissingKeyError("no AK/SK for qianfan")
        if not self._endpoint:
            raise RejectedError(
                f"qianfan has no preset service for model {self._model!r}: "
                "set endpoint to your service's name"
            )
        url = httpx.URL(self._base + PATH + self._endpoint)
        for attempt in (1, 2):
            signed_url, headers = await self._auth.sign("POST", url)
            async with (
                TransportErrors(self.name, self._timeout),
                self._client.stream(
                    "POST",
                    signed_url,
                    json=self.body(request),
                    headers=headers,
                    timeout=self._timeout,
                ) as response,
            ):
                await check_status(self.name, response, _message)
                if response.headers.get("content-type", "").startswith("application/json"):
                    answer = parse_json(await response.aread())
                    if _stale_token(answer) and attempt == 1 and self._auth.refreshable:
                        log.info("qianfan access token went stale; fetching a new one")
                        self._auth.refresh()
                        continue
                    yield _result(answer)
                    return
                events = sse_data(response.aiter_bytes())
                async for text in event_texts(self.name, events, _read_event, "is_end"):
                    yield text
                return

    async def alternatives(self, request: CompletionRequest, n: int) -> list[str]:
        return await repeated_alternatives(self.stream, request, n)

    async def warm(self) -> None:
        await warm_connection(self._client, self._base + PATH)

    async def aclose(self) -> None:
        await self._client.aclose()


def sendable_stops(stops: tuple[str, ...]) -> list[str]:
    """The four stops Qianfan can take: a line break first (it decides single-line mode),
    then the template's own, in its order of importance; the rest are enforced here."""
    fitting = [stop for stop in stops if 0 < len(stop) <= MAX_STOP_CHARS]
    ordered = sorted(fitting, key=lambda stop: stop != "\n")
    return list(dict.fromkeys(ordered))[:MAX_STOPS]


def _stale_token(answer: dict[str, Any]) -> bool:
    return answer.get("error_code") in STALE_TOKEN


def _read_event(chunk: dict[str, Any]) -> tuple[str | None, bool]:
    return _result(chunk), chunk.get("is_end") is True


def _result(chunk: dict[str, Any]) -> str:
    """The text of a whole answer or one streamed sentence, or the error it reports."""
    if "error_code" in chunk:
        raise _error(chunk)
    if chunk.get("need_clear_history"):
        # Baidu's content check flagged the exchange: nothing of it may be shown.
        raise TransientError("qianfan withheld the answer (need_clear_history)")
    if chunk.get("is_truncated"):
        log.debug("qianfan truncated the answer (sentence %s)", chunk.get("sentence_id"))
    return text_field(chunk, "result")


def _error(answer: dict[str, Any]) -> ProviderError:
    code = answer.get("error_code")
    detail = f"qianfan error {code}: {_message(answer)}"
    if code in STALE_TOKEN or code in REFUSED_CREDENTIALS:
        return AuthError(detail)
    if code in RATE_LIMITED:
        return RateLimitError(detail)
    if code in OVERLOADED:
        return TransientError(detail)
    return RejectedError(detail)


def _message(body: dict[str, Any]) -> str:
    return str(body.get("error_msg") or body.get("message") or "no details")[:200]
