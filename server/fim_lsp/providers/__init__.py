"""Step 7: the model APIs we can call, chosen by the ``provider`` setting."""

from __future__ import annotations

import httpx

from fim_lsp.providers.base import Provider
from fim_lsp.providers.openai import OpenAICompletions
from fim_lsp.settings import Settings


def make_provider(settings: Settings) -> Provider:
    """A provider with its own connection pool; TLS verification is always on."""
    client = httpx.AsyncClient(
        limits=httpx.Limits(max_connections=8, max_keepalive_connections=4, keepalive_expiry=60),
        headers={"User-Agent": "fim-lsp"},
    )
    return OpenAICompletions(
        settings.provider,
        client,
        settings.base_url,
        settings.model,
        settings.api_key,
        settings.timeout_ms / 1000,
    )
