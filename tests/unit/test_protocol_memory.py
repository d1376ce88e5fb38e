"""pygls keeps a future per handled notification unless our protocol drops it (in-process:
the leak is inside the server, where no client can see it)."""

from __future__ import annotations

import asyncio

from lsprotocol import types

from fim_lsp.server import build_server
from fim_lsp.settings import Settings

URI = "file:///work/leak.py"


async def test_typing_leaves_no_handler_future_behind():
    server = build_server(Settings())
    protocol = server.protocol
    # pygls's initialize is a generator that would hand over to ours; its own part is enough.
    next(
        protocol.lsp_initialize(
            types.InitializeParams(capabilities=types.ClientCapabilities(), process_id=None)
        )
    )
    protocol._handle_notification(
        types.TEXT_DOCUMENT_DID_OPEN,
        types.DidOpenTextDocumentParams(types.TextDocumentItem(URI, "python", 1, "")),
    )
    for version in range(2, 52):
        at = types.Position(0, version - 2)
        protocol._handle_notification(
            types.TEXT_DOCUMENT_DID_CHANGE,
            types.DidChangeTextDocumentParams(
                types.VersionedTextDocumentIdentifier(version=version, uri=URI),
                [types.TextDocumentContentChangePartial(range=types.Range(at, at), text="x")],
            ),
        )
    await asyncio.sleep(0.05)  # done-callbacks of finished futures run on the loop

    assert server.documents[URI].text == "x" * 50
    assert protocol._request_futures == {}
