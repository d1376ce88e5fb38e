"""Server resources: how soon ``initialize`` is answered, and peak RSS with many documents.

Starts the real server over stdio (no provider is called) ``--starts`` times; each time it
times ``initialize`` to its reply, from the launch (Python and imports included: what an
editor sees at startup) and from a request sent once the server is up (our own handling),
then opens 50 documents of 5,000 lines (the
shape ``bench/keystrokes.py`` uses, each with its own names), types one keystroke in each,
and reads the server's peak RSS (VmHWM): outside any folder in the starts from launch (no
repository context), in a workspace folder in the others (the context cuts them, as in an
editor).  Then, against a fake provider on 127.0.0.1, ``--changes`` times: a
settings change (a new provider, its HTTP client and TLS context) and at once a completion,
timed to its items.  Prints median and p95 of each time, median peak RSS.
Run: ``.venv/bin/python bench/resources.py [--starts 5] [--server DIR]`` (``--server``:
another checkout's ``server`` folder, for a before/after in one run).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

import support
from lsprotocol import types

from tests.reliability.raw_client import RawClient
from tests.support.fake_provider import FakeProvider, Reply

DOCUMENTS, LINES = 50, 5000
SETTLE_S = 3.0  # "from the request": sent once the server has started (imports done)


def summary(label: str, seconds: list[float]) -> str:
    times = [second * 1000 for second in seconds]
    median, p95 = statistics.median(times), support.percentile(times, 0.95)
    return f"{label:>40}: median {median:5.0f} ms   p95 {p95:5.0f} ms"


async def one_start(settle_s: float, server: Path, in_folder: bool) -> tuple[float, float]:
    """``initialize``'s time, and the peak RSS once the documents are open (in a workspace
    folder, so the context cuts them, or outside any folder, so it does not).  A raw
    JSON-RPC client, as an editor is: a pygls client would add its own first-use costs."""
    launched = time.perf_counter()
    client = await RawClient.launch(env={"PYTHONPATH": str(server)})
    await asyncio.sleep(settle_s)
    folder = Path(tempfile.mkdtemp(prefix="fim-lsp-resources-"))
    started = time.perf_counter() if settle_s else launched
    params = {
        "processId": None,
        "capabilities": {},
        "initializationOptions": {"apiKey": "bench", "baseUrl": "http://127.0.0.1:9"},
        "workspaceFolders": [{"uri": folder.as_uri(), "name": "bench"}] if in_folder else None,
    }
    assert "result" in await client.request("initialize", params)
    initialize_s = time.perf_counter() - started
    client.notify("initialized", {})
    at = {"line": LINES // 2, "character": 4}
    for n in range(DOCUMENTS):
        uri = (folder / f"many_{n}.py").as_uri()
        client.open(
            uri,
            "".join(
                f"def function_{n}_{i}(value):\n    return value * {i}\n" for i in range(LINES // 2)
            ),
        )
        client.change(uri, 2, [{"range": {"start": at, "end": at}, "text": "x"}])
    for _ in range(300):  # until the context's worker has cut every document
        stats = await client.request("workspace/executeCommand", {"command": "fim-lsp.stats"})
        if stats["result"]["contextPending"] == 0:
            break
        await asyncio.sleep(0.1)
    rss = support.rss_mb(client.process.pid, peak=True)
    await client.stop()
    return initialize_s, rss


async def settings_changes(changes: int, server: Path) -> list[float]:
    """Time from a settings change to the items of the completion asked right after it."""
    fake = FakeProvider(Reply(text=" + 1\n")).start()
    options = {"baseUrl": fake.base_url, "apiKey": "bench", "debounceMs": 0, "cacheSize": 0}
    client = await support.start_server(options, server)
    uri = "file:///bench/settings.py"
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(types.TextDocumentItem(uri, "python", 1, "x = 1\n"))
    )
    samples = []
    for n in range(changes):
        await asyncio.sleep(0.2)  # the last change's warm-up and old provider are done
        started = time.perf_counter()
        client.workspace_did_change_configuration(
            types.DidChangeConfigurationParams(settings={**options, "model": f"model-{n}"})
        )
        result = await client.text_document_inline_completion_async(
            types.InlineCompletionParams(
                context=types.InlineCompletionContext(types.InlineCompletionTriggerKind.Invoked),
                text_document=types.TextDocumentIdentifier(uri),
                position=types.Position(0, 5),
            )
        )
        samples.append(time.perf_counter() - started)
        assert result is not None, "the server gave no completion"
    await support.stop_server(client)
    fake.stop()
    return samples


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--starts", type=int, default=5)
    parser.add_argument("--changes", type=int, default=20)
    support.add_server_option(parser)
    args = parser.parse_args()
    server = Path(args.server).resolve()
    print(f"server {server}; {args.starts} starts each")
    peaks = {}
    for label, settle_s, in_folder in (
        ("from launch", 0.0, False),
        ("from the request", SETTLE_S, True),
    ):
        runs = [await one_start(settle_s, server, in_folder) for _ in range(args.starts)]
        print(summary(f"initialize answered {label}", [run[0] for run in runs]))
        peaks[in_folder] = statistics.median(run[1] for run in runs)
    for in_folder, where in ((False, "outside any folder"), (True, "in a workspace folder")):
        print(
            f"server peak RSS, {DOCUMENTS} open {LINES:,}-line documents {where}: "
            f"{peaks[in_folder]:.0f} MB"
        )
    changed = await settings_changes(args.changes, server)
    print(summary("settings change to first completion", changed))


if __name__ == "__main__":
    asyncio.run(main())
