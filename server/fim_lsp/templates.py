"""Step 6: how each model family wants a fill-in-the-middle prompt, and where it stops.

Templates know nothing about HTTP; providers send whatever string they are given.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fim_lsp.settings import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FimTemplate:
    name: str
    prefix_marker: str
    suffix_marker: str
    middle_marker: str
    stop: tuple[str, ...]
    suffix_first: bool = False  # Codestral: [SUFFIX]…[PREFIX]…
    # Repository-level prompts (Qwen2.5-Coder): other files ahead of the current one.
    repo_marker: str = ""
    file_marker: str = ""

    def render(
        self,
        prefix: str,
        suffix: str,
        path: str = "",
        repo: str = "",
        files: Sequence[tuple[str, str]] = (),
    ) -> str:
        """The prompt; with ``path`` (and optionally ``repo`` and other ``files`` as
        (path, text)), the repository-level form where the template has one."""
        if self.suffix_first:
            fim = f"{self.suffix_marker}{suffix}{self.prefix_marker}{prefix}{self.middle_marker}"
        else:
            fim = f"{self.prefix_marker}{prefix}{self.suffix_marker}{suffix}{self.middle_marker}"
        if not (self.file_marker and path):
            return fim
        head = f"{self.repo_marker}{repo}\n" if repo else ""
        others = "".join(f"{self.file_marker}{name}\n{text}\n" for name, text in files)
        return f"{head}{others}{self.file_marker}{path}\n{fim}"

    @property
    def special_tokens(self) -> tuple[str, ...]:
        """Markers that must never reach the user's buffer, even if the model leaks them."""
        markers = (self.prefix_marker, self.suffix_marker, self.middle_marker)
        return tuple(dict.fromkeys(t.strip() for t in markers + self.stop if t.strip()))


QWEN = FimTemplate(
    "qwen",
    "<|fim_prefix|>",
    "<|fim_suffix|>",
    "<|fim_middle|>",
    (
        "<|endoftext|>",
        "<|fim_prefix|>",
        "<|fim_suffix|>",
        "<|fim_middle|>",
        "<|fim_pad|>",
        "<|repo_name|>",
        "<|file_sep|>",
        "<|im_start|>",
        "<|im_end|>",
    ),
    repo_marker="<|repo_name|>",
    file_marker="<|file_sep|>",
)

TEMPLATES = {
    template.name: template
    for template in (
        QWEN,
        FimTemplate("codellama", "<PRE> ", " <SUF>", " <MID>", ("<EOT>", "<PRE>", "<SUF>")),
        FimTemplate(
            "starcoder",
            "<fim_prefix>",
            "<fim_suffix>",
            "<fim_middle>",
            ("<|endoftext|>", "<fim_prefix>", "<fim_suffix>", "<fim_middle>", "<file_sep>"),
        ),
        FimTemplate(
            "deepseek",
            "<｜fim▁begin｜>",
            "<｜fim▁hole｜>",
            "<｜fim▁end｜>",
            (
                "<｜end▁of▁sentence｜>",
                "<｜fim▁begin｜>",
                "<｜fim▁hole｜>",
                "<｜fim▁end｜>",
                "<|EOT|>",
            ),
        ),
        FimTemplate(
            "codegemma",
            "<|fim_prefix|>",
            "<|fim_suffix|>",
            "<|fim_middle|>",
            ("<|file_separator|>", "<|fim_prefix|>", "<|fim_suffix|>", "<|fim_middle|>", "<eos>"),
        ),
        FimTemplate(
            "codestral",
            "[PREFIX]",
            "[SUFFIX]",
            "",
            ("</s>", "[PREFIX]", "[SUFFIX]", "[MIDDLE]"),
            suffix_first=True,
        ),
    )
}

# Model-name fragments, most specific first, mapped to their template.
_FAMILIES = (
    ("qwen", "qwen"),
    ("codellama", "codellama"),
    ("code-llama", "codellama"),
    ("starcoder", "starcoder"),
    ("deepseek", "deepseek"),
    ("codegemma", "codegemma"),
    ("codestral", "codestral"),
    ("sqlcoder", "starcoder"),  # SQLCoder is a fine-tuned StarCoder
)


def custom_template(prefix: str, suffix: str, middle: str, stop: Sequence[str] = ()) -> FimTemplate:
    """A user-defined format (settings fimPrefix, fimSuffix, fimMiddle, fimStop)."""
    return FimTemplate("custom", prefix, suffix, middle, tuple(stop))


def template_for(
    model: str, override: str = "auto", custom: FimTemplate | None = None
) -> FimTemplate:
    """The template named by ``override``, else the one the model's name implies (Qwen)."""
    if override == "custom":
        if custom is not None:
            return custom
        log.warning("template custom needs fimPrefix/fimMiddle; using the model's own format")
    elif override != "auto":
        return TEMPLATES[override]
    lowered = model.lower()
    for fragment, name in _FAMILIES:
        if fragment in lowered:
            return TEMPLATES[name]
    return QWEN


def template_of(settings: Settings) -> FimTemplate:
    """The template the settings ask for, a user-defined one included."""
    custom = None
    if settings.template == "custom":
        custom = custom_template(
            settings.fim_prefix, settings.fim_suffix, settings.fim_middle, settings.fim_stop
        )
    return template_for(settings.model, settings.template, custom)
