"""A real Neovim in a real terminal (tmux): keys go in as a terminal sends them (`send-keys`,
Alt as Esc + key) and the screen comes back as drawn, with its colours (`capture-pane -e`).

Neovim also listens on a socket, so tests can wait on the editor's state instead of sleeping;
what they assert on is the screen and the buffer.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from tests.editors.neovim_driver import MINIMAL_INIT, Nvim

TMUX = shutil.which("tmux")
COLUMNS, ROWS = 100, 20
KEY_GAP_S = 0.03  # a fast typist's gap between two characters
KEY_PRESS_GAP_S = 0.1  # after a named key: longer than 'ttimeoutlen', so Esc + [ is Alt-[
TERM = ["TERM=tmux-256color", "COLORTERM="]  # 256 colours, no truecolor: no 'termguicolors'
SGR = re.compile(r"\x1b\[([0-9;]*)m")


class TerminalNvim(Nvim):
    """Neovim inside its own tmux server (private socket), 100x20, TERM=tmux-256color."""

    def __init__(self, binary: str, env: dict[str, str], workdir: Path) -> None:
        assert TMUX is not None, "tmux is needed for the terminal tests (apt-get install tmux)"
        self.tmux_socket = str(Path(tempfile.mkdtemp(prefix="tmux-")) / "sock")
        super().__init__(binary, env, workdir)
        # With a terminal UI, Neovim serves its socket while it waits for the UI, before it
        # has read the init file: a request then would find no plugin.
        self.wait_for("return vim.v.vim_did_enter == 1", what="Neovim to finish starting")

    def _spawn(self, argv: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
        """tmux itself exits once the session is up (`-d`); Neovim lives on in its server."""
        argv = [arg for arg in argv if arg != "--headless"]
        size = ["-x", str(COLUMNS), "-y", str(ROWS)]
        subprocess.run(
            [*self._tmux_argv(), "new-session", "-d", "-s", "t", *size, "env", *TERM, *argv],
            env=env,
            cwd=self.workdir,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            check=True,
            timeout=10,
        )
        pid = int(self._tmux("display-message", "-p", "-t", "t", "#{pane_pid}"))
        return _Pane(pid)

    def _tmux_argv(self) -> list[str]:
        return [TMUX or "tmux", "-S", self.tmux_socket, "-f", "/dev/null"]

    def kill(self) -> None:
        with contextlib.suppress(OSError):
            subprocess.run(
                [*self._tmux_argv(), "kill-server"],
                capture_output=True,
                timeout=5,
            )
        super().kill()

    # -- as the user types and sees ----------------------------------------------------

    def keys(self, *keys: str) -> None:
        """tmux key names (`Left`, `M-l`, `C-n`, `Escape`), each sent as the terminal would,
        one key press at a time: sent together, Esc + `[` would read as an escape sequence."""
        for key in keys:
            self._tmux("send-keys", "-t", "t", key)
            time.sleep(KEY_PRESS_GAP_S)

    def text(self, text: str) -> None:
        """Typed characters, one key press each."""
        for char in text:
            self._tmux("send-keys", "-t", "t", "-l", char)
            time.sleep(KEY_GAP_S)

    def screen(self, colours: bool = False) -> list[str]:
        args = ["capture-pane", "-p", "-t", "t", *(["-e"] if colours else [])]
        return self._tmux(*args).split("\n")

    def wait_screen(self, pattern: str, timeout: float = 10.0) -> list[str]:
        """Poll the screen until a line matches `pattern` (a regex); fail with the screen."""
        deadline = time.monotonic() + timeout
        while True:
            screen = self.screen()
            if any(re.search(pattern, line) for line in screen):
                return screen
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"timed out waiting for {pattern!r} on screen:\n" + "\n".join(screen)
                )
            time.sleep(0.05)

    def _tmux(self, *args: str) -> str:
        result = subprocess.run(
            [*self._tmux_argv(), *args],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        )
        return result.stdout


class _Pane:
    """The pane's process as the driver expects one (`poll`, `wait`, `pid`, no stderr)."""

    stderr = None

    def __init__(self, pid: int) -> None:
        self.pid = pid

    def poll(self) -> int | None:
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return 0
        return None

    def wait(self, timeout: float | None = None) -> int:
        deadline = time.monotonic() + (timeout or 0)
        while self.poll() is None:
            if timeout is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired("nvim", timeout)
            time.sleep(0.02)
        return 0


def styled_runs(line: str) -> list[tuple[str, str]]:
    """A captured line as (text, SGR attributes in force) runs, e.g. ("a + b", "3;38;5;244")."""
    runs: list[tuple[str, str]] = []
    attributes: list[str] = []
    start = 0
    for match in SGR.finditer(line):
        if match.start() > start:
            runs.append((line[start : match.start()], ";".join(attributes)))
        params = match.group(1).split(";")
        while params:
            param = params.pop(0)
            if param in ("38", "48") and params:  # a colour: 5;n or 2;r;g;b
                size = 2 if params[0] == "5" else 4
                attributes.append(";".join([param, *params[:size]]))
                del params[:size]
            elif param in ("", "0"):
                attributes = []
            else:
                attributes.append(param)
        start = match.end()
    if start < len(line):
        runs.append((line[start:], ";".join(attributes)))
    return runs


__all__ = ["MINIMAL_INIT", "TerminalNvim", "styled_runs"]
