"""Step 6: how each model family wants a fill-in-the-middle prompt, and where it stops.

Templates know nothing about HTTP; providers send whatever string they are given.  A model
without FIM (a plain base model) still completes code from what comes before the cursor:
``prefix-only`` sends that alone and stops where the code after the cursor begins.
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
    prefix_only: bool = False  # the model sees the code before the cursor alone

    def render(self, prefix: str, suffix: str) -> str:
        if self.prefix_only:
            return prefix
        if self.suffix_first:
            return f"{self.suffix_marker}{suffix}{self.prefix_marker}{prefix}{self.middle_marker}"
        return f"{self.prefix_marker}{prefix}{self.suffix_marker}{suffix}{self.middle_marker}"

    @property
    def special_tokens(self) -> tuple[str, ...]:
        """Markers that must never reach the user's buffer, even if the model leaks them."""
        markers = (self.prefix_marker, self.suffix_marker, self.middle_marker)
        return tuple(dict.fromkeys(t.strip() for t in markers + self.stop if t.strip()))

    def stops_for(self, suffix: str) -> tuple[str, ...]:
        """Where an answer before ``suffix`` ends: the template's stops, and for a model that
        never sees the suffix, its first line after the cursor's: writing it again means the
        hole is filled (the suffix rule cuts there too, where a server ignores stops)."""
        if not self.prefix_only:
            return self.stop
        resumes = next((line.rstrip() for line in suffix.split("\n")[1:] if line.strip()), "")
        return (*self.stop, "\n" + resumes) if resumes else self.stop


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

# What ends a plain model's answer: end-of-text and chat-turn markers of the usual families,
# and the FIM markers a model that has half learned them might write.
PREFIX_ONLY = FimTemplate(
    "prefix-only",
    "",
    "",
    "",
    (
        "<|endoftext|>",
        "<|im_end|>",
        "<|im_start|>",
        "<end_of_turn>",
        "<start_of_turn>",
        "<eos>",
        "</s>",
        "<|EOT|>",
        "<|file_separator|>",
        "<|file_sep|>",
        "<|fim_prefix|>",
        "<|fim_suffix|>",
        "<|fim_middle|>",
    ),
    prefix_only=True,
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
        PREFIX_ONLY,
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
