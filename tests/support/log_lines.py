"""Writes to stderr the lines the editors parse, as the real server writes them: one record at
each level through the server's own logging set-up, then a failed completion as the gate
logs it. The editors' tests feed this output to their parsers (VS Code's serverLog.ts,
Neovim's server_log.lua), so a change of format on either side fails them.

    python tests/support/log_lines.py
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "server"))

from fim_lsp.gate import Gate
from fim_lsp.logs import configure
from fim_lsp.notices import Notices
from fim_lsp.providers.base import TransientError
from fim_lsp.settings import Settings

REASON = "dashscope connection to http://127.0.0.1:9/v1/completions failed: ConnectError"


def main() -> None:
    configure("debug")
    log = logging.getLogger("fim_lsp.example")
    log.debug("a debug line")
    log.info("an info line")
    log.warning("a warning line")
    log.error("an error line")
    Gate(Settings(), Notices(lambda severity, message: None)).failed(TransientError(REASON))


if __name__ == "__main__":
    main()
