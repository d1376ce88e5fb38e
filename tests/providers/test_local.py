"""Ollama (``/api/generate``, NDJSON) and llama.cpp (``/infill``, SSE), and finding them."""

from __future__ import annotations

import dataclasses

import pytest
from pytest_lsp import LanguageClient

from fim_lsp.providers.base import AuthError, RejectedError, TransientError
from fim_lsp.providers.discovery import discover, needs_discovery, pick_model
from fim_lsp.providers.llamacpp import LlamaCpp
from fim_lsp.providers.ollama import OllamaGenerate
from fim_lsp.settings import Settings
from tests.e2e.helpers import ask, open_document
from tests.providers.conftest import REQUEST, client, collect, initialize, messages, reconfigure
from tests.support.fake_apis import FakeLlamaCpp, FakeOllama, Script

URI = "file:///work/add.py"


def ollama_provider(fake: FakeOllama, mode: str = "suffix", **overrides: object) -> OllamaGenerate:
    arguments: dict = {"api_key": "", "timeout_s": 5.0, "seed": None, **overrides}
    return OllamaGenerate(client(), fake.base_url, "codellama:7b-code", mode=mode, **arguments)


def llama_provider(fake: FakeLlamaCpp, **overrides: object) -> LlamaCpp:
    arguments: dict = {"api_key": "", "timeout_s": 5.0, "seed": None, **overrides}
    return LlamaCpp(client(), fake.base_url, **arguments)


async def test_ollama_suffix_mode_lets_ollama_apply_the_template(ollama: FakeOllama):
    ollama.queue(Script(chunks=[" a", " + b"]))
    assert await collect(ollama_provider(ollama, seed=7)) == [" a", " + b", ""]
    [call] = ollama.received
    assert (call.method, call.path, call.query) == ("POST", "/api/generate", {})
    assert "Authorization" not in call.headers
    assert call.body == {
        "model": "codellama:7b-code",
        "prompt": REQUEST.prefix,
        "suffix": REQUEST.suffix,
        "stream": True,
        "options": {
            "num_predict": 32,
            "temperature": 0.1,
            "top_p": 0.95,
            "stop": ["<EOT>", "<PRE>", "<SUF>"],
            "seed": 7,
        },
    }


async def test_ollama_template_mode_sends_our_prompt_raw(ollama: FakeOllama):
    await collect(ollama_provider(ollama, "template", api_key="behind-proxy-key"))
    [call] = ollama.received
    assert (call.body["prompt"], call.body["raw"]) == (REQUEST.prompt, True)
    assert "suffix" not in call.body
    assert call.headers["Authorization"] == "Bearer behind-proxy-key"


@pytest.mark.parametrize(
    ("script", "error", "words"),
    [
        (Script(status=404, error='model "codellama:7b-code" not found'), RejectedError, "pull"),
        (Script(status=500, error="llama runner process has terminated"), TransientError, "runner"),
        (Script(chunks=["half"], unfinished=True), TransientError, "before done"),
        (Script(chunks=["x"], hang=1.0), TransientError, "timed out"),
    ],
)
async def test_ollama_failures(ollama: FakeOllama, script: Script, error: type, words: str):
    if script.status == 404:
        script.error += ", try pulling it first"
    ollama.queue(script)
    with pytest.raises(error, match=words):
        await collect(ollama_provider(ollama, timeout_s=0.3))


async def test_ollama_error_inside_the_stream(ollama: FakeOllama):
    class Broken(FakeOllama):
        def answer(self, handler, exchange):
            frames = [b'{"response":"a","done":false}\n', b'{"error":"out of memory"}\n']
            handler.send_frames(exchange, "application/x-ndjson", frames, 0)

    broken = Broken().start()
    try:
        with pytest.raises(TransientError, match="out of memory"):
            await collect(ollama_provider(broken))
    finally:
        broken.stop()


async def test_llamacpp_infill_request(llamacpp: FakeLlamaCpp):
    llamacpp.queue(Script(chunks=[" a", " + b"]))
    assert await collect(llama_provider(llamacpp, seed=3)) == [" a", " + b", ""]
    [call] = llamacpp.received
    assert (call.method, call.path) == ("POST", "/infill")
    assert call.body == {
        "input_prefix": REQUEST.prefix,
        "input_suffix": REQUEST.suffix,
        "input_extra": [],
        "prompt": "",
        "n_predict": 32,
        "temperature": 0.1,
        "top_p": 0.95,
        "stop": ["<EOT>", "<PRE>", "<SUF>"],
        "stream": True,
        "cache_prompt": True,
        "t_max_predict_ms": 1000,
        "seed": 3,
    }


