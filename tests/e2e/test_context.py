"""Other files' context travels to the fake DashScope in Qwen's repository-level format: the
definition of a function imported from a file that is not open, and a window of a similar
open document; a .env and a node_modules file beside them never do."""

from __future__ import annotations

import asyncio
import re
import subprocess
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from tests.e2e.conftest import API_KEY, SERVER, SERVER_ENV, options
from tests.e2e.helpers import ask, open_document, settled
from tests.support.fake_provider import FakeProvider, Reply

WORKSPACE = Path(tempfile.mkdtemp(prefix="fim-lsp-context-")) / "shop"
FILES = {
    "shop/prices.py": (
        "import re\n\n\n"
        "def parse_price(text: str) -> float:\n"
        '    """Dollars in TEXT, e.g. "$3.50", as a float."""\n'
        "    match = re.search(r'[0-9.]+', text)\n"
        "    return float(match.group()) if match else 0.0\n"
    ),
    "shop/report.py": (
        "def total_of_lines(lines):\n"
        "    total = 0.0\n"
        "    for line in lines:\n"
        "        quantity, price = line.split(',')\n"
        "        total += int(quantity) * float(price)\n"
        "    return total\n"
    ),
    "node_modules/vendored/leak.py": (
        "def total_of_lines(lines):\n"
        '    """VENDORED-MARKER: never in a prompt."""\n'
        "    for line in lines:\n"
        "        quantity, price = line.split(',')\n"
    ),
    ".env": "PRICE_API_TOKEN=sk-live-ENV-MARKER\nfor line in lines quantity price split\n",
}
MAIN = (
    "from shop.prices import parse_price\n"
    "from node_modules.vendored.leak import total_of_lines\n\n\n"
    "def order_total(lines):\n"
    "    total = 0.0\n"
    "    for line in lines:\n"
    "        quantity, price = line.split(',')\n"
    "        total += int(quantity) * \n"
)
CURSOR = (8, 35)


def uri(relative: str) -> str:
    return (WORKSPACE / relative).as_uri()


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER, server_env=SERVER_ENV))
async def workspace_client(lsp_client: LanguageClient, fake: FakeProvider) -> AsyncIterator[None]:
    for relative, text in {**FILES, "shop/main.py": MAIN}.items():
        (WORKSPACE / relative).parent.mkdir(parents=True, exist_ok=True)
        (WORKSPACE / relative).write_text(text)
    capabilities = client_capabilities("visual-studio-code")
    capabilities.text_document = types.TextDocumentClientCapabilities(
        inline_completion=types.InlineCompletionClientCapabilities()
    )
    await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=capabilities,
            initialization_options=options(fake),
            workspace_folders=[types.WorkspaceFolder(WORKSPACE.as_uri(), "shop")],
        )
    )
    yield
    await lsp_client.shutdown_session()


async def test_imported_definition_and_similar_open_file_reach_the_prompt(
    workspace_client: LanguageClient, fake: FakeProvider
):
    client = workspace_client
    fake.queue(Reply(text="parse_price(price)"))
    for relative in ("shop/report.py", "node_modules/vendored/leak.py", ".env"):
        open_document(client, uri(relative), FILES[relative])
    open_document(client, uri("shop/main.py"), MAIN)
    await settled(client)

    [item] = await ask(client, uri("shop/main.py"), *CURSOR)

    prompt = fake.received[-1].body["prompt"]
    assert prompt.startswith("<|repo_name|>shop\n<|file_sep|>shop/prices.py\n")
    assert (
        "def parse_price(text: str) -> float:\n"
        '    """Dollars in TEXT, e.g. "$3.50", as a float."""\n'
        "    ...\n"
    ) in prompt
    assert "re.search" not in prompt  # the signature and docstring, not the body
    assert "<|file_sep|>shop/report.py\ndef total_of_lines(lines):\n" in prompt
    assert prompt.index("shop/prices.py") < prompt.index("shop/report.py")
    assert prompt.endswith(
        f"<|file_sep|>shop/main.py\n<|fim_prefix|>{MAIN[:-1]}<|fim_suffix|>\n<|fim_middle|>"
    )
    assert (
        "VENDORED-MARKER" not in prompt and "node_modules" not in prompt.split("<|fim_prefix|>")[0]
    )
    assert "ENV-MARKER" not in prompt and ".env" not in prompt
    assert item.insert_text == "parse_price(price)"
    numbers = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="fim-lsp.stats")
    )
    assert numbers["contextTokens"] > 20  # counted, as sent


async def test_complete_verbose_lists_what_went_in(fake: FakeProvider):
    for relative, text in {**FILES, "shop/main.py": MAIN}.items():
        (WORKSPACE / relative).parent.mkdir(parents=True, exist_ok=True)
        (WORKSPACE / relative).write_text(text)
    (WORKSPACE / ".git").mkdir(exist_ok=True)  # the repository is the workspace folder
    config = WORKSPACE.parent / "config.toml"
    config.write_text(f'base_url = "{fake.base_url}"\napi_key = "{API_KEY}"\n')
    fake.queue(Reply(text="parse_price(price)"))
    command = [*SERVER[:-2], "complete", str(WORKSPACE / "shop/main.py"), "--verbose"]
    done = await asyncio.to_thread(
        subprocess.run,
        [*command, "--line", str(CURSOR[0]), "--character", str(CURSOR[1])],
        env={**SERVER_ENV, "FIM_LSP_CONFIG": str(config)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.stdout == "parse_price(price)\n", done.stderr
    listed = re.findall(r"^context: (\S+) \((\w+), (\d+) tokens\)$", done.stderr, re.M)
    assert [(path, source) for path, source, _ in listed] == [("shop/prices.py", "definitions")]
    assert int(listed[0][2]) > 10
    assert fake.received[-1].body["prompt"].startswith("<|repo_name|>shop\n<|file_sep|>")
