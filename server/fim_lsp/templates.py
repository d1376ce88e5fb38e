"""Step 6: how each model family wants a fill-in-the-middle prompt, and where it stops.

Templates know nothing about HTTP; providers send whatever string they are given.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fim_lsp.settings import Settings


@dataclass(frozen=True)
class FimTemplate:
    name: str
    prefix_marker: str
    suffix_marker: str
    middle_marker: str
    stop: tuple[str, ...]
    suffix_first: bool = False  # Codestral: [SUFFIX]…[PREFIX]…
    repo_format: str = "comment"  # how other files' context is written: context/render.py

    def render(self, prefix: str, suffix: str) -> str:
        if self.suffix_first:
            return f"{self.suffix_marker}{suffix}{self.prefix_marker}{prefix}{self.middle_marker}"
        return f"{self.prefix_marker}{prefix}{self.suffix_marker}{suffix}{self.middle_marker}"

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
    repo_format="qwen",
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
            repo_format="starcoder",
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


def template_for(model: str, override: str = "auto") -> FimTemplate:
    """The template named by ``override``, else the one the model's name implies (Qwen)."""
    if override != "auto":
        return TEMPLATES[override]
    lowered = model.lower()
    for fragment, name in _FAMILIES:
        if fragment in lowered:
            return TEMPLATES[name]
    return QWEN


def template_of(settings: Settings) -> FimTemplate:
    """The template the settings ask for, a user-defined one included (settings have
    checked that it has its markers)."""
    if settings.template == "custom":
        return custom_template(
            settings.fim_prefix, settings.fim_suffix, settings.fim_middle, settings.fim_stop
        )
    return template_for(settings.model, settings.template)
