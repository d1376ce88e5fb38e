"""Every setting in one typed, fully defaulted object, and the layers that override it.

Layers, lowest first: defaults, the user config file, environment variables,
``initializationOptions``, ``workspace/didChangeConfiguration``.  The wire uses camelCase,
Python snake_case; the config file accepts either.  A bad value raises ``SettingsError``
naming the field, and the caller keeps its last good settings.
"""

from __future__ import annotations

import dataclasses
import os
import re
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import cattrs
from cattrs.errors import AttributeValidationNote, ClassValidationError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised only on 3.10
    import tomli as tomllib

from fim_lsp.exclusion import DEFAULT_EXCLUDE
from fim_lsp.providers.registry import REGISTRY
from fim_lsp.templates import TEMPLATES as FIM_TEMPLATES

DEFAULT_CONFIG_PATH = Path("~/.config/fim-lsp/config.toml")
PROVIDERS = tuple(REGISTRY)
LOCAL_PROVIDERS = tuple(name for name, spec in REGISTRY.items() if spec.local)
TEMPLATES = ("auto", *FIM_TEMPLATES, "custom")


class SettingsError(ValueError):
    """A setting has a value we cannot use; the message names the field."""


@dataclasses.dataclass(frozen=True)
class Settings:
    provider: str = "dashscope"
    base_url: str = REGISTRY["dashscope"].base_url
    # 7B: the best quality that still answers a typist in well under a second.
    model: str = REGISTRY["dashscope"].model
    api_key: str = dataclasses.field(default="", repr=False)
    # Qianfan: the SK of an AK/SK pair (the AK is apiKey), a deployed service's endpoint
    # name, and how to authenticate: an OAuth access token, or bce-auth-v1 request signing.
    secret_key: str = dataclasses.field(default="", repr=False)
    endpoint: str = ""
    qianfan_auth: str = "token"
    # OpenAI-compatible and Ollama: FIM tokens in the prompt ("template") or a suffix field.
    fim_mode: str = "auto"
    seed: int = -1  # -1: the provider's choice
    template: str = "auto"
    # template "custom": the strings around prefix and suffix, and where the model stops.
    fim_prefix: str = ""
    fim_suffix: str = ""
    fim_middle: str = ""
    fim_stop: tuple[str, ...] = ()
    max_tokens: int = 128
    temperature: float = 0.1
    top_p: float = 0.95
    context_tokens: int = 2048
    prefix_share: float = 0.75
    # Other files' context (definitions of imported names, similar code, recent edits), on
    # top of contextTokens: at DashScope's ¥0.001 per 1,000 input tokens for the 7B model,
    # 1,024 tokens add ¥0.001 a request, and the bench's recall is within a few points of
    # twice the budget (bench/README.md).  0 turns all of it off.
    repo_context_tokens: int = 1536
    repo_context_definitions: bool = True
    repo_context_similar: bool = True
    repo_context_recent: bool = True
    debounce_ms: int = 150
    max_lines: int = 8
    alternatives: int = 3  # choices offered on a manual trigger (one request, `n` where supported)
    enabled: bool = True
    disabled_languages: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    timeout_ms: int = 10000
    cache_size: int = 256
    cache_ttl_s: int = 600
    # Where zero-config looks when no key is set: provider=base URL, default ports.
    local_servers: tuple[str, ...] = (
        "ollama=http://localhost:11434",
        "llamacpp=http://localhost:8080",
    )

    @property
    def prefix_budget(self) -> int:
        return int(self.context_tokens * self.prefix_share)

    @property
    def suffix_budget(self) -> int:
        return self.context_tokens - self.prefix_budget

    @property
    def exclude_globs(self) -> tuple[str, ...]:
        return DEFAULT_EXCLUDE + self.exclude

    def merged(self, overrides: Mapping[str, Any], source: str) -> Settings:
        """A copy with ``overrides`` (camelCase or snake_case keys) applied and validated."""
        changes = {}
        for key, value in overrides.items():
            name = _snake(key)
            if name not in _FIELDS:
                raise SettingsError(f"{source}: unknown setting {key!r}")
            changes[name] = value
        current = dataclasses.asdict(self)
        result = _structure({**current, **changes}, source)
        if result.provider != self.provider:
            switch = self._provider_switch(result.provider)
            result = _structure({**current, **switch, **changes}, source)
        result.validate(source)
        return result

    def _provider_switch(self, provider: str) -> dict[str, Any]:
        """A key belongs to its provider: never send it to another.  An endpoint and model
        left at the old provider's defaults follow to the new provider's."""
        changes: dict[str, Any] = {"api_key": "", "secret_key": ""}
        old, new = REGISTRY.get(self.provider), REGISTRY.get(provider)
        if old and new and new.base_url and self.base_url == old.base_url:
            changes["base_url"] = new.base_url
        if old and new and new.model and self.model == old.model:
            changes["model"] = new.model
        return changes

    def validate(self, source: str) -> None:
        checks = [
            ("provider", self.provider in PROVIDERS, f"one of {', '.join(PROVIDERS)}"),
            ("template", self.template in TEMPLATES, f"one of {', '.join(TEMPLATES)}"),
            ("base_url", self.base_url.startswith(("http://", "https://")), "an http(s) URL"),
            ("model", bool(self.model.strip()), "a model name"),
            ("max_tokens", 1 <= self.max_tokens <= 4096, "between 1 and 4096"),
            ("temperature", 0 <= self.temperature < 2, "in [0, 2)"),
            ("top_p", 0 < self.top_p <= 1, "in (0, 1]"),
            ("context_tokens", 64 <= self.context_tokens <= 131072, "between 64 and 131072"),
            ("prefix_share", 0 < self.prefix_share <= 1, "in (0, 1]"),
            (
                "repo_context_tokens",
                0 <= self.repo_context_tokens <= 32768,
                "between 0 and 32768",
            ),
            ("debounce_ms", 0 <= self.debounce_ms <= 5000, "between 0 and 5000"),
            ("max_lines", 1 <= self.max_lines <= 200, "between 1 and 200"),
            ("alternatives", 1 <= self.alternatives <= 8, "between 1 and 8"),
            ("timeout_ms", 100 <= self.timeout_ms <= 120000, "between 100 and 120000"),
            ("cache_size", 0 <= self.cache_size <= 100000, "between 0 and 100000"),
            ("cache_ttl_s", 0 <= self.cache_ttl_s <= 86400, "between 0 and 86400"),
            (
                "local_servers",
                all(
                    entry.partition("=")[0] in LOCAL_PROVIDERS
                    and entry.partition("=")[2].startswith(("http://", "https://"))
                    for entry in self.local_servers
                ),
                f"a list of PROVIDER=URL, PROVIDER one of {', '.join(LOCAL_PROVIDERS)}",
            ),
            ("qianfan_auth", self.qianfan_auth in ("token", "signature"), "token or signature"),
            (
                "fim_mode",
                self.fim_mode in ("auto", "template", "suffix"),
                "auto, template or suffix",
            ),
            ("seed", -1 <= self.seed < 2**31, "-1 or a non-negative 32-bit integer"),
            (
                "endpoint",
                re.fullmatch(r"[A-Za-z0-9_.-]*", self.endpoint) is not None,
                "a Qianfan service name (letters, digits, _ . -)",
            ),
            (
                "fim_middle",
                self.template != "custom" or bool(self.fim_prefix and self.fim_middle),
                "set, with fimPrefix, when template is custom",
            ),
        ]
        for name, ok, expected in checks:
            if not ok:
                raise SettingsError(
                    f"{source}: {_camel(name)} must be {expected}, got {getattr(self, name)!r}"
                )


