from __future__ import annotations

import pytest

from fim_lsp.templates import QWEN, TEMPLATES, template_for


def test_qwen_prompt_matches_dashscope_reference():
    assert QWEN.render("def f():\n", "return x") == (
        "<|fim_prefix|>def f():\n<|fim_suffix|>return x<|fim_middle|>"
    )


@pytest.mark.parametrize(
    ("model", "family"),
    [
        ("qwen2.5-coder-32b-instruct", "qwen"),
        ("qwen-coder-turbo", "qwen"),
        ("codellama:7b-code", "codellama"),
        ("bigcode/starcoder2-15b", "starcoder"),
        ("deepseek-coder-6.7b-base", "deepseek"),
        ("codegemma:2b", "codegemma"),
        ("something-else", "qwen"),
    ],
)
def test_family_from_model_name(model, family):
    assert template_for(model).name == family


def test_override_beats_the_model_name():
    assert template_for("qwen2.5-coder", "codellama") is TEMPLATES["codellama"]


def test_every_template_stops_on_its_own_markers():
    for template in TEMPLATES.values():
        assert template.stop, template.name
        assert template.prefix_marker.strip() in (*template.special_tokens, "")


def test_prefix_only_sends_the_prefix_alone_and_stops_where_the_suffix_resumes():
    template = TEMPLATES["prefix-only"]
    assert template.render("def f():\n    return ", "\n\nprint(f())\n") == "def f():\n    return "
    suffix = ")  \n\n    print(x)   \nother()\n"
    assert template.stops_for(suffix) == (*template.stop, "\n    print(x)")
    assert template.stops_for("") == template.stop  # end of the file: nothing resumes
    assert template_for("gemma-3-270m", "prefix-only") is template


def test_fim_templates_stop_on_their_markers_whatever_the_suffix():
    assert QWEN.stops_for("\nprint(x)\n") == QWEN.stop
