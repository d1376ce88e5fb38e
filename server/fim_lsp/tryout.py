"""``fim-lsp complete`` and ``fim-lsp check``: try the setup without an editor."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import httpx

from fim_lsp import probe
from fim_lsp.context.imports import language_of
from fim_lsp.engine import Engine, Timing
from fim_lsp.notices import Severity
from fim_lsp.positions import line_starts, offset_at
from fim_lsp.providers import make_provider
from fim_lsp.providers.base import (
    AuthError,
    CompletionRequest,
    MissingKeyError,
    ProviderError,
    RateLimitError,
    RejectedError,
)
from fim_lsp.providers.discovery import candidates, discover, needs_discovery
from fim_lsp.providers.registry import REGISTRY
from fim_lsp.settings import Settings
from fim_lsp.snapshot import Snapshot
from fim_lsp.templates import template_of

CHECK_PREFIX = "def add(a, b):\n    return"


def _print_notice(severity: Severity, message: str) -> None:
    print(message, file=sys.stderr)


async def complete(settings: Settings, args: argparse.Namespace) -> int:
    try:
        text = args.file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        print(f"fim-lsp: cannot read {args.file}: {error}", file=sys.stderr)
        return 2
    offset = offset_at(text, line_starts(text), args.line, args.character, "utf-32")
    if offset is None:
        print(f"fim-lsp: line {args.line} is past the end of {args.file}", file=sys.stderr)
        return 2
    engine = Engine(settings, _print_notice)
    engine.workspace.folders = [str(_project_folder(args.file.resolve()))]
    await engine.workspace.warm(str(args.file.resolve()), text)
    path = args.file.resolve()
    # The language an editor would name: the Python syntax gate needs it.
    snapshot = Snapshot(path.as_uri(), str(path), text, offset, language_of(str(path)))
    started = time.perf_counter()
    try:
        suggestion = await engine.complete(snapshot, invoked=True)
    finally:
        waited_s = time.perf_counter() - started
        await engine.aclose()
    timing = engine.last_timing
    if args.verbose:
        print(_timing_line(timing, engine.counter.name, settings, waited_s), file=sys.stderr)
    if args.verbose and timing is not None and timing.context is not None:
        context = timing.context
        for snippet, tokens in zip(context.snippets, context.tokens, strict=True):
            print(f"context: {snippet.path} ({snippet.source}, {tokens} tokens)", file=sys.stderr)
        if not context.snippets:
            print("context: none", file=sys.stderr)
    if suggestion is None:
        print("(no completion)", file=sys.stderr)
        return 1
    print(suggestion.text)
    return 0


def _timing_line(timing: Timing | None, counter: str, settings: Settings, waited_s: float) -> str:
    """Where the time went, on every path: streamed or not, answered, empty or failed."""
    if timing is None:
        return f"no request sent; answer: {waited_s * 1000:.0f} ms"
    if timing.first_chunk_s is not None:
        first = f"{timing.first_chunk_s * 1000:.0f} ms"
    elif settings.alternatives > 1:
        first = f"not streamed ({settings.alternatives} alternatives asked)"
    else:
        first = "none came"
    return (
        f"prompt: {timing.prompt_tokens} tokens ({counter}); first chunk: {first}; "
        f"answer: {waited_s * 1000:.0f} ms"
    )


def _project_folder(file: Path) -> Path:
    """The repository holding ``file`` (the nearest folder with .git), else its folder: the
    workspace an editor would have opened."""
    for folder in file.parents:
        if (folder / ".git").exists():
            return folder
    return file.parent


async def check(settings: Settings) -> int:
    if needs_discovery(settings):
        local = await _discover_local(settings)
        if local is None:
            return 1
        settings = local
    print(f"provider {settings.provider}, model {settings.model}, endpoint {settings.base_url}")
    template = template_of(settings)
    request = CompletionRequest(
        template.render(CHECK_PREFIX, "\n"),
        CHECK_PREFIX,
        "\n",
        8,
        settings.temperature,
        settings.top_p,
        template.stop,
    )
    provider = make_provider(settings)
    started = time.perf_counter()
    try:
        text = "".join([chunk async for chunk in provider.stream(request)])
        print(f"OK: answered {text!r} in {(time.perf_counter() - started) * 1000:.0f} ms")
        for line in await probe.describe(provider, template, settings, text, CHECK_PREFIX):
            print(line)
    except ProviderError as error:
        print(f"FAILED: {error}\n{_diagnosis(error, settings)}")
        return 1
    finally:
        await provider.aclose()
    return 0


async def _discover_local(settings: Settings) -> Settings | None:
    """Zero-config: no key and nothing chosen, so look for a local Ollama or llama.cpp."""
    print("no API key configured; looking for a local model server …")
    async with httpx.AsyncClient() as client:
        found = await discover(client, settings)
    if not found:
        where = ", ".join(f"{name} at {url}" for name, url in candidates(settings))
        print(f"FAILED: nothing answered ({where or 'localServers is empty'}).")
        print(
            "Set DASHSCOPE_API_KEY (or another provider and its key), or start one: "
            "`ollama serve` with `ollama pull qwen2.5-coder:1.5b`, "
            "or `llama-server --fim-qwen-1.5b-default`."
        )
        return None
    for server in found:
        print(f"found {server.describe()}")
    chosen = found[0].settings(settings)
    print("using it; set provider (and apiKey) to choose otherwise")
    return chosen


def _diagnosis(error: ProviderError, settings: Settings) -> str:
    provider = settings.provider
    if isinstance(error, MissingKeyError):
        if provider == "qianfan":
            return "Set apiKey (AK) and secretKey (SK), or QIANFAN_AK and QIANFAN_SK."
        variable = next(iter(REGISTRY[provider].key_variables), "")
        also = f"{variable} (or FIM_LSP_API_KEY" if variable else "(FIM_LSP_API_KEY"
        return f"Set {also}, or api_key in the config file)."
    if isinstance(error, AuthError):
        if provider == "qianfan":
            return (
                "Baidu refused the AK/SK: check both come from the same application "
                f"(qianfanAuth is {settings.qianfan_auth!r})."
            )
        return "The key was refused: check it belongs to this endpoint's region and account."
    if isinstance(error, RateLimitError):
        return "The key works but is rate limited right now; try again shortly."
    if isinstance(error, RejectedError):
        if provider == "ollama":
            return f"Is the model pulled? Try `ollama pull {settings.model}`."
        if provider == "qianfan" and not settings.endpoint:
            return "Set endpoint to your service, or model to SQLCoder-7B / CodeLlama-7b-Instruct."
        return f"The request was refused: is {settings.model!r} a model this endpoint serves?"
    if REGISTRY[provider].local:
        return f"Could not get an answer from {settings.base_url}: is the local server running?"
    return f"Could not get an answer from {settings.base_url}: check the URL and your network."
