"""Engine behaviour that needs no HTTP (stub providers): warm-ups after idle, memory held."""

from __future__ import annotations

import asyncio
import time
import tracemalloc

from fim_lsp.engine import WARM_AFTER_IDLE_S, Engine
from fim_lsp.settings import Settings
from fim_lsp.snapshot import Snapshot
from fim_lsp.tokens import PieceCounter


class CountingProvider:
    name = "counting"

    def __init__(self) -> None:
        self.warmed = 0

    async def stream(self, request):  # pragma: no cover - never asked here
        yield ""

    async def warm(self) -> None:
        self.warmed += 1

    async def aclose(self) -> None:
        return None


async def test_typing_after_idle_warms_once():
    provider = CountingProvider()
    engine = Engine(Settings(api_key="k"), lambda *_: None, provider_factory=lambda _: provider)
    engine.typing("file:///w.py")
    await asyncio.sleep(0)
    assert provider.warmed == 0  # just created: the connection is fresh

    engine._last_activity = time.monotonic() - WARM_AFTER_IDLE_S - 1
    engine.typing("file:///w.py")
    engine.typing("file:///w.py")
    await asyncio.sleep(0)
    assert provider.warmed == 1


class EchoProvider(CountingProvider):
    """Answers every request at once with the same short line."""

    async def stream(self, request):
        yield " = 1\n"


async def test_a_large_document_is_held_for_the_accept_hook_only_twice():
    # Each offered item keeps the document it was made for; typing in a 1 MB file must not
    # keep a megabyte per keystroke.
    engine = Engine(
        Settings(api_key="k", debounce_ms=0),
        lambda *_: None,
        counter=PieceCounter(),
        provider_factory=lambda _: EchoProvider(),
    )
    text = "x = 0\n" * 170_000 + "\n"
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    for _ in range(20):
        text = text[:-1] + "y" + "\n"  # one more character at the cursor, a new document
        snapshot = Snapshot("file:///big.py", "/big.py", text, len(text) - 1)
        assert await engine.complete(snapshot) is not None
    held = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    assert held < 6 * len(text), f"{held / len(text):.1f} copies of the document held"
