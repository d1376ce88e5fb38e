"""Cancellation, supersession, provider failures and bad input: no crash, one clear word."""

from __future__ import annotations

import asyncio

import pytest
from lsprotocol import types
from pygls.exceptions import JsonRpcRequestCancelled
from pytest_lsp import LanguageClient

from tests.e2e.conftest import API_KEY
from tests.e2e.helpers import ask, inline_params, insert, open_document
from tests.support.fake_provider import FakeProvider, Reply

# One long line that never settles by itself: only cancellation can end it early.
SLOW = Reply(chunks=["word "] * 200, chunk_delay=0.05)
URI = "file:///work/main.py"


async def still_serves(client: LanguageClient, fake: FakeProvider) -> None:
    """After any failure the next keystroke gets its completion as usual."""
    fake.queue(Reply(text=" recovered"))
    open_document(client, "file:///work/after.py", "status =\n")
    items = await ask(client, "file:///work/after.py", 0, 8)
    assert [item.insert_text for item in items] == [" recovered"]


async def test_cancel_request_closes_the_provider_stream(
    client: LanguageClient, fake: FakeProvider
):
    fake.queue(SLOW)
    open_document(client, URI, "def f():\n    ")
    pending = asyncio.ensure_future(
        client.protocol.send_request_async(
            types.TEXT_DOCUMENT_INLINE_COMPLETION, inline_params(URI, 1, 4), msg_id="slow-1"
        )
    )
    await asyncio.to_thread(fake.wait_for_requests, 1)
    await asyncio.sleep(0.2)  # let a few chunks arrive, so the stream is mid-flight
    # The user typed on (a cancel with the document unchanged keeps the answer: see
    # tests/reliability/test_client_cancel.py).
    insert(client, URI, 2, 1, 4, "x")
    client.protocol.notify(types.CANCEL_REQUEST, types.CancelParams(id="slow-1"))

    closed = await asyncio.to_thread(fake.wait_for_close)

    assert closed.chunks_sent < 100
    with pytest.raises(JsonRpcRequestCancelled):
        await asyncio.wait_for(pending, 10)
    await still_serves(client, fake)


async def test_newer_request_supersedes_older_one(client: LanguageClient, fake: FakeProvider):
    fake.queue(SLOW, Reply(text=" second"))
    open_document(client, URI, "value =\n")
    first = asyncio.ensure_future(
        client.text_document_inline_completion_async(inline_params(URI, 0, 7))
    )
    await asyncio.to_thread(fake.wait_for_requests, 1)

    # The cursor moved: the streaming answer is for a state that is gone.
    second = await client.text_document_inline_completion_async(inline_params(URI, 0, 5))

    assert [item.insert_text for item in second.items] == [" second"]
    assert await asyncio.wait_for(first, 10) is None
    assert (await asyncio.to_thread(fake.wait_for_close)).body == fake.received[0].body


async def test_debounce_lets_a_burst_send_one_request(client: LanguageClient, fake: FakeProvider):
    client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(settings={"debounceMs": 300})
    )
    fake.default = Reply(text=" done")
    open_document(client, URI, "abc\n")
    burst = [
        asyncio.ensure_future(
            client.text_document_inline_completion_async(inline_params(URI, 0, i))
        )
        for i in (1, 2, 3)
    ]
    results = await asyncio.wait_for(asyncio.gather(*burst), 10)

    assert results[0] is None and results[1] is None
    assert [item.insert_text for item in results[2].items] == [" done"]
    assert len(fake.received) == 1


async def test_unauthorized_tells_the_user_once_and_stops_asking(
    client: LanguageClient, fake: FakeProvider
):
    body = b'{"error": {"message": "Incorrect API key provided."}}'
    fake.default = Reply(status=401, raw_body=body)
    open_document(client, URI, "a =\n")
    for _ in range(3):
        assert await ask(client, URI, 0, 3) == []

    assert len(fake.received) == 1
    errors = [m for m in client.messages if m.type == types.MessageType.Error]
    assert len(errors) == 1
    [message] = [error.message for error in errors]
    assert "Incorrect API key provided. Check the API key:" in message, message
    assert ".." not in message and API_KEY not in message
    # What each editor takes: the provider's variable, VS Code's command, Neovim's option;
    # never the apiKey setting, which Neovim's setup() refuses.
    for way in ("DASHSCOPE_API_KEY", "FIM_LSP_API_KEY", "fim-lsp: Set API Key", "api_key_cmd"):
        assert way in message, (way, message)
    assert "apiKey" not in message

    fake.default = Reply(text=" 1")
    client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(settings={"fimLsp": {"apiKey": "sk-new-key-0001"}})
    )
    assert [i.insert_text for i in await ask(client, URI, 0, 3)] == [" 1"]
    assert fake.received[-1].headers["Authorization"] == "Bearer sk-new-key-0001"


