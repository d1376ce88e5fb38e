"""Windows are ranked by Jaccard similarity to the lines above the cursor."""

from __future__ import annotations

from fim_lsp.context.similar import jaccard, lines, query, rank, windows, words


def test_jaccard_from_the_sizes():
    a, b = words("a b c"), words("b c d")
    assert jaccard(len(a & b), len(a), len(b)) == 0.5
    assert jaccard(0, 0, 0) == 0.0


def test_windows_cover_the_text_with_overlap():
    text = "\n".join(f"line{n}" for n in range(35))
    cut = windows(text, size=20, stride=10)
    assert [(w.start, w.end) for w in cut] == [(0, 20), (10, 30), (20, 35)]
    assert list(cut.sizes) == [20, 20, 15]
    assert list(cut.holding["line15"]) == [0, 1]  # in both windows that cover line 15
    empty = windows("", size=20, stride=10)
    assert [(w.start, w.end) for w in empty] == [(0, 0)] and empty.holding == {}


def test_the_index_scores_every_window_as_a_set_per_window_would():
    text = "".join(f"x{n % 13} = y{n % 7} + z{n % 29}\n" for n in range(200))
    cut = windows(text)
    rows = text.splitlines()
    asked = words("x1 = y2 + z3\nx4 = y5\n")
    [(score, _, window)] = rank(asked, {"a.py": cut}, limit=1)
    scores = []
    for w in cut:
        found = words("\n".join(rows[w.start : w.end]))
        scores.append(jaccard(len(asked & found), len(asked), len(found)))
    assert score == max(scores)
    assert window == cut[scores.index(max(scores))]  # the first of the best


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


def test_lines_are_numbered_as_the_editor_numbers_them():
    # A form feed is no line break in LSP (splitlines would break there and shift every
    # line after it, so a recent edit's place would show the wrong lines).
    text = "zero\x0cstill zero\r\none\rtwo\nthree"
    cut = windows(text)
    assert cut.line_count == 4
    assert lines(text, cut, 1, 3) == "one\ntwo"
    assert lines(text, cut, 0, 99) == "zero\x0cstill zero\none\ntwo\nthree"
    assert lines("a\n", windows("a\n"), 0, 5) == "a"
