"""Other files' context on each wire: llama.cpp's ``input_extra``, and before the prefix for
APIs that take ``prompt`` + ``suffix`` (the template-mode prompt already holds it)."""

from __future__ import annotations

import dataclasses

from tests.providers.conftest import REQUEST, collect
from tests.providers.test_local import llama_provider, ollama_provider
from tests.providers.test_openai_family import provider
from tests.support.fake_apis import FakeCodestral, FakeLlamaCpp, FakeOllama, Script

WITH_CONTEXT = dataclasses.replace(
    REQUEST,
    context_comment="# Path: lib/util.py\n# def helper(): ...\n",
    context_files=(("lib/util.py", "def helper(): ..."),),
)


async def test_llamacpp_gets_the_context_as_input_extra(llamacpp: FakeLlamaCpp):
    llamacpp.queue(Script(chunks=[" a"]))
    await collect(llama_provider(llamacpp), WITH_CONTEXT)
    [call] = llamacpp.received
    assert call.body["input_extra"] == [{"filename": "lib/util.py", "text": "def helper(): ..."}]
    assert call.body["input_prefix"] == REQUEST.prefix


async def test_suffix_apis_get_the_context_before_the_prefix(
    codestral: FakeCodestral, ollama: FakeOllama
):
    codestral.queue(Script(chunks=[" a"]))
    await collect(provider(codestral.base_url + "/v1", "codestral"), WITH_CONTEXT)
    ollama.queue(Script(chunks=[" a"]))
    await collect(ollama_provider(ollama), WITH_CONTEXT)
    for call in (codestral.received[0], ollama.received[0]):
        assert call.body["prompt"] == WITH_CONTEXT.context_comment + REQUEST.prefix
        assert call.body["suffix"] == REQUEST.suffix
