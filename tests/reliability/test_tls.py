"""TLS stays verified, with the one context every provider shares.

A real HTTPS fake on 127.0.0.1 with a certificate from a throw-away CA (trustme): a server
told to trust that CA (``SSL_CERT_FILE``, as a company's proxy CA would be) completes, also
after settings change and a new provider is made; a server that was not told refuses the
connection before a byte of the prompt leaves.
"""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from pathlib import Path

import pytest
import trustme

from tests.reliability.raw_client import API_KEY, RawClient
from tests.support.fake_provider import FakeProvider, Reply

URI = "file:///work/project/tls.py"


@pytest.fixture
def authority() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def https_fake(authority: trustme.CA) -> Iterator[FakeProvider]:
    fake = FakeProvider(Reply(text=" + 1\n"))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("127.0.0.1").configure_cert(context)
    fake._server.socket = context.wrap_socket(fake._server.socket, server_side=True)
    fake.start()
    yield fake
    fake.stop()


async def start(fake: FakeProvider, env: dict[str, str]) -> RawClient:
    client = await RawClient.launch(env=env)
    await client.request(
        "initialize",
        {"processId": None, "capabilities": {}, "initializationOptions": settings(fake, "a")},
    )
    client.notify("initialized", {})
    client.open(URI, "x = 1\nvalue = x")
    return client


def settings(fake: FakeProvider, model: str) -> dict:
    url = f"https://127.0.0.1:{fake.port}/compatible-mode/v1"
    return {"baseUrl": url, "apiKey": API_KEY, "model": model, "debounceMs": 0, "cacheSize": 0}


def items(answer: dict) -> list[str]:
    return [item["insertText"] for item in (answer.get("result") or {}).get("items", [])]


async def test_a_trusted_certificate_completes_also_after_a_settings_change(
    https_fake: FakeProvider, authority: trustme.CA, tmp_path: Path
):
    bundle = tmp_path / "ca.pem"
    authority.cert_pem.write_to_path(str(bundle))
    client = await start(https_fake, {"SSL_CERT_FILE": str(bundle)})
    try:
        assert items(await client.complete(URI, 1, 9)) == [" + 1"]
        client.notify("workspace/didChangeConfiguration", {"settings": settings(https_fake, "b")})
        client.change(URI, 2, [{"text": "x = 2\nvalue = x"}])
        assert items(await client.complete(URI, 1, 9)) == [" + 1"]
        assert [r.body["model"] for r in https_fake.received] == ["a", "b"]
    finally:
        await client.stop()


async def test_an_unknown_certificate_is_refused(https_fake: FakeProvider):
    client = await start(https_fake, {})  # certifi's bundle: the throw-away CA is not in it
    try:
        assert items(await client.complete(URI, 1, 9)) == []
        assert https_fake.received == []  # the handshake failed: no request was sent
        assert b"TLS certificate is not trusted (unable to get local issuer" in client.stderr
    finally:
        await client.stop()
