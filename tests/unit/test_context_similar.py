"""Windows are ranked by Jaccard similarity to the lines above the cursor."""

from __future__ import annotations

from fim_lsp.context.similar import Window, bucket, jaccard, query, rank, windows, words


def reader(texts: dict[str, str]):
    """``rank``'s way to read a window back, from whole texts."""

    def read(path: str, window: Window) -> str:
        return "\n".join(texts[path].splitlines()[window.start : window.end])

    return read


def test_jaccard_from_the_sizes():
    a, b = words("a b c"), words("b c d")
    assert jaccard(len(a & b), len(a), len(b)) == 0.5
    assert jaccard(0, 0, 0) == 0.0


def test_windows_cover_the_text_with_overlap():
    text = "\n".join(f"line{n}" for n in range(35))
    cut = windows(text, size=20, stride=10)
    assert [(w.start, w.end) for w in cut] == [(0, 20), (10, 30), (20, 35)]
    assert list(cut.windows_holding(bucket("line15"))) == [0, 1]  # both windows with line 15
    assert list(cut.windows_holding(bucket("line34"))) == [2]
    empty = windows("", size=20, stride=10)
    assert [(w.start, w.end) for w in empty] == [(0, 0)] and len(empty.holding) == 0


def test_the_index_is_held_in_arrays_sized_to_what_they_hold():
    cut = windows("".join(f"name{n} = {n}\n" for n in range(5000)))
    assert (cut.sizes.typecode, cut.starts.typecode, cut.holding.typecode) == ("H", "H", "H")
    assert sum(cut.sizes) == len(cut.holding)  # each window listed once per bucket it holds


def test_the_best_window_is_the_one_an_exact_score_per_window_picks():
    text = "".join(f"x{n % 13} = y{n % 7} + z{n % 29}\n" for n in range(200))
    cut = windows(text)
    rows = text.splitlines()
    asked = words("x1 = y2 + z3\nx4 = y5\n")
    [(score, _, window)] = rank(asked, {"a.py": cut}, 1, reader({"a.py": text}))
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
    texts = {"a.py": unrelated, "b.py": related}
    cuts = {path: windows(text) for path, text in texts.items()}
    ranked = rank(asked, cuts, 2, reader(texts))
    assert [path for _, path, _ in ranked] == ["b.py"]  # a.py shares too little to count
    assert ranked[0][2].end == 22


def test_files_are_scored_until_the_rest_cannot_beat_the_best_found():
    texts = {f"{n:02}.py": f"for item in stock_{n}:\n    count_{n} += 1\n" * 15 for n in range(12)}
    texts["best.py"] = "for item in basket:\n    total += item.price\n" * 10
    read_paths = []
    read = reader(texts)

    def counted(path: str, window: Window) -> str:
        read_paths.append(path)
        return read(path, window)

    asked = words("for item in basket:\n    total += item.price\n")
    ranked = rank(asked, {path: windows(text) for path, text in texts.items()}, 1, counted)
    assert [path for _, path, _ in ranked] == ["best.py"]
    assert set(read_paths) == {"best.py"}  # the others' estimates (~0.4) are below its 1.0


def test_equal_scores_rank_by_path_so_the_order_is_stable():
    text = "for item in basket:\n    total += item.price\n"
    texts = {"z.py": text, "a.py": text}
    cut = {path: windows(text) for path, text in texts.items()}
    assert [path for _, path, _ in rank(words(text), cut, 2, reader(texts))] == ["a.py", "z.py"]


def test_the_query_at_a_cursor_reads_the_lines_above_it_as_a_prefix_would():
    text = "".join(f"line{n} = value{n} + other{n % 7}\n" for n in range(60)) + "tail"
    for cursor in (0, 5, 100, len(text) // 2, len(text) - 2, len(text)):
        assert query(text, cursor) == query(text[:cursor])


def test_windows_count_lines_as_the_editor_numbers_them():
    # A form feed is no line break in LSP (splitlines would break there and shift every
    # line after it, so a recent edit's place would show the wrong lines).
    assert windows("zero\x0cstill zero\r\none\rtwo\nthree").line_count == 4
