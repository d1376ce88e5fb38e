from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from fim_lsp.positions import line_starts, offset_at, units, without_break

TEXT = 'a = "你好😀" + b\nsecond\u2028same line\r\nthird'


def test_utf16_counts_emoji_as_two_units():
    starts = line_starts(TEXT)
    after_emoji = TEXT.index("😀") + 1
    assert offset_at(TEXT, starts, 0, 5 + 2 + 2, "utf-16") == after_emoji


def test_utf8_counts_bytes():
    starts = line_starts(TEXT)
    after_emoji = TEXT.index("😀") + 1
    assert offset_at(TEXT, starts, 0, 5 + 6 + 4, "utf-8") == after_emoji


def test_only_lsp_line_breaks_count():
    starts = line_starts(TEXT)
    assert len(starts) == 3  # U+2028 does not end a line in LSP
    assert TEXT[offset_at(TEXT, starts, 2, 0, "utf-16") :] == "third"


def test_a_lone_carriage_return_ends_a_line():
    text = "one\rtwo\r\nthree"
    assert line_starts(text) == [0, 4, 9]
    assert offset_at(text, line_starts(text), 1, 99, "utf-16") == text.index("\r\n")


def test_past_the_end():
    starts = line_starts(TEXT)
    assert offset_at(TEXT, starts, 9, 0, "utf-16") is None
    assert offset_at(TEXT, starts, 0, 999, "utf-16") == TEXT.index("\n")
    assert offset_at(TEXT, starts, 1, 999, "utf-16") == TEXT.index("\r\n")


@given(st.text(), st.sampled_from(["utf-8", "utf-16", "utf-32"]))
def test_round_trip(text, encoding):
    starts = line_starts(text)
    for line, start in enumerate(starts):
        end = starts[line + 1] if line + 1 < len(starts) else len(text)
        line_text = without_break(text[start:end])
        for cut in range(len(line_text) + 1):
            assert (
                offset_at(text, starts, line, units(line_text[:cut], encoding), encoding)
                == start + cut
            )
