"""The upstream slots shared by every document, against the scripted provider: the newest
request is served first, and a hung or superseded request gives its slot up at once."""

from __future__ import annotations

import pytest

from fim_lsp.engine import HUNG_AFTER_S, HUNG_UNTIL_LEARNT_S, MAX_UPSTREAM_REQUESTS
from tests.support.scripted_provider import settle
from tests.unit.test_engine import Harness

OTHERS = [f"file:///work/doc{n}.py" for n in range(MAX_UPSTREAM_REQUESTS + 2)]


@pytest.fixture
def harness() -> Harness:
    return Harness()


async def fill_slots(harness: Harness, first_chunk: bool = False) -> list:
    """One request in flight per document until every slot is taken."""
    asked = [harness.ask("x =", uri=uri) for uri in OTHERS[:MAX_UPSTREAM_REQUESTS]]
    await settle()
    assert len(harness.provider.streams) == MAX_UPSTREAM_REQUESTS
    if first_chunk:
        for stream in harness.provider.streams:
            stream.send(" 1")
        await settle()
    return asked


async def test_hung_requests_give_their_slots_to_another_document(harness: Harness):
    hung = await fill_slots(harness)  # the provider sends nothing for any of them
    harness.clock.advance(HUNG_UNTIL_LEARNT_S)  # nothing ever came: no latency is known

    fresh = harness.ask("y =", uri=OTHERS[-1])
    await settle()

    assert len(harness.provider.streams) == MAX_UPSTREAM_REQUESTS + 1
    assert sum(stream.closed for stream in harness.provider.streams) == 1
    harness.provider.streams[-1].end(" 2")
    assert (await fresh).text == " 2"
    assert sum(task.done() for task in hung) == 1  # that document's request got nothing


async def test_requests_that_keep_streaming_keep_their_slots(harness: Harness):
    await fill_slots(harness, first_chunk=True)
    waiting = harness.ask("y =", uri=OTHERS[-1])
    for _ in range(10):  # slow, but answering: a chunk well within the hung time
        harness.clock.advance(HUNG_AFTER_S / 2)
        for stream in harness.provider.streams:
            stream.send(" + 1")
        await settle()

    assert len(harness.provider.streams) == MAX_UPSTREAM_REQUESTS
    assert not any(stream.closed for stream in harness.provider.streams)
    harness.provider.streams[0].end("\n")  # a slot frees: the waiting request gets it
    await settle()
    harness.provider.streams[-1].end(" 2")
    assert (await waiting).text == " 2"


async def test_a_stream_that_stalls_after_its_first_chunk_gives_its_slot_up(harness: Harness):
    await fill_slots(harness, first_chunk=True)
    harness.clock.advance(HUNG_AFTER_S)  # nothing since the first chunk

    fresh = harness.ask("y =", uri=OTHERS[-1])
    await settle()

    assert sum(stream.closed for stream in harness.provider.streams) == 1
    harness.provider.streams[-1].end(" 2")
    assert (await fresh).text == " 2"


async def test_the_newest_waiting_request_gets_the_next_slot(harness: Harness):
    await fill_slots(harness, first_chunk=True)
    older = harness.ask("older =", uri=OTHERS[-2])
    newer = harness.ask("newer =", uri=OTHERS[-1])
    await settle()

    harness.provider.streams[0].end("\n")
    await settle()

    [stream] = harness.provider.streams[MAX_UPSTREAM_REQUESTS:]
    assert stream.request.prompt.startswith("<|fim_prefix|>newer =")
    stream.end(" 3")
    assert (await newer).text == " 3"
    assert not older.done()  # next in line


async def test_typing_on_while_waiting_for_a_slot_replaces_the_waiting_request(harness: Harness):
    await fill_slots(harness, first_chunk=True)
    first = harness.ask("y =", uri=OTHERS[-1])
    await settle()

    typed_on = harness.ask("y = 1", uri=OTHERS[-1])
    await settle()
    assert await first is None  # superseded while it waited: it leaves the queue

    harness.provider.streams[0].end("\n")
    await settle()
    [stream] = harness.provider.streams[MAX_UPSTREAM_REQUESTS:]
    assert stream.request.prompt.startswith("<|fim_prefix|>y = 1")
    stream.end(" + 1")
    assert (await typed_on).text == " + 1"
    assert len(harness.provider.streams) == MAX_UPSTREAM_REQUESTS + 1
