"""The prompt of each model family with other files' context, as the pipeline builds it."""

from __future__ import annotations

from fim_lsp.context.snippet import Snippet
from fim_lsp.context.workspace import Gathered
from fim_lsp.pipeline import prepare
from fim_lsp.settings import Settings
from fim_lsp.snapshot import Snapshot
from fim_lsp.tokens import PieceCounter

TEXT = "from lib.util import helper\n\nvalue = \n"
SNAPSHOT = Snapshot("file:///repo/app/main.py", "/repo/app/main.py", TEXT, len(TEXT) - 1)
GATHERED = Gathered(
    (
        Snippet("lib/util.py", "def helper(x: int) -> int:\n    ...", "definitions"),
        Snippet("app/other.py", "value = helper(2)", "similar"),
    ),
    (10, 5),
    "repo",
    "app/main.py",
)
COUNTER = PieceCounter()


def test_qwen_repository_level_prompt_with_the_edited_file_last():
    plan = prepare(SNAPSHOT, Settings(), COUNTER, GATHERED)
    assert plan.request.prompt == (
        "<|repo_name|>repo\n"
        "<|file_sep|>lib/util.py\ndef helper(x: int) -> int:\n    ...\n"
        "<|file_sep|>app/other.py\nvalue = helper(2)\n"
        "<|file_sep|>app/main.py\n"
        f"<|fim_prefix|>{TEXT[:-1]}<|fim_suffix|>\n<|fim_middle|>"
    )
    assert plan.request.prefix == TEXT[:-1]  # the raw window stays raw
    assert plan.context_tokens > 0
    assert plan.prompt_tokens > plan.context_tokens


def test_starcoder2_file_separators():
    plan = prepare(SNAPSHOT, Settings(model="starcoder2-15b"), COUNTER, GATHERED)
    assert plan.request.prompt.startswith(
        "<repo_name>repo<file_sep>lib/util.py\ndef helper(x: int) -> int:\n    ...\n"
    )
    assert "<file_sep>app/main.py\n<fim_prefix>from lib.util" in plan.request.prompt


def test_other_families_read_the_context_as_comments_inside_the_prefix():
    plan = prepare(SNAPSHOT, Settings(model="deepseek-coder-6.7b-base"), COUNTER, GATHERED)
    comment = (
        "# Path: lib/util.py\n# def helper(x: int) -> int:\n#     ...\n"
        "# Path: app/other.py\n# value = helper(2)\n"
    )
    assert (
        plan.request.prompt == f"<｜fim▁begin｜>{comment}{TEXT[:-1]}<｜fim▁hole｜>\n<｜fim▁end｜>"
    )
    assert plan.request.context_comment == comment
    assert plan.request.context_files == (
        ("lib/util.py", "def helper(x: int) -> int:\n    ..."),
        ("app/other.py", "value = helper(2)"),
    )


def test_no_context_leaves_the_prompt_as_it_was():
    plan = prepare(SNAPSHOT, Settings(), COUNTER)
    assert plan.request.prompt == f"<|fim_prefix|>{TEXT[:-1]}<|fim_suffix|>\n<|fim_middle|>"
    assert (plan.context_tokens, plan.request.context_comment) == (0, "")
