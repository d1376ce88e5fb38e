"""``fim-lsp eval`` end to end: a fresh process against a fake FIM model on 127.0.0.1."""

from __future__ import annotations

import json
import signal
import subprocess
import time
from pathlib import Path

from fim_lsp.evaluation.suites import KINDS
from tests.eval.conftest import (
    API_KEY,
    SAMPLE,
    block_openers,
    eval_command,
    eval_env,
    eval_process,
    run_eval,
    sample,
    serve,
)
from tests.support.fake_provider import FakeProvider
from tests.support.infilling_model import InfillingModel

SUMMARY_KEYS = {
    "suite",
    "tasks",
    "pass_at_1",
    "exact_match",
    "edit_similarity",
    "ttft_ms_p50",
    "ttft_ms_p95",
    "tokens_per_s",
    "prompt_tokens",
    "completion_tokens",
    "errors",
}


def test_pass_at_1_is_the_share_of_tasks_answered_right(fake: FakeProvider, tmp_path: Path):
    tasks = sample()
    wrong = {task.task_id for task in block_openers(tasks)[::2]}
    assert 2 <= len(wrong) < SAMPLE
    right = {task.task_id for task in tasks} - wrong
    model = serve(fake, InfillingModel(tasks, right))

    done, run = run_eval(fake, tmp_path, "--suite", "single-line", "--limit", str(SAMPLE))

    summary = run["summary"]
    assert set(summary) == SUMMARY_KEYS
    assert summary["tasks"] == SAMPLE
    assert summary["pass_at_1"] == round(len(right) / SAMPLE, 4)
    assert summary["exact_match"] == summary["pass_at_1"]
    assert summary["errors"] == 0
    assert summary["prompt_tokens"] > 0 and summary["completion_tokens"] > 0
    assert summary["ttft_ms_p50"] is not None
    assert sorted(model.asked) == sorted(task.task_id for task in tasks)  # one request each
    by_id = {result["task_id"]: result for result in run["tasks"]}
    assert set(by_id) == {task.task_id for task in tasks}
    for task in tasks:
        result = by_id[task.task_id]
        assert result["passed"] is (task.task_id in right), result
        assert result["error"] is None
        assert result["type"] == "whole-line"
        if task.task_id in right:  # applied as an editor applies it: the true middle, no newline
            assert result["completion"] == task.canonical_solution.removesuffix("\n")
            assert result["edit_similarity"] == 1.0
        else:
            assert result["outcome"] != "passed"
    assert f"{SAMPLE}/{SAMPLE}" in done.stderr and "pass@1" in done.stderr  # the progress bar
    assert f"pass@1 {len(right) / SAMPLE:.1%}" in done.stdout


def test_the_true_middle_passes_every_kind_of_hole(fake: FakeProvider, tmp_path: Path):
    """Through window, template, streaming and post-processing: anything short of 1.0 for
    the canonical middles is our pipeline's fault."""
    tasks = [t for t in sample("random-span-light", 164) if t.canonical_solution.count("\n") < 2]
    chosen = {kind: [t for t in tasks if t.kind == kind][:3] for kind in KINDS}
    assert all(chosen.values()), "each kind of hole has one-line middles in the data"
    everything = [t for of_kind in chosen.values() for t in of_kind]
    serve(fake, InfillingModel(everything, {t.task_id for t in everything}))

    _, run = run_eval(fake, tmp_path, "--suite", "random-span-light", "--limit", "164")

    by_id = {result["task_id"]: result for result in run["tasks"]}
    for task in everything:
        assert by_id[task.task_id]["passed"], by_id[task.task_id]
        assert by_id[task.task_id]["exact_match"]


def test_hanging_and_failing_requests_are_errors_not_passes(fake: FakeProvider, tmp_path: Path):
    tasks = sample()
    hang = {tasks[0].task_id, tasks[5].task_id}
    fail = {tasks[2].task_id}
    right = {task.task_id for task in tasks} - hang - fail
    serve(fake, InfillingModel(tasks, right, hang=hang, fail=fail))

    _, run = run_eval(
        fake, tmp_path, "--suite", "single-line", "--limit", str(SAMPLE), FIM_LSP_TIMEOUT_MS="500"
    )

    assert run["summary"]["errors"] == len(hang) + len(fail)
    assert run["summary"]["pass_at_1"] == round(len(right) / SAMPLE, 4)
    for result in run["tasks"]:
        failed = result["task_id"] in hang | fail
        assert (result["error"] is not None) is failed
        assert result["passed"] is not failed


