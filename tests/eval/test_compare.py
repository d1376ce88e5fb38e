"""``fim-lsp eval --compare``: runs side by side, per suite and kind of hole, and a chart."""

from __future__ import annotations

from pathlib import Path

from tests.eval.conftest import block_openers, eval_process, run_eval, sample, serve
from tests.support.fake_provider import FakeProvider
from tests.support.infilling_model import InfillingModel


def test_two_runs_side_by_side_with_a_chart(fake: FakeProvider, tmp_path: Path):
    tasks = sample(limit=4)
    openers = block_openers(tasks)
    assert len(openers) >= 3
    everything = {t.task_id for t in tasks}
    model = serve(fake, InfillingModel(tasks, everything - {openers[0].task_id}))
    _, good = run_eval(fake, tmp_path / "good", "--suite", "single-line", "--limit", "4")
    model.right = everything - {t.task_id for t in openers[:3]}
    _, poor = run_eval(fake, tmp_path / "poor", "--suite", "single-line", "--limit", "4", "--raw")
    light = serve(fake, InfillingModel(sample("random-span-light", 3), set()))
    _, other = run_eval(fake, tmp_path / "light", "--suite", "random-span-light", "--limit", "3")
    assert light.asked
    runs = []
    for name in ("good", "poor", "light"):  # a run is labelled by its file name
        runs.append(tmp_path / f"{name}.json")
        (tmp_path / name / "run.json").rename(runs[-1])
    chart = tmp_path / "chart.png"

    done = eval_process(
        fake, tmp_path, "--compare", *map(str, runs), "--chart", str(chart), timeout=120
    )

    assert done.returncode == 0, done.stderr
    single, light_table = done.stdout.split("\n\n")[:2]
    rows = {line.split()[0]: line.split() for line in single.splitlines()}
    assert rows["single-line"][-2:] == ["good", "poor"]
    assert rows["pass@1"][-2:] == ["75.0%", "25.0%"]
    assert rows["whole-line"][-2:] == ["75.0%", "25.0%"]
    assert rows["post-processing"][-3:] == ["on", "off", "(--raw)"]
    assert light_table.splitlines()[0].split() == ["random-span-light", "light"]
    assert f"chart: {chart}" in done.stdout
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert good["summary"]["pass_at_1"] == 0.75 and poor["summary"]["pass_at_1"] == 0.25
    assert other["summary"]["pass_at_1"] == 0.0


def test_compare_refuses_a_file_that_is_no_run(fake: FakeProvider, tmp_path: Path):
    stray = tmp_path / "stray.json"
    stray.write_text('{"hello": 1}')
    done = eval_process(fake, tmp_path, "--compare", str(stray), timeout=60)
    assert done.returncode == 2
    assert "is not the JSON of a fim-lsp eval run" in done.stderr
