"""API keys checked where they enter: a key is sent in an HTTP header, where a line break
or a non-ASCII character fails every request (and httpcore's debug log prints the part
after a line break whole).  Surrounding whitespace, the usual paste accident, is removed;
anything else is refused with a message naming the setting and never the key."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from fim_lsp.logs import add_secret
from fim_lsp.settings import Settings, SettingsError

log = logging.getLogger(__name__)

KEY_SETTINGS = {"api_key": "apiKey", "secret_key": "secretKey"}


def remember_keys(layer: Mapping[str, Any]) -> None:
    """Mask whatever a settings layer holds under a key setting, even of a wrong type
    (``"apiKey": ["sk-..."]``): the error naming the setting quotes the value."""
    for name in (*KEY_SETTINGS, *KEY_SETTINGS.values()):
        value = layer.get(name)
        for item in value if isinstance(value, (list, tuple)) else [value]:
            if isinstance(item, str):
                add_secret(item)


def with_checked_keys(settings: Settings, source: str) -> Settings:
    stripped = {}
    for name, setting in KEY_SETTINGS.items():
        key = getattr(settings, name)
        add_secret(key)
        clean = key.strip()
        if clean != key:
            log.warning("%s: removed whitespace around %s (a pasted line break?)", source, setting)
            stripped[setting] = clean
        if problem := _problem(clean):
            raise SettingsError(f"{source}: {setting} has {problem}; it is never sent like that")
    return settings.merged(stripped, source) if stripped else settings


def _problem(key: str) -> str:
    if any(char.isspace() for char in key):
        return "a space or line break inside it"
    if not key.isascii():
        return "a non-ASCII character in it (keys are ASCII: was it typed or pasted wrongly?)"
    if not key.isprintable():
        return "a control character in it"
    return ""
