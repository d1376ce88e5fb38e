"""llama.cpp's server: ``POST {base}/infill`` with the raw prefix and suffix.

The server applies the loaded model's FIM tokens itself.  ``cache_prompt`` reuses the KV
cache of the previous request (consecutive keystrokes share most of the prompt), and
``t_max_predict_ms`` ends generation after that long once a line is complete, as llama.vim
does.  Answers stream as server-sent events of ``content`` with ``stop`` on the last.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx

from fim_lsp.providers.base import CompletionRequest, TransientError, repeated_alternatives
from fim_lsp.providers.framing import sse_data
from fim_lsp.providers.wire import (
    TransportErrors,
    check_status,
    openai_message,
    parse_json,
    text_field,
    timeout,
    warm_connection,
)

MAX_PREDICT_MS = 1000


class LlamaCppInfill:
    name = "llamacpp"

    def __init__(
        self,
        client: httpx.AsyncClient,
        base_url: str,
        api_key: str,
        timeout_s: float,
        seed: int | None = None,
    ) -> None:
        self._client = client
        self._url = base_url.rstrip("/") + "/infill"
        self._api_key = api_key
        self._timeout = timeout(timeout_s)
        self._seed = seed

    def body(self, request: CompletionRequest) -> dict[str, Any]:
        body: dict[str, Any] = {
            "input_prefix": request.prefix,
            "input_suffix": request.suffix,
            "input_extra": [],
            "prompt": "",
            "n_predict": request.max_tokens,
            "temperature": request.temperature,
            "top_p": request.top_p,
            "stop": list(request.stop),
            "stream": True,
            "cache_prompt": True,
            "t_max_predict_ms": MAX_PREDICT_MS,
        }
        if self._seed is not None:
            body["seed"] = self._seed
        return body

    async def stream(self, request: CompletionRequest) -> AsyncIterator[str]:
        headers = {"Authorization": f"Bearer {self._api_key}"} if self._api_key else {}
        async with (
            TransportErrors(self.name, self._timeout),
            self._client.stream(
                "POST", self._url, json=self.body(request), headers=headers, timeout=self._timeout
            ) as response,
        ):
            await check_status(self.name, response, openai_message)
            stopped = False
            async for data in sse_data(response.aiter_bytes()):
                event = parse_json(data)
                if "error" in event:
                    raise TransientError(f"llamacpp stream error: {openai_message(event)}")
                stopped = event.get("stop") is True
                yield text_field(event, "content")
            if not stopped:
                raise TransientError("llamacpp stream ended before stop")

    async def alternatives(self, request: CompletionRequest, n: int) -> list[str]:
        return await repeated_alternatives(self.stream, request, n)

    async def warm(self) -> None:
        await warm_connection(self._client, self._url)

    async def aclose(self) -> None:
        await self._client.aclose()
