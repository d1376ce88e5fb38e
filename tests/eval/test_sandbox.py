"""The sandbox a task's program runs in: a process of its own that cannot reach out."""

from __future__ import annotations

import socket
from pathlib import Path

from fim_lsp.evaluation.sandbox import Limits, run_program

LIMITS = Limits(timeout_s=3)


async def test_a_passing_program_passes_and_a_failing_one_says_why():
    assert (await run_program("assert sum([1, 2]) == 3\nprint('noise' * 10000)", LIMITS)).passed
    failed = await run_program("assert 1 == 2, 'one is not two'", LIMITS)
    assert not failed.passed
    assert failed.reason == "AssertionError: one is not two"


async def test_an_endless_loop_is_killed_at_the_time_limit():
    outcome = await run_program("while True:\n    pass\n", Limits(timeout_s=1))
    assert not outcome.passed
    assert outcome.reason == "timed out after 1 s"


async def test_a_program_cannot_open_a_socket():
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.5)
    port = listener.getsockname()[1]
    try:
        program = f"import socket\nsocket.create_connection(('127.0.0.1', {port}), 1)\n"
        outcome = await run_program(program, LIMITS)
        assert not outcome.passed
        assert "refuses socket" in outcome.reason
        try:
            connection, _ = listener.accept()
        except TimeoutError:
            connection = None
        assert connection is None, "the program reached a server on this machine"
    finally:
        listener.close()


async def test_a_program_writes_only_inside_its_scratch_directory(tmp_path: Path):
    outside = tmp_path / "escaped.txt"
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    for program in (
        f"open({str(outside)!r}, 'w').write('x')",
        f"import os\nos.remove({str(victim)!r})",
        f"import pathlib\npathlib.Path({str(outside)!r}).write_text('x')",
        f"import shutil\nshutil.rmtree({str(tmp_path)!r})",
    ):
        outcome = await run_program(program, LIMITS)
        assert not outcome.passed, program
        assert "PermissionError: the sandbox refuses" in outcome.reason
    assert not outside.exists()
    assert victim.read_text() == "keep me"
    inside = "open('notes.txt', 'w').write('x')\nassert open('notes.txt').read() == 'x'"
    assert (await run_program(inside, LIMITS)).passed


async def test_a_program_starts_no_other_process(tmp_path: Path):
    marker = tmp_path / "ran.txt"
    for program in (
        f"import os\nos.system('touch {marker}')",
        f"import subprocess\nsubprocess.run(['touch', {str(marker)!r}])",
        "import os\nos.fork()",
    ):
        outcome = await run_program(program, LIMITS)
        assert not outcome.passed, program
    assert not marker.exists()


async def test_leaving_early_with_a_clean_exit_is_no_pass():
    outcome = await run_program("import os\nos._exit(0)", LIMITS)
    assert not outcome.passed
    assert (await run_program("raise SystemExit(0)", LIMITS)).passed is False


async def test_memory_is_limited():
    outcome = await run_program("blob = bytearray(4 << 30)", LIMITS)
    assert not outcome.passed
    assert "MemoryError" in outcome.reason
