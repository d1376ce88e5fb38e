"""Fakes of every provider on 127.0.0.1, the real server over stdio, and direct callers."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from fim_lsp.providers.base import CompletionRequest, Provider
from tests.e2e.conftest import SERVER, SERVER_ENV
from tests.support.fake_apis import FakeCodestral, FakeLlamaCpp, FakeOllama, FakeQianfan
from tests.support.fake_provider import FakeProvider, Reply

AK = "ak-e2e-2b7d41"
SK = "sk-e2e-secret-9c0e5a"
REQUEST = CompletionRequest(
    prompt="<PRE> def add(a, b):\n    return <SUF>\n <MID>",
    prefix="def add(a, b):\n    return",
    suffix="\n",
    max_tokens=32,
    temperature=0.1,
    top_p=0.95,
    stop=("<EOT>", "<PRE>", "<SUF>"),
)


@pytest.fixture
def qianfan() -> Iterator[FakeQianfan]:
    fake = FakeQianfan(AK, SK).start()
    yield fake
    fake.stop()


@pytest.fixture
def ollama() -> Iterator[FakeOllama]:
    fake = FakeOllama().start()
    yield fake
    fake.stop()


@pytest.fixture
def llamacpp() -> Iterator[FakeLlamaCpp]:
    fake = FakeLlamaCpp().start()
    yield fake
    fake.stop()


@pytest.fixture
def codestral() -> Iterator[FakeCodestral]:
    fake = FakeCodestral().start()
    yield fake
    fake.stop()


@pytest.fixture
def openai() -> Iterator[FakeProvider]:
    fake = FakeProvider(Reply(text="")).start()
    yield fake
    fake.stop()


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER, server_env=SERVER_ENV))
async def lsp(lsp_client: LanguageClient) -> AsyncIterator[None]:
    """The real server, not yet initialized: each test sends its provider's settings."""
    yield
    await lsp_client.shutdown_session()


async def initialize(client: LanguageClient, settings: dict[str, object]) -> None:
    capabilities = client_capabilities("visual-studio-code")
    capabilities.text_document = (
        capabilities.text_document or types.TextDocumentClientCapabilities()
    )
    capabilities.text_document.inline_completion = types.InlineCompletionClientCapabilities()
    await client.initialize_session(
        types.InitializeParams(
            capabilities=capabilities, initialization_options={"debounceMs": 0, **settings}
        )
    )


def reconfigure(client: LanguageClient, settings: dict[str, object]) -> None:
    """New settings (the server then forgets a refused key or a rate-limit pause)."""
    client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(settings={"fimLsp": settings})
    )


async def messages(client: LanguageClient, count: int, timeout: float = 10.0) -> list[str]:
    deadline = time.monotonic() + timeout
    while len(client.messages) < count and time.monotonic() < deadline:
        await asyncio.sleep(0.01)
    assert len(client.messages) >= count, client.messages
    return [message.message for message in client.messages]


async def collect(provider: Provider, request: CompletionRequest = REQUEST) -> list[str]:
    """Every chunk a provider yields, closing it and its client afterwards."""
    try:
        async with contextlib.aclosing(provider.stream(request)) as chunks:
            return [chunk async for chunk in chunks]
    finally:
        await provider.aclose()


def client() -> httpx.AsyncClient:
    return httpx.AsyncClient()
