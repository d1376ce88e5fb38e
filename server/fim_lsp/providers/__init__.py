"""Step 7: the model APIs we can call, chosen by the ``provider`` setting."""

from __future__ import annotations

import dataclasses
import importlib.util

import httpx

from fim_lsp.providers.base import Provider
from fim_lsp.providers.discovery import Discovering, needs_discovery
from fim_lsp.providers.llamacpp import LlamaCppInfill
from fim_lsp.providers.ollama import OllamaGenerate
from fim_lsp.providers.openai import DIALECTS, OpenAICompletions
from fim_lsp.providers.qianfan import QianfanCompletions
from fim_lsp.settings import Settings

KEEPALIVE_S = 60.0


def make_provider(settings: Settings) -> Provider:
    """A provider with its own connection pool; TLS verification is always on."""
    client = httpx.AsyncClient(
        limits=httpx.Limits(
            max_connections=8, max_keepalive_connections=4, keepalive_expiry=KEEPALIVE_S
        ),
        headers={"User-Agent": "fim-lsp"},
        # HTTP/2 where the endpoint offers it (ALPN): one connection carries every stream.
        http2=importlib.util.find_spec("h2") is not None,
    )
    if needs_discovery(settings):
        return Discovering(settings, client, provider_for)
    return provider_for(settings, client)


def provider_for(settings: Settings, client: httpx.AsyncClient) -> Provider:
    timeout_s = settings.timeout_ms / 1000
    seed = settings.seed if settings.seed >= 0 else None
    if settings.provider == "qianfan":
        return QianfanCompletions(
            client,
            settings.base_url,
            settings.model,
            settings.endpoint,
            settings.api_key,
            settings.secret_key,
            settings.qianfan_auth,
            timeout_s,
        )
    if settings.provider == "ollama":
        mode = "template" if settings.fim_mode == "template" else "suffix"
        return OllamaGenerate(
            client, settings.base_url, settings.model, settings.api_key, timeout_s, mode, seed
        )
    if settings.provider == "llamacpp":
        return LlamaCppInfill(client, settings.base_url, settings.api_key, timeout_s, seed)
    dialect = DIALECTS[settings.provider]
    if settings.provider == "openai" and settings.fim_mode == "suffix":
        dialect = dataclasses.replace(dialect, mode="suffix")
    return OpenAICompletions(
        settings.provider,
        client,
        settings.base_url,
        settings.model,
        settings.api_key,
        timeout_s,
        dialect,
        seed,
    )
