"""``fim-lsp check`` tells a FIM model from an instruct model, and a suffix-blind endpoint."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import SERVER_ENV
from tests.support.fake_provider import FakeProvider, Reply

KEY = "sk-probe-secret-5d1e"


def answering(colors: str, add: str) -> Callable[[dict[str, Any]], Reply]:
    """Answers the colours hole with ``colors`` and the ``add`` hole with ``add``."""

    def respond(body: dict[str, Any]) -> Reply:
        return Reply(text=colors if 'colors = ["red", ' in body["prompt"] else add)

    return respond


def check(fake: FakeProvider, tmp_path: Path, template: str = "auto") -> str:
    done = subprocess.run(
        [sys.executable, "-m", "fim_lsp", "check"],
        env={
            **SERVER_ENV,
            "FIM_LSP_CONFIG": str(tmp_path / "none.toml"),
            "FIM_LSP_BASE_URL": fake.base_url,
            "FIM_LSP_TEMPLATE": template,
            "DASHSCOPE_API_KEY": KEY,
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert KEY not in done.stdout + done.stderr
    return done.stdout


@pytest.fixture
def fake() -> Any:
    provider = FakeProvider().start()
    yield provider
    provider.stop()


def test_a_fim_model_is_named_one(fake: FakeProvider, tmp_path: Path):
    fake.responder = answering('"green", ', " a + b")
    out = check(fake, tmp_path)
    assert "model: FIM (it answered with the missing code only)" in out
    assert "code after the cursor: honoured" in out
    assert "first token in " in out
    prompts = [received.body["prompt"] for received in fake.received]
    assert any('"blue"]' in prompt for prompt in prompts)  # the suffix was sent to be honoured


@pytest.mark.parametrize(
    ("answer", "why"),
    [
        ("```python\ndef add(a, b):\n    return a + b\n```", "code fences"),
        ("Sure! Here is the completed function.", "prose"),
        ("def add(a, b):\n    return a + b", "started over with the code before the cursor"),
    ],
)
def test_an_instruct_model_is_named_one_with_the_fix(
    fake: FakeProvider, tmp_path: Path, answer: str, why: str
):
    fake.responder = answering('"green", ', answer)
    out = check(fake, tmp_path)
    assert "model: instruct" in out and why in out
    assert "use a base model" in out


def test_an_endpoint_that_drops_the_suffix_is_told_how_to_send_it(
    fake: FakeProvider, tmp_path: Path
):
    fake.responder = answering('"green", "blue"]', " a + b")
    out = check(fake, tmp_path)
    assert "model: FIM" in out
    assert "code after the cursor: ignored" in out and "fimMode" in out


def test_a_model_without_fim_is_offered_the_prefix_only_template(
    fake: FakeProvider, tmp_path: Path
):
    """A plain base model: nothing to a FIM prompt, code after the code before the cursor."""
    fake.responder = lambda body: Reply(text="" if "<|fim_" in body["prompt"] else " a + b")
    out = check(fake, tmp_path)
    assert (
        "model: not a FIM model (to the qwen FIM prompt it answered nothing; to the code "
        "before the cursor alone it answered ' a + b')"
    ) in out
    assert "use template 'prefix-only'" in out and "FIM_LSP_TEMPLATE=prefix-only" in out
    assert "code after the cursor: not used" in out
    assert fake.received[-1].body["prompt"] == "def add(a, b):\n    return"


def test_an_instruct_model_is_not_offered_prefix_only(fake: FakeProvider, tmp_path: Path):
    fake.responder = lambda body: Reply(text="Sure! Here is the completed function.")
    out = check(fake, tmp_path)
    assert "model: instruct" in out and "prefix-only" not in out


def test_with_prefix_only_the_probe_sends_no_suffix(fake: FakeProvider, tmp_path: Path):
    fake.responder = lambda body: Reply(text=" a + b")
    out = check(fake, tmp_path, template="prefix-only")
    assert "model: completes code from the code before the cursor (template prefix-only)" in out
    assert "code after the cursor: not sent" in out
    assert all("<|fim_" not in received.body["prompt"] for received in fake.received)
