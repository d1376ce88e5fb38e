"""Which snippets fit the context budget, and in what order they are written.

Each source first spends its own share, best candidate first; what a source leaves unspent
goes to the others in a second pass.  The chosen snippets are then written in a fixed order
(source by source, each in its candidates' order), never in order of score, so that prompts
of consecutive keystrokes share their beginning and providers' prefix caches hit."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from fim_lsp.context.snippet import Snippet


def choose(
    candidates: Sequence[Sequence[Snippet]],
    shares: Sequence[float],
    budget: int,
    count: Callable[[str], int],
) -> list[tuple[Snippet, int]]:
    """(snippet, tokens) pairs whose tokens sum to at most ``budget``."""
    taken: dict[tuple[int, int], int] = {}
    spent = 0
    for source, (found, share) in enumerate(zip(candidates, shares, strict=True)):
        allowance = int(budget * share)
        for position, snippet in enumerate(found):
            tokens = count(snippet.text)
            if tokens <= allowance:
                taken[(source, position)] = tokens
                allowance -= tokens
                spent += tokens
    for source, found in enumerate(candidates):
        for position, snippet in enumerate(found):
            if (source, position) not in taken:
                tokens = count(snippet.text)
                if spent + tokens <= budget:
                    taken[(source, position)] = tokens
                    spent += tokens
    return [(candidates[s][p], taken[(s, p)]) for s, p in sorted(taken)]
