"""Every HTTP connection goes back to the pool, however a request is stopped: the engine with
its real provider against the fake DashScope on 127.0.0.1.  The pool holds eight connections,
so a leak shows as a request that cannot get one."""

from __future__ import annotations

import asyncio

from fim_lsp.engine import Engine
from fim_lsp.settings import Settings
from fim_lsp.snapshot import Snapshot
from tests.support.fake_provider import FakeProvider, Reply

BLOCK = "def f():\n    "
# Two lines at once, then a line every half second: the first two are shown, and the rest is
# read as their follow-up.
LINES = ["a = 1\n    b = 2\n"] + [f"    c{n} = {n}\n" for n in range(200)]


REPLY = Reply(chunks=LINES, chunk_delay=0.5)


def snapshot(name: str) -> Snapshot:
    return Snapshot(f"file:///work/{name}.py", f"/work/{name}.py", BLOCK, len(BLOCK), "python")


async def test_a_follow_up_cancelled_twice_while_closing_gives_its_connection_back(
    fake: FakeProvider,
):
    settings = Settings(base_url=fake.base_url, api_key="k", debounce_ms=0, max_lines=2)
    # A pool that is full waits timeoutMs for a connection, then the request fails.
    engine = Engine(settings.merged({"timeoutMs": 1000}, "test"), lambda *_: None)
    try:
        for task in range(24):  # three times the pool's eight connections
            shown = await engine.complete(snapshot(f"a{task}"))
            assert shown is not None and shown.text == "a = 1\n    b = 2"  # its follow-up reads on
            # As in `fim-lsp eval` with one engine for four documents: another task asks
            # for its document (this follow-up streams for nobody: cancelled), and a moment
            # later this task forgets its document (cancelled again, while closing).
            other = asyncio.ensure_future(engine.complete(snapshot(f"b{task}")))
            for _ in range(1 + task % 3):
                await asyncio.sleep(0)
            engine.forget(f"file:///work/a{task}.py")
            assert await other is not None
            engine.forget(f"file:///work/b{task}.py")

        assert await engine.complete(snapshot("last")) is not None
    finally:
        await engine.aclose()