async def test_rate_limit_honours_retry_after_and_says_so_once(
    client: LanguageClient, fake: FakeProvider
):
    fake.default = Reply(status=429, headers={"Retry-After": "30"})
    open_document(client, URI, "a =\n")
    for _ in range(3):
        assert await ask(client, URI, 0, 3) == []

    assert len(fake.received) == 1
    warnings = [m for m in client.messages if m.type == types.MessageType.Warning]
    assert len(warnings) == 1 and "30 s" in warnings[0].message


async def test_missing_key_is_a_message_not_a_traceback(
    keyless_client: LanguageClient, fake: FakeProvider
):
    open_document(keyless_client, URI, "a =\n")
    for _ in range(2):
        assert await ask(keyless_client, URI, 0, 3) == []

    assert fake.received == []
    [message] = keyless_client.messages
    assert "DASHSCOPE_API_KEY" in message.message and "api_key_cmd" in message.message
    assert ".." not in message.message and "apiKey" not in message.message


async def test_server_errors_are_quiet_and_recoverable(client: LanguageClient, fake: FakeProvider):
    fake.queue(Reply(status=500), Reply(status=503))
    open_document(client, URI, "a =\n")
    assert await ask(client, URI, 0, 3) == []
    assert await ask(client, URI, 0, 2) == []
    assert client.messages == []
    await still_serves(client, fake)


@pytest.mark.parametrize(
    "failing",
    [Reply(status=500, hang=0.5), Reply(chunks=["1", " +"], chunk_delay=0.3, drop_after_chunks=1)],
    ids=["500", "dropped-stream"],
)
async def test_a_keystroke_that_took_over_a_request_that_fails_asks_for_itself(
    client: LanguageClient, fake: FakeProvider, failing: Reply
):
    fake.queue(failing, Reply(text=" + 1"))
    open_document(client, URI, "x = \n")
    first = asyncio.ensure_future(
        client.text_document_inline_completion_async(inline_params(URI, 0, 4))
    )
    await asyncio.to_thread(fake.wait_for_requests, 1)
    insert(client, URI, 2, 0, 4, "1")  # typed on while the model is still at it

    items = await ask(client, URI, 0, 5)

    assert [item.insert_text for item in items] == [" + 1"]
    assert len(fake.received) == 2
    assert fake.received[1].body["prompt"].split("<|fim_suffix|>")[0].endswith("x = 1")
    assert await asyncio.wait_for(first, 10) is None
    assert client.messages == []


def _event(text: str) -> bytes:
    return b'data: {"choices": [{"text": "' + text.encode() + b'", "index": 0}]}\n\n'


async def test_garbage_from_the_provider_is_survived(client: LanguageClient, fake: FakeProvider):
    open_document(client, URI, "a =\n")
    broken = [
        Reply(raw_body=b"{not json"),
        Reply(raw_stream=_event("ok") + b"data: {not json}\n\n"),
        Reply(raw_stream=_event("ok") + b'data: {"choices": [{"text": "\xff\xfe"}]}\n\n'),
        Reply(raw_stream=_event("ok") + b'data: {"choices": []}\n\n'),  # never finishes
        Reply(text="one two three", drop_after_chunks=1),
    ]
    for reply in broken:
        fake.queue(reply)
        assert await ask(client, URI, 0, 3) == []
    assert len(fake.received) == len(broken)
    assert client.messages == []
    await still_serves(client, fake)


async def test_a_hanging_provider_times_out(client: LanguageClient, fake: FakeProvider):
    client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(settings={"timeoutMs": 300})
    )
    fake.queue(Reply(text="late", hang=3))
    open_document(client, URI, "a =\n")
    assert await ask(client, URI, 0, 3) == []
    await still_serves(client, fake)


async def test_unknown_document_and_position_past_the_end(
    client: LanguageClient, fake: FakeProvider
):
    assert await ask(client, "file:///work/never-opened.py", 0, 0) == []
    open_document(client, URI, "one line\n")
    assert await ask(client, URI, 40, 0) == []
    assert fake.received == []
    await still_serves(client, fake)


async def test_invalid_settings_name_the_field_and_keep_the_last_good_ones(
    client: LanguageClient, fake: FakeProvider
):
    client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(settings={"fimLsp": {"maxTokens": -3}})
    )
    await still_serves(client, fake)
    [message] = client.messages
    assert "maxTokens" in message.message
    assert fake.received[-1].body["max_tokens"] == 128


async def test_two_megabyte_file_completes(client: LanguageClient, fake: FakeProvider):
    fake.queue(Reply(text=" 0"))
    body = "".join(f"value_{i} = {i} * 2  # a line of filler text\n" for i in range(50_000))
    assert len(body) > 2_000_000
    open_document(client, URI, body + "last =\n")

    [item] = await ask(client, URI, 50_000, 6)

    assert item.insert_text == " 0"
    prompt = fake.received[0].body["prompt"]
    assert prompt.endswith("last =<|fim_suffix|>\n<|fim_middle|>")
    assert len(prompt) < 20_000
