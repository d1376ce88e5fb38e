"""The latency engine, observed from the editor's side: requests saved and what the stats say."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
from typing import Any

from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.e2e.conftest import SERVER_ENV
from tests.e2e.helpers import ask, inline_params, insert, open_document
from tests.support.fake_provider import FakeProvider, Reply

URI = "file:///work/typing.py"


async def stats(client: LanguageClient) -> dict[str, Any]:
    return await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="fim-lsp.stats")
    )


async def test_typing_ahead_through_a_suggestion_sends_nothing_upstream(
    client: LanguageClient, fake: FakeProvider
):
    fake.queue(Reply(text=" compute(value)"))
    open_document(client, URI, "result =\n")
    [item] = await ask(client, URI, 0, 8)
    assert item.insert_text == " compute(value)"

    typed = ""
    for version, char in enumerate(" comp", start=2):
        insert(client, URI, version, 0, 8 + len(typed), char)
        typed += char
        [item] = await ask(client, URI, 0, 8 + len(typed))
        assert item.insert_text == " compute(value)"[len(typed) :]

    assert len(fake.received) == 1
    assert (await stats(client))["typedAhead"] == len(typed)


async def test_a_mismatching_keystroke_asks_the_model_again(
    client: LanguageClient, fake: FakeProvider
):
    fake.queue(Reply(text=" compute(value)"), Reply(text="other()"))
    open_document(client, URI, "result =\n")
    await ask(client, URI, 0, 8)
    insert(client, URI, 2, 0, 8, " x")

    [item] = await ask(client, URI, 0, 10)

    assert item.insert_text == "other()"
    assert len(fake.received) == 2


async def test_asking_again_while_streaming_adopts_the_request_in_flight(
    client: LanguageClient, fake: FakeProvider
):
    fake.queue(Reply(chunks=[" slow", "ly(", ")"], chunk_delay=0.2))
    open_document(client, URI, "go =\n")
    first = asyncio.ensure_future(
        client.text_document_inline_completion_async(inline_params(URI, 0, 4))
    )
    await asyncio.to_thread(fake.wait_for_requests, 1)
    insert(client, URI, 2, 0, 4, " sl")

    [item] = await ask(client, URI, 0, 7)

    assert item.insert_text == "owly()"
    assert [i.insert_text for i in (await first).items] == [" slowly()"]
    assert len(fake.received) == 1
    assert (await stats(client))["adopted"] == 1


async def test_accept_prefetches_exactly_once_and_the_next_request_uses_it(
    client: LanguageClient, fake: FakeProvider
):
    fake.queue(Reply(text=" 1"), Reply(text="\nprint(x)"))
    open_document(client, URI, "x =\n")
    [item] = await ask(client, URI, 0, 3)
    assert item.command is not None

    insert(client, URI, 2, 0, 3, item.insert_text)
    await client.workspace_execute_command_async(
        types.ExecuteCommandParams(item.command.command, item.command.arguments)
    )
    await asyncio.to_thread(fake.wait_for_requests, 2)
    [following] = await ask(client, URI, 0, 5)

    assert following.insert_text == "\nprint(x)"
    assert fake.received[1].body["prompt"] == "<|fim_prefix|>x = 1<|fim_suffix|>\n<|fim_middle|>"
    numbers = await stats(client)
    assert (numbers["prefetches"], numbers["accepted"], len(fake.received)) == (1, 1, 2)


async def accept(client: LanguageClient, item: types.InlineCompletionItem) -> None:
    assert item.command is not None
    await client.workspace_execute_command_async(
        types.ExecuteCommandParams(item.command.command, item.command.arguments)
    )


BODY = ["a = 1\n", "    b = 2\n", "    c = 3\n", "    d = 4\n", "    e = 5\n"]


async def show_two_lines_of_body(
    client: LanguageClient, fake: FakeProvider, *replies: Reply
) -> types.InlineCompletionItem:
    """With maxLines 2, the first two lines of BODY are shown while the model writes on."""
    client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(settings={"maxLines": 2})
    )
    fake.queue(*replies)
    open_document(client, URI, "def f():\n    \n")
    [item] = await ask(client, URI, 1, 4)
    assert item.insert_text == "a = 1\n    b = 2"
    return item


async def test_after_an_accept_the_rest_of_the_same_answer_is_the_next_suggestion(
    client: LanguageClient, fake: FakeProvider
):
    item = await show_two_lines_of_body(client, fake, Reply(chunks=BODY, chunk_delay=0.05))

    insert(client, URI, 2, 1, 4, item.insert_text)
    await accept(client, item)
    [following] = await ask(client, URI, 2, 9)

    assert following.insert_text == "\n    c = 3"
    numbers = await stats(client)
    assert (len(fake.received), numbers["followUps"], numbers["prefetches"]) == (1, 1, 0)


async def test_typing_away_from_a_suggestion_closes_the_answer_read_for_its_follow_up(
    client: LanguageClient, fake: FakeProvider
):
    await show_two_lines_of_body(
        client, fake, Reply(chunks=BODY, chunk_delay=0.5), Reply(text="other")
    )
    assert not fake.received[0].client_closed  # still streaming: the follow-up reads on

    insert(client, URI, 2, 1, 4, "z")
    [other] = await ask(client, URI, 1, 5)

    assert other.insert_text == "other"
    assert fake.wait_for_close() is fake.received[0]
    assert (await stats(client))["followUps"] == 0


LONG_BODY = [*BODY[:2], *(f"    v{n} = {n}\n" for n in range(40))]


async def test_the_answer_is_read_one_suggestion_ahead_of_the_user_and_no_further(
    client: LanguageClient, fake: FakeProvider
):
    # The suggestion on screen and the one after it (for when it is accepted) are read; the
    # model would go on for 40 more lines that nobody has asked for yet.
    await show_two_lines_of_body(client, fake, Reply(chunks=LONG_BODY, chunk_delay=0.02))

    closed = await asyncio.to_thread(fake.wait_for_close)

    assert closed is fake.received[0]
    assert closed.chunks_sent < len(LONG_BODY) // 2


async def test_typing_in_another_document_closes_this_ones_follow_up(
    client: LanguageClient, fake: FakeProvider
):
    await show_two_lines_of_body(
        client, fake, Reply(chunks=BODY, chunk_delay=0.5), Reply(text=" 2")
    )
    assert not fake.received[0].client_closed  # still streaming: the follow-up reads on

    open_document(client, "file:///work/other.py", "y =\n")
    [other] = await ask(client, "file:///work/other.py", 0, 3)

    assert other.insert_text == " 2"
    assert fake.wait_for_close() is fake.received[0]


async def test_no_prefetch_when_the_answer_went_on_with_nothing_for_after_the_accept(
    client: LanguageClient, fake: FakeProvider
):
    fake.queue(Reply(chunks=["return 1\n", "x = 2\n", "y = 3\n"], chunk_delay=0.05))
    open_document(client, URI, "def f():\n    \n")
    [item] = await ask(client, URI, 1, 4)
    assert item.insert_text == "return 1"

    insert(client, URI, 2, 1, 4, item.insert_text)
    await accept(client, item)
    assert await ask(client, URI, 1, 12) == []

    numbers = await stats(client)
    assert (len(fake.received), numbers["prefetches"], numbers["accepted"]) == (1, 0, 1)


async def test_debounce_waits_less_after_a_dot_than_mid_word(
    client: LanguageClient, fake: FakeProvider
):
    client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(settings={"debounceMs": 200})
    )
    fake.default = Reply(text="x", first_delay=0.5)  # a model slower than any debounce
    open_document(client, URI, "self.\nname\n")
    await ask(client, URI, 0, 5)
    after_dot = (await stats(client))["lastDebounceMs"]
    await ask(client, URI, 1, 2)
    mid_word = (await stats(client))["lastDebounceMs"]

    # Until the user's rhythm is known, the setting is the burst ceiling: the least wait.
    assert after_dot == 200 < mid_word


async def test_manual_trigger_never_waits(client: LanguageClient, fake: FakeProvider):
    client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(settings={"debounceMs": 400})
    )
    fake.default = Reply(text="x")
    open_document(client, URI, "name\n")
    await client.text_document_inline_completion_async(
        inline_params(URI, 0, 2, types.InlineCompletionTriggerKind.Invoked)
    )
    assert (await stats(client))["lastDebounceMs"] == 0


async def test_partial_accept_is_counted(client: LanguageClient, fake: FakeProvider):
    fake.queue(Reply(text=" alpha beta"))
    open_document(client, URI, "words =\n")
    [item] = await ask(client, URI, 0, 7)
    client.protocol.notify(
        "textDocument/didPartiallyAcceptCompletion",
        {"textDocument": {"uri": URI}, "id": item.command.arguments[0]["id"], "acceptedLength": 6},
    )
    assert (await stats(client))["partiallyAccepted"] == 1


async def test_stats_count_requests_tokens_and_latency(client: LanguageClient, fake: FakeProvider):
    fake.queue(Reply(text=" a_much_longer_answer\nsecond_line\n"))
    open_document(client, URI, "value = foo(\n")
    await ask(client, URI, 0, 12)
    numbers = await stats(client)

    assert numbers["requests"] == 1 and numbers["suggestions"] == 1
    assert numbers["tokensGenerated"] > numbers["tokensDiscarded"] > 0
    assert numbers["itemsMs"]["p50"] > 0 and numbers["overheadMs"]["p95"] > 0
    assert json.dumps(numbers)  # plain JSON for `fim-lsp stats`


async def test_fim_lsp_stats_shows_a_running_servers_numbers(
    client: LanguageClient, fake: FakeProvider
):
    fake.queue(Reply(text=" 1"))
    open_document(client, URI, "x =\n")
    await ask(client, URI, 0, 3)

    def read_until_counted() -> str:
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            shown = subprocess.run(
                [sys.executable, "-m", "fim_lsp", "stats"],
                env=SERVER_ENV,
                capture_output=True,
                text=True,
                timeout=30,
            ).stdout
            if "suggestions        1" in shown:
                return shown
            time.sleep(0.2)
        raise AssertionError(f"fim-lsp stats never showed the request: {shown!r}")

    shown = await asyncio.to_thread(read_until_counted)
    assert "requests           1" in shown


async def test_the_connection_is_warmed_at_start_up(client: LanguageClient, fake: FakeProvider):
    deadline = time.monotonic() + 10
    while fake.warmups == 0 and time.monotonic() < deadline:
        await asyncio.sleep(0.01)
    assert fake.warmups >= 1
    assert fake.received == []  # a warm-up is no completion request: nothing is generated


async def test_manual_trigger_offers_alternatives_and_accepting_one_prefetches_for_it(
    client: LanguageClient, fake: FakeProvider
):
    choices = [" first()", " second()", " first()", " third()"]
    body = {
        "choices": [{"text": t, "index": i, "finish_reason": "stop"} for i, t in enumerate(choices)]
    }
    fake.queue(Reply(raw_body=json.dumps(body).encode()), Reply(text="\n"))
    open_document(client, URI, "value =\n")

    result = await client.text_document_inline_completion_async(
        inline_params(URI, 0, 7, types.InlineCompletionTriggerKind.Invoked)
    )

    assert fake.received[0].body["n"] == 3 and fake.received[0].body["stream"] is False
    assert [item.insert_text for item in result.items] == [" first()", " second()", " third()"]
    second = result.items[1]
    insert(client, URI, 2, 0, 7, second.insert_text)
    await client.workspace_execute_command_async(
        types.ExecuteCommandParams(second.command.command, second.command.arguments)
    )
    received = await asyncio.to_thread(fake.wait_for_requests, 2)
    prefetch = received[1]
    assert prefetch.body["prompt"].startswith("<|fim_prefix|>value = second()<|fim_suffix|>")


async def test_the_rest_of_an_answer_that_dedents_survives_an_accept(
    client: LanguageClient, fake: FakeProvider
):
    # The model writes a whole body; two lines fit the first suggestion.  After the accept the
    # cursor sits inside the `if`, and the rest (`return fib(...)`, one level out) is still
    # the function's: it is the next suggestion, from the same answer.
    client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(settings={"maxLines": 2})
    )
    # The two lines shown arrive at once (so no timing decides what the first suggestion
    # is); the rest comes while the user looks at them.
    body = ["if n < 2:\n        return n\n", "    return fib(n - 1) + fib(n - 2)\n"]
    fake.queue(Reply(chunks=body, chunk_delay=0.3))
    open_document(client, URI, "def fib(n):\n    \n")
    [item] = await ask(client, URI, 1, 4)
    assert item.insert_text == "if n < 2:\n        return n"

    insert(client, URI, 2, 1, 4, item.insert_text)
    await accept(client, item)
    [following] = await ask(client, URI, 2, 16)

    assert following.insert_text == "\n    return fib(n - 1) + fib(n - 2)"
    numbers = await stats(client)
    assert (len(fake.received), numbers["followUps"]) == (1, 1)


async def test_manual_trigger_on_a_shown_suggestion_asks_for_its_alternatives(
    client: LanguageClient, fake: FakeProvider
):
    choices = [" second()", " first()", " third()"]
    body = {
        "choices": [{"text": t, "index": i, "finish_reason": "stop"} for i, t in enumerate(choices)]
    }
    fake.queue(Reply(text=" first()"), Reply(raw_body=json.dumps(body).encode()))
    open_document(client, URI, "value =\n")
    [shown] = await ask(client, URI, 0, 7)  # as typed: one choice, streamed
    assert shown.insert_text == " first()"

    result = await client.text_document_inline_completion_async(
        inline_params(URI, 0, 7, types.InlineCompletionTriggerKind.Invoked)
    )

    assert [item.insert_text for item in result.items] == [" first()", " second()", " third()"]
    assert [r.body["stream"] for r in fake.received] == [True, False]
    assert fake.received[1].body["n"] == 3
