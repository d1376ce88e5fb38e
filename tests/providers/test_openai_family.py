"""OpenAI-compatible completions in suffix mode, ``n`` and ``seed``; DeepSeek; Codestral."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pytest_lsp import LanguageClient

from fim_lsp.providers.base import (
    MissingKeyError,
    Provider,
    RateLimitError,
    RejectedError,
    TransientError,
)
from fim_lsp.providers.registry import REGISTRY
from fim_lsp.settings import Settings
from tests.e2e.helpers import ask, open_document
from tests.providers.conftest import REQUEST, client, collect, initialize, messages
from tests.support.fake_apis import FakeCodestral, Script
from tests.support.fake_provider import FakeProvider, Reply

URI = "file:///work/add.py"
KEY = "sk-family-test-81f2"


def provider(base_url: str, name: str, **overrides: Any) -> Provider:
    """Built as the server builds it: from the registry's entry and the settings."""
    arguments: dict[str, Any] = {"model": "m", "api_key": KEY, "timeout_ms": 5000, **overrides}
    return REGISTRY[name].build(Settings(provider=name, base_url=base_url, **arguments), client())


async def test_suffix_mode_sends_prefix_and_suffix_and_seed(openai: FakeProvider):
    openai.queue(Reply(chunks=[" a", " + b"]))
    deepseek = provider(openai.base_url, "deepseek", seed=5)
    assert await collect(deepseek) == [" a", " + b"]
    [call] = openai.received
    assert call.path == "/compatible-mode/v1/completions"
    assert call.headers["Authorization"] == f"Bearer {KEY}"
    assert call.body == {
        "model": "m",
        "prompt": REQUEST.prefix,
        "suffix": REQUEST.suffix,
        "max_tokens": 32,
        "temperature": 0.1,
        "top_p": 0.95,
        "stop": ["<EOT>", "<PRE>", "<SUF>"],
        "stream": True,
        "seed": 5,
    }


async def test_n_alternatives_in_one_request(openai: FakeProvider):
    choices = [
        {"text": text, "index": index, "finish_reason": "stop"}
        for index, text in [(1, " b"), (0, " a"), (2, " a")]
    ]
    openai.queue(Reply(raw_body=json.dumps({"choices": choices}).encode()))
    alternatives = await provider(openai.base_url, "openai").alternatives(REQUEST, 3)
    assert alternatives == [" a", " b"]
    [call] = openai.received
    assert (call.body["n"], call.body["stream"]) == (3, False)
    assert call.body["prompt"] == REQUEST.prompt  # template mode by default


def _one_choice(text: str) -> Reply:
    """A non-streamed answer with one choice, whatever ``n`` asked (llama-cpp-python's)."""
    body = {"choices": [{"text": text, "index": 0, "finish_reason": "stop"}]}
    return Reply(raw_body=json.dumps(body).encode())


async def test_a_server_that_ignores_n_is_asked_for_each_alternative(openai: FakeProvider):
    openai.queue(_one_choice(" a"), _one_choice(" b"), _one_choice(" a"))
    completions = provider(openai.base_url, "openai")

    assert await completions.alternatives(REQUEST, 3) == [" a", " b"]
    assert [call.body.get("n") for call in openai.received] == [3, None, None]

    # Learnt once: the next manual trigger asks three requests of one choice at once.
    openai.queue(_one_choice(" c"), _one_choice(" d"), _one_choice(" e"))
    assert sorted(await completions.alternatives(REQUEST, 3)) == [" c", " d", " e"]
    assert [call.body.get("n") for call in openai.received[3:]] == [None, None, None]


async def test_openai_needs_no_key_but_deepseek_does(openai: FakeProvider):
    openai.queue(Reply(text="ok"))
    assert await collect(provider(openai.base_url, "openai", api_key="")) == ["ok"]
    assert "Authorization" not in openai.received[0].headers
    with pytest.raises(MissingKeyError, match="no API key for deepseek"):
        await collect(provider(openai.base_url, "deepseek", api_key=""))


async def test_codestral_fim_route_and_chat_shaped_chunks(codestral: FakeCodestral):
    codestral.queue(Script(chunks=[" a", " + b"]))
    fim = provider(codestral.base_url + "/v1", "codestral", seed=9)
    assert "".join(await collect(fim)) == " a + b"
    [call] = codestral.received
    assert call.path == "/v1/fim/completions"
    assert (call.body["prompt"], call.body["suffix"]) == (REQUEST.prefix, REQUEST.suffix)
    assert call.body["random_seed"] == 9 and "seed" not in call.body


@pytest.mark.parametrize(
    ("script", "error"),
    [
        (Script(status=401, error="Unauthorized"), "AuthError"),
        (Script(status=429, error="Requests rate limit exceeded"), RateLimitError),
        (Script(status=422, error="Unprocessable model"), RejectedError),
        (Script(status=503, error="Service unavailable"), TransientError),
        (Script(chunks=["half"], unfinished=True), TransientError),
    ],
)
async def test_codestral_failures(codestral: FakeCodestral, script: Script, error):
    from fim_lsp.providers import base

    codestral.queue(script)
    expected = getattr(base, error) if isinstance(error, str) else error
    with pytest.raises(expected) as raised:
        await collect(provider(codestral.base_url + "/v1", "codestral"))
    assert KEY not in str(raised.value)
    if script.error:
        assert script.error in str(raised.value)


async def test_e2e_openai_suffix_mode(lsp: LanguageClient, openai: FakeProvider):
    await initialize(
        lsp,
        {
            "provider": "openai",
            "baseUrl": openai.base_url,
            "model": "gpt-3.5-turbo-instruct",
            "fimMode": "suffix",
            "seed": 1,
        },
    )
    openai.queue(Reply(chunks=["\n    return", " a + b\n", "\nprint()\n"]))
    open_document(lsp, URI, "def add(a, b):\n\nx = 1\n")

    [item] = await ask(lsp, URI, 0, 14)

    assert item.insert_text == "\n    return a + b"
    [call] = openai.received
    assert call.path == "/compatible-mode/v1/completions"
    assert "Authorization" not in call.headers
    assert (call.body["prompt"], call.body["suffix"]) == ("def add(a, b):", "\n\nx = 1\n")
    assert call.body["seed"] == 1 and call.body["model"] == "gpt-3.5-turbo-instruct"


async def test_e2e_codestral(lsp: LanguageClient, codestral: FakeCodestral):
    await initialize(
        lsp, {"provider": "codestral", "baseUrl": codestral.base_url + "/v1", "apiKey": KEY}
    )
    codestral.queue(Script(chunks=[" a", " + b"]), Script(status=401, error="Unauthorized"))
    open_document(lsp, URI, "def add(a, b):\n    return\n")

    [item] = await ask(lsp, URI, 1, 10)
    assert item.insert_text == " a + b"
    [call] = codestral.received
    assert call.body["model"] == "codestral-latest"
    assert call.headers["Authorization"] == f"Bearer {KEY}"

    assert await ask(lsp, URI, 1, 9) == []
    [refused] = await messages(lsp, 1)
    assert "Unauthorized" in refused and KEY not in refused
