"""Step "score": run one task's program in a separate, limited process and say if it passed.

Never in the command's own process: the program is model-written code.  Each run gets a
fresh scratch directory as its working directory and home, a wall-clock limit (the whole
process group is killed at it), CPU, memory and file-size limits, no network, and the
guard of ``sandbox_child.py``.
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import signal
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

CHILD = Path(__file__).with_name("sandbox_child.py")


@dataclass(frozen=True)
class Limits:
    timeout_s: float = 10.0
    memory_bytes: int = 1 << 30
    file_bytes: int = 16 << 20


@dataclass(frozen=True)
class Outcome:
    passed: bool
    reason: str  # "passed", the exception the program raised, or the limit it hit
    network: str = ""  # how the network was cut: "namespace" or "audit hook"


async def run_program(program: str, limits: Limits) -> Outcome:
    nonce = secrets.token_hex(8)
    job = {
        "program": program,
        "nonce": nonce,
        "cpu_s": max(1, int(limits.timeout_s) + 1),
        "memory_bytes": limits.memory_bytes,
        "file_bytes": limits.file_bytes,
    }
    with tempfile.TemporaryDirectory(prefix="fim-lsp-eval-") as scratch:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-I",
            str(CHILD),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.DEVNULL,
            cwd=scratch,
            env={"HOME": scratch, "TMPDIR": scratch, "LANG": "C.UTF-8", "PATH": os.defpath},
            start_new_session=True,  # its own process group: killed whole, and Ctrl-C spares it
        )
        try:
            out, _ = await asyncio.wait_for(
                process.communicate(json.dumps(job).encode()), limits.timeout_s
            )
        except asyncio.TimeoutError:
            return Outcome(False, f"timed out after {limits.timeout_s:g} s")
        finally:
            if process.returncode is None:
                os.killpg(process.pid, signal.SIGKILL)
                await process.wait()
    return _outcome(out.decode("utf-8", "replace"), nonce, process.returncode)


def _outcome(report: str, nonce: str, returncode: int | None) -> Outcome:
    verdict, _, rest = report.strip().partition(" ")
    if verdict == "PASS" and rest.startswith(nonce + " "):
        return Outcome(True, "passed", rest.split(" ", 1)[1])
    if verdict == "FAIL":
        return Outcome(False, rest)
    if returncode is not None and returncode < 0:
        name = signal.Signals(-returncode).name
        return Outcome(False, f"killed by {name} (a resource limit)")
    return Outcome(False, f"exited ({returncode}) before its tests finished")
