"""A completion travels from didChange to the fake DashScope and back as ghost text."""

from __future__ import annotations

import asyncio

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.e2e.conftest import API_KEY
from tests.e2e.helpers import ask, inline_params, insert, open_document
from tests.support.fake_provider import FakeProvider, Reply

QWEN_STOPS = [
    "<|endoftext|>",
    "<|fim_prefix|>",
    "<|fim_suffix|>",
    "<|fim_middle|>",
    "<|fim_pad|>",
    "<|repo_name|>",
    "<|file_sep|>",
    "<|im_start|>",
    "<|im_end|>",
]


async def test_server_advertises_inline_completion_and_incremental_sync(client: LanguageClient):
    capabilities = client.server_capabilities
    assert capabilities.inline_completion_provider is not None
    sync = capabilities.text_document_sync
    assert sync.change == types.TextDocumentSyncKind.Incremental
    assert capabilities.position_encoding == types.PositionEncodingKind.Utf16


async def test_neovim_client_gets_utf8_positions(nvim_client: LanguageClient):
    encoding = nvim_client.server_capabilities.position_encoding
    assert encoding == types.PositionEncodingKind.Utf8


async def test_end_of_line_completion_round_trip(client: LanguageClient, fake: FakeProvider):
    fake.queue(Reply(text="\n    return a + b\n\n\nprint(add(1, 2))\n"))
    uri = "file:///work/add.py"
    open_document(client, uri, "def add(a, b):\n\nx = 1\n")
    insert(client, uri, 2, 0, 14, "  # sum")

    items = await ask(client, uri, 0, 21)

    [request] = fake.received
    assert request.path == "/compatible-mode/v1/completions"
    assert request.headers["Authorization"] == f"Bearer {API_KEY}"
    body = request.body
    assert body["model"] == "qwen2.5-coder-7b-instruct"
    assert body["prompt"] == (
        "<|fim_prefix|>def add(a, b):  # sum<|fim_suffix|>\n\nx = 1\n<|fim_middle|>"
    )
    assert body["stop"] == QWEN_STOPS
    assert body["stream"] is True
    assert body["max_tokens"] == 128
    # The scope filter stops where the code leaves the function's block.
    [item] = items
    assert item.insert_text == "\n    return a + b"
    assert item.range == types.Range(types.Position(0, 21), types.Position(0, 21))
    assert item.command is not None and item.command.command == "fim-lsp.accepted"


async def test_mid_line_asks_for_one_line_and_does_not_repeat_the_rest(
    client: LanguageClient, fake: FakeProvider
):
    fake.queue(Reply(text="total, count) if count else 0\nmore"))
    uri = "file:///work/mean.py"
    open_document(client, uri, "mean = divide(, count) if count else 0\n")

    [item] = await ask(client, uri, 0, 14)

    assert fake.received[0].body["stop"] == [*QWEN_STOPS, "\n"]
    assert item.insert_text == "total"


async def test_closing_brackets_are_replaced_not_doubled(
    client: LanguageClient, fake: FakeProvider
):
    fake.queue(Reply(text='"hello")'))
    uri = "file:///work/hello.py"
    open_document(client, uri, "print()\n")

    [item] = await ask(client, uri, 0, 6)

    assert item.insert_text == '"hello")'
    assert item.range == types.Range(types.Position(0, 6), types.Position(0, 7))


async def test_utf16_positions_with_cjk_and_emoji(client: LanguageClient, fake: FakeProvider):
    fake.queue(Reply(text="o()"))
    uri = "file:///work/cjk.py"
    line = 's = "你好😀" + fo'
    open_document(client, uri, line + "\n")
    utf16_end = len(line) + 1  # the emoji takes two UTF-16 units

    [item] = await ask(client, uri, 0, utf16_end)

    assert fake.received[0].body["prompt"].startswith(f"<|fim_prefix|>{line}<|fim_suffix|>")
    assert item.range.start == types.Position(0, utf16_end)


async def test_utf8_positions_with_cjk_and_emoji(nvim_client: LanguageClient, fake: FakeProvider):
    fake.queue(Reply(text="o()"))
    uri = "file:///work/cjk.py"
    line = 's = "你好😀" + fo'
    open_document(nvim_client, uri, line + "\n# 後\n")
    utf8_end = len(line.encode("utf-8"))

    [item] = await ask(nvim_client, uri, 0, utf8_end)

    assert (
        fake.received[0].body["prompt"]
        == f"<|fim_prefix|>{line}<|fim_suffix|>\n# 後\n<|fim_middle|>"
    )
    assert item.range.start == types.Position(0, utf8_end)


async def test_non_streaming_json_answer_is_accepted(client: LanguageClient, fake: FakeProvider):
    """Some OpenAI-compatible gateways ignore ``stream`` and answer one JSON object."""
    fake.queue(
        Reply(raw_body=b'{"choices": [{"text": " a * b", "index": 0, "finish_reason": "stop"}]}')
    )
    uri = "file:///work/mul.py"
    open_document(client, uri, "def mul(a, b):\n    return\n")

    [item] = await ask(client, uri, 1, 10)

    assert item.insert_text == " a * b"


