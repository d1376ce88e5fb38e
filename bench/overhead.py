"""Per-request server overhead: the time our code adds to a completion, model excluded.

Three views, for a 20 KB, a 500 KB and a 2 MB Python file, one keystroke (didChange +
inlineCompletion) per request so nothing comes from the cache:

* ``lsp``: the real server over stdio against a fake provider on 127.0.0.1 that answers at
  once; keystroke to items, so JSON-RPC, document sync and local HTTP are included.  The
  file lies in the workspace folder, with a second document open, so the repository context
  is on as in an editor.
* ``pipeline``: in-process, the server's own path without JSON-RPC and HTTP (the noise of a
  shared machine): the edit applied to the document store, the cursor found, the bounded
  snapshot read from it, the engine against a provider that yields at once (window,
  template, post-processing);
* ``whole``: the same with the whole text joined for the snapshot, as before issue 13.

After five untimed keystrokes (a new server's first requests pay one-time costs), prints
median and p95 per file and view, and the server's peak RSS.
Run: ``.venv/bin/python bench/overhead.py [--requests 200] [--server DIR]`` (``--server``:
another checkout's ``server`` folder, for a before/after in one run; ``lsp`` only).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path

import support
from lsprotocol import types

from fim_lsp.documents import Document
from fim_lsp.engine import Engine, Snapshot
from fim_lsp.pipeline import snapshot_near
from fim_lsp.providers.base import CompletionRequest
from fim_lsp.settings import Settings
from tests.support.fake_provider import FakeProvider, Reply

LINE = "    result = compute_something(value, other_value) + offset  # filler\n"
WARM_UP = 5  # keystrokes not timed: a new server's first requests make cattrs hooks, imports
HELPERS = "def compute_something(value, other):\n    return value * other\n"


def make_file(size: int) -> str:
    head = "from helpers import compute_something\n\n\ndef f(value, other_value, offset):\n"
    body = head + LINE * (size // len(LINE))
    return body[:size]


def summary(samples: list[float]) -> str:
    median, p95 = statistics.median(samples), support.percentile(samples, 0.95)
    return f"median {median * 1000:7.2f} ms   p95 {p95 * 1000:7.2f} ms"


class InstantProvider:
    name = "instant"

    async def stream(self, request: CompletionRequest) -> AsyncIterator[str]:
        yield " + 1\n"

    async def aclose(self) -> None:
        return None


async def pipeline(text: str, requests: int, whole: bool = False) -> list[float]:
    """Keystroke to suggestion in-process, the document kept as the server keeps it: the
    edit applied, the cursor found, the snapshot read from the document (``whole``: the
    whole text joined for it, as before issue 13's bounded snapshot), the engine."""
    engine = Engine(
        Settings(api_key="bench", debounce_ms=0, cache_size=0),
        lambda *_: None,
        provider_factory=lambda _: InstantProvider(),
    )
    engine.counter.count("warm up")
    document = Document.opened("file:///bench.py", "python", 1, text)
    line = text[: len(text) // 2].count("\n")
    samples = []
    for i in range(WARM_UP + requests):
        at = types.Position(line, 4 + i)
        started = time.perf_counter()
        document.apply(at, at, "x", "utf-16")
        offset = document.offset_at(types.Position(line, 5 + i), "utf-16")
        assert offset is not None
        snapshot = (
            Snapshot("file:///bench.py", "/bench.py", document.text, offset)
            if whole
            else snapshot_near(
                document, "file:///bench.py", "/bench.py", offset, "", engine.settings
            )
        )
        await engine.complete(snapshot)
        if i >= WARM_UP:
            samples.append(time.perf_counter() - started)
    return samples


async def over_lsp(text: str, requests: int, server: str) -> tuple[list[float], float]:
    fake = FakeProvider(Reply(text=" + 1\n")).start()
    folder = Path(tempfile.mkdtemp(prefix="fim-lsp-overhead-"))
    (folder / "helpers.py").write_text(HELPERS)
    (folder / "bench.py").write_text(text)
    options = {"baseUrl": fake.base_url, "apiKey": "bench", "debounceMs": 0, "cacheSize": 0}
    client = await support.start_server(options, server, folder=folder)
    for name, opened in (("helpers.py", HELPERS), ("bench.py", text)):
        client.text_document_did_open(
            types.DidOpenTextDocumentParams(
                types.TextDocumentItem((folder / name).as_uri(), "python", 1, opened)
            )
        )
    uri = (folder / "bench.py").as_uri()
    line = text[: len(text) // 2].count("\n")
    samples = []
    for i in range(WARM_UP + requests):
        at = types.Position(line, 4 + i)
        started = time.perf_counter()
        client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                types.VersionedTextDocumentIdentifier(version=i + 2, uri=uri),
                [types.TextDocumentContentChangePartial(range=types.Range(at, at), text="x")],
            )
        )
        params = types.InlineCompletionParams(
            context=types.InlineCompletionContext(types.InlineCompletionTriggerKind.Automatic),
            text_document=types.TextDocumentIdentifier(uri),
            position=types.Position(line, 5 + i),
        )
        result = await client.text_document_inline_completion_async(params)
        if i >= WARM_UP:
            samples.append(time.perf_counter() - started)
        assert result is not None, "the server gave no completion"
    rss = support.rss_mb(support.server_pid(client), peak=True)
    await support.stop_server(client)
    fake.stop()
    return samples, rss


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument(
        "--rounds", type=int, default=1, help="alternate the files this often (a noisy machine)"
    )
    support.add_server_option(parser)
    args = parser.parse_args()
    print(
        f"{args.requests} keystrokes per row and round, {args.rounds} round(s); "
        "model time excluded (instant provider)"
    )
    # 500 KB: about the largest document the repository context cuts into windows.
    files = {"20 KB": make_file(20_000), "500 KB": make_file(500_000), "2 MB": make_file(2_000_000)}
    inproc: dict[str, list[float]] = {label: [] for label in files}
    joined: dict[str, list[float]] = {label: [] for label in files}
    lsp: dict[str, list[float]] = {label: [] for label in files}
    rss: dict[str, float] = dict.fromkeys(files, 0.0)
    for _ in range(args.rounds):
        for label, text in files.items():
            inproc[label] += await pipeline(text, args.requests)
            joined[label] += await pipeline(text, args.requests, whole=True)
            samples, peak = await over_lsp(text, args.requests, str(Path(args.server).resolve()))
            lsp[label] += samples
            rss[label] = max(rss[label], peak)
    for label in files:
        print(f"{label:>6}  pipeline  {summary(inproc[label])}")
        print(f"{label:>6}  whole     {summary(joined[label])}")
        peak = f"server peak RSS {rss[label]:.0f} MB"
        print(f"{label:>6}  lsp       {summary(lsp[label])}   {peak}")
    for view, rows in (("pipeline", inproc), ("whole", joined), ("lsp", lsp)):
        small = rows["20 KB"]
        for label in ("500 KB", "2 MB"):
            large = rows[label]
            print(
                f"{label} / 20 KB {view}: median "
                f"{statistics.median(large) / statistics.median(small):.2f}x   "
                f"p95 {support.percentile(large, 0.95) / support.percentile(small, 0.95):.2f}x"
            )


if __name__ == "__main__":
    asyncio.run(main())
