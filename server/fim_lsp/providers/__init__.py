"""Step 7: the model APIs we can call, chosen by the ``provider`` setting."""

from __future__ import annotations

import importlib.util
from typing import TYPE_CHECKING

import httpx

from fim_lsp.providers.base import Provider
from fim_lsp.providers.discovery import Discovering, needs_discovery
from fim_lsp.providers.registry import REGISTRY
from fim_lsp.tls import shared_context

if TYPE_CHECKING:
    from fim_lsp.settings import Settings

KEEPALIVE_S = 60.0


def make_provider(settings: Settings) -> Provider:
    """A provider with its own connection pool, sharing the one TLS context (verifying)."""
    client = httpx.AsyncClient(
        verify=shared_context(),
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
    return REGISTRY[settings.provider].build(settings, client)
