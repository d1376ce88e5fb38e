"""What the benches share: the repository on ``sys.path``, the server under test started over
stdio the way an editor starts it, percentiles and the server's memory.  Imported by the
scripts beside it (``import support``), before anything from the repository."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.lsp.client import LanguageClient

REPO = Path(__file__).resolve().parents[1]
SERVER = REPO / "server"
sys.path[:0] = [str(REPO), str(SERVER)]


def add_server_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--server",
        default=str(SERVER),
        help="PYTHONPATH that finds the server (another checkout's, for a before/after table)",
    )


async def start_server(
    options: dict[str, Any],
    server: str | Path = SERVER,
    *,
    python: str = sys.executable,
    env: dict[str, str] | None = None,
    folder: Path | None = None,
) -> LanguageClient:
    """The server started over stdio and initialized with ``options``.  Its environment is
    only what is given (and no home), so the user's own files never change a figure;
    ``folder`` is the workspace folder an editor would open."""
    client = LanguageClient("bench", "1")
    environment = {"PYTHONPATH": str(server), "HOME": "/nonexistent", **(env or {})}
    await client.start_io(python, "-m", "fim_lsp", env=environment)
    await client.initialize_async(
        types.InitializeParams(
            capabilities=types.ClientCapabilities(),
            initialization_options=options,
            workspace_folders=[types.WorkspaceFolder(folder.as_uri(), folder.name)]
            if folder
            else None,
        )
    )
    client.initialized(types.InitializedParams())
    return client


async def stop_server(client: LanguageClient) -> None:
    await client.shutdown_async(None)
    client.exit(None)
    await client.stop()


def server_pid(client: LanguageClient) -> int:
    process = client._server  # pygls keeps the process it started here
    assert process is not None, "the server is not running"
    return process.pid


def percentile(samples: list[float], share: float) -> float:
    """The sample below which ``share`` of them lie (nearest rank); NaN when there are none."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))] if ordered else float("nan")


def rss_mb(pid: int, *, peak: bool = False) -> float:
    """The process's resident memory now, or the most it has held (``peak``), in MB."""
    field = "VmHWM:" if peak else "VmRSS:"
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field):
            return int(line.split()[1]) / 1024
    return 0.0
