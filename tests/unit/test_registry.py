"""The provider registry is the one place for each provider's facts: the editors' own tables
of key variables must say what it says."""

from __future__ import annotations

import json
import re
from pathlib import Path

from fim_lsp.providers.registry import REGISTRY, export
from fim_lsp.settings import PROVIDERS, Settings, load_startup_settings

EDITORS = Path(__file__).resolve().parents[2] / "editors"
EXPORTED = json.loads(export())


def key_variables() -> dict[str, str]:
    return {
        name: entry["keyVariables"][0] for name, entry in EXPORTED.items() if entry["keyVariables"]
    }


def test_the_vscode_extension_reads_keys_from_the_registrys_variables():
    source = (EDITORS / "vscode" / "src" / "apiKeys.ts").read_text(encoding="utf-8")
    table = re.search(r"PROVIDER_KEY_VARIABLES[^=]*=\s*\{(.*?)\}", source, re.S)
    keyless = re.search(r"KEYLESS_PROVIDERS\s*=\s*\[(.*?)\]", source, re.S)
    assert table and keyless
    assert dict(re.findall(r'(\w+):\s*"(\w+)"', table.group(1))) == key_variables()
    assert set(re.findall(r'"(\w+)"', keyless.group(1))) == {
        name for name, entry in EXPORTED.items() if not entry["keyRequired"]
    }


def test_the_neovim_plugin_reads_keys_from_the_registrys_variables():
    source = (EDITORS / "neovim" / "lua" / "fim_lsp" / "server.lua").read_text(encoding="utf-8")
    table = re.search(r"M\.provider_key_vars\s*=\s*\{(.*?)\}", source, re.S)
    assert table
    assert dict(re.findall(r"(\w+)\s*=\s*'(\w+)'", table.group(1))) == key_variables()


def test_switching_to_each_provider_takes_its_defaults():
    for name, spec in REGISTRY.items():
        settings = Settings().merged({"provider": name}, "test")
        assert settings.base_url == (spec.base_url or Settings().base_url)
        assert name in PROVIDERS


def test_the_key_comes_from_the_providers_own_variable():
    for name, spec in REGISTRY.items():
        environ = {"FIM_LSP_PROVIDER": name, **{v: f"from-{v}" for v in spec.key_variables}}
        settings = load_startup_settings(environ, Path("/nonexistent"))
        wanted = [f"from-{v}" for v in spec.key_variables] + ["", ""]
        assert (settings.api_key, settings.secret_key) == tuple(wanted[:2])


def test_the_key_advice_names_each_providers_variables_and_no_refused_setting():
    for name, spec in REGISTRY.items():
        advice = spec.key_advice()
        assert all(variable in advice for variable in spec.key_variables), name
        assert "FIM_LSP_API_KEY" in advice and "fim-lsp: Set API Key" in advice
        assert "apiKey" not in advice  # Neovim's setup() refuses it
        # Neovim's api_key_cmd hands over one key, not an AK/SK pair.
        assert ("api_key_cmd" in advice) == (len(spec.key_variables) < 2), name
