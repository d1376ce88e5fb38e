"""Logging to stderr (stdout carries LSP) with every known secret masked.

pygls logs whole messages at some levels, ``initialize`` and its ``apiKey`` included, so
masking happens on every record rather than trusting each call site.
"""

from __future__ import annotations

import logging
import re
import sys

_secrets: set[str] = set()
# Keys that arrive before we know them (the initialize message itself) are caught by shape.
_SECRET_FIELD = re.compile(
    r"""((?:api_?key|authorization|secret|access_token|client_secret)['"]?\s*[:=]\s*['"]?"""
    r"""(?:Bearer\s+)?)[^'"\s,}&]+""",
    re.IGNORECASE,
)


def add_secret(secret: str) -> None:
    if len(secret) >= 4:
        _secrets.add(secret)


class _RedactSecrets(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = _SECRET_FIELD.sub(r"\1****", record.getMessage())
        for secret in _secrets:
            message = message.replace(secret, "****")
        record.msg, record.args = message, None
        return True


class _DropLateCancels(logging.Filter):
    """A cancel that crosses our answer on the wire is a legal race, not a warning: Neovim
    files every server stderr line under [ERROR]."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("Cancel notification for unknown message id")


def configure(level: str) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(_DropLateCancels())
    handler.addFilter(_RedactSecrets())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # pygls narrates every message at INFO; keep it for debugging sessions only.
    logging.getLogger("pygls").setLevel(
        logging.DEBUG if level.upper() == "DEBUG" else logging.WARNING
    )
