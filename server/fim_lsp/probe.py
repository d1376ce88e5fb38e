"""``fim-lsp check``'s capability probe: does the endpoint fill a hole as a FIM model does?

A FIM model answers a hole with its middle.  An instruct or chat model given the same prompt
talks (prose), wraps code in fences, or starts over with the code before the cursor; and an
endpoint that drops the code after the cursor (no ``suffix``, no ``/infill``, no FIM
markers) gets a model that retypes it.  Two tiny holes with known middles tell these apart,
and the second one, streamed, gives the first-token time and the generation speed.  A model
that fills no hole but continues the code before the cursor alone is a plain completion
model: usable with the ``prefix-only`` template, which the probe then recommends.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

from fim_lsp.providers.base import CompletionRequest, Provider, ProviderError
from fim_lsp.settings import Settings
from fim_lsp.templates import PREFIX_ONLY, FimTemplate
from fim_lsp.tokens import default_counter

# Only the code after the hole says what belongs in it; a model that never saw it retypes it.
SUFFIX_PREFIX = 'colors = ["red", '
SUFFIX_SUFFIX = '"blue"]\nprint(len(colors))\n'
SUFFIX_TOKENS = 16
_PROSE = re.compile(r"^\s*(sure|certainly|here|to |the |this |i |you |it |of course)", re.I)


@dataclass(frozen=True)
class Streamed:
    text: str
    first_chunk_s: float | None
    last_chunk_s: float | None


def model_kind(answer: str, prefix: str) -> tuple[str, str]:
    """("FIM", why) or ("instruct", why) for the answer to a hole after ``prefix``."""
    if "```" in answer:
        return "instruct", "it wrapped its answer in code fences"
    first_line = next((line for line in prefix.split("\n") if line.strip()), "")
    if first_line and answer.lstrip().startswith(first_line.strip()):
        return "instruct", "it started over with the code before the cursor"
    words = answer.split()
    if _PROSE.match(answer) or (len(words) >= 6 and answer.rstrip().endswith((".", "!", ":"))):
        return "instruct", "it answered in prose"
    if not answer.strip():
        return "unknown", "it answered nothing"
    return "FIM", "it answered with the missing code only"


def suffix_honoured(answer: str) -> bool:
    """Whether the answer to the colours hole leaves the code after it alone."""
    return '"blue"' not in answer and "print(" not in answer


async def describe(
    provider: Provider, template: FimTemplate, settings: Settings, answer: str, prefix: str
) -> list[str]:
    """The probe's lines for ``fim-lsp check``, each with the fix when something is wrong."""
    kind, why = model_kind(answer, prefix)
    if template.prefix_only:
        return await _describe_prefix_only(provider, settings, kind, why, prefix)
    if kind != "FIM":
        # Is it a plain completion model, which writes code after the code before the
        # cursor but does not follow FIM markers?  Then it is usable without the suffix.
        plain = await _plain(provider, settings, prefix)
        if plain is not None and model_kind(plain.text, prefix)[0] == "FIM":
            return [
                f"model: not a FIM model (to the {template.name} FIM prompt {why}; to the code "
                f"before the cursor alone it answered {plain.text!r})",
                f'  use template {PREFIX_ONLY.name!r} (settings: "template": '
                f'"{PREFIX_ONLY.name}", or FIM_LSP_TEMPLATE={PREFIX_ONLY.name}): the model is sent '
                "the code before the cursor alone, and each completion stops where the code "
                "after the cursor begins",
                "code after the cursor: not used (the model does not fill holes)",
                _speed(plain),
            ]
    lines = [f"model: {kind} ({why})"]
    if kind == "instruct":
        lines.append(_INSTRUCT_FIX.format(template=settings.template, model=settings.model))
    request = CompletionRequest(
        template.render(SUFFIX_PREFIX, SUFFIX_SUFFIX),
        SUFFIX_PREFIX,
        SUFFIX_SUFFIX,
        SUFFIX_TOKENS,
        settings.temperature,
        settings.top_p,
        (*template.stop, "\n"),
    )
    try:
        streamed = await _stream(provider, request)
    except ProviderError as error:
        return [*lines, f"code after the cursor: not probed ({error})"]
    if suffix_honoured(streamed.text):
        lines.append("code after the cursor: honoured")
    else:
        lines.append(
            f"code after the cursor: ignored (it retyped it: {streamed.text!r}); with "
            "provider openai or ollama set fimMode (template: FIM markers in the prompt; "
            "suffix: a suffix field), or use an endpoint with /infill or a suffix field"
        )
    lines.append(_speed(streamed))
    return lines


_INSTRUCT_FIX = (
    "  this is an instruct/chat model as called: use a base model (e.g. Qwen2.5-Coder-7B, not "
    "-Instruct) or one that serves FIM, or check template (now {template!r}) matches {model!r}"
)


async def _describe_prefix_only(
    provider: Provider, settings: Settings, kind: str, why: str, prefix: str
) -> list[str]:
    """Template prefix-only: no hole to fill, so only whether it writes code, and how fast."""
    if kind == "FIM":
        lines = ["model: completes code from the code before the cursor (template prefix-only)"]
    else:
        lines = [f"model: {kind} ({why})"]
        if kind == "instruct":
            lines.append(_INSTRUCT_FIX.format(template=settings.template, model=settings.model))
    lines.append("code after the cursor: not sent (template prefix-only); completions stop there")
    plain = await _plain(provider, settings, prefix)
    return [*lines, _speed(plain) if plain else "first token: not probed"]


async def _plain(provider: Provider, settings: Settings, prefix: str) -> Streamed | None:
    """The model's streamed answer to the code before the cursor alone (None on failure)."""
    request = CompletionRequest(
        PREFIX_ONLY.render(prefix, ""),
        prefix,
        "",
        SUFFIX_TOKENS,
        settings.temperature,
        settings.top_p,
        (*PREFIX_ONLY.stop, "\n"),
        plain=True,
    )
    try:
        return await _stream(provider, request)
    except ProviderError:
        return None


async def _stream(provider: Provider, request: CompletionRequest) -> Streamed:
    started = time.perf_counter()
    text, first, last = "", None, None
    async for chunk in provider.stream(request):
        last = time.perf_counter() - started
        first = last if first is None else first
        text += chunk
    return Streamed(text, first, last)


def _speed(streamed: Streamed) -> str:
    if streamed.first_chunk_s is None or streamed.last_chunk_s is None:
        return "first token: no answer to time"
    tokens = default_counter().count(streamed.text)
    span = streamed.last_chunk_s - streamed.first_chunk_s
    rate = f", about {(tokens - 1) / span:.0f} tokens/s" if tokens > 1 and span > 0 else ""
    return f"first token in {streamed.first_chunk_s * 1000:.0f} ms{rate}"
