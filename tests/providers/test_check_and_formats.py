"""``fim-lsp check`` per provider and zero-config; FIM formats; provider settings; stops."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

import pytest

from fim_lsp.providers.stops import enforce_stops
from fim_lsp.settings import Settings, SettingsError, load_startup_settings
from fim_lsp.templates import TEMPLATES, template_for, template_of
from tests.e2e.conftest import SERVER_ENV
from tests.providers.conftest import AK, SK
from tests.support.fake_apis import FakeOllama, FakeQianfan, Script


def check(tmp_path: Path, config: str, **env: str) -> subprocess.CompletedProcess[str]:
    path = tmp_path / "config.toml"
    path.write_text(config)
    return subprocess.run(
        [sys.executable, "-m", "fim_lsp", "check"],
        env={**SERVER_ENV, "FIM_LSP_CONFIG": str(path), **env},
        capture_output=True,
        text=True,
        timeout=30,
    )


def test_check_finds_a_local_ollama(tmp_path: Path, ollama: FakeOllama):
    ollama.models = ("llama3:8b", "qwen2.5-coder:1.5b")
    ollama.queue(Script(chunks=[" a + b"]))
    done = check(
        tmp_path, f'local_servers = ["ollama={ollama.base_url}", "llamacpp=http://127.0.0.1:9"]\n'
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert (
        f"found Ollama at {ollama.base_url} (models: llama3:8b, qwen2.5-coder:1.5b)" in done.stdout
    )
    assert "provider ollama, model qwen2.5-coder:1.5b" in done.stdout
    assert "OK: answered ' a + b'" in done.stdout


def test_check_says_when_nothing_local_answers(tmp_path: Path):
    done = check(tmp_path, 'local_servers = ["llamacpp=http://127.0.0.1:9"]\n')
    assert done.returncode == 1
    assert "nothing answered (llamacpp at http://127.0.0.1:9)" in done.stdout


def test_check_qianfan_reports_refused_keys_without_them(tmp_path: Path, qianfan: FakeQianfan):
    config = f'provider = "qianfan"\nbase_url = "{qianfan.base_url}"\n'
    done = check(tmp_path, config, QIANFAN_AK=AK, QIANFAN_SK="sk-wrong-0123456")
    assert done.returncode == 1
    assert "unknown client id" in done.stdout and "Baidu refused the AK/SK" in done.stdout
    assert "sk-wrong-0123456" not in done.stdout + done.stderr
    qianfan.queue(Script(chunks=[" a + b"]))
    assert check(tmp_path, config, QIANFAN_AK=AK, QIANFAN_SK=SK).returncode == 0


def test_codestral_puts_the_suffix_first():
    assert TEMPLATES["codestral"].render("def f(", "):") == "[SUFFIX]):[PREFIX]def f("
    assert template_for("codestral-22b").name == "codestral"
    assert template_for("SQLCoder-7B").name == "starcoder"


def test_custom_template_from_settings():
    settings = Settings().merged(
        {
            "template": "custom",
            "fimPrefix": "<P>",
            "fimSuffix": "<S>",
            "fimMiddle": "<M>",
            "fimStop": ["<END>"],
        },
        "test",
    )
    template = template_of(settings)
    assert template.render("a", "b") == "<P>a<S>b<M>"
    assert template.stop == ("<END>",) and "<END>" in template.special_tokens
    with pytest.raises(SettingsError, match="fimMiddle"):
        Settings().merged({"template": "custom"}, "test")


def test_switching_provider_carries_defaults_and_drops_the_other_providers_key():
    dashscope = Settings(api_key="sk-dashscope-key")
    qianfan = dashscope.merged({"provider": "qianfan"}, "test")
    assert (qianfan.base_url, qianfan.model) == (
        "https://aip.baidubce.com",
        "CodeLlama-7b-Instruct",
    )
    assert qianfan.api_key == ""
    ollama = dashscope.merged({"provider": "ollama", "model": "starcoder2:3b"}, "test")
    assert (ollama.base_url, ollama.model) == ("http://localhost:11434", "starcoder2:3b")


def test_each_provider_reads_its_own_key_variables():
    environ = {
        "FIM_LSP_PROVIDER": "qianfan",
        "QIANFAN_AK": "ak1",
        "QIANFAN_SK": "sk1",
        "DASHSCOPE_API_KEY": "sk-not-for-baidu",
    }
    settings = load_startup_settings(environ, Path("/nonexistent"))
    assert (settings.api_key, settings.secret_key) == ("ak1", "sk1")


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"qianfanAuth": "password"}, "qianfanAuth"),
        ({"fimMode": "both"}, "fimMode"),
        ({"seed": -2}, "seed"),
        ({"endpoint": "a/b"}, "endpoint"),
        ({"localServers": ["tabby=http://x"]}, "localServers"),
    ],
)
def test_new_settings_are_validated(overrides: dict, field: str):
    with pytest.raises(SettingsError, match=field):
        Settings().merged(overrides, "test")


def test_stops_are_enforced_across_chunks():
    async def run(chunks: list[str], stops: tuple[str, ...]) -> list[str]:
        async def source():
            for chunk in chunks:
                yield chunk

        return [piece async for piece in enforce_stops(source(), stops)]

    assert "".join(asyncio.run(run(["ab<", "|end", "|>cd"], ("<|end|>",)))) == "ab"
    assert asyncio.run(run(["a<", "b"], ("<|end|>",))) == ["a", "<b"]
    assert "".join(asyncio.run(run(["x\ny"], ("\n", "<|end|>")))) == "x"
