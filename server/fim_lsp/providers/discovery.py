"""Zero configuration: with no key and nothing chosen, use a local Ollama or llama.cpp.

``needs_discovery`` says when the user has configured nothing (default provider and
endpoint, no key); ``discover`` asks each ``localServers`` candidate on its default port
whether it is what it should be; ``Discovering`` is the provider the engine gets meanwhile:
it looks once, on first use, and then hands every call to the local server it found.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
from collections.abc import AsyncGenerator, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import httpx

from fim_lsp.providers.base import CompletionRequest, MissingKeyError, Provider
from fim_lsp.providers.registry import REGISTRY

if TYPE_CHECKING:
    from fim_lsp.settings import Settings

log = logging.getLogger(__name__)

PROBE_TIMEOUT_S = 0.5
# Model-name fragments of families that do fill-in-the-middle, best first.
FIM_FAMILIES = (
    "qwen2.5-coder",
    "codestral",
    "deepseek-coder",
    "starcoder",
    "codellama",
    "codegemma",
)


@dataclass(frozen=True)
class LocalServer:
    provider: str
    base_url: str
    models: tuple[str, ...] = ()

    def describe(self) -> str:
        kind = REGISTRY[self.provider].title
        models = f" (models: {', '.join(self.models)})" if self.models else ""
        return f"{kind} at {self.base_url}{models}"

    def settings(self, settings: Settings) -> Settings:
        """``settings`` pointed at this server, with its best FIM model."""
        model = pick_model(self.models) or REGISTRY[self.provider].model
        return dataclasses.replace(
            settings, provider=self.provider, base_url=self.base_url, model=model
        )


def needs_discovery(settings: Settings) -> bool:
    return (
        settings.provider == "dashscope"
        and not settings.api_key
        and settings.base_url == REGISTRY["dashscope"].base_url
        and bool(settings.local_servers)
    )


def candidates(settings: Settings) -> list[tuple[str, str]]:
    """``localServers`` entries as (provider, base URL)."""
    return [tuple(entry.split("=", 1)) for entry in settings.local_servers]  # type: ignore[misc]


async def discover(client: httpx.AsyncClient, settings: Settings) -> list[LocalServer]:
    """The local servers that answered, in the order of ``localServers``."""
    found = await asyncio.gather(*(_probe(client, *entry) for entry in candidates(settings)))
    return [server for server in found if server is not None]


async def _probe(client: httpx.AsyncClient, provider: str, base_url: str) -> LocalServer | None:
    base = base_url.rstrip("/")
    try:
        if provider == "ollama":
            response = await client.get(base + "/api/tags", timeout=PROBE_TIMEOUT_S)
            models = response.json().get("models") if response.status_code == 200 else None
            if not isinstance(models, list):
                return None
            names = tuple(m["name"] for m in models if isinstance(m, dict) and "name" in m)
            return LocalServer("ollama", base, names)
        response = await client.get(base + "/health", timeout=PROBE_TIMEOUT_S)
        if response.status_code == 200 and response.json().get("status") == "ok":
            return LocalServer("llamacpp", base)
    except (httpx.HTTPError, ValueError, AttributeError):
        pass
    return None


def pick_model(models: tuple[str, ...]) -> str:
    for family in FIM_FAMILIES:
        for model in models:
            if family in model.lower():
                return model
    return models[0] if models else ""


def nothing_found(settings: Settings) -> MissingKeyError:
    where = ", ".join(f"{p} at {url}" for p, url in candidates(settings)) or "none configured"
    return MissingKeyError(f"no API key for dashscope (no local server answered either: {where})")


class Discovering:
    """Stands in for the provider until the first call has found a local server."""

    name = "dashscope"

    def __init__(
        self,
        settings: Settings,
        client: httpx.AsyncClient,
        build: Callable[[Settings, httpx.AsyncClient], Provider],
    ) -> None:
        self._settings = settings
        self._client = client
        self._build = build
        self._found: Provider | None = None
        self._lock = asyncio.Lock()

    async def _provider(self) -> Provider:
        async with self._lock:
            if self._found is None:
                servers = await discover(self._client, self._settings)
                if not servers:
                    raise nothing_found(self._settings)
                log.warning(
                    "no API key configured; found %s; completing with it",
                    "; ".join(server.describe() for server in servers),
                )
                self._found = self._build(servers[0].settings(self._settings), self._client)
                self.name = self._found.name
            return self._found

    async def stream(self, request: CompletionRequest) -> AsyncGenerator[str, None]:
        provider = await self._provider()
        async for chunk in provider.stream(request):
            yield chunk

    async def alternatives(self, request: CompletionRequest, n: int) -> list[str]:
        return await (await self._provider()).alternatives(request, n)

    async def warm(self) -> None:
        with contextlib.suppress(MissingKeyError):
            await (await self._provider()).warm()

    async def aclose(self) -> None:
        await self._client.aclose()
