"""Logging to stderr (stdout carries LSP) with every known secret masked.

pygls logs whole messages at some levels, ``initialize`` and its ``apiKey`` included, so
masking happens on every record rather than trusting each call site.

The editors read these lines (each at its level in their logs; a failed completion's reason
in their status), so their shape is part of the contract (docs/CONTRACT.md, "Log lines"):
stderr rather than ``window/logMessage``, because it also carries what no LSP message can,
the lines before ``initialize`` and a crash's traceback, and every client keeps it already.
"""

from __future__ import annotations

import logging
import re
import sys

# One line per record; docs/CONTRACT.md quotes both, and tests hold the editors to them.
LINE_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
FAILURE_PREFIX = "completion failed: "  # then the reason, for the editors' status

_secrets: set[str] = set()
# Keys that arrive before we know them (the initialize message itself) are caught by shape.
_SECRET_FIELD = re.compile(
    r"""((?:api_?key|authorization|secret|access_token|client_secret)['"]?\s*[:=]\s*['"]?"""
    r"""(?:Bearer\s+)?)[^'"\s,}&]+""",
    re.IGNORECASE,
)


# Whatever looks like a key, wherever it appears (a settings error quoting a mistyped value,
# a provider's error text): "sk-" keys, bearer tokens, long runs of key alphabet with digits.
_KEY_SHAPED = re.compile(
    r"\b(?:sk|ak|pk)-[A-Za-z0-9_\-]{6,}|(?<=Bearer )\S+"
    r"|\b(?=[A-Za-z0-9_\-]*\d)(?=[A-Za-z0-9_\-]*[A-Za-z])[A-Za-z0-9_\-]{32,}\b"
)


def add_secret(secret: str) -> None:
    """Mask ``secret`` from now on, and its stripped form (a key pasted with a newline)."""
    for form in (secret, secret.strip()):
        if len(form) >= 4:
            _secrets.add(form)


def mask(text: str) -> str:
    """``text`` with every known secret and anything key-shaped replaced by ``****``: for
    logs and for every message that can reach the user."""
    text = _KEY_SHAPED.sub("****", _SECRET_FIELD.sub(r"\1****", text))
    for secret in _secrets:
        text = text.replace(secret, "****")
    return text


class _RedactSecrets(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = mask(record.getMessage()), None
        return True


class _DropLateCancels(logging.Filter):
    """A cancel that crosses our answer on the wire is a legal race, not a warning: Neovim
    files every server stderr line under [ERROR]."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("Cancel notification for unknown message id")


def configure(level: str) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter(LINE_FORMAT))
    handler.addFilter(_DropLateCancels())
    handler.addFilter(_RedactSecrets())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # pygls narrates every message at INFO; keep it for debugging sessions only.
    logging.getLogger("pygls").setLevel(
        logging.DEBUG if level.upper() == "DEBUG" else logging.WARNING
    )
