"""Ollama's own API: ``POST {base}/api/generate``, answers as newline-delimited JSON.

*suffix* mode (the default) sends ``prompt`` (the prefix) and ``suffix`` and lets Ollama
apply the model's own FIM template; *template* mode sends our rendered prompt with
``raw: true``, for models whose Ollama template knows no suffix.  No key is needed; one is
sent as a bearer token when set (Ollama behind a proxy).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx

from fim_lsp.providers.base import CompletionRequest, TransientError, repeated_alternatives
from fim_lsp.providers.framing import json_lines
from fim_lsp.providers.wire import (
    TransportErrors,
    check_status,
    openai_message,
    parse_json,
    text_field,
    timeout,
    warm_connection,
)


class OllamaGenerate:
    name = "ollama"

    def __init__(
        self,
        client: httpx.AsyncClient,
        base_url: str,
        model: str,
        api_key: str,
        timeout_s: float,
        mode: str = "suffix",
        seed: int | None = None,
    ) -> None:
        self._client = client
        self._url = base_url.rstrip("/") + "/api/generate"
        self._model = model
        self._api_key = api_key
        self._timeout = timeout(timeout_s)
        self._mode = mode
        self._seed = seed

    def body(self, request: CompletionRequest) -> dict[str, Any]:
        if self._mode == "template":
            text: dict[str, Any] = {"prompt": request.prompt, "raw": True}
        else:
            text = {"prompt": request.prefix, "suffix": request.suffix}
        options: dict[str, Any] = {
            "num_predict": request.max_tokens,
            "temperature": request.temperature,
            "top_p": request.top_p,
            "stop": list(request.stop),
        }
        if self._seed is not None:
            options["seed"] = self._seed
        return {"model": self._model, **text, "stream": True, "options": options}

    async def stream(self, request: CompletionRequest) -> AsyncIterator[str]:
        headers = {"Authorization": f"Bearer {self._api_key}"} if self._api_key else {}
        async with (
            TransportErrors(self.name, self._timeout),
            self._client.stream(
                "POST", self._url, json=self.body(request), headers=headers, timeout=self._timeout
            ) as response,
        ):
            await check_status(self.name, response, openai_message)
            done = False
            async for line in json_lines(response.aiter_bytes()):
                event = parse_json(line)
                if "error" in event:
                    raise TransientError(f"ollama stream error: {openai_message(event)}")
                done = event.get("done") is True
                yield text_field(event, "response")
            if not done:
                raise TransientError("ollama stream ended before done")

    async def alternatives(self, request: CompletionRequest, n: int) -> list[str]:
        return await repeated_alternatives(self.stream, request, n)

    async def warm(self) -> None:
        await warm_connection(self._client, self._url)

    async def aclose(self) -> None:
        await self._client.aclose()
