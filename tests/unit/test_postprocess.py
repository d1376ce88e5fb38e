"""Golden post-processing cases: one file a case (document with <|cursor|>, raw model output,
expected insert text), grouped by behaviour.  Adding a case needs no code."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from fim_lsp.postprocess import context_at, is_settled, postprocess, replacement
from fim_lsp.templates import QWEN, TEMPLATES, FimTemplate

CASES = sorted((Path(__file__).parent / "postprocess_cases").glob("*/*.txt"))
CURSOR = "<|cursor|>"
RANGE_END = "<|end|>"  # where the item's range must end; at the cursor when absent
SECTIONS = ("settings", "document", "model", "expected")


@dataclass(frozen=True)
class Case:
    text: str
    offset: int
    range_end: int
    model: str
    expected: str
    max_lines: int
    template: FimTemplate
    language: str

    def context(self):
        return context_at(
            self.text,
            self.offset,
            self.max_lines,
            self.template.special_tokens,
            self.language,
            suffix_seen=not self.template.prefix_only,
        )


def parse(path: Path) -> Case:
    """Sections ``--- settings`` (optional: ``maxLines``, ``template``, ``language``),
    ``--- document`` (with the cursor and optionally the range end), ``--- model``, ``---
    expected`` (the insert text)."""
    sections = dict.fromkeys(SECTIONS, "")
    current = None
    for line in path.read_text(encoding="utf-8").split("\n"):
        if line.startswith("--- ") and line[4:] in sections:
            current = line[4:]
            continue
        assert current is not None, f"{path}: text before the first section"
        sections[current] += line + "\n"
    settings = dict(
        (key.strip(), value.strip())
        for key, _, value in (line.partition(":") for line in sections["settings"].split("\n"))
        if key.strip()
    )
    document, model, expected = (sections[k][:-1] for k in ("document", "model", "expected"))
    offset = document.index(CURSOR)
    document = document.replace(CURSOR, "")
    range_end = document.find(RANGE_END)
    document = document.replace(RANGE_END, "")
    return Case(
        text=document,
        offset=offset,
        range_end=offset if range_end < 0 else range_end,
        model=model,
        expected=expected,
        max_lines=int(settings.get("maxLines", 8)),
        template=TEMPLATES[settings.get("template", "qwen")],
        language=settings.get("language", ""),
    )


@pytest.mark.parametrize("path", CASES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_golden_case(path: Path):
    case = parse(path)
    context = case.context()
    completion = postprocess(case.model, context)
    insert_text, range_end = (
        replacement(completion, context, case.offset) if completion else ("", case.range_end)
    )
    assert insert_text == case.expected
    assert range_end == case.range_end


@pytest.mark.parametrize("path", CASES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_golden_case_settles_without_changing_the_answer(path: Path):
    # The stream is closed at the first settled prefix: it must give the full answer's result.
    case = parse(path)
    context = case.context()
    model = case.model
    settled = next((i for i in range(len(model) + 1) if is_settled(model[:i], context)), None)
    if settled is not None:
        assert postprocess(model[:settled], context) == postprocess(model, context)


def test_there_are_cases_in_every_group():
    groups = {path.parent.name for path in CASES}
    assert {
        "scope",
        "branches",
        "continuation",
        "repetition",
        "mid_line",
        "closers",
        "suffix_overlap",
        "special_tokens",
        "blank",
        "syntax_gate",
    } <= groups


def context(document: str):
    offset = document.index(CURSOR)
    return context_at(document.replace(CURSOR, ""), offset, 3, QWEN.special_tokens)


def test_single_line_settles_at_the_first_newline():
    mid = context(f"f({CURSOR}, b)\n")
    assert not is_settled("a", mid)
    assert is_settled("a\n", mid)


def test_multi_line_settles_when_the_block_is_left_or_lines_run_out():
    block = context(f"def f():{CURSOR}\n")
    assert not is_settled("\n    x = 1\n    y", block)
    assert is_settled("\n    x = 1\nprint(1)\n", block)
    assert is_settled("\n    a\n    b\n    c\n", block)


def test_a_line_leaving_the_block_settles_at_its_first_character():
    body = context(f"def f():\n    x = 1{CURSOR}\n")
    assert is_settled("\n    y = 2\np", body)
    assert postprocess("\n    y = 2\np", body) == "\n    y = 2"
    assert not is_settled("\n    y = 2\n  ", body)  # only indentation so far: not known yet


def test_a_closing_bracket_line_is_read_to_its_end():
    # `}` at the block's level stays in the completion, and the model may go on (`} else {`).
    block = context(f"if (a) {{{CURSOR}\n")
    assert not is_settled("\n    x();\n}", block)
    assert postprocess("\n    x();\n} else {\n", block) == "\n    x();\n} else {"


def test_leaked_special_token_settles_at_once():
    assert is_settled("x<|fim_pad|>", context(f"y = {CURSOR}\n"))


def test_range_runs_through_closers_only():
    assert replacement('"a"', context_at("print()\n", 6, 3, ()), 6) == ('"a")', 7)
    assert replacement("a", context_at("f(, b)\n", 2, 3, ()), 2) == ("a", 2)


def test_a_loop_settles_at_its_first_repeat():
    loop = context(f"if chunk is None:{CURSOR}\n")
    assert not is_settled("\n    raise Stop()\n", loop)
    assert is_settled("\n    raise Stop()\n    raise Stop()\n", loop)
    assert postprocess("\n    raise Stop()\n    raise Stop()\n", loop) == "\n    raise Stop()"


def test_two_lines_of_the_suffix_retyped_settle_at_once():
    block = context_at(
        "def f(x):\n    y = x\n    z = g(y)\n    return compute(z)\n",
        len("def f(x):\n    y = x"),
        8,
        QWEN.special_tokens,
    )
    assert not is_settled("\n    w = y\n    z = g(y)\n", block)
    assert is_settled("\n    w = y\n    z = g(y)\n    return compute(z)\n", block)
    assert postprocess("\n    w = y\n    z = g(y)\n    return compute(z)\n", block) == (
        "\n    w = y"
    )


def test_a_line_of_the_suffix_in_another_branch_is_the_answers_own():
    text = "for c in s:\n    if c == '(':\n\n        x.append(c)\n"
    branch = context_at(text, text.index("\n\n") + 1, 8, QWEN.special_tokens)
    answer = "        x.append(c)\n    elif c == ')':\n        depth -= 1"
    assert postprocess(answer, branch) == answer
