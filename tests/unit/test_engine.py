"""The engine in-process against a scripted provider: each chunk is released by the test, so
adoption, follow-ups, prefetches and back-off are ordered by events, never by sleeps."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from fim_lsp.engine import (
    ADOPTION_GRACE_S,
    HUNG_AFTER_S,
    HUNG_UNTIL_LEARNT_S,
    SHOW_WHOLE_LINES_AFTER_S,
    Engine,
)
from fim_lsp.notices import Severity
from fim_lsp.providers.base import AuthError, RateLimitError, TransientError
from fim_lsp.settings import Settings
from fim_lsp.snapshot import Snapshot, Suggestion
from fim_lsp.store import Entry, Kind
from fim_lsp.tokens import PieceCounter
from tests.support.scripted_provider import FakeClock, ScriptedProvider, settle

URI = "file:///work/t.py"


class Harness:
    def __init__(self, **settings: Any) -> None:
        self.provider = ScriptedProvider()
        self.clock = FakeClock()
        self.notices: list[tuple[Severity, str]] = []
        self.engine = Engine(
            Settings(api_key="k", debounce_ms=0, **settings),
            lambda severity, message: self.notices.append((severity, message)),
            counter=PieceCounter(),
            provider_factory=lambda _: self.provider,
            clock=self.clock,
        )

    def ask(self, text: str, offset: int | None = None, uri: str = URI) -> asyncio.Future[Any]:
        """Ask as an editor does, without waiting: the answer may need chunks not sent yet."""
        snapshot = Snapshot(uri, uri[7:], text, len(text) if offset is None else offset)
        return asyncio.ensure_future(self.engine.complete(snapshot))

    async def answer(self, text: str, *chunks: str, end: bool = True) -> Suggestion | None:
        """Ask at the end of ``text`` and answer with ``chunks`` on a new stream."""
        asked = self.ask(text)
        await settle()
        stream = self.provider.streams[-1]
        (stream.end if end else stream.send)(*chunks)
        return await asked

    def accept(self, suggestion: Suggestion) -> None:
        self.engine.accepted(suggestion.id)


@pytest.fixture
def harness() -> Harness:
    return Harness()


async def test_typing_into_a_suggestion_is_answered_from_the_store(harness: Harness):
    shown = await harness.answer("result =", " compute(value)")
    assert shown is not None and shown.text == " compute(value)"

    for typed in (" ", " c", " co", " com"):
        rest = await harness.ask("result =" + typed)
        assert rest.text == " compute(value)"[len(typed) :]
        assert rest.id == shown.id  # the same item, so an accept names it

    assert len(harness.provider.streams) == 1
    assert harness.engine.stats.typed_ahead == 4


async def test_coming_back_to_a_state_is_answered_from_the_store(harness: Harness):
    await harness.answer("x =", " 1")
    await harness.answer("x = y", " + 2")  # typed something else: a new request

    again = await harness.ask("x =")

    assert again.text == " 1"
    assert len(harness.provider.streams) == 2
    assert harness.engine.stats.cache_hits == 1


async def test_the_store_forgets_after_its_time_to_live():
    harness = Harness(cache_ttl_s=60)
    await harness.answer("x =", " 1")
    await harness.answer("x = y", " + 2")
    await harness.answer("x = yz", " + 3")  # x = and x = y are now older than the newest two
    harness.clock.advance(61)

    asked = harness.ask("x =")
    await settle()

    assert len(harness.provider.streams) == 4  # asked upstream again
    harness.provider.streams[-1].end(" 4")
    assert (await asked).text == " 4"


async def test_a_keystroke_while_streaming_adopts_the_request_in_flight(harness: Harness):
    first = harness.ask("go =")
    await settle()
    stream = harness.provider.streams[0]
    stream.send(" slow")
    await settle()

    second = harness.ask("go = sl")
    await settle()
    stream.end("ly()")

    assert (await first).text == " slowly()"
    assert (await second).text == "owly()"
    assert len(harness.provider.streams) == 1
    assert harness.engine.stats.adopted == 1


async def test_leaving_the_state_closes_the_stream_and_asks_again(harness: Harness):
    first = harness.ask("go = ")
    await settle()
    old = harness.provider.streams[0]
    old.send("slow")

    second = harness.ask("go =")  # a backspace: that answer can never be shown
    await settle()

    assert old.closed
    assert await first is None
    harness.provider.streams[1].end("()")
    assert (await second).text == "()"


BODY = ["a = 1\n", "    b = 2\n", "    c = 3\n", "    d = 4\n", "    e = 5\n"]


async def show_two_lines(harness: Harness) -> Suggestion:
    shown = await harness.answer("def f():\n    ", *BODY[:2], end=False)
    assert shown is not None and shown.text == "a = 1\n    b = 2"
    return shown


async def test_after_an_accept_the_rest_of_the_same_answer_is_the_next_suggestion():
    harness = Harness(max_lines=2)
    shown = await show_two_lines(harness)
    stream = harness.provider.streams[0]
    assert not stream.closed  # the follow-up reads on

    harness.accept(shown)
    following = harness.ask("def f():\n    a = 1\n    b = 2")
    await settle()
    stream.send(*BODY[2:])

    assert (await following).text == "\n    c = 3"
    await settle()
    # The user is at the follow-up now, so the one after it is read too, and no further.
    assert stream.closed and stream.sent == 4  # "d = 4" is that one; "e = 5" is left unread
    assert len(harness.provider.streams) == 1
    assert (harness.engine.stats.follow_ups, harness.engine.stats.prefetches) == (2, 0)


async def test_the_answer_is_read_one_suggestion_ahead_and_no_further():
    harness = Harness(max_lines=2)
    await show_two_lines(harness)
    stream = harness.provider.streams[0]

    stream.send(*BODY[2:])  # the follow-up settles: nobody has accepted the first yet
    await settle()

    assert stream.closed


async def test_typing_away_from_a_suggestion_closes_its_follow_up():
    harness = Harness(max_lines=2)
    await show_two_lines(harness)
    stream = harness.provider.streams[0]

    harness.ask("def f():\n    z")
    await settle()

    assert stream.closed
    assert harness.engine.stats.follow_ups == 0


async def test_typing_in_another_document_closes_this_ones_follow_up():
    harness = Harness(max_lines=2)
    await show_two_lines(harness)

    harness.ask("y =", uri="file:///work/other.py")
    await settle()

    assert harness.provider.streams[0].closed


async def test_an_accept_prefetches_once_and_the_next_request_adopts_it(harness: Harness):
    shown = await harness.answer("x =", " 1")
    harness.accept(shown)
    await settle()
    [_, prefetch] = harness.provider.streams
    assert prefetch.request.prompt == "<|fim_prefix|>x = 1<|fim_suffix|><|fim_middle|>"

    following = harness.ask("x = 1")
    await settle()
    prefetch.end("\nprint(x)")

    assert (await following).text == "\nprint(x)"
    stats = harness.engine.stats
    assert (stats.prefetches, stats.accepted, len(harness.provider.streams)) == (1, 1, 2)


async def test_no_prefetch_where_the_answer_went_on_with_nothing(harness: Harness):
    shown = await harness.answer("def f():\n    ", "return 1\n", "x = 2\n", end=False)
    assert shown is not None and shown.text == "return 1"
    await settle()  # the follow-up reads "x = 2": outside the block, so nothing

    harness.accept(shown)
    assert await harness.ask("def f():\n    return 1") is None

    assert len(harness.provider.streams) == 1


async def test_a_rate_limit_pauses_for_retry_after_then_resumes(harness: Harness):
    asked = harness.ask("x =")
    await settle()
    harness.provider.streams[0].fail(RateLimitError("429", retry_after=5))
    assert await asked is None

    assert await harness.ask("x = 1") is None  # paused: nothing sent
    harness.clock.advance(5)
    resumed = harness.ask("x = 2")
    await settle()
    harness.provider.streams[1].end(" + 1")

    assert (await resumed).text == " + 1"
    assert len(harness.provider.streams) == 2
    assert [severity for severity, _ in harness.notices] == [Severity.WARNING]


async def test_rate_limits_back_off_from_one_second_doubling(harness: Harness):
    pauses = []
    for attempt in range(3):
        asked = harness.ask(f"x = {attempt}")
        await settle()
        harness.provider.streams[-1].fail(RateLimitError("429"))
        assert await asked is None
        start = harness.clock.now
        while harness.engine.gate.refusal_for_all():
            harness.clock.advance(0.5)
        pauses.append(harness.clock.now - start)

    assert pauses == [1.0, 2.0, 4.0]
    assert len(harness.notices) == 1  # said once


async def refuse(harness: Harness, text: str) -> None:
    asked = harness.ask(text)
    await settle()
    harness.provider.streams[-1].fail(AuthError("401 unauthorized"))
    assert await asked is None


async def test_a_refused_key_is_tried_again_on_a_doubling_back_off(harness: Harness):
    await refuse(harness, "x =")
    harness.clock.advance(9.9)
    assert await harness.ask("x = 1") is None
    assert len(harness.provider.streams) == 1  # paused: nothing sent

    harness.clock.advance(0.1)
    await refuse(harness, "x = 2")  # tried again after 10 s: still refused
    harness.clock.advance(19.9)
    assert await harness.ask("x = 3") is None
    assert len(harness.provider.streams) == 2

    harness.clock.advance(0.1)  # after 20 s: fixed elsewhere meanwhile
    assert (await harness.answer("x = 4", " + 1")).text == " + 1"
    assert len(harness.notices) == 1  # told once


async def test_a_refused_key_is_tried_again_at_once_when_settings_change(harness: Harness):
    await refuse(harness, "x =")
    assert await harness.ask("x = 1") is None
    assert len(harness.provider.streams) == 1
    harness.engine.update_settings(Settings(api_key="new", debounce_ms=0))
    resumed = harness.ask("x = 2")
    await settle()

    assert len(harness.provider.streams) == 2
    harness.provider.streams[1].end(" + 1")
    assert (await resumed).text == " + 1"
    [(severity, message)] = harness.notices
    assert severity is Severity.ERROR and "Check the API key" in message


async def test_a_transient_failure_is_not_remembered(harness: Harness):
    asked = harness.ask("x =")
    await settle()
    harness.provider.streams[0].fail(TransientError("503"))
    assert await asked is None

    again = harness.ask("x =")
    await settle()
    harness.provider.streams[1].end(" 1")

    assert (await again).text == " 1"
    assert harness.notices == []


async def test_a_slow_block_shows_its_whole_lines_and_the_rest_follows(harness: Harness):
    asked = harness.ask("def f():\n    ")
    await settle()
    stream = harness.provider.streams[0]
    stream.send("a = 1\n")
    await settle()
    harness.clock.advance(SHOW_WHOLE_LINES_AFTER_S)
    stream.send("    b")  # the block goes on, slowly
    await settle()

    assert asked.done()
    shown = asked.result()
    assert shown is not None and shown.text == "a = 1"
    assert not stream.closed  # the rest of the block is read as the next suggestion

    harness.accept(shown)
    following = harness.ask("def f():\n    a = 1")
    await settle()
    stream.end(" = 2\n", "\n", "print(f())\n")

    assert (await following).text == "\n    b = 2"
    assert len(harness.provider.streams) == 1


async def test_typing_on_replaces_a_hung_request_instead_of_waiting_for_it(harness: Harness):
    await harness.answer("y =", " 2")  # the model's first chunks come at once
    asked = harness.ask("x =")
    await settle()
    hung = harness.provider.streams[-1]  # sends nothing
    harness.clock.advance(HUNG_AFTER_S)

    typed_on = harness.ask("x = 1")
    await settle()

    assert hung.closed and await asked is None
    fresh = harness.provider.streams[-1]
    fresh.end(" + 1")
    assert (await typed_on).text == " + 1"


async def test_before_the_model_ever_answered_a_request_is_replaced_only_when_long_hung(
    harness: Harness,
):
    asked = harness.ask("x =")
    await settle()
    hung = harness.provider.streams[0]  # sends nothing
    harness.clock.advance(HUNG_UNTIL_LEARNT_S)

    typed_on = harness.ask("x = 1")
    await settle()

    assert hung.closed and await asked is None
    assert len(harness.provider.streams) == 2
    harness.provider.streams[-1].end(" + 1")
    assert (await typed_on).text == " + 1"


async def test_a_slow_models_first_request_is_waited_for_not_asked_again(harness: Harness):
    asked = harness.ask("x =")
    await settle()
    slow = harness.provider.streams[0]
    harness.clock.advance(1.5 * HUNG_AFTER_S)  # slower than a model that answered before

    typed_on = harness.ask("x = 1")
    await settle()
    slow.end(" 1 + 1")

    assert (await typed_on).text == " + 1"
    assert (await asked).text == " 1 + 1"
    assert len(harness.provider.streams) == 1


async def test_the_first_chunks_latency_is_learnt_as_it_comes(harness: Harness):
    asked = harness.ask("x =")
    await settle()
    slow = harness.provider.streams[0]
    harness.clock.advance(2.0)
    slow.send(" 1")  # 2 s to the first chunk; the line goes on
    await settle()
    harness.clock.advance(2.5)  # far past HUNG_AFTER_S since, well under 3 x 2 s

    typed_on = harness.ask("x = 1")
    await settle()
    slow.end(" + 1")

    assert (await typed_on).text == " + 1"
    assert (await asked).text == " 1 + 1"
    assert len(harness.provider.streams) == 1


async def test_typing_on_while_the_model_is_merely_slow_waits_for_it(harness: Harness):
    asked = harness.ask("x =")
    await settle()
    slow = harness.provider.streams[0]
    harness.clock.advance(HUNG_AFTER_S / 2)

    typed_on = harness.ask("x = 1")
    await settle()
    slow.end(" 1 + 1")

    assert (await asked).text == " 1 + 1"
    assert (await typed_on).text == " + 1"
    assert len(harness.provider.streams) == 1


async def adopted_then(harness: Harness, end: Any) -> tuple[Any, Any]:
    """Ask at "x =", type on to "x = 1" (which adopts that request), then ``end`` its stream."""
    asked = harness.ask("x =")
    await settle()
    typed_on = harness.ask("x = 1")
    await settle()
    end(harness.provider.streams[0])
    await settle()
    return asked, typed_on


@pytest.mark.parametrize(
    "end",
    [
        lambda stream: stream.fail(TransientError("HTTP 500 from the provider")),
        lambda stream: stream.end(""),  # nothing to say after "x =": maybe after "x = 1"
        lambda stream: stream.end(" 2"),  # went another way
    ],
    ids=["failed", "empty", "other"],
)
async def test_a_request_taken_over_that_brings_nothing_for_the_newest_state_is_asked_again(
    harness: Harness, end: Any
):
    asked, typed_on = await adopted_then(harness, end)

    assert len(harness.provider.streams) == 2
    assert harness.provider.streams[1].request.prefix.endswith("x = 1")
    harness.provider.streams[1].end(" + 1")
    assert (await typed_on).text == " + 1"
    await asked


@pytest.mark.parametrize(
    "error",
    [AuthError("HTTP 401: bad key"), RateLimitError("HTTP 429", retry_after=5.0)],
    ids=["refused", "rate-limited"],
)
async def test_no_asking_again_after_a_refusal_or_under_a_pause(harness: Harness, error: Any):
    _, typed_on = await adopted_then(harness, lambda stream: stream.fail(error))

    assert await typed_on is None
    assert len(harness.provider.streams) == 1


async def test_a_keystroke_superseded_meanwhile_does_not_ask_again(harness: Harness):
    harness.ask("x =")
    await settle()
    typed_on = harness.ask("x = 1")
    await settle()
    newer = harness.ask("x = 12")  # also adopts it
    await settle()
    harness.provider.streams[0].fail(TransientError("dropped"))
    await settle()

    assert len(harness.provider.streams) == 2  # for the newest only
    assert harness.provider.streams[1].request.prefix.endswith("x = 12")
    harness.provider.streams[1].end(" + 1")
    assert (await newer).text == " + 1"
    assert await typed_on is None


async def test_a_follow_up_cancelled_before_its_first_step_still_frees_its_slot(
    monkeypatch: pytest.MonkeyPatch,
):
    harness = Harness(max_lines=2)
    add = harness.engine._store.add

    def add_and_cancel_follow_ups(entry: Entry) -> None:
        add(entry)
        if entry.kind is Kind.FOLLOW_UP:
            entry.task.cancel()  # e.g. the user typed elsewhere at that very moment

    monkeypatch.setattr(harness.engine._store, "add", add_and_cancel_follow_ups)
    await show_two_lines(harness)
    await settle()

    assert harness.provider.streams[0].closed
    assert harness.engine._slots.held == 0


def invoke(harness: Harness, text: str) -> asyncio.Future[Any]:
    snapshot = Snapshot(URI, URI[7:], text, len(text))
    return asyncio.ensure_future(harness.engine.complete(snapshot, invoked=True))


async def test_a_manual_trigger_on_a_shown_suggestion_fetches_alternatives(harness: Harness):
    shown = await harness.answer("x =", " compute(1)")
    harness.provider.choices = [" compute(2)", " compute(1)", " other()"]

    browsed = await invoke(harness, "x =")

    assert len(harness.provider.alternatives_asked) == 1
    assert browsed.text == shown.text  # the ghost on screen stays first
    assert browsed.alternatives == (" compute(2)", " other()")
    again = await invoke(harness, "x =")  # known now with its alternatives: nothing asked
    assert again.alternatives == browsed.alternatives
    assert len(harness.provider.alternatives_asked) == 1


async def test_a_manual_trigger_during_a_stream_fetches_alternatives_after_it(harness: Harness):
    asked = harness.ask("x =")
    await settle()
    harness.provider.choices = [" b()", " c()"]
    browsed = invoke(harness, "x =")
    await settle()
    harness.provider.streams[0].end(" a()")

    assert (await asked).text == " a()"
    assert (await browsed).text == " a()" and (await browsed).alternatives == (" b()", " c()")
    assert len(harness.provider.streams) == 1


async def test_a_manual_trigger_keeps_the_suggestion_when_no_alternative_comes(harness: Harness):
    shown = await harness.answer("x =", " 1")
    harness.provider.choices = [" 1"]

    browsed = await invoke(harness, "x =")

    assert (browsed.text, browsed.alternatives) == (shown.text, ())


async def test_an_answer_the_editor_gave_up_on_is_kept_for_the_state_the_user_is_in(
    harness: Harness,
):
    asked = harness.ask("x =")
    await settle()
    asked.cancel()  # the editor's cancel: the user typed nothing since
    await settle()
    stream = harness.provider.streams[0]
    await asyncio.sleep(2 * ADOPTION_GRACE_S)  # longer than a cancelled request's grace
    assert not stream.closed
    stream.end(" 1")
    await settle()

    again = await harness.ask("x =")

    assert again is not None and again.text == " 1"
    assert len(harness.provider.streams) == 1


async def test_the_editor_is_told_once_when_an_answer_it_gave_up_on_is_in(harness: Harness):
    told: list[str] = []
    snapshot = Snapshot(URI, URI[7:], "x =", 3)
    asked = asyncio.ensure_future(
        harness.engine.complete(snapshot, landed=lambda: told.append("x ="))
    )
    await settle()
    asked.cancel()
    await settle()
    assert told == []

    harness.provider.streams[0].end(" 1")
    await settle()

    assert told == ["x ="]
    assert (await harness.ask("x =")).text == " 1"
    assert told == ["x ="]


async def test_nobody_is_told_of_a_kept_answer_a_newer_request_took_or_an_edit_ended(
    harness: Harness,
):
    told: list[str] = []
    for edit in (False, True):
        text = f"x{edit:d} ="
        snapshot = Snapshot(URI, URI[7:], text, len(text))
        asked = asyncio.ensure_future(
            harness.engine.complete(snapshot, landed=lambda text=text: told.append(text))
        )
        await settle()
        asked.cancel()
        await settle()
        if edit:
            harness.engine.typing(URI)
            await asyncio.sleep(2 * ADOPTION_GRACE_S)
        else:
            again = harness.ask(text)  # the editor asked again before the answer was in
            await settle()
        stream = harness.provider.streams[-1]
        if not stream.closed:
            stream.end(" 1")
        await settle()
        if not edit:
            assert (await again).text == " 1"

    assert told == []


async def test_an_answer_the_editor_gave_up_on_ends_when_the_user_types_on(harness: Harness):
    asked = harness.ask("x =")
    await settle()
    asked.cancel()
    await settle()

    harness.engine.typing(URI)
    await asyncio.sleep(2 * ADOPTION_GRACE_S)

    assert harness.provider.streams[0].closed


async def test_a_request_cancelled_after_an_edit_is_not_kept(harness: Harness):
    asked = harness.ask("x =")
    await settle()
    harness.engine.typing(URI)  # the edit arrives first, then the editor's cancel
    asked.cancel()
    await settle()
    await asyncio.sleep(2 * ADOPTION_GRACE_S)

    assert harness.provider.streams[0].closed