def test_a_completion_that_loops_forever_is_killed_at_the_time_limit(
    fake: FakeProvider, tmp_path: Path
):
    tasks = sample(limit=4)
    looping = tasks[1]
    indent = looping.canonical_solution[: -len(looping.canonical_solution.lstrip())]
    model = InfillingModel(tasks, {t.task_id for t in tasks} - {looping.task_id})
    model.wrong = {looping.task_id: f"{indent}while True: pass\n"}
    serve(fake, model)

    started = time.monotonic()
    _, run = run_eval(fake, tmp_path, "--suite", "single-line", "--limit", "4", "--timeout", "2")

    assert time.monotonic() - started < 60
    by_id = {result["task_id"]: result for result in run["tasks"]}
    assert by_id[looping.task_id]["outcome"] == "timed out after 2 s"
    assert [by_id[t.task_id]["passed"] for t in tasks] == [t != looping for t in tasks]


def test_raw_skips_post_processing(fake: FakeProvider, tmp_path: Path):
    """Where the true middle opens a block, the model writes it four times: post-processing
    cuts the repetition, --raw keeps it and the code no longer compiles."""
    tasks = sample()
    openers = {t.task_id for t in tasks if t.canonical_solution.endswith(":\n")}
    assert 0 < len(openers) < SAMPLE
    model = InfillingModel(tasks, {t.task_id for t in tasks})
    model.wrong = {t.task_id: t.canonical_solution * 4 for t in tasks if t.task_id in openers}
    serve(fake, model)
    args = ["--suite", "single-line", "--limit", str(SAMPLE)]

    _, cut = run_eval(fake, tmp_path / "cut", *args)
    _, raw = run_eval(fake, tmp_path / "raw", *args, "--raw")

    assert cut["summary"]["pass_at_1"] == 1.0
    assert raw["summary"]["pass_at_1"] == round(1 - len(openers) / SAMPLE, 4)
    assert raw["run"]["raw"] is True
    by_id = {t.task_id: t for t in tasks}
    for result in raw["tasks"]:
        task = by_id[result["task_id"]]
        repeats = 4 if task.task_id in openers else 1
        assert result["completion"] == task.canonical_solution * repeats


def test_an_interrupted_run_goes_on_where_it_stopped(fake: FakeProvider, tmp_path: Path):
    tasks = sample()
    model = serve(fake, InfillingModel(tasks, {t.task_id for t in tasks}, delay=0.3))
    output = tmp_path / "run.json"
    journal = tmp_path / "run.json.partial.jsonl"
    args = ["--suite", "single-line", "--limit", str(SAMPLE), "--concurrency", "1"]
    command = eval_command(*args, "--json", str(output))
    env = eval_env(fake, tmp_path)
    # Started as from a terminal: a runner that ignores SIGINT (a background job of a
    # non-interactive shell) would pass the ignore on, and Ctrl-C would never reach it.
    process = subprocess.Popen(
        command,
        env=env,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    deadline = time.monotonic() + 60
    while _lines(journal) < 1 + 4 and time.monotonic() < deadline:  # identity + 4 results
        time.sleep(0.05)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)

    assert process.returncode == 130, stderr
    assert "run the same command again" in stderr
    assert not output.exists()
    kept = [json.loads(line)["task_id"] for line in journal.read_text().splitlines()[1:]]
    assert 4 <= len(kept) < SAMPLE
    asked_before = len(model.asked)

    _, run = run_eval(fake, tmp_path, *args)

    assert sorted(model.asked[asked_before:]) == sorted(
        t.task_id for t in tasks if t.task_id not in kept
    )
    assert run["summary"]["tasks"] == SAMPLE and run["summary"]["pass_at_1"] == 1.0
    assert not journal.exists()
    assert API_KEY not in stderr


def test_a_journal_of_another_setup_is_not_mixed_in(fake: FakeProvider, tmp_path: Path):
    journal = tmp_path / "run.json.partial.jsonl"
    journal.write_text(json.dumps({"suite": "single-line", "model": "another"}) + "\n")
    run = ("--suite", "single-line", "--limit", "2", "--json", str(tmp_path / "run.json"))
    done = eval_process(fake, tmp_path, *run, timeout=60)
    assert done.returncode == 2
    assert "unfinished run of another suite, model or settings" in done.stderr
    assert fake.received == []


def test_a_refused_key_stops_the_run_and_keeps_what_is_done(fake: FakeProvider, tmp_path: Path):
    tasks = sample(limit=6)
    serve(fake, InfillingModel(tasks, {t.task_id for t in tasks}, refuse_after=3))
    done = eval_process(
        fake, tmp_path, "--suite", "single-line", "--limit", "6", "--concurrency", "1", timeout=120
    )
    assert done.returncode == 1
    assert "stopped:" in done.stderr and "3 of 6 tasks kept" in done.stderr


def _lines(path: Path) -> int:
    return len(path.read_text().splitlines()) if path.exists() else 0
