"""Settings that change while the provider is still warming its connection up.

An editor sends ``initialize`` and, right behind it, ``didChangeConfiguration`` (Neovim does
when its config sets both): the provider made for the first settings is still opening its
connection when the second replaces it.  Closing its HTTP client under that warm-up failed
with "Cannot send a request, as the client has been closed" (a traceback in the editor's
LSP log); the warm-up must be stopped before the client closes, and the last settings win.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from tests.reliability.raw_client import API_KEY, RawClient
from tests.support.fake_provider import FakeProvider, Reply

URI = "file:///work/project/race.py"
CHANGES = 5


REPLY = Reply(text=" + 1\n")


def message(method: str, params: object, request_id: int | None = None) -> dict:
    sent: dict = {"jsonrpc": "2.0", "method": method, "params": params}
    if request_id is not None:
        sent["id"] = request_id
    return sent


async def until(condition: Callable[[], bool], timeout_s: float = 5.0) -> None:
    """Wait for ``condition`` (connections close a moment after the client lets them go)."""
    deadline = asyncio.get_running_loop().time() + timeout_s
    while not condition() and asyncio.get_running_loop().time() < deadline:
        await asyncio.sleep(0.02)


def settings(fake: FakeProvider, model: str) -> dict:
    return {"baseUrl": fake.base_url, "apiKey": API_KEY, "model": model, "debounceMs": 0}


async def test_settings_changed_during_the_warm_up_close_nothing_under_it(fake: FakeProvider):
    client = await RawClient.launch()
    initialize = {"processId": None, "capabilities": {}}
    initialize["initializationOptions"] = settings(fake, "model-0")
    # One write: the server reads these as one chunk and handles them back to back, each
    # settings change replacing a provider whose warm-up has just been started.
    initialize_id = client.next_id()
    client.send(
        message("initialize", initialize, request_id=initialize_id),
        message("initialized", {}),
        *(
            message("workspace/didChangeConfiguration", {"settings": settings(fake, f"model-{n}")})
            for n in range(1, CHANGES + 1)
        ),
    )
    try:
        assert "result" in await client.reply(initialize_id)
        client.open(URI, "x = 1\nvalue = x")
        answer = await client.complete(URI, 1, 9)

        assert answer["result"]["items"][0]["insertText"] == " + 1", answer
        assert fake.received[-1].body["model"] == f"model-{CHANGES}"  # the last settings won
        assert fake.warmups >= 1  # the newest provider still warms its connection up
        # The replaced providers keep no connection open: only the one in use has one.
        await until(lambda: fake.open_connections <= 1)
        assert fake.open_connections == 1
        assert await client.stop() == 0
        log = client.stderr.decode()
        assert "has been closed" not in log
        assert "Traceback" not in log and "never retrieved" not in log, log
    finally:
        await client.stop()
