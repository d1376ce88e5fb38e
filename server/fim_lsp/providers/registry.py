"""Every provider, once: its defaults, where its key comes from, what its wire can do, and
how to build it.  Settings validate against it, ``fim-lsp check`` names its key variables,
zero-config discovery finds its local servers, and the editors' key tables are checked
against ``export()`` (tests/unit/test_registry.py).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import httpx

from fim_lsp.providers.base import Provider
from fim_lsp.providers.llamacpp import LlamaCpp
from fim_lsp.providers.ollama import OllamaGenerate
from fim_lsp.providers.openai import Dialect, OpenAICompletions
from fim_lsp.providers.qianfan import QianfanCompletions

if TYPE_CHECKING:
    from fim_lsp.settings import Settings

Factory = Callable[["ProviderSpec", "Settings", httpx.AsyncClient], Provider]


@dataclass(frozen=True)
class ProviderSpec:
    name: str
    title: str  # for people: messages and the editors' pickers
    base_url: str
    model: str
    factory: Factory
    # Environment variables read when FIM_LSP_API_KEY is not set: the key, then the secret
    # key of an AK/SK pair.
    key_variables: tuple[str, ...] = ()
    key_required: bool = True
    local: bool = False  # a server on this machine, which zero-config discovery looks for
    # How a FIM prompt is sent, the default first: FIM tokens in ``prompt`` ("template") or
    # a ``suffix`` field; the ``fimMode`` setting picks among them.
    modes: tuple[str, ...] = ("template",)
    dialect: Dialect | None = None  # OpenAI-compatible services: path and seed field

    def mode(self, settings: Settings) -> str:
        return settings.fim_mode if settings.fim_mode in self.modes else self.modes[0]

    def build(self, settings: Settings, client: httpx.AsyncClient) -> Provider:
        return self.factory(self, settings, client)

    def key_advice(self) -> str:
        """Where the key goes, in words for every editor (the server cannot tell which one
        runs it): the environment variables, or the editor's own way to hand a key over."""
        if len(self.key_variables) > 1:
            pair = " and ".join(self.key_variables)
            return (
                f"set {pair} (or FIM_LSP_API_KEY and FIM_LSP_SECRET_KEY) where the editor "
                "starts, or in VS Code run fim-lsp: Set API Key"
            )
        own = f"{self.key_variables[0]} or " if self.key_variables else ""
        return (
            f"set {own}FIM_LSP_API_KEY where the editor starts, or in VS Code run "
            "fim-lsp: Set API Key, in Neovim set api_key_cmd"
        )

    def as_json(self) -> dict[str, object]:
        return {
            "title": self.title,
            "baseUrl": self.base_url,
            "model": self.model,
            "keyVariables": list(self.key_variables),
            "keyRequired": self.key_required,
            "secretKey": len(self.key_variables) > 1,
            "local": self.local,
            "modes": list(self.modes),
        }


def _seed(settings: Settings) -> int | None:
    return settings.seed if settings.seed >= 0 else None


def _openai(spec: ProviderSpec, settings: Settings, client: httpx.AsyncClient) -> Provider:
    assert spec.dialect is not None
    dialect = dataclasses.replace(
        spec.dialect,
        mode=spec.mode(settings),
        key_variable=spec.key_variables[0],
        key_required=spec.key_required,
    )
    return OpenAICompletions(
        spec.name,
        client,
        settings.base_url,
        settings.model,
        settings.api_key,
        settings.timeout_ms / 1000,
        dialect,
        _seed(settings),
    )


def _qianfan(spec: ProviderSpec, settings: Settings, client: httpx.AsyncClient) -> Provider:
    return QianfanCompletions(
        client,
        settings.base_url,
        settings.model,
        settings.endpoint,
        settings.api_key,
        settings.secret_key,
        settings.qianfan_auth,
        settings.timeout_ms / 1000,
    )


def _ollama(spec: ProviderSpec, settings: Settings, client: httpx.AsyncClient) -> Provider:
    return OllamaGenerate(
        client,
        settings.base_url,
        settings.model,
        settings.api_key,
        settings.timeout_ms / 1000,
        spec.mode(settings),
        _seed(settings),
    )


def _llamacpp(spec: ProviderSpec, settings: Settings, client: httpx.AsyncClient) -> Provider:
    return LlamaCpp(
        client, settings.base_url, settings.api_key, settings.timeout_ms / 1000, _seed(settings)
    )


def _openai_like(
    name: str,
    title: str,
    base_url: str,
    model: str,
    variable: str,
    modes: tuple[str, ...] = ("template",),
    dialect: Dialect | None = None,
    key_required: bool = True,
) -> ProviderSpec:
    return ProviderSpec(
        name,
        title,
        base_url,
        model,
        _openai,
        (variable,),
        key_required,
        modes=modes,
        dialect=dialect or Dialect(),
    )


REGISTRY: dict[str, ProviderSpec] = {
    spec.name: spec
    for spec in (
        _openai_like(
            "dashscope",
            "Alibaba DashScope (Model Studio)",
            "https://dashscope.aliyuncs.com/compatible-mode/v1",
            "qwen2.5-coder-7b-instruct",
            "DASHSCOPE_API_KEY",
        ),
        _openai_like(
            "openai",
            "OpenAI-compatible /completions",
            "",  # any server: the base URL and model stay what they were
            "",
            "OPENAI_API_KEY",
            ("template", "suffix"),
            key_required=False,
        ),
        ProviderSpec(
            "qianfan",
            "Baidu Qianfan",
            "https://aip.baidubce.com",
            "CodeLlama-7b-Instruct",
            _qianfan,
            ("QIANFAN_AK", "QIANFAN_SK"),
        ),
        ProviderSpec(
            "ollama",
            "Ollama",
            "http://localhost:11434",
            "qwen2.5-coder:1.5b",
            _ollama,
            key_required=False,
            local=True,
            modes=("suffix", "template"),
        ),
        ProviderSpec(
            "llamacpp",
            "llama.cpp server",
            "http://localhost:8080",
            "server-default",
            _llamacpp,
            key_required=False,
            local=True,
            modes=("suffix",),
        ),
        _openai_like(
            "codestral",
            "Mistral Codestral",
            "https://codestral.mistral.ai/v1",
            "codestral-latest",
            "CODESTRAL_API_KEY",
            ("suffix",),
            Dialect("/fim/completions", seed_field="random_seed"),
        ),
        _openai_like(
            "deepseek",
            "DeepSeek",
            "https://api.deepseek.com/beta",
            "deepseek-chat",
            "DEEPSEEK_API_KEY",
            ("suffix",),
        ),
    )
}


def export() -> str:
    """The registry as JSON, for editors and for the test that holds them to it."""
    return json.dumps({name: spec.as_json() for name, spec in REGISTRY.items()}, indent=2)
