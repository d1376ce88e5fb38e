"""Prompt windows stay inside their budgets, keep text contiguous, and cost O(budget)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from fim_lsp.tokens import default_counter
from fim_lsp.window import cut_window
from tests.support.qwen_bpe import qwen_bpe

QWEN = default_counter()
source_text = st.text(
    alphabet=st.sampled_from(list("abc xyz()[]{}=:;\n\t    你好😀é\r")), max_size=3000
)


@settings(max_examples=150, deadline=None)
@given(
    text=source_text,
    data=st.data(),
    prefix_budget=st.integers(1, 300),
    suffix_budget=st.integers(0, 100),
)
def test_window_fits_budget_and_is_contiguous(text, data, prefix_budget, suffix_budget):
    offset = data.draw(st.integers(0, len(text)))
    window = cut_window(text, offset, QWEN, prefix_budget, suffix_budget)

    assert QWEN.count(window.prefix) == window.prefix_tokens <= prefix_budget
    assert QWEN.count(window.suffix) == window.suffix_tokens <= suffix_budget
    assert text[:offset].endswith(window.prefix)
    assert text[offset:].startswith(window.suffix)


def test_lines_far_from_the_cursor_are_dropped_first():
    text = "".join(f"line_{i} = {i}\n" for i in range(1000))
    offset = text.index("line_500")
    window = cut_window(text, offset, QWEN, 60, 20)

    assert window.prefix.endswith("line_499 = 499\n")
    assert window.prefix.startswith("line_")  # whole lines only
    assert window.suffix.startswith("line_500 = 500\n")
    assert window.suffix.endswith("\n")


def test_whole_budget_is_used_when_the_file_is_large():
    text = "".join(f"value_{i} = compute({i})\n" for i in range(100_000))
    window = cut_window(text, len(text) // 2, QWEN, 1536, 512)
    assert 1536 - 20 < window.prefix_tokens <= 1536
    assert 512 - 20 < window.suffix_tokens <= 512


def test_one_huge_line_is_cut_by_characters():
    text = "x = [" + "1, " * 50_000 + "]"
    window = cut_window(text, len(text) - 1, QWEN, 100, 10)
    assert window.prefix_tokens <= 100 and window.prefix.endswith("1, ")
    assert window.suffix == "]"


def test_the_estimate_stays_close_to_the_real_tokenizer():
    """Budgets are counted by estimate: within 15 % of Qwen's BPE on each source file of
    ours, within 20 % on non-ASCII lines."""
    from pathlib import Path

    import fim_lsp

    real = qwen_bpe()
    for path in Path(fim_lsp.__file__).parent.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        exact = real.count(text)
        if exact >= 200:
            assert abs(QWEN.count(text) - exact) <= 0.15 * exact, path.name
    for line in NON_ASCII_LINES:
        exact = real.count(line * 10)
        assert abs(QWEN.count(line * 10) - exact) <= 0.2 * exact, line


NON_ASCII_LINES = [
    "def 你好():\n    return '世界😀'\n",
    "# 计算两个数的和，并返回结果。如果输入不是数字，则抛出异常。\n",  # noqa: RUF001
    "# この関数はリストを並べ替えます\n",
    "print('🎉🎉 done ✅')\n",
    "# café déjà vu naïve résumé\n",
]
