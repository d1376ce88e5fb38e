"""``fim-lsp eval`` as a user runs it: a fresh process, settings from the environment, against
a fake FIM model on 127.0.0.1 that knows which tasks it gets right."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from fim_lsp.evaluation.suites import Task, load_tasks
from tests.support.fake_provider import FakeProvider
from tests.support.infilling_model import InfillingModel

REPO = Path(__file__).resolve().parents[2]
API_KEY = "sk-eval-secret-41c9d2"
SAMPLE = 16
SEED = 3


@pytest.fixture
def fake() -> Iterator[FakeProvider]:
    provider = FakeProvider().start()
    yield provider
    provider.stop()


def sample(suite: str = "single-line", limit: int = SAMPLE) -> list[Task]:
    """The tasks ``--limit`` and ``--seed SEED`` draw: read from the data, not from a run."""
    return load_tasks(suite, limit, SEED)


def block_openers(tasks: list[Task]) -> list[Task]:
    """Tasks whose true middle opens a block (``for ...:``): another answer leaves the block's
    body to the statement before it, which no longer compiles or no longer does the job
    (each test checks every task it relies on).  A wrong answer elsewhere may still pass:
    some lines no test ever runs."""
    return [task for task in tasks if task.canonical_solution.rstrip().endswith(":")]


def serve(fake: FakeProvider, model: InfillingModel) -> InfillingModel:
    fake.responder = model
    return model


def eval_env(fake: FakeProvider, state: Path, **settings: str) -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": str(REPO / "server"),
        "HOME": str(state),
        "XDG_STATE_HOME": str(state),
        "FIM_LSP_CONFIG": str(state / "no-such-config.toml"),
        "FIM_LSP_BASE_URL": fake.base_url,
        "DASHSCOPE_API_KEY": API_KEY,
        **settings,
    }


def eval_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "fim_lsp", "eval", "--seed", str(SEED), *args]


def eval_process(
    fake: FakeProvider, tmp: Path, *args: str, timeout: float = 120, **settings: str
) -> subprocess.CompletedProcess[str]:
    """``fim-lsp eval ARGS`` run to its end as from a terminal with no input; the key is
    never in what it prints, whatever the outcome."""
    done = subprocess.run(
        eval_command(*args),
        env=eval_env(fake, tmp, **settings),
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )
    assert API_KEY not in done.stdout + done.stderr
    return done


def run_eval(
    fake: FakeProvider, tmp: Path, *args: str, **settings: str
) -> tuple[subprocess.CompletedProcess[str], dict[str, Any]]:
    """A run that succeeds, and the JSON it wrote."""
    output = tmp / "run.json"
    done = eval_process(fake, tmp, *args, "--json", str(output), timeout=300, **settings)
    assert done.returncode == 0, done.stderr
    return done, json.loads(output.read_text(encoding="utf-8"))
