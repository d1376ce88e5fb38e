"""llama.cpp's server: ``POST {base}/infill`` with the raw prefix and suffix.

The server applies the loaded model's FIM tokens itself.  ``cache_prompt`` reuses the KV
cache of the previous request (consecutive keystrokes share most of the prompt; other files'
context goes in ``input_extra``, which the server puts first and keeps cached), and
``t_max_predict_ms`` ends generation after that long once a line is complete, as llama.vim
does.  Answers stream as server-sent events of ``content`` with ``stop`` on the last.

A model without FIM tokens cannot infill (the server answers 501), but it still continues
code: a plain request (template prefix-only) goes to ``/completion`` with the prompt as it is.
"""

from __future__ import annotations

from typing import Any

import httpx

from fim_lsp.providers.base import CompletionRequest
from fim_lsp.providers.framing import sse_data
from fim_lsp.providers.local import LocalServerProvider
from fim_lsp.providers.wire import openai_message

MAX_PREDICT_MS = 1000


def llama_message(body: dict[str, Any]) -> str:
    """The server's words, and what to do when it says the model cannot infill."""
    message = openai_message(body)
    error = body.get("error")
    if isinstance(error, dict) and error.get("type") == "not_supported_error":
        message += " (a model without FIM tokens: set template prefix-only)"
    return message


class LlamaCpp(LocalServerProvider):
    text_key = "content"
    end_key = "stop"
    frames = staticmethod(sse_data)
    error_message = staticmethod(llama_message)
    name = "llamacpp"

    def __init__(
        self,
        client: httpx.AsyncClient,
        base_url: str,
        api_key: str,
        timeout_s: float,
        seed: int | None = None,
    ) -> None:
        self._base = base_url.rstrip("/")
        super().__init__(client, self._base + "/infill", api_key, timeout_s)
        self._seed = seed

    def url(self, request: CompletionRequest) -> str:
        return self._base + "/completion" if request.plain else self._url

    def body(self, request: CompletionRequest) -> dict[str, Any]:
        if request.plain:
            text: dict[str, Any] = {"prompt": request.prompt}
        else:
            text = {
                "input_prefix": request.prefix,
                "input_suffix": request.suffix,
                "input_extra": [
                    {"filename": path, "text": text} for path, text in request.context_files
                ],
                "prompt": "",
            }
        body: dict[str, Any] = {
            **text,
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
