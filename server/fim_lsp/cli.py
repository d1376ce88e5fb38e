"""The ``fim-lsp`` command: serve LSP, or try a completion and check the setup without an editor.

Imports stay light here: which heavy modules load, and in what order, is chosen per command.
"""

from __future__ import annotations

import argparse
import asyncio
import linecache
import sys
from pathlib import Path

from fim_lsp import __version__
from fim_lsp.keys import with_checked_keys
from fim_lsp.logs import configure
from fim_lsp.settings import Settings, SettingsError, load_startup_settings
from fim_lsp.stats import running_servers


def main(argv: list[str] | None = None) -> None:
    args = _parser().parse_args(argv)
    configure(args.log_level)
    try:
        settings = with_checked_keys(load_startup_settings(config_path=args.config), "startup")
    except SettingsError as error:
        sys.exit(f"fim-lsp: {error}")
    if args.command in ("complete", "check"):
        from fim_lsp import tryout

        run = (
            tryout.complete(settings, args)
            if args.command == "complete"
            else tryout.check(settings)
        )
        sys.exit(asyncio.run(run))
    if args.command == "eval":
        from fim_lsp.evaluation import command

        sys.exit(command.run(settings, args))
    if args.command == "stats":
        sys.exit(_stats())
    _serve(settings, args.tcp)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="fim-lsp", description=__doc__)
    parser.add_argument("--version", action="version", version=f"fim-lsp {__version__}")
    parser.add_argument("--stdio", action="store_true", help="serve LSP on stdio (the default)")
    parser.add_argument("--tcp", metavar="HOST:PORT", help="serve LSP on TCP instead")
    parser.add_argument(
        "--log-level", default="warning", choices=["debug", "info", "warning", "error"]
    )
    parser.add_argument(
        "--config", type=Path, help="config file (default ~/.config/fim-lsp/config.toml)"
    )
    commands = parser.add_subparsers(dest="command")
    complete = commands.add_parser("complete", help="print the completion at a cursor in FILE")
    complete.add_argument("file", type=Path)
    complete.add_argument("--line", type=int, required=True, help="0-based line, as in LSP")
    complete.add_argument(
        "--character", type=int, required=True, help="0-based column (code points)"
    )
    complete.add_argument("--verbose", action="store_true", help="print prompt size and timings")
    commands.add_parser("check", help="test the configured endpoint, model and key")
    commands.add_parser("stats", help="numbers of the fim-lsp servers running on this machine")
    from fim_lsp.evaluation.arguments import add_arguments

    add_arguments(commands.add_parser("eval", help="score the setup on HumanEval infilling"))
    return parser


def _serve(settings: Settings, tcp: str | None) -> None:
    from fim_lsp import tls

    tls.prepare()  # reads the CA bundle while the server's modules import
    from fim_lsp.server import build_server

    server = build_server(settings)
    # attrs keeps the source of every class's generated methods for tracebacks: 1.4 MB for
    # lsprotocol's 600 classes, which only a debugger stepping into them would show.
    linecache.clearcache()
    if tcp:
        host, _, port = tcp.rpartition(":")
        server.start_tcp(host or "127.0.0.1", int(port))
    else:
        server.start_io()


def _stats() -> int:
    servers = running_servers()
    if not servers:
        print("no running fim-lsp server has published stats yet")
        return 1
    for pid, numbers in servers.items():
        print(f"fim-lsp server {pid}:")
        for name, value in numbers.items():
            print(f"  {name:<18} {value}")
    return 0
