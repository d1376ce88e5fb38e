"""Windows are ranked by Jaccard similarity to the lines above the cursor."""

from __future__ import annotations

from fim_lsp.context.similar import jaccard, query, rank, windows, words


def test_jaccard_of_word_sets():
    assert jaccard(words("a b c"), words("b c d")) == 0.5
    assert jaccard(frozenset(), frozenset()) == 0.0


def test_windows_cover_the_text_with_overlap():
    text = "\n".join(f"line{n}" for n in range(35))
    cut = windows(text, size=20, stride=10)
    assert [(w.start, w.end) for w in cut] == [(0, 20), (10, 30), (20, 35)]
    assert windows("", size=20, stride=10)[0].words == frozenset()


def test_the_window_sharing_the_cursor_s_words_ranks_first_one_per_file():
    unrelated = "\n".join(["import os", "print(os.getcwd())"] * 20)
    related = "\n".join(["x = 1"] * 20 + ["for item in basket:", "    total += item.price"])
    asked = query("def checkout(basket):\n    for item in basket:\n        total += item.")
    ranked = rank(asked, {"a.py": windows(unrelated), "b.py": windows(related)}, limit=2)
    assert [path for _, path, _ in ranked] == ["b.py"]  # a.py shares too little to count
    assert ranked[0][2].end == 22


def test_equal_scores_rank_by_path_so_the_order_is_stable():
    text = "for item in basket:\n    total += item.price\n"
    cut = {"z.py": windows(text), "a.py": windows(text)}
    assert [path for _, path, _ in rank(words(text), cut, limit=2)] == ["a.py", "z.py"]


def test_the_query_at_a_cursor_reads_the_lines_above_it_as_a_prefix_would():
    text = "".join(f"line{n} = value{n} + other{n % 7}\n" for n in range(60)) + "tail"
    for cursor in (0, 5, 100, len(text) // 2, len(text) - 2, len(text)):
        assert query(text, cursor) == query(text[:cursor])
