"""Properties over holes cut from real files (this repository's corpus and the standard
library): a true middle survives the filters, and closing the stream at the first settled
prefix never changes the answer."""

from __future__ import annotations

import random
from functools import cache

from hypothesis import given, settings
from hypothesis import strategies as st

from fim_lsp.postprocess import context_at, is_settled, postprocess, replacement
from fim_lsp.templates import QWEN
from tests.support.holes import Hole, Source, answers, corpus, cut_holes

MAX_LINES = 8
# Derandomized: the same holes on every run, so a failure is a change in the code, not luck.
EXAMPLES = settings(max_examples=150, deadline=None, derandomize=True, database=None)


@cache
def sources() -> list[Source]:
    return corpus(stdlib_files=30)


def hole_for(seed: int, kind: str) -> Hole | None:
    holes = [h for h in cut_holes(sources(), 1, seed) if h.kind == kind]
    return holes[0] if holes else None


def applied(hole: Hole, raw: str) -> str:
    context = context_at(hole.document, hole.offset, MAX_LINES, QWEN.special_tokens, hole.language)
    completion = postprocess(raw, context)
    insert, end = replacement(completion, context, hole.offset)
    return hole.document[: hole.offset] + insert + hole.document[end:]


@EXAMPLES
@given(st.integers(0, 10**6), st.sampled_from(["mid_line", "whole_line", "auto_closed"]))
def test_a_true_middle_within_a_line_survives(seed: int, kind: str):
    hole = hole_for(seed, kind)
    if hole is not None:
        assert applied(hole, hole.middle) == hole.truth


@EXAMPLES
@given(st.integers(0, 10**6), st.sampled_from(["mid_line", "whole_line", "block", "auto_closed"]))
def test_settling_early_never_changes_the_answer(seed: int, kind: str):
    hole = hole_for(seed, kind)
    if hole is None:
        return
    context = context_at(hole.document, hole.offset, MAX_LINES, QWEN.special_tokens, hole.language)
    for raw in answers(hole, random.Random(seed)).values():
        settled = next((i for i in range(len(raw) + 1) if is_settled(raw[:i], context)), None)
        if settled is not None:
            assert postprocess(raw[:settled], context) == postprocess(raw, context)
