"""The real-model tier: fim-lsp against llama-cpp-python's server and Gemma 3 270M (a model
without FIM), both real and installed by scripts/realmodel.sh.  Missing, the tier fails."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from tests.e2e.conftest import SERVER, SERVER_ENV
from tests.support import llama_server
from tests.support.llama_server import MODEL, LlamaServer, SetupError


@pytest.fixture(scope="session")
def llama() -> Iterator[LlamaServer]:
    try:
        server = llama_server.start()
    except SetupError as error:
        pytest.fail(str(error))
    yield server
    server.stop()


def options(llama: LlamaServer, **overrides: object) -> dict[str, object]:
    """What a user of this server sets, after `fim-lsp check` recommended prefix-only."""
    return {
        "provider": "openai",
        "baseUrl": llama.base_url,
        "model": MODEL,
        "template": "prefix-only",
        "debounceMs": 0,
        "temperature": 0,  # the same answer every run
        "timeoutMs": 60000,  # two shared cores: a long answer takes seconds
        **overrides,
    }


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER, server_env=SERVER_ENV))
async def client(lsp_client: LanguageClient, llama: LlamaServer) -> AsyncIterator[None]:
    capabilities = client_capabilities("visual-studio-code")
    capabilities.text_document = (
        capabilities.text_document or types.TextDocumentClientCapabilities()
    )
    capabilities.text_document.inline_completion = types.InlineCompletionClientCapabilities()
    await lsp_client.initialize_session(
        types.InitializeParams(capabilities=capabilities, initialization_options=options(llama))
    )
    yield
    await lsp_client.shutdown_session()
