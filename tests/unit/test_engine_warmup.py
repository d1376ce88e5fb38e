"""The engine opens a connection again after an idle spell (stub provider: no HTTP needed)."""

from __future__ import annotations

import asyncio
import time

from fim_lsp.engine import WARM_AFTER_IDLE_S, Engine
from fim_lsp.settings import Settings


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
    engine.typing()
    await asyncio.sleep(0)
    assert provider.warmed == 0  # just created: the connection is fresh

    engine._last_activity = time.monotonic() - WARM_AFTER_IDLE_S - 1
    engine.typing()
    engine.typing()
    await asyncio.sleep(0)
    assert provider.warmed == 1
