"""Context in each model family's own words.  Qwen2.5-Coder and StarCoder2 were trained on
repository-level prompts (other files first, each after a file separator and its path, the
edited file last); every other model reads the snippets as comments at the top of the prefix
(as Copilot writes them), which APIs that take ``prompt`` + ``suffix`` receive too; llama.cpp's
``/infill`` takes them as ``input_extra`` so its KV cache can keep them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from fim_lsp.context.snippet import Snippet

HASH_COMMENT = frozenset(
    {"python", "ruby", "shellscript", "sh", "bash", "yaml", "toml", "r", "perl", "makefile"}
)
DASH_COMMENT = frozenset({"lua", "sql", "haskell"})


@dataclass(frozen=True)
class Rendered:
    """``head`` goes before the template's first marker, ``lead`` at the start of the prefix."""

    head: str
    lead: str


def render(
    style: str, snippets: Sequence[Snippet], repo: str, current: str, language: str
) -> Rendered:
    if not snippets:
        return Rendered("", "")
    if style == "qwen":
        files = "".join(f"<|file_sep|>{s.path}\n{s.text}\n" for s in snippets)
        return Rendered(f"<|repo_name|>{repo}\n{files}<|file_sep|>{current}\n", "")
    if style == "starcoder":
        files = "".join(f"<file_sep>{s.path}\n{s.text}\n" for s in snippets)
        return Rendered(f"<repo_name>{repo}{files}<file_sep>{current}\n", "")
    return Rendered("", as_comments(snippets, language))


def as_comments(snippets: Sequence[Snippet], language: str) -> str:
    """Each snippet as line comments of the edited file's language, under its path."""
    mark = "#" if language in HASH_COMMENT else "--" if language in DASH_COMMENT else "//"
    blocks = []
    for snippet in snippets:
        lines = [f"{mark} Path: {snippet.path}"]
        lines += [f"{mark} {line}".rstrip() for line in snippet.text.splitlines()]
        blocks.append("\n".join(lines) + "\n")
    return "".join(blocks)
