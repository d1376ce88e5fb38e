"""`fim-lsp check`, `complete` and `eval` against llama-cpp-python's server and Gemma 3 270M, as
a new user runs them: what they say must be true of this model, whatever its quality."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from pathlib import Path

from fim_lsp.evaluation.suites import load_tasks
from tests.e2e.conftest import SERVER_ENV
from tests.realmodel.test_lsp import CIRCLE
from tests.support.llama_server import MODEL, LlamaServer


def fim_lsp(llama: LlamaServer, tmp_path: Path, *args: str, **settings: str) -> tuple[int, str]:
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
    done = subprocess.run(
        [sys.executable, "-m", "fim_lsp", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        cwd=tmp_path,
    )
    return done.returncode, done.stdout + done.stderr


def test_check_says_gemma_is_no_fim_model_and_recommends_prefix_only(
    llama: LlamaServer, tmp_path: Path
):
    code, out = fim_lsp(llama, tmp_path, "check")

    assert code == 0, out
    assert "model: not a FIM model" in out, out
    assert "use template 'prefix-only'" in out, out
    assert "first token in " in out, out


def test_check_with_prefix_only_says_the_model_completes_code(llama: LlamaServer, tmp_path: Path):
    code, out = fim_lsp(llama, tmp_path, "check", template="prefix-only")

    assert code == 0, out
    assert "model: completes code from the code before the cursor" in out, out
    assert "code after the cursor: not sent" in out, out
    assert re.search(r"first token in \d+ ms", out), out


def _verbose_complete(llama: LlamaServer, tmp_path: Path, **settings: str) -> tuple[str, float]:
    source = tmp_path / "circle.py"
    source.write_text(CIRCLE + "\n\n\nprint(circle_area(2))\n")
    started = time.perf_counter()
    _, out = fim_lsp(
        llama,
        tmp_path,
        *("complete", str(source), "--line", "4", "--character", "11", "--verbose"),
        template="prefix-only",
        **settings,
    )
    return out, (time.perf_counter() - started) * 1000


def test_complete_verbose_times_the_answer_that_is_not_streamed(llama: LlamaServer, tmp_path: Path):
    out, wall_ms = _verbose_complete(llama, tmp_path)  # a manual trigger: 3 alternatives

    timing = re.search(r"first chunk: not streamed \(3 alternatives asked\); answer: (\d+) ms", out)
    assert timing, out
    # Three real requests to a real model take time, and no more than the command took.
    assert 0 < int(timing.group(1)) <= wall_ms, out


def test_complete_verbose_times_the_streamed_answer(llama: LlamaServer, tmp_path: Path):
    out, wall_ms = _verbose_complete(llama, tmp_path, alternatives="1")

    timing = re.search(r"first chunk: (\d+) ms; answer: (\d+) ms", out)
    assert timing, out
    first, answer = int(timing.group(1)), int(timing.group(2))
    assert 0 < first <= answer <= wall_ms, out


def test_a_server_ignoring_suffix_does_not_get_the_file_restarted_at_the_cursor(
    llama: LlamaServer, tmp_path: Path
):
    """To a suffix field this model restarts the file; after ``return `` that is
    ``import math``, which the syntax gate refuses."""
    out, _ = _verbose_complete(llama, tmp_path, template="qwen", fim_mode="suffix")

    assert "import math" not in out.split("context: ")[-1], out


def test_eval_runs_ten_tasks_and_reports_their_true_pass_rate(llama: LlamaServer, tmp_path: Path):
    report = tmp_path / "gemma.json"
    code, out = fim_lsp(
        llama,
        tmp_path,
        *("eval", "--suite", "single-line", "--limit", "10", "--json", str(report)),
        template="prefix-only",
    )

    assert code == 0, out
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
