"""OpenAI-compatible ``POST {base}/completions`` with the FIM template in ``prompt``.

DashScope's compatible mode (the default provider) and vLLM speak exactly this.  Answers
stream as server-sent events; a server that ignores ``stream`` and answers one JSON object
is accepted too.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx

from fim_lsp.providers.base import (
    AuthError,
    BadResponseError,
    CompletionRequest,
    MissingKeyError,
    ProviderError,
    RateLimitError,
    RejectedError,
    TransientError,
)
from fim_lsp.providers.sse import sse_data


class OpenAICompletions:
    def __init__(
        self,
        name: str,
        client: httpx.AsyncClient,
        base_url: str,
        model: str,
        api_key: str,
        timeout_s: float,
    ) -> None:
        self.name = name
        self._client = client
        self._url = base_url.rstrip("/") + "/completions"
        self._model = model
        self._api_key = api_key
        self._timeout = httpx.Timeout(timeout_s, connect=min(timeout_s, 5.0))

    def body(self, request: CompletionRequest) -> dict[str, Any]:
        return {
            "model": self._model,
            "prompt": request.prompt,
            "max_tokens": request.max_tokens,
            "temperature": request.temperature,
            "top_p": request.top_p,
            "stop": list(request.stop),
            "stream": True,
        }

    async def stream(self, request: CompletionRequest) -> AsyncIterator[str]:
        if not self._api_key:
            raise MissingKeyError(
                f"no API key for {self.name}: set DASHSCOPE_API_KEY, FIM_LSP_API_KEY "
                "or the apiKey setting"
            )
        headers = {"Authorization": f"Bearer {self._api_key}", "Accept": "text/event-stream"}
        try:
            async with self._client.stream(
                "POST", self._url, json=self.body(request), headers=headers, timeout=self._timeout
            ) as response:
                if response.status_code != 200:
                    await response.aread()
                    raise _status_error(self.name, response)
                if response.headers.get("content-type", "").startswith("application/json"):
                    yield _choice_text(_parse_json(await response.aread()))
                    return
                finished = False
                async for data in sse_data(response.aiter_bytes()):
                    event = _parse_json(data)
                    if "error" in event:
                        raise TransientError(f"{self.name} stream error: {_message(event)}")
                    if event.get("choices"):
                        finished = finished or bool(event["choices"][0].get("finish_reason"))
                        yield _choice_text(event)
                if not finished:
                    raise TransientError(f"{self.name} stream ended before the completion did")
        except httpx.TimeoutException:
            raise TransientError(f"{self.name} timed out after {self._timeout.read:g} s") from None
        except httpx.TransportError as error:
            raise TransientError(f"{self.name} connection failed: {type(error).__name__}") from None

    async def aclose(self) -> None:
        await self._client.aclose()


def _parse_json(data: bytes | str) -> dict[str, Any]:
    try:
        parsed = json.loads(data)
    except (ValueError, UnicodeDecodeError):
        raise BadResponseError(f"invalid JSON from provider: {_preview(data)}") from None
    if not isinstance(parsed, dict):
        raise BadResponseError(f"unexpected JSON from provider: {_preview(data)}")
    return parsed


def _choice_text(event: dict[str, Any]) -> str:
    try:
        text = event["choices"][0]["text"]
    except (KeyError, IndexError, TypeError):
        raise BadResponseError(f"no choices[0].text in {_preview(json.dumps(event))}") from None
    if not isinstance(text, str):
        raise BadResponseError("choices[0].text is not a string")
    return text


def _status_error(name: str, response: httpx.Response) -> ProviderError:
    status = response.status_code
    detail = f"{name} answered {status}: {_message(_lenient_json(response.content))}"
    if status in (401, 403):
        return AuthError(detail)
    if status == 429:
        return RateLimitError(detail, _retry_after(response.headers.get("retry-after")))
    if 400 <= status < 500:
        return RejectedError(detail)
    return TransientError(detail)


def _lenient_json(content: bytes) -> dict[str, Any]:
    try:
        parsed = json.loads(content)
    except (ValueError, UnicodeDecodeError):
        return {"message": _preview(content)}
    return parsed if isinstance(parsed, dict) else {"message": _preview(content)}


def _message(body: dict[str, Any]) -> str:
    error = body.get("error")
    if isinstance(error, dict):
        return str(error.get("message") or error.get("code") or error)[:200]
    return str(body.get("message") or error or body.get("code") or "no details")[:200]


def _retry_after(value: str | None) -> float | None:
    try:
        return max(0.0, float(value)) if value else None
    except ValueError:
        return None


def _preview(data: bytes | str) -> str:
    text = data.decode("utf-8", "replace") if isinstance(data, bytes) else data
    return text[:80].replace("\n", "\\n")
