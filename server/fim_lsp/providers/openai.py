"""OpenAI-style completions: ``POST {base}/completions`` and its relatives.

Two ways to ask for a fill-in-the-middle:

- *template*: the FIM tokens are in ``prompt`` (DashScope, the default provider, and vLLM);
- *suffix*: plain ``prompt`` plus a ``suffix`` field, for endpoints that do FIM themselves
  (OpenAI instruct models, Ollama's ``/v1``, DeepSeek's ``/beta/completions``, Mistral's
  Codestral ``/v1/fim/completions``).

Answers stream as server-sent events; a server that ignores ``stream`` and answers one JSON
object is accepted too.  Codestral streams chat-style ``delta.content`` instead of ``text``.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncGenerator
from dataclasses import dataclass
from typing import Any

import httpx

from fim_lsp.providers.base import (
    BadResponseError,
    CompletionRequest,
    MissingKeyError,
)
from fim_lsp.providers.framing import sse_data
from fim_lsp.providers.wire import (
    TransportErrors,
    check_status,
    event_texts,
    openai_message,
    parse_json,
    preview,
    timeout,
    warm_connection,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Dialect:
    """What differs between OpenAI-compatible services (the registry says which has which)."""

    path: str = "/completions"
    mode: str = "template"  # or "suffix"
    key_variable: str = ""  # the environment variable named when the key is missing
    key_required: bool = True
    seed_field: str = "seed"


class OpenAICompletions:
    def __init__(
        self,
        name: str,
        client: httpx.AsyncClient,
        base_url: str,
        model: str,
        api_key: str,
        timeout_s: float,
        dialect: Dialect = Dialect(),
        seed: int | None = None,
    ) -> None:
        self.name = name
        self._client = client
        self._url = base_url.rstrip("/") + dialect.path
        self._model = model
        self._api_key = api_key
        self._timeout = timeout(timeout_s)
        self._dialect = dialect
        self._seed = seed
        self._ignores_n = False  # learnt from the first answer with fewer choices than asked

    def body(self, request: CompletionRequest, stream: bool = True, n: int = 1) -> dict[str, Any]:
        if self._dialect.mode == "suffix":
            text: dict[str, Any] = {"prompt": request.context_comment + request.prefix}
            if request.suffix:  # none: a plain completion (template prefix-only)
                text["suffix"] = request.suffix
        else:
            text = {"prompt": request.prompt}
        body = {
            "model": self._model,
            **text,
            "max_tokens": request.max_tokens,
            "temperature": request.temperature,
            "top_p": request.top_p,
            "stop": list(request.stop),
            "stream": stream,
        }
        if n > 1:
            body["n"] = n
        if self._seed is not None:
            body[self._dialect.seed_field] = self._seed
        return body

    def _headers(self, accept: str) -> dict[str, str]:
        if not self._api_key:
            if self._dialect.key_required:
                raise MissingKeyError(f"no API key for {self.name}")
            return {"Accept": accept}
        return {"Authorization": f"Bearer {self._api_key}", "Accept": accept}

    async def stream(self, request: CompletionRequest) -> AsyncGenerator[str, None]:
        headers = self._headers("text/event-stream")
        async with (
            TransportErrors(self.name, self._timeout),
            self._client.stream(
                "POST", self._url, json=self.body(request), headers=headers, timeout=self._timeout
            ) as response,
        ):
            await check_status(self.name, response, openai_message)
            if response.headers.get("content-type", "").startswith("application/json"):
                yield choice_text(_first_choice(parse_json(await response.aread())))
                return
            events = sse_data(response.aiter_bytes())
            async for text in event_texts(self.name, events, _read_event, "finish_reason"):
                yield text

    async def alternatives(self, request: CompletionRequest, n: int) -> list[str]:
        """One request with ``n``: the answers in ``index`` order, duplicates dropped.  A server
        that answers fewer choices than asked ignores ``n`` (llama-cpp-python's does): the
        rest are asked by requests of their own, one after another (such a server answers one
        request at a time anyway, and parallel ones held a pooled connection each, enough to
        starve the pool under load), and from then on all of them are."""
        if self._ignores_n:
            return list(dict.fromkeys(await self._one_by_one(request, n)))
        texts = await self._choices(request, n)
        if len(texts) < n:
            self._ignores_n = True
            log.info(
                "%s answered %d choice(s) for n=%d: each alternative is now its own request",
                self.name,
                len(texts),
                n,
            )
            texts += await self._one_by_one(request, n - len(texts))
        return list(dict.fromkeys(texts))

    async def _one_by_one(self, request: CompletionRequest, n: int) -> list[str]:
        texts: list[str] = []
        for _ in range(n):
            texts += await self._choices(request, 1)
        return texts

    async def _choices(self, request: CompletionRequest, n: int) -> list[str]:
        """One request, not streamed: every choice's text, in ``index`` order."""
        headers = self._headers("application/json")
        async with TransportErrors(self.name, self._timeout):
            response = await self._client.post(
                self._url,
                json=self.body(request, stream=False, n=n),
                headers=headers,
                timeout=self._timeout,
            )
        await check_status(self.name, response, openai_message)
        choices = parse_json(response.content).get("choices")
        if not isinstance(choices, list) or not choices:
            raise BadResponseError(f"no choices in {preview(response.content)}")
        ordered = sorted(choices, key=lambda c: c.get("index", 0) if isinstance(c, dict) else 0)
        return [choice_text(choice) for choice in ordered]

    async def warm(self) -> None:
        await warm_connection(self._client, self._url)

    async def aclose(self) -> None:
        await self._client.aclose()


def _read_event(event: dict[str, Any]) -> tuple[str | None, bool]:
    if not event.get("choices"):
        return None, False  # e.g. a usage-only event
    choice = _first_choice(event)
    return choice_text(choice), bool(choice.get("finish_reason"))


def _first_choice(event: dict[str, Any]) -> dict[str, Any]:
    choices = event.get("choices")
    if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
        raise BadResponseError(f"no choices[0].text in {preview(str(event))}")
    return choices[0]


def choice_text(choice: Any) -> str:
    """``text`` (completions), or ``delta``/``message`` ``content`` (Codestral's FIM)."""
    if isinstance(choice, dict) and "text" in choice:
        text = choice["text"]
    else:
        holder = (choice.get("delta") or choice.get("message")) if isinstance(choice, dict) else 0
        if not isinstance(holder, dict):
            raise BadResponseError("no choices[0].text in the answer")
        text = holder.get("content") or ""  # a role-only first delta carries no content
    if not isinstance(text, str):
        raise BadResponseError("choices[0].text is not a string")
    return text
