from __future__ import annotations

from fim_lsp.debounce import EAGER, PATIENT, Rhythm, choose_delay_ms, context_factor
from fim_lsp.snapshot import Snapshot, Suggestion
from fim_lsp.typeahead import continue_typed, typed_since


def snap(text: str, offset: int) -> Snapshot:
    return Snapshot("file:///t.py", "/t.py", text, offset)


def test_typed_since_sees_only_insertions_at_the_cursor():
    before = snap("x = \ny", 4)
    assert typed_since(before, snap("x = fo\ny", 6)) == "fo"
    assert typed_since(before, snap("x = \ny", 4)) == ""
    assert typed_since(before, snap("x =\ny", 3)) is None  # backspace
    assert typed_since(before, snap("x = fo\nz", 6)) is None  # the suffix changed
    assert typed_since(before, snap("z = fo\ny", 6)) is None  # the prefix changed


def test_continue_typed_gives_the_rest_and_shifts_the_range():
    before = snap("print()\n", 6)
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
    assert context_factor("x - ", "y") == 1.0


def test_delay_follows_the_rhythm_within_bounds():
    assert choose_delay_ms(150, "x - ", "y", None, None, False) == 150
    assert choose_delay_ms(150, "x - ", "y", 100, None, False) == 120
    assert choose_delay_ms(150, "self.", "", 140, None, False) == 140  # never below the gap
    assert choose_delay_ms(150, "x - ", "y", 1000, None, False) == 300
    assert choose_delay_ms(150, "x - ", "y", 10, None, False) == 75
    assert choose_delay_ms(150, "x - ", "y", None, 40, False) == 40
    assert choose_delay_ms(150, "prin", "", None, None, True) == 0


def test_rhythm_keeps_only_burst_gaps():
    rhythm = Rhythm()
    for at in (0.0, 0.1, 0.2, 0.3, 2.0, 2.1, 2.2, 2.3):
        rhythm.keystroke(at)
    assert 99 < rhythm.burst_gap_ms() < 101
