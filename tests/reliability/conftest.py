"""The fake provider and the real server over stdio, started the same way by most reliability
tests.  A module sets ``REPLY`` for what its fake answers (no suggestion when it sets none),
and overrides ``client`` when its server needs other settings or an open document."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from tests.reliability.raw_client import RawClient
from tests.support.fake_provider import FakeProvider, Reply


@pytest.fixture
def fake(request: pytest.FixtureRequest) -> Iterator[FakeProvider]:
    provider = FakeProvider(getattr(request.module, "REPLY", Reply(text=""))).start()
    yield provider
    provider.stop()


@pytest.fixture
async def client(fake: FakeProvider) -> AsyncIterator[RawClient]:
    raw = await RawClient.start(fake)
    yield raw
    await raw.stop()
