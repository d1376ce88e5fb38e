"""`fim-lsp check`, `complete` and `eval` against llama-cpp-python's server and Gemma 3 270M, as
a new user runs them: what they say must be true of this model, whatever its quality."""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from fim_lsp.evaluation.suites import load_tasks
from tests.e2e.conftest import SERVER_ENV
from tests.realmodel.test_lsp import CIRCLE
from tests.support.llama_server import MODEL, LlamaServer

# A real model on two shared cores: seconds per answer, minutes for the eval.
pytestmark = pytest.mark.timeout(600)


def fim_lsp(
    llama: LlamaServer, tmp_path: Path, *args: str, **settings: str
) -> subprocess.CompletedProcess[str]:
    """Run a ``fim-lsp`` command configured through the environment, as a shell user would."""
    env = {
        **SERVER_ENV,
        "FIM_LSP_CONFIG": str(tmp_path / "none.toml"),
        "FIM_LSP_PROVIDER": "openai",
        "FIM_LSP_BASE_URL": llama.base_url,
        "FIM_LSP_MODEL": MODEL,
        "FIM_LSP_TEMPERATURE": "0",
        "FIM_LSP_TIMEOUT_MS": "60000",
        **{f"FIM_LSP_{name.upper()}": value for name, value in settings.items()},
    }
    return subprocess.run(
        [sys.executable, "-m", "fim_lsp", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        cwd=tmp_path,
    )


def test_check_says_gemma_is_no_fim_model_and_recommends_prefix_only(
    llama: LlamaServer, tmp_path: Path
):
    done = fim_lsp(llama, tmp_path, "check")
    out = done.stdout + done.stderr

    assert done.returncode == 0, out
    assert "model: not a FIM model" in out, out
    assert "use template 'prefix-only'" in out, out
    assert "first token in " in out, out


def test_check_with_prefix_only_says_the_model_completes_code(llama: LlamaServer, tmp_path: Path):
    done = fim_lsp(llama, tmp_path, "check", template="prefix-only")
    out = done.stdout + done.stderr

    assert done.returncode == 0, out
    assert "model: completes code from the code before the cursor" in out, out
    assert "code after the cursor: not sent" in out, out
    assert re.search(r"first token in \d+ ms", out), out


SOURCE = CIRCLE + "\n\n\nprint(circle_area(2))\n"


def _verbose_complete(
    llama: LlamaServer, tmp_path: Path, **settings: str
) -> tuple[subprocess.CompletedProcess[str], float]:
    source = tmp_path / "circle.py"
    source.write_text(SOURCE)
    started = time.perf_counter()
    done = fim_lsp(
        llama,
        tmp_path,
        *("complete", str(source), "--line", "4", "--character", "11", "--verbose"),
        # Not streamed, nothing closes an answer early: each costs maxTokens.
        **{"template": "prefix-only", "max_tokens": "32", **settings},
    )
    return done, (time.perf_counter() - started) * 1000


def test_complete_verbose_times_the_answer_that_is_not_streamed(llama: LlamaServer, tmp_path: Path):
    done, wall_ms = _verbose_complete(llama, tmp_path)  # a manual trigger: 3 alternatives

    line = r"first chunk: not streamed \(3 alternatives asked\); answer: (\d+) ms"
    timing = re.search(line, done.stderr)
    assert timing, done.stderr
    # Three real requests to a real model take time, and no more than the command took.
    assert 0 < int(timing.group(1)) <= wall_ms, done.stderr


def test_complete_verbose_times_the_streamed_answer(llama: LlamaServer, tmp_path: Path):
    done, wall_ms = _verbose_complete(llama, tmp_path, alternatives="1")

    timing = re.search(r"first chunk: (\d+) ms; answer: (\d+) ms", done.stderr)
    assert timing, done.stderr
    first, answer = int(timing.group(1)), int(timing.group(2))
    assert 0 < first <= answer <= wall_ms, done.stderr


def test_what_a_model_that_cannot_read_the_suffix_field_writes_is_not_shown_broken(
    llama: LlamaServer, tmp_path: Path
):
    """Given a suffix field, llama-cpp-python wraps the code in FIM markers this model never
    learnt, and it writes whatever (`` =  refiere``): after ``return `` that cannot parse, and
    the Python syntax gate keeps it off the screen."""
    done, _ = _verbose_complete(llama, tmp_path, template="qwen", fim_mode="suffix")

    offset = SOURCE.index("return ") + len("return ")
    item = done.stdout.removesuffix("\n")
    ast.parse(SOURCE[:offset] + item + SOURCE[offset:])  # what the user would see parses


def test_eval_runs_ten_tasks_and_reports_their_true_pass_rate(llama: LlamaServer, tmp_path: Path):
    report = tmp_path / "gemma.json"
    done = fim_lsp(
        llama,
        tmp_path,
        *("eval", "--suite", "single-line", "--limit", "10", "--json", str(report)),
        template="prefix-only",
    )
    out = done.stdout + done.stderr

    assert done.returncode == 0, out
    data = json.loads(report.read_text())
    results = data["tasks"]
    assert len(results) == data["summary"]["tasks"] == 10
    passed = [result["passed"] for result in results]
    assert data["summary"]["pass_at_1"] == sum(passed) / 10
    assert f"{sum(passed) / 10:.1%}" in out, out
    assert data["summary"]["errors"] == sum(r["error"] is not None for r in results) == 0
    assert sum(bool(r["completion"]) for r in results) > 0, "no task got a completion"
    # Each verdict is what the task's own tests say when run here, outside the sandbox.
    tasks = {task.task_id: task for task in load_tasks("single-line", 10, 0)}
    for result in results:
        task = tasks[result["task_id"]]
        edited = task.document[: task.cursor] + result["completion"] + task.document[task.cursor :]
        run = subprocess.run(
            [sys.executable, "-I", "-c", task.program(edited)], capture_output=True, timeout=30
        )
        assert (run.returncode == 0) == result["passed"], result
