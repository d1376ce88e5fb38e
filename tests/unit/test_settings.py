from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import pytest

from fim_lsp.settings import Settings, SettingsError, client_layer, load_startup_settings

REPO = Path(__file__).resolve().parents[2]


def test_defaults_point_at_dashscope_qwen():
    settings = Settings()
    assert settings.base_url == "https://dashscope.aliyuncs.com/compatible-mode/v1"
    assert settings.model.startswith("qwen2.5-coder")
    assert settings.prefix_budget + settings.suffix_budget == settings.context_tokens


def test_layers_in_order(tmp_path: Path):
    config = tmp_path / "config.toml"
    config.write_text('model = "from-file"\nmax_tokens = 64\ndebounceMs = 10\n')
    environ = {"FIM_LSP_MAX_TOKENS": "32", "DASHSCOPE_API_KEY": "sk-env"}
    settings = load_startup_settings(environ, config)
    assert (settings.model, settings.max_tokens, settings.debounce_ms) == ("from-file", 32, 10)
    assert settings.api_key == "sk-env"
    client = settings.merged(client_layer({"fimLsp": {"maxTokens": 16}}), "client")
    assert client.max_tokens == 16 and client.model == "from-file"


def test_fim_lsp_api_key_wins_over_dashscope_variable():
    environ = {"FIM_LSP_API_KEY": "sk-ours", "DASHSCOPE_API_KEY": "sk-theirs"}
    assert load_startup_settings(environ, Path("/nonexistent")).api_key == "sk-ours"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"maxTokens": -3}, "maxTokens"),
        ({"maxTokens": "many"}, "maxTokens"),
        ({"temperature": 2.5}, "temperature"),
        ({"baseUrl": "ftp://x"}, "baseUrl"),
        ({"enabled": "perhaps"}, "enabled"),
        ({"exclude": [1, 2]}, "exclude"),
        ({"provider": "nope"}, "provider"),
        ({"noSuchSetting": 1}, "noSuchSetting"),
    ],
)
def test_invalid_values_name_the_field(overrides, field):
    with pytest.raises(SettingsError, match=field):
        Settings().merged(overrides, "test")


def test_api_key_is_not_in_repr():
    assert "sk-secret" not in repr(Settings(api_key="sk-secret"))


def test_broken_config_file_is_a_clear_error(tmp_path: Path):
    config = tmp_path / "config.toml"
    config.write_text("model = [unclosed")
    with pytest.raises(SettingsError, match="config file"):
        load_startup_settings({}, config)


def wire_names() -> set[str]:
    return {
        re.sub(r"_(.)", lambda m: m.group(1).upper(), f.name) for f in dataclasses.fields(Settings)
    }


def test_the_contract_lists_every_setting_and_no_other():
    contract = (REPO / "docs" / "CONTRACT.md").read_text(encoding="utf-8")
    table = contract[contract.index("| field | default | meaning |") :].split("\n\n")[0]
    rows = [line.split("|")[1] for line in table.splitlines()[2:]]
    listed = {name.strip() for row in rows for name in row.split("/")}
    server_only = contract[contract.index("Server-side only") :].split("\n\n")[0]
    listed |= set(re.findall(r"`(\w+)` (?:[\d.]+|true|false)", server_only))
    assert listed == wire_names()


def test_the_vscode_extension_sends_only_settings_the_server_has():
    source = (REPO / "editors" / "vscode" / "src" / "serverSettings.ts").read_text("utf-8")
    fields = re.search(r"SERVER_FIELDS = \{(.*?)\}", source, re.S)
    assert fields
    mapping = dict(re.findall(r'(\w+): "([\w.]+)"', fields.group(1)))
    assert set(mapping) <= wire_names()
    package = json.loads((REPO / "editors" / "vscode" / "package.json").read_text("utf-8"))
    contributed = package["contributes"]["configuration"]
    sections = contributed if isinstance(contributed, list) else [contributed]
    keys = {key for section in sections for key in section["properties"]}
    assert {f"fim-lsp.{key}" for key in mapping.values()} <= keys


def test_strings_from_the_environment_become_typed_values():
    settings = Settings().merged(
        {"maxTokens": "12", "exclude": "a, b", "enabled": "off", "topP": "0.5"}, "environment"
    )
    assert (settings.max_tokens, settings.exclude, settings.enabled, settings.top_p) == (
        12,
        ("a", "b"),
        False,
        0.5,
    )
    with pytest.raises(SettingsError, match="temperature must be a number, got True"):
        Settings().merged({"temperature": True}, "client")