async def test_repeated_prompt_is_served_from_cache(client: LanguageClient, fake: FakeProvider):
    fake.default = Reply(text=" 42")
    uri = "file:///work/answer.py"
    open_document(client, uri, "answer =\n")

    first = await ask(client, uri, 0, 8)
    second = await ask(client, uri, 0, 8)

    assert [i.insert_text for i in first] == [i.insert_text for i in second] == [" 42"]
    assert len(fake.received) == 1


async def test_secret_files_are_never_sent(client: LanguageClient, fake: FakeProvider):
    fake.default = Reply(text="leak")
    for name in (".env", ".env.local", "server.pem", "id_rsa", "credentials.json", "secrets.yaml"):
        uri = f"file:///work/{name}"
        open_document(client, uri, "TOKEN=\n", language_id="plaintext")
        assert await ask(client, uri, 0, 6) == []
    assert fake.received == []


@pytest.mark.parametrize(
    "path",
    [
        "work/.vscode/settings.json",
        "work/.vscode/launch.json",
        "work/app.code-workspace",
        "home/me/.config/Code/User/settings.json",
        "home/me/.config/Code/User/keybindings.json",
    ],
)
async def test_editor_configuration_files_are_never_sent(
    client: LanguageClient, fake: FakeProvider, path: str
):
    fake.default = Reply(text=' "x"')
    uri = f"file:///{path}"
    open_document(client, uri, '{\n  "editor.fontSize": \n}\n', language_id="jsonc")
    assert await ask(client, uri, 1, 21) == []
    assert fake.received == []


async def test_files_named_like_editor_configuration_elsewhere_are_sent(
    client: LanguageClient, fake: FakeProvider
):
    fake.default = Reply(text=" 1")
    for path in ("work/vscode/settings.json", "work/config/settings.json"):
        uri = f"file:///{path}"
        open_document(client, uri, '{\n  "size": \n}\n', language_id="json")
        assert [i.insert_text for i in await ask(client, uri, 1, 10)] == [" 1"]
    assert len(fake.received) == 2


async def test_user_exclude_globs_are_honoured(client: LanguageClient, fake: FakeProvider):
    client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(settings={"fimLsp": {"exclude": ["*.secret.py"]}})
    )
    fake.default = Reply(text="x")
    uri = "file:///work/keys.secret.py"
    open_document(client, uri, "KEY = \n")
    assert await ask(client, uri, 0, 6) == []
    plain = "file:///work/plain.py"
    open_document(client, plain, "KEY = \n")
    assert [i.insert_text for i in await ask(client, plain, 0, 6)] == ["x"]
    assert len(fake.received) == 1


async def test_each_configuration_change_replaces_the_previous_one(
    client: LanguageClient, fake: FakeProvider
):
    """LSP sends the whole settings object each time: a setting left out goes back to its
    default, while initializationOptions (here the fake's URL and key) still hold."""
    fake.default = Reply(text=" 1")
    uri = "file:///work/settings.py"
    open_document(client, uri, "a =\nb =\n")
    change = types.DidChangeConfigurationParams
    client.workspace_did_change_configuration(change(settings={"fimLsp": {"maxTokens": 64}}))
    await ask(client, uri, 0, 3)
    client.workspace_did_change_configuration(change(settings={"fimLsp": {}}))
    await ask(client, uri, 1, 3)

    assert [r.body["max_tokens"] for r in fake.received] == [64, 128]


async def test_suggest_widget_item_replaces_the_closers_it_retypes(
    client: LanguageClient, fake: FakeProvider
):
    # `print(fo|)` with `foo` selected in the suggest widget: the item extends `foo` and runs
    # through the `)` it retypes, so the line becomes `print(foo(x))`, never `print(foo(x)))`.
    fake.queue(Reply(text="(x))"))
    uri = "file:///work/widget.py"
    open_document(client, uri, "print(fo)\n")
    params = inline_params(uri, 0, 8, types.InlineCompletionTriggerKind.Automatic)
    params.context.selected_completion_info = types.SelectedCompletionInfo(
        range=types.Range(types.Position(0, 6), types.Position(0, 8)), text="foo"
    )

    result = await client.text_document_inline_completion_async(params)

    [item] = result.items
    line = "print(fo)"
    start, end = item.range.start.character, item.range.end.character
    assert line[:start] + item.insert_text + line[end:] == "print(foo(x))"


async def test_a_model_in_a_loop_is_shown_once_and_its_stream_closed(
    client: LanguageClient, fake: FakeProvider
):
    line = "\n            raise JSONDecodeError('Unterminated string', s, begin)"
    fake.queue(Reply(chunks=[line] * 40, chunk_delay=0.05))
    uri = "file:///work/loop.py"
    open_document(client, uri, "def scan(s, begin):\n    while True:\n        if s is None:\n")

    [item] = await ask(client, uri, 2, 21)

    assert item.insert_text == line
    closed = await asyncio.to_thread(fake.wait_for_close)
    assert closed.chunks_sent < 10  # the loop was seen at its first repeat, not after 40
