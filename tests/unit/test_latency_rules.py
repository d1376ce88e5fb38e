from __future__ import annotations

from fim_lsp.debounce import EAGER, NEUTRAL, PATIENT, Rhythm, choose_delay_ms, context_factor
from fim_lsp.snapshot import Snapshot, Suggestion
from fim_lsp.typeahead import continue_typed, typed_since


def snap(text: str, offset: int) -> Snapshot:
    return Snapshot("file:///t.py", "/t.py", text, offset)


def test_typed_since_sees_only_insertions_at_the_cursor():
    before = snap("x = \ny", 4).state
    assert typed_since(before, snap("x = fo\ny", 6)) == "fo"
    assert typed_since(before, snap("x = \ny", 4)) == ""
    assert typed_since(before, snap("x =\ny", 3)) is None  # backspace
    assert typed_since(before, snap("x = fo\nz", 6)) is None  # the suffix changed
    assert typed_since(before, snap("z = fo\ny", 6)) is None  # the prefix changed


def test_continue_typed_gives_the_rest_and_shifts_the_range():
    before = snap("print()\n", 6).state
    shown = Suggestion('"hi")', 7, "id1")
    rest = continue_typed(before, shown, snap('print("h)\n', 8))
    assert rest == Suggestion('i")', 9, "id1")
    assert continue_typed(before, shown, snap('print("x)\n', 8)) is None
    assert continue_typed(before, shown, snap('print("hi"))\n', 10)) is None  # all typed


def test_context_factor():
    assert context_factor("self.", "") == EAGER
    assert context_factor("    return ", "") == EAGER
    assert context_factor("    ", "") == EAGER
    assert context_factor("foo()", "") == EAGER
    assert context_factor("prin", "") == PATIENT
    assert context_factor("x - ", "y") == NEUTRAL
    assert EAGER < NEUTRAL < PATIENT


def test_delay_starts_from_the_burst_ceiling_and_stretches_by_context():
    assert choose_delay_ms(150, "self.", "", None, None, False) == 150  # rhythm not known yet
    assert choose_delay_ms(150, "x - ", "y", None, None, False) == 195
    assert choose_delay_ms(150, "self.", "", 140, None, False) == 161  # 1.15 x the slow gap
    assert choose_delay_ms(150, "prin", "", 100, None, False) == 207


def test_delay_never_lets_a_key_at_the_users_pace_find_a_request_sent():
    # A fast model shortens the stretch for context, never the ceiling itself.
    assert choose_delay_ms(150, "prin", "", 140, 40, False) == 161
    assert choose_delay_ms(150, "prin", "", None, 200, False) == 200


def test_delay_stays_within_bounds_and_a_manual_trigger_never_waits():
    assert choose_delay_ms(150, "x - ", "y", 1000, None, False) == 450
    assert choose_delay_ms(150, "x - ", "y", 10, None, False) == 75
    assert choose_delay_ms(150, "prin", "", None, None, True) == 0
    assert choose_delay_ms(0, "prin", "", 140, None, False) == 0


def test_rhythm_keeps_only_burst_gaps():
    rhythm = Rhythm()
    for at in (0.0, 0.1, 0.2, 0.3, 0.9, 1.0, 1.1, 1.2):  # 0.6 s is a pause, not a gap
        rhythm.keystroke(at)
    assert 99 < rhythm.burst_gap_ms() < 101
