"""The real server over stdio (pytest-lsp) against a real fake DashScope on 127.0.0.1."""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from tests.support.fake_provider import FakeProvider, Reply

API_KEY = "sk-e2e-secret-7f3a9c"
REPO = Path(__file__).resolve().parents[2]

SERVER_ENV = {
    "PATH": os.environ.get("PATH", ""),
    "PYTHONPATH": str(REPO / "server"),
    "HOME": os.environ.get("HOME", "/tmp"),
    "FIM_LSP_CONFIG": str(REPO / "tests" / "e2e" / "no-such-config.toml"),
    "XDG_STATE_HOME": tempfile.mkdtemp(prefix="fim-lsp-state-"),
}
SERVER = [sys.executable, "-m", "fim_lsp", "--log-level", "info"]


@pytest.fixture
def fake() -> Iterator[FakeProvider]:
    provider = FakeProvider(Reply(text="")).start()
    yield provider
    provider.stop()


def options(fake: FakeProvider, **overrides: object) -> dict[str, object]:
    return {"baseUrl": fake.base_url, "apiKey": API_KEY, "debounceMs": 0, **overrides}


async def _start(client: LanguageClient, spec: str, fake: FakeProvider) -> None:
    capabilities = client_capabilities(spec)
    capabilities.text_document = (
        capabilities.text_document or types.TextDocumentClientCapabilities()
    )
    capabilities.text_document.inline_completion = types.InlineCompletionClientCapabilities()
    result = await client.initialize_session(
        types.InitializeParams(capabilities=capabilities, initialization_options=options(fake))
    )
    client.server_capabilities = result.capabilities  # type: ignore[attr-defined]


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER, server_env=SERVER_ENV))
async def client(lsp_client: LanguageClient, fake: FakeProvider) -> AsyncIterator[None]:
    """A VS Code-like client: utf-16 positions."""
    await _start(lsp_client, "visual-studio-code", fake)
    yield
    await lsp_client.shutdown_session()


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER, server_env=SERVER_ENV))
async def nvim_client(lsp_client: LanguageClient, fake: FakeProvider) -> AsyncIterator[None]:
    """A Neovim-like client: offers utf-8 first."""
    await _start(lsp_client, "neovim@v0.11.0", fake)
    yield
    await lsp_client.shutdown_session()


@pytest_lsp.fixture(
    config=ClientServerConfig(
        server_command=SERVER, server_env={**SERVER_ENV, "DASHSCOPE_API_KEY": ""}
    )
)
async def keyless_client(lsp_client: LanguageClient, fake: FakeProvider) -> AsyncIterator[None]:
    await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=client_capabilities("visual-studio-code"),
            initialization_options={"baseUrl": fake.base_url, "debounceMs": 0},
        )
    )
    yield
    await lsp_client.shutdown_session()
