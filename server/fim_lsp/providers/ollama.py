"""Ollama's own API: ``POST {base}/api/generate``, answers as newline-delimited JSON.

*suffix* mode (the default) sends ``prompt`` (the prefix) and ``suffix`` and lets Ollama
apply the model's own FIM template; *template* mode sends our rendered prompt with
``raw: true``, for models whose Ollama template knows no suffix.  No key is needed; one is
sent as a bearer token when set (Ollama behind a proxy).
"""

from __future__ import annotations

from typing import Any

import httpx

from fim_lsp.providers.base import CompletionRequest
from fim_lsp.providers.framing import json_lines
from fim_lsp.providers.local import LocalServerProvider


class OllamaGenerate(LocalServerProvider):
    text_key = "response"
    end_key = "done"
    frames = staticmethod(json_lines)
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
        super().__init__(client, base_url.rstrip("/") + "/api/generate", api_key, timeout_s)
        self._model = model
        self._mode = mode
        self._seed = seed

    def body(self, request: CompletionRequest) -> dict[str, Any]:
        if self._mode == "template":
            text: dict[str, Any] = {"prompt": request.prompt, "raw": True}
        else:
            text = {"prompt": request.context_comment + request.prefix, "suffix": request.suffix}
        options: dict[str, Any] = {
            "num_predict": request.max_tokens,
            "temperature": request.temperature,
            "top_p": request.top_p,
            "stop": list(request.stop),
        }
        if self._seed is not None:
            options["seed"] = self._seed
        return {"model": self._model, **text, "stream": True, "options": options}
