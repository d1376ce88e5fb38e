"""Server resources: how soon ``initialize`` is answered, and peak RSS with many documents.

Starts the real server over stdio (no provider is called) ``--starts`` times; each time it
times ``initialize`` to its reply, from the launch (Python and imports included: what an
editor sees at startup) and from a request sent once the server is up (our own handling),
then opens 50 documents of 5,000 lines (the
shape ``bench/keystrokes.py`` uses), types one keystroke in each, and reads the server's
peak RSS (VmHWM).  Prints median and p95 of the ``initialize`` time, median peak RSS.
Run: ``.venv/bin/python bench/resources.py [--starts 5]``.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

from lsprotocol import types
from pygls.lsp.client import LanguageClient

REPO = Path(__file__).resolve().parents[1]
DOCUMENTS, LINES = 50, 5000
SETTLE_S = 3.0  # "from the request": sent once the server has started (imports done)


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


async def one_start(settle_s: float) -> tuple[float, float]:
    client = LanguageClient("bench", "1")
    launched = time.perf_counter()
    await client.start_io(sys.executable, "-m", "fim_lsp", env={"PYTHONPATH": str(REPO / "server")})
    await asyncio.sleep(settle_s)
    started = time.perf_counter() if settle_s else launched
    await client.initialize_async(
        types.InitializeParams(
            capabilities=types.ClientCapabilities(),
            initialization_options={"apiKey": "bench", "baseUrl": "http://127.0.0.1:9"},
        )
    )
    initialize_s = time.perf_counter() - started
    client.initialized(types.InitializedParams())
    text = "".join(f"def function_{i}(value):\n    return value * {i}\n" for i in range(LINES // 2))
    for n in range(DOCUMENTS):
        uri = f"file:///bench/many_{n}.py"
        client.text_document_did_open(
            types.DidOpenTextDocumentParams(types.TextDocumentItem(uri, "python", 1, text))
        )
        at = types.Position(LINES // 2, 4)
        client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                types.VersionedTextDocumentIdentifier(version=2, uri=uri),
                [types.TextDocumentContentChangePartial(range=types.Range(at, at), text="x")],
            )
        )
    await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="fim-lsp.stats")
    )  # a round trip: every notification before it has been handled
    rss = peak_rss_mb(client._server.pid)
    await client.shutdown_async(None)
    client.exit(None)
    await client.stop()
    return initialize_s, rss


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--starts", type=int, default=5)
    args = parser.parse_args()
    print(f"{args.starts} starts each")
    runs = []
    for label, settle_s in (("from launch", 0.0), ("from the request", SETTLE_S)):
        runs = [await one_start(settle_s) for _ in range(args.starts)]
        times = sorted(run[0] * 1000 for run in runs)
        p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
        print(
            f"initialize answered {label:>16}: "
            f"median {statistics.median(times):5.0f} ms   p95 {p95:5.0f} ms"
        )
    rss = statistics.median(run[1] for run in runs)
    print(f"server peak RSS with {DOCUMENTS} open {LINES:,}-line documents: {rss:.0f} MB")


if __name__ == "__main__":
    asyncio.run(main())