async def test_llamacpp_plain_request_is_a_completion_of_the_prompt(llamacpp: FakeLlamaCpp):
    llamacpp.fim = False  # a model without FIM tokens: /infill is refused
    plain = dataclasses.replace(REQUEST, prompt="def add(a, b):\n    return", suffix="", plain=True)
    llamacpp.queue(Script(chunks=[" a + b"]))
    assert await collect(llama_provider(llamacpp), plain) == [" a + b", ""]
    [call] = llamacpp.received
    assert call.path == "/completion"
    assert call.body["prompt"] == "def add(a, b):\n    return"
    assert "input_prefix" not in call.body and "input_suffix" not in call.body
    assert (call.body["n_predict"], call.body["stream"], call.body["cache_prompt"]) == (
        32,
        True,
        True,
    )


async def test_llamacpp_model_without_fim_names_the_fix(llamacpp: FakeLlamaCpp):
    llamacpp.fim = False
    with pytest.raises(RejectedError, match=r"Infill is not supported.*template prefix-only"):
        await collect(llama_provider(llamacpp))


@pytest.mark.parametrize(
    ("script", "error", "words"),
    [
        (Script(status=503, error="Loading model"), TransientError, "Loading model"),
        (Script(status=400, error="input_extra must be an array"), RejectedError, "input_extra"),
        (Script(status=429, error="busy", headers={"Retry-After": "2"}), None, "busy"),
        (Script(chunks=["half"], unfinished=True), TransientError, "before stop"),
        (Script(chunks=["x"], hang=1.0), TransientError, "timed out"),
    ],
)
async def test_llamacpp_failures(llamacpp: FakeLlamaCpp, script: Script, error, words: str):
    from fim_lsp.providers.base import RateLimitError

    llamacpp.queue(script)
    with pytest.raises(error or RateLimitError, match=words) as raised:
        await collect(llama_provider(llamacpp, timeout_s=0.3))
    if error is None:
        assert raised.value.retry_after == 2.0


async def test_llamacpp_api_key(llamacpp: FakeLlamaCpp):
    llamacpp.api_key = "llama-key-55aa"
    with pytest.raises(AuthError, match="Invalid API Key"):
        await collect(llama_provider(llamacpp, api_key="llama-key-wrong"))
    llamacpp.queue(Script(chunks=["ok"]))
    assert await collect(llama_provider(llamacpp, api_key="llama-key-55aa")) == ["ok", ""]


async def test_discovery_finds_what_answers(ollama: FakeOllama, llamacpp: FakeLlamaCpp):
    ollama.models = ("llama3:8b", "qwen2.5-coder:7b-base")
    settings = Settings(
        local_servers=(
            "ollama=http://127.0.0.1:9",  # nothing listens on the discard port
            f"ollama={ollama.base_url}",
            f"llamacpp={llamacpp.base_url}",
            f"llamacpp={ollama.base_url}",  # an Ollama is no llama.cpp server
        )
    )
    assert needs_discovery(settings)
    async with client() as http:
        found = await discover(http, settings)
    assert [(s.provider, s.base_url) for s in found] == [
        ("ollama", ollama.base_url),
        ("llamacpp", llamacpp.base_url),
    ]
    chosen = found[0].settings(settings)
    assert (chosen.provider, chosen.model) == ("ollama", "qwen2.5-coder:7b-base")
    assert not needs_discovery(dataclasses.replace(settings, api_key="sk-x"))
    assert not needs_discovery(dataclasses.replace(settings, local_servers=()))


def test_pick_model_prefers_fim_families():
    assert pick_model(("llama3", "starcoder2:3b", "qwen2.5-coder:1.5b")) == "qwen2.5-coder:1.5b"
    assert pick_model(("llama3",)) == "llama3"
    assert pick_model(()) == ""


# End to end: the real server over stdio.


