"""Steps 4-6 and 8-9 as two pure functions around the provider call: ``prepare`` turns a
snapshot into the ``Plan`` of one upstream request, ``finish`` turns what the model wrote
into the ``Suggestion`` to show.  No state, no I/O: the engine only schedules them."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from fim_lsp.context import similar
from fim_lsp.context.imports import HEAD_CHARS, language_of
from fim_lsp.context.render import as_comments, render
from fim_lsp.context.workspace import NEAR_CURSOR_CHARS, Gathered
from fim_lsp.postprocess import (
    FOLLOWING_CHARS,
    PRECEDING_CHARS,
    CompletionContext,
    context_at,
    replacement,
)
from fim_lsp.providers.base import CompletionRequest
from fim_lsp.settings import Settings
from fim_lsp.snapshot import CONTEXT_CHARS, Snapshot, Suggestion
from fim_lsp.templates import template_of
from fim_lsp.tokens import TokenCounter
from fim_lsp.window import MAX_CHARS_PER_TOKEN, cut_window

FIM_MARKERS = 3  # prefix, suffix and middle markers count one token each


@dataclass(frozen=True)
class Plan:
    """One upstream request and what is needed to read its answer."""

    request: CompletionRequest
    context: CompletionContext
    prompt_tokens: int
    context_tokens: int = 0  # of those, other files' context
    gathered: Gathered | None = None


class Text(Protocol):
    """A document as ``snapshot_near`` reads it (``documents.Document``)."""

    @property
    def length(self) -> int: ...

    def slice(self, start: int, end: int) -> str: ...


def snapshot_near(
    document: Text, uri: str, path: str, offset: int, language_id: str, settings: Settings
) -> Snapshot:
    """A snapshot holding only what this request's steps read around ``offset`` — the
    prompt's window, the cursor line with the code the filters look at either side, the
    state kept for later keystrokes, the context's query — and the document's head (its
    imports): each step then sees what it would in the whole text.  Widened while a
    long line keeps one of them out."""
    length = document.length
    before = 1 + max(settings.prefix_budget * MAX_CHARS_PER_TOKEN, CONTEXT_CHARS, NEAR_CURSOR_CHARS)
    after = 1 + max(settings.suffix_budget * MAX_CHARS_PER_TOKEN, CONTEXT_CHARS)
    while True:
        start = max(0, offset - before)
        if start <= HEAD_CHARS:
            start = 0  # the head is in the text: an accepted suggestion changes it there
        end = min(length, max(offset + after, 0 if start else HEAD_CHARS))
        text = document.slice(start, end)
        cursor = offset - start
        line_start = text.rfind("\n", 0, cursor)
        line_end = text.find("\n", cursor)
        short_before = start > 0 and (
            line_start <= PRECEDING_CHARS or similar.query_start(text, cursor) == 0
        )
        short_after = end < length and (line_end < 0 or line_end + FOLLOWING_CHARS >= len(text))
        if not short_before and not short_after:
            break
        before, after = before * 2 if short_before else before, after * 2 if short_after else after
    head = document.slice(0, HEAD_CHARS) if start else ""
    return Snapshot(uri, path, text, offset, language_id, start, length - end, head)


def context_for(snapshot: Snapshot, settings: Settings) -> CompletionContext:
    """How an answer at this cursor is cut (single or multi-line, what the template leaks)."""
    template = template_of(settings)
    return context_at(
        snapshot.text,
        snapshot.cursor,
        settings.max_lines,
        template.special_tokens,
        snapshot.language_id,
        suffix_seen=not template.prefix_only,
    )


def prepare(
    snapshot: Snapshot, settings: Settings, counter: TokenCounter, gathered: Gathered | None = None
) -> Plan:
    """Window, template and stops for this cursor; other files' context before the window,
    in the template family's repository format."""
    window = cut_window(
        snapshot.text, snapshot.cursor, counter, settings.prefix_budget, settings.suffix_budget
    )
    template = template_of(settings)
    context = context_for(snapshot, settings)
    stop = template.stops_for(window.suffix)
    stop = (*stop, "\n") if context.single_line else stop
    snippets = gathered.snippets if gathered else ()
    language = snapshot.language_id or language_of(snapshot.path)
    repo, current = (gathered.repo, gathered.current) if gathered else ("", "")
    rendered = render(template.repo_format, snippets, repo, current, language)
    context_text = rendered.head + rendered.lead
    request = CompletionRequest(
        rendered.head + template.render(rendered.lead + window.prefix, window.suffix),
        window.prefix,
        "" if template.prefix_only else window.suffix,
        settings.max_tokens,
        settings.temperature,
        settings.top_p,
        stop,
        as_comments(snippets, language),
        tuple((snippet.path, snippet.text) for snippet in snippets),
        plain=template.prefix_only,
    )
    context_tokens = counter.count(context_text) if context_text else 0
    window_tokens = window.prefix_tokens + window.suffix_tokens + FIM_MARKERS
    return Plan(request, context, window_tokens + context_tokens, context_tokens, gathered)


def finish(snapshot: Snapshot, plan: Plan, choices: Sequence[str]) -> Suggestion | None:
    """The first choice as the suggestion (the others as its alternatives), or None when the
    model had nothing to add here."""
    if not choices or not choices[0]:
        return None
    first, *others = (replacement(choice, plan.context, snapshot.offset) for choice in choices)
    return Suggestion(first[0], first[1], new_id(), alternatives=tuple(text for text, _ in others))


def new_id() -> str:
    """An item id, so the editor's accept names the suggestion it applied."""
    return uuid.uuid4().hex[:12]
