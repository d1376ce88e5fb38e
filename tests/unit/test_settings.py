from __future__ import annotations

from pathlib import Path

import pytest

from fim_lsp.settings import Settings, SettingsError, client_layer, load_startup_settings


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