_FIELDS = {field.name: field for field in dataclasses.fields(Settings)}


def _snake(key: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", key).lower()


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


TRUE = ("1", "true", "yes", "on")
FALSE = ("0", "false", "no", "off")


def _bool(value: Any, _: type) -> bool:
    if isinstance(value, str) and value.lower() in TRUE + FALSE:
        return value.lower() in TRUE  # from the environment
    if not isinstance(value, bool):
        raise TypeError("true or false")
    return value


def _int(value: Any, _: type) -> int:
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError("an integer")
    return value


def _float(value: Any, _: type) -> float:
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            raise TypeError("a number") from None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError("a number")
    return float(value)


def _str(value: Any, _: type) -> str:
    if not isinstance(value, str):
        raise TypeError("a string")
    return value


def _strings(value: Any, _: type) -> tuple[str, ...]:
    if isinstance(value, str):  # from the environment: comma-separated
        value = [part.strip() for part in value.split(",") if part.strip()]
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
        raise TypeError("a list of strings")
    return tuple(value)


# Plain values (JSON, TOML, environment strings) into the typed object: a value of the wrong
# kind is refused (``true`` is no number), a string is parsed (the environment has no other).
_CONVERTER = cattrs.Converter(forbid_extra_keys=True)
for _kind, _hook in ((bool, _bool), (int, _int), (float, _float), (str, _str)):
    _CONVERTER.register_structure_hook(_kind, _hook)
_CONVERTER.register_structure_hook_func(lambda kind: kind == tuple[str, ...], _strings)


def _structure(values: Mapping[str, Any], source: str) -> Settings:
    try:
        return _CONVERTER.structure(values, Settings)
    except ClassValidationError as errors:
        error = errors.exceptions[0]
        notes = getattr(error, "__notes__", ())
        names = [note.name for note in notes if isinstance(note, AttributeValidationNote)]
        if not names:
            raise SettingsError(f"{source}: {error}") from None
        name = names[0]
        raise SettingsError(
            f"{source}: {_camel(name)} must be {error}, got {values[name]!r}"
        ) from None


def _config_file_layer(path: Path) -> dict[str, Any]:
    if not path.is_file():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise SettingsError(f"config file {path}: {error}") from None
    return data.get("fim-lsp", data)


def _environment_layer(environ: Mapping[str, str], provider: str) -> dict[str, str]:
    layer = {
        name: environ[f"FIM_LSP_{name.upper()}"]
        for name in _FIELDS
        if f"FIM_LSP_{name.upper()}" in environ
    }
    spec = REGISTRY.get(layer.get("provider", provider))
    variables = spec.key_variables if spec else ()
    for name, variable in zip(("api_key", "secret_key"), variables, strict=False):
        if name not in layer and environ.get(variable):
            layer[name] = environ[variable]
    return layer


def load_startup_settings(
    environ: Mapping[str, str] | None = None, config_path: Path | None = None
) -> Settings:
    """Defaults, then the config file, then the environment: what the server starts with."""
    environ = os.environ if environ is None else environ
    path = config_path or Path(environ.get("FIM_LSP_CONFIG", DEFAULT_CONFIG_PATH)).expanduser()
    settings = Settings().merged(_config_file_layer(path), f"config file {path}")
    return settings.merged(_environment_layer(environ, settings.provider), "environment")


def client_layer(payload: Any) -> Mapping[str, Any]:
    """The settings object inside ``initializationOptions`` or ``didChangeConfiguration``."""
    if payload is None:
        return {}
    if not isinstance(payload, Mapping):
        raise SettingsError(f"settings must be an object, got {type(payload).__name__}")
    for key in ("fimLsp", "fim-lsp", "fim_lsp"):
        if isinstance(payload.get(key), Mapping):
            return payload[key]
    return payload