async def test_e2e_ollama_round_trip_and_failures(lsp: LanguageClient, ollama: FakeOllama):
    await initialize(lsp, {"provider": "ollama", "baseUrl": ollama.base_url, "seed": 11})
    ollama.queue(Script(chunks=["\n    return", " a + b\n", "\n\nprint(add(1, 2))\n"]))
    open_document(lsp, URI, "def add(a, b):\n\nx = 1\n")

    [item] = await ask(lsp, URI, 0, 14)

    assert item.insert_text == "\n    return a + b"
    [call] = ollama.requests_to("/api/generate")
    assert call.body["model"] == "qwen2.5-coder:1.5b"  # the provider's default model
    assert (call.body["prompt"], call.body["suffix"]) == ("def add(a, b):", "\n\nx = 1\n")
    assert call.body["options"]["seed"] == 11 and call.body["options"]["num_predict"] == 128

    ollama.queue(Script(status=500, error="runner died"), Script(status=404, error="no model"))
    assert await ask(lsp, URI, 0, 13) == []  # server error: a log line only
    assert await ask(lsp, URI, 0, 12) == []
    assert "no model" in (await messages(lsp, 1))[0]
    ollama.queue(Script(chunks=[" fine"]))
    reconfigure(lsp, {"model": "codellama:7b-code"})
    assert [i.insert_text for i in await ask(lsp, URI, 0, 14)] == [" fine"]
    assert ollama.requests_to("/api/generate")[-1].body["model"] == "codellama:7b-code"


async def test_e2e_llamacpp_round_trip_and_timeout(lsp: LanguageClient, llamacpp: FakeLlamaCpp):
    await initialize(lsp, {"provider": "llamacpp", "baseUrl": llamacpp.base_url, "timeoutMs": 300})
    llamacpp.queue(Script(chunks=["late"], hang=1.5), Script(chunks=[" a", " + b"]))
    open_document(lsp, URI, "def add(a, b):\n    return\n")

    assert await ask(lsp, URI, 1, 10) == []
    [item] = await ask(lsp, URI, 1, 10)

    assert item.insert_text == " a + b"
    call = llamacpp.requests_to("/infill")[-1]
    assert call.body["input_prefix"] == "def add(a, b):\n    return"
    assert call.body["input_suffix"] == "\n"
    assert call.body["cache_prompt"] is True
    assert lsp.messages == []


async def test_e2e_llamacpp_prefix_only_completes_with_a_model_without_fim(
    lsp: LanguageClient, llamacpp: FakeLlamaCpp
):
    llamacpp.fim = False
    settings = {"provider": "llamacpp", "baseUrl": llamacpp.base_url, "template": "prefix-only"}
    await initialize(lsp, settings)
    llamacpp.queue(Script(chunks=[" a + b\n", "\n"]))
    open_document(lsp, URI, "def add(a, b):\n    return\n\nprint(add(1, 2))\n")

    [item] = await ask(lsp, URI, 1, 10)

    assert item.insert_text == " a + b"
    [call] = llamacpp.requests_to("/completion")
    assert not [c for c in llamacpp.received if c.method == "POST" and c.path == "/infill"]
    assert call.body["prompt"].endswith("def add(a, b):\n    return")
    assert "\nprint(add(1, 2))" in call.body["stop"]  # it stops where the code after begins
    assert lsp.messages == []


async def test_e2e_zero_config_finds_a_local_ollama(lsp: LanguageClient, ollama: FakeOllama):
    await initialize(lsp, {"localServers": [f"ollama={ollama.base_url}"]})
    ollama.queue(Script(chunks=[" 42"]))
    open_document(lsp, URI, "answer =\n")

    assert [i.insert_text for i in await ask(lsp, URI, 0, 8)] == [" 42"]
    assert ollama.requests_to("/api/tags")
    assert ollama.requests_to("/api/generate")[0].body["model"] == "qwen2.5-coder:1.5b"


async def test_e2e_zero_config_says_when_nothing_answers(lsp: LanguageClient):
    await initialize(lsp, {"localServers": ["ollama=http://127.0.0.1:9"]})
    open_document(lsp, URI, "answer =\n")
    assert await ask(lsp, URI, 0, 8) == []
    [message] = await messages(lsp, 1)
    assert "DASHSCOPE_API_KEY" in message and "http://127.0.0.1:9" in message
