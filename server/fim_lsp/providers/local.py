"""What Ollama's and llama.cpp's own APIs share: one POST, a stream of JSON events each with
a piece of text, the last one flagged as the end; an optional bearer key."""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator, Callable
from typing import Any

import httpx

from fim_lsp.providers.base import CompletionRequest, repeated_alternatives
from fim_lsp.providers.wire import (
    TransportErrors,
    check_status,
    event_texts,
    openai_message,
    text_field,
    timeout,
    warm_connection,
)


class LocalServerProvider:
    name: str
    text_key: str  # the event field carrying text
    end_key: str  # the event field that is true on the last event
    frames: Callable[[AsyncIterator[bytes]], AsyncIterator[str]]
    error_message: Callable[[dict[str, Any]], str] = staticmethod(openai_message)

    def __init__(self, client: httpx.AsyncClient, url: str, api_key: str, timeout_s: float) -> None:
        self._client = client
        self._url = url
        self._api_key = api_key
        self._timeout = timeout(timeout_s)

    def url(self, request: CompletionRequest) -> str:
        return self._url

    def body(self, request: CompletionRequest) -> dict[str, Any]:
        raise NotImplementedError

    async def stream(self, request: CompletionRequest) -> AsyncGenerator[str, None]:
        headers = {"Authorization": f"Bearer {self._api_key}"} if self._api_key else {}
        async with (
            TransportErrors(self.name, self._timeout),
            self._client.stream(
                "POST",
                self.url(request),
                json=self.body(request),
                headers=headers,
                timeout=self._timeout,
            ) as response,
        ):
            await check_status(self.name, response, type(self).error_message)
            events = type(self).frames(response.aiter_bytes())
            async for text in event_texts(self.name, events, self._read_event, self.end_key):
                yield text

    def _read_event(self, event: dict[str, Any]) -> tuple[str | None, bool]:
        return text_field(event, self.text_key), event.get(self.end_key) is True

    async def alternatives(self, request: CompletionRequest, n: int) -> list[str]:
        return await repeated_alternatives(self.stream, request, n)

    async def warm(self) -> None:
        await warm_connection(self._client, self._url)

    async def aclose(self) -> None:
        await self._client.aclose()
