"""Each source spends its share first, then what is left; the order written never depends on
which source spent more."""

from __future__ import annotations

from fim_lsp.context.budget import choose
from fim_lsp.context.snippet import Snippet


def snippet(text: str, source: str = "s") -> Snippet:
    return Snippet(f"{text}.py", text, source)


def count(text: str) -> int:
    return len(text)


def test_each_source_within_its_share_then_the_rest_goes_around():
    definitions = [snippet("a" * 40), snippet("b" * 40), snippet("c" * 10)]
    similar = [snippet("d" * 20)]
    chosen = choose([definitions, similar], [0.5, 0.5], 100, count)
    # a (40) fits the first share of 50, b does not, c does; d fits its share; then b is
    # left out (40 more would pass 100), and nothing is over budget.
    assert [s.text[0] for s, _ in chosen] == ["a", "c", "d"]
    assert sum(tokens for _, tokens in chosen) <= 100


def test_an_empty_source_leaves_its_share_to_the_others():
    definitions = [snippet("a" * 40), snippet("b" * 40)]
    chosen = choose([definitions, [], []], [0.5, 0.3, 0.2], 100, count)
    assert [s.text[0] for s, _ in chosen] == ["a", "b"]


def test_the_written_order_is_the_candidates_order_not_the_order_chosen():
    first = [snippet("a" * 60), snippet("b" * 10)]  # b is taken in the first pass, a later
    chosen = choose([first, [snippet("c" * 10)]], [0.5, 0.5], 100, count)
    assert [s.text[0] for s, _ in chosen] == ["a", "b", "c"]
