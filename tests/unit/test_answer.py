"""An answer is read only as far as its suggestions need, and closed exactly once."""

from __future__ import annotations

from collections.abc import AsyncGenerator

from fim_lsp.answer import Answer
from fim_lsp.postprocess import context_at

LINES = ["a = 1\n", "b = 2\n", "c = 3\n", "d = 4\n", "e = 5\n", "f = 6\n"]


class Model:
    """Yields LINES one chunk at a time and remembers how far it was read and if it was closed."""

    def __init__(self) -> None:
        self.yielded = 0
        self.closed = False

    async def chunks(self) -> AsyncGenerator[str, None]:
        try:
            for line in LINES:
                self.yielded += 1
                yield line
        finally:
            self.closed = True


async def test_reads_until_settled_then_the_next_read_goes_on_from_there():
    model, releases = Model(), []
    answer = Answer(model.chunks(), lambda: releases.append(1))
    two_lines = context_at("", 0, 2, ())

    first = await answer.read_until_settled(0, two_lines)
    assert first == "a = 1\nb = 2\n"
    assert model.yielded == 2  # nothing read past the settled suggestion

    second = await answer.read_until_settled(len("a = 1\nb = 2"), two_lines)
    assert second == "\nc = 3\n"
    assert model.yielded == 3 and not answer.ended


async def test_the_end_of_the_answer_is_noticed():
    model = Model()
    answer = Answer(model.chunks(), lambda: None)

    text = await answer.read_until_settled(0, context_at("", 0, 100, ()))

    assert text == "".join(LINES)
    assert answer.ended


async def test_closing_twice_closes_the_stream_and_frees_its_slot_once():
    model, releases = Model(), []
    answer = Answer(model.chunks(), lambda: releases.append(1))
    await answer.read_until_settled(0, context_at("", 0, 1, ()))

    await answer.aclose()
    await answer.aclose()

    assert model.closed
    assert releases == [1]
