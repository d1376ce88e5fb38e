"""The real server over stdio, asking llama-cpp-python's server for Gemma's completions through
the prefix-only template.  What is asserted is honesty (an answer comes, streamed and not, a
stream the user left is closed), never the tiny model's quality."""

from __future__ import annotations

import asyncio

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.e2e.helpers import inline_params, insert, open_document
from tests.support.llama_server import DISCONNECTED, LlamaServer

# A real model on two shared cores: seconds per answer, minutes for the eval.
pytestmark = pytest.mark.timeout(600)

CIRCLE = "import math\n\n\ndef circle_area(radius):\n    return "
# A list the model goes on filling line after line: its answer outlasts the first suggestion.
FRUITS = 'FRUITS = [\n    "apple",\n    "banana",\n    "cherry",\n    "damson",\n'


def configure(client: LanguageClient, **settings: object) -> None:
    client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(settings={"fimLsp": settings})
    )


async def ask(
    client: LanguageClient,
    uri: str,
    line: int,
    character: int,
    trigger: types.InlineCompletionTriggerKind = types.InlineCompletionTriggerKind.Automatic,
) -> list[types.InlineCompletionItem]:
    """Ghost text as an editor asks for it, waited for as long as a slow model needs.  A manual
    trigger (``Invoked``) asks for alternatives, which are not streamed."""
    params = inline_params(uri, line, character, trigger)
    result = await asyncio.wait_for(client.text_document_inline_completion_async(params), 90)
    if result is None:
        return []
    return list(result.items if isinstance(result, types.InlineCompletionList) else result)


async def test_a_streamed_completion_arrives_from_the_real_server(
    client: LanguageClient, llama: LlamaServer
):
    uri = "file:///work/circle.py"
    open_document(client, uri, CIRCLE)
    before = llama.requests()

    items = await ask(client, uri, 4, 11)

    assert llama.requests() == before + 1
    assert items and items[0].insert_text.strip(), items
    assert "import" not in str(items[0].insert_text)  # the file is not started over


async def test_a_manual_trigger_gets_its_alternatives_from_separate_requests(
    client: LanguageClient, llama: LlamaServer
):
    """llama-cpp-python answers one choice whatever ``n`` says: the other two are asked by
    requests of their own, not silently dropped."""
    configure(client, alternatives=3, temperature=0.8)
    uri = "file:///work/circle_manual.py"
    open_document(client, uri, CIRCLE)
    before = llama.requests()

    items = await ask(client, uri, 4, 11, types.InlineCompletionTriggerKind.Invoked)

    assert llama.requests() == before + 3  # one with n=3, answered with one choice; two more
    assert items, "no completion from three answers"
    texts = [item.insert_text for item in items]
    assert len(texts) == len(set(texts))  # distinct choices only


async def test_leaving_a_streaming_answer_closes_the_real_servers_stream(
    client: LanguageClient, llama: LlamaServer
):
    configure(client, maxLines=200, maxTokens=600)
    uri = "file:///work/fruits.py"
    open_document(client, uri, FRUITS)
    disconnects = llama.log().count(DISCONNECTED)

    items = await ask(client, uri, 5, 0)

    # Whole lines are shown while the model goes on writing the rest of the list.
    assert items and items[0].insert_text.strip(), items
    assert llama.log().count(DISCONNECTED) == disconnects, "the answer ended by itself"
    # The user types something else: that answer can never be shown, so its stream closes.
    insert(client, uri, 2, 5, 0, "# ")
    await ask(client, uri, 5, 2)

    assert llama.wait_for(DISCONNECTED, disconnects + 1, timeout_s=30), llama.log()[-3000:]
