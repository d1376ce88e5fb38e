"""``fim-lsp complete``: the file's language reaches the filters, and --verbose times every path."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import SERVER_ENV
from tests.support.fake_provider import FakeProvider, Reply

KEY = "sk-complete-secret-3b7a"
CURSOR = ("--character", "11", "--verbose")
CIRCLE = "import math\n\n\ndef circle_area(radius):\n    return \n\n\nprint(circle_area(2))\n"


@pytest.fixture
def fake() -> Any:
    provider = FakeProvider().start()
    yield provider
    provider.stop()


def complete(fake: FakeProvider, tmp_path: Path, **settings: str) -> subprocess.CompletedProcess:
    source = tmp_path / "circle.py"
    source.write_text(CIRCLE)
    return subprocess.run(
        [sys.executable, "-m", "fim_lsp", "complete", str(source), *("--line", "4"), *CURSOR],
        env={
            **SERVER_ENV,
            "FIM_LSP_CONFIG": str(tmp_path / "none.toml"),
            "FIM_LSP_BASE_URL": fake.base_url,
            "DASHSCOPE_API_KEY": KEY,
            **{f"FIM_LSP_{name.upper()}": value for name, value in settings.items()},
        },
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_a_python_file_gets_the_python_syntax_gate(fake: FakeProvider, tmp_path: Path):
    """A server that ignored the suffix gets a model that starts the file over: after
    ``return `` that is ``import math``, which cannot parse there."""
    fake.default = Reply(text="import math\n")
    done = complete(fake, tmp_path, alternatives="1")
    assert done.returncode == 1 and done.stdout == "", done.stdout
    assert "(no completion)" in done.stderr


def test_verbose_times_the_answer_that_is_not_streamed(fake: FakeProvider, tmp_path: Path):
    fake.default = Reply(text="2 * math.pi * radius", first_delay=0.3)
    done = complete(fake, tmp_path)  # a manual trigger: three alternatives, not streamed
    assert done.stdout == "2 * math.pi * radius\n", done.stderr
    timing = re.search(
        r"first chunk: not streamed \(3 alternatives asked\); answer: (\d+) ms", done.stderr
    )
    assert timing and int(timing.group(1)) >= 300, done.stderr


def test_verbose_times_an_answer_that_failed(fake: FakeProvider, tmp_path: Path):
    fake.default = Reply(status=500, hang=0.3)
    done = complete(fake, tmp_path, alternatives="1")
    timing = re.search(
        r"prompt: \d+ tokens \([\w-]+\); first chunk: none came; answer: (\d+) ms", done.stderr
    )
    assert timing and int(timing.group(1)) >= 300, done.stderr
