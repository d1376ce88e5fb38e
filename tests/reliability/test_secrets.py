"""Keys never reach the screen, the logs or the wire in a broken form; secret files never
reach a provider, whatever their case or folder."""

from __future__ import annotations

import json
import socket

import httpx
import pytest

from fim_lsp.providers.wire import masked_url
from tests.reliability.raw_client import API_KEY, RawClient
from tests.support.fake_provider import FakeProvider, Reply

ROOT = "/work/project"
MISTYPED_KEY = "mistyped4f8e"  # no shape to recognise it by: only its setting says


REPLY = Reply(text=" + 1")


def configure(client: RawClient, settings: dict) -> None:
    client.notify("workspace/didChangeConfiguration", {"settings": {"fimLsp": settings}})


async def ask(client: RawClient, path: str) -> dict:
    uri = f"file://{path}"
    client.open(uri, "x = 2\n")
    return await client.complete(uri, 0, 4)


async def test_a_mistyped_key_is_not_echoed(fake: FakeProvider):
    client = await RawClient.start(fake)
    configure(client, {"apiKey": [MISTYPED_KEY]})
    await ask(client, f"{ROOT}/app.py")
    await client.stop()
    assert any("apiKey" in popup for popup in client.popups()), client.popups()
    assert MISTYPED_KEY not in json.dumps(client.notifications)
    assert MISTYPED_KEY.encode() not in client.stderr


async def test_the_provider_error_text_is_masked(fake: FakeProvider):
    body = {"error": {"message": f"Incorrect API key provided: {API_KEY}.", "code": "bad"}}
    fake.queue(Reply(status=400, raw_body=json.dumps(body).encode()))
    client = await RawClient.start(fake)
    await ask(client, f"{ROOT}/app.py")
    await client.stop()
    assert any("Incorrect API key" in popup for popup in client.popups()), client.popups()
    assert API_KEY not in json.dumps(client.notifications)


async def test_a_key_with_a_line_break_is_sent_stripped_and_never_logged(fake: FakeProvider):
    client = await RawClient.start(fake, ("--log-level", "debug"), apiKey=API_KEY + "\n")
    reply = await ask(client, f"{ROOT}/app.py")
    await client.stop()
    assert reply["result"]["items"][0]["insertText"] == " + 1"
    assert fake.received[-1].headers["Authorization"] == f"Bearer {API_KEY}"
    assert API_KEY.encode() not in client.stderr
    assert b"removed whitespace around apiKey" in client.stderr


@pytest.mark.parametrize("key", ["sk-caf\u00e9-7a1b2c3d", "sk-two words-9f8e7d"])
async def test_a_key_that_cannot_be_sent_is_refused_naming_the_setting(fake, key):
    client = await RawClient.start(fake, ("--log-level", "debug"))
    configure(client, {"apiKey": key})
    await ask(client, f"{ROOT}/app.py")
    await client.stop()
    assert any("apiKey has" in popup for popup in client.popups()), client.popups()
    assert all(key not in popup for popup in client.popups())
    assert all(r.headers.get("Authorization") == f"Bearer {API_KEY}" for r in fake.received)
    assert key.encode() not in client.stderr


SECRET_FILES = [".ENV", "Server.PEM", ".ssh/ID_RSA", "deploy/Secrets.yaml", "config/app.json"]
SENT_FILES = ["config/sub/app.json", "configs/app.json", "src/app.py"]


async def test_exclusion_ignores_case_and_matches_from_a_folder_down(fake: FakeProvider):
    client = await RawClient.start(fake, root=ROOT, exclude=["config/*.json"])
    for path in SECRET_FILES + SENT_FILES:
        await ask(client, f"{ROOT}/{path}")
    await client.stop()
    sent = [r.body["prompt"] for r in fake.received if "prompt" in r.body]
    assert len(sent) == len(SENT_FILES)
    assert client.popups() == []


async def test_a_connection_failure_logs_the_url_without_its_secrets(fake: FakeProvider):
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()  # nothing listens there now
    client = await RawClient.start(fake)
    configure(client, {"baseUrl": f"http://user:pw-4f8e@127.0.0.1:{port}/v1"})
    await ask(client, f"{ROOT}/app.py")
    await client.stop()
    log = client.stderr.decode()
    assert f"connection to http://127.0.0.1:{port}/v1/completions failed" in log, log
    assert "pw-4f8e" not in log


def test_a_logged_url_has_no_credentials_or_query():
    url = httpx.URL("https://ak:sk-4f8e@[::1]:8443/rpc/2.0/x?access_token=24.9d2b")
    assert masked_url(url) == "https://[::1]:8443/rpc/2.0/x"
