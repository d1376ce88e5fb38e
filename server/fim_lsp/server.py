"""The only module that speaks LSP: capabilities, handlers, settings updates.

Handlers convert positions and wrap the engine's answer in lsprotocol types; everything
else lives in plain modules.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol
from pygls.uris import to_fs_path

from fim_lsp import __version__
from fim_lsp.engine import Engine
from fim_lsp.notices import Severity
from fim_lsp.positions import line_starts, offset_at, units
from fim_lsp.settings import Settings, SettingsError, client_layer, load_startup_settings
from fim_lsp.snapshot import Snapshot, Suggestion
from fim_lsp.stats import remove_stats_file, write_stats_file

log = logging.getLogger(__name__)

ACCEPTED_COMMAND = "fim-lsp.accepted"
STATS_COMMAND = "fim-lsp.stats"
# Not in LSP 3.18: what VS Code's API reports as a partial accept, forwarded by our clients.
PARTIAL_ACCEPT = "textDocument/didPartiallyAcceptCompletion"
STATS_FILE_PERIOD_S = 5.0


class FimProtocol(LanguageServerProtocol):
    """pygls 2.1 files a future under a fresh id for each notification it handles (and for
    each step of its built-in didOpen/didChange) and only requests ever remove theirs: about
    1 KB kept per keystroke, 18 MB over a 5,000-keystroke session.  Drop each when done."""

    def _execute_handler(
        self,
        msg_id: Any,
        handler: Callable[..., Any],
        callback: Callable[..., Any],
        args: tuple[Any, ...] | None = None,
        kwargs: dict[str, Any] | None = None,
    ) -> None:
        super()._execute_handler(msg_id, handler, callback, args, kwargs)
        future = self._request_futures.get(msg_id)
        if future is not None:
            future.add_done_callback(lambda done: self._forget(msg_id, done))

    def _forget(self, msg_id: Any, done: Any) -> None:
        if self._request_futures.get(msg_id) is done:
            del self._request_futures[msg_id]


class FimLanguageServer(LanguageServer):
    def __init__(self, startup: Settings) -> None:
        super().__init__(
            "fim-lsp",
            __version__,
            protocol_cls=FimProtocol,
            text_document_sync_kind=types.TextDocumentSyncKind.Incremental,
        )
        self.startup = startup
        # The client's layers: initializationOptions, then the latest didChangeConfiguration,
        # which replaces the one before it (LSP sends the whole settings object each time).
        self.client_layers: dict[str, dict[str, Any]] = {}
        self.engine = Engine(startup, self.tell_user)
        self._line_index: dict[str, tuple[int, list[int]]] = {}
        self.stats_publisher: asyncio.Task[None] | None = None

    def tell_user(self, severity: Severity, message: str) -> None:
        kind = types.MessageType.Error if severity is Severity.ERROR else types.MessageType.Warning
        self.window_show_message(types.ShowMessageParams(type=kind, message=message))

    def settings_with(self, payload: Any, source: str) -> Settings | None:
        """The startup settings under the client's layers, ``source``'s replaced by
        ``payload``; None (and one message naming the field) if invalid."""
        try:
            layers = {**self.client_layers, source: dict(client_layer(payload))}
            merged = self.startup
            for name in ("initializationOptions", "didChangeConfiguration"):
                merged = merged.merged(layers.get(name, {}), name)
        except SettingsError as error:
            log.error("%s; keeping the previous settings", error)
            self.tell_user(Severity.ERROR, f"fim-lsp: {error}. Keeping the previous settings.")
            return None
        self.client_layers = layers
        return merged

    def line_index(self, uri: str, version: int | None, text: str) -> list[int]:
        cached = self._line_index.get(uri)
        if cached is None or cached[0] != version or version is None:
            cached = (version if version is not None else -1, line_starts(text))
            self._line_index[uri] = cached
        return cached[1]


def build_server(startup: Settings | None = None) -> FimLanguageServer:
    server = FimLanguageServer(startup or load_startup_settings())

    @server.feature(types.INITIALIZE)
    async def initialize(ls: FimLanguageServer, params: types.InitializeParams) -> None:
        settings = ls.settings_with(params.initialization_options, "initializationOptions")
        if settings is not None:
            await ls.engine.update_settings(settings)

    @server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
    async def did_change_configuration(
        ls: FimLanguageServer, params: types.DidChangeConfigurationParams
    ) -> None:
        settings = ls.settings_with(params.settings, "didChangeConfiguration")
        if settings is not None:
            await ls.engine.update_settings(settings)
            log.info("settings updated")

    @server.feature(types.INITIALIZED)
    async def initialized(ls: FimLanguageServer, params: types.InitializedParams) -> None:
        # Load the tokenizer now, off the event loop, so the first keystroke does not pay it.
        await asyncio.to_thread(lambda: ls.engine.counter)
        ls.stats_publisher = asyncio.ensure_future(_publish_stats(ls))

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: FimLanguageServer, params: types.DidOpenTextDocumentParams) -> None:
        _context_folders(ls)
        uri = params.text_document.uri
        ls.engine.workspace.opened(uri, to_fs_path(uri) or uri, params.text_document.text)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: FimLanguageServer, params: types.DidChangeTextDocumentParams) -> None:
        ls.engine.typing()
        uri = params.text_document.uri
        document = ls.workspace.text_documents.get(uri)
        if document is not None and params.content_changes:
            change = params.content_changes[0]
            line = (
                change.range.start.line
                if isinstance(change, types.TextDocumentContentChangePartial)
                else 0
            )
            ls.engine.workspace.changed(uri, to_fs_path(uri) or uri, document.source, line)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: FimLanguageServer, params: types.DidCloseTextDocumentParams) -> None:
        ls._line_index.pop(params.text_document.uri, None)
        ls.engine.forget(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_INLINE_COMPLETION, types.InlineCompletionOptions())
    async def inline_completion(
        ls: FimLanguageServer, params: types.InlineCompletionParams
    ) -> types.InlineCompletionList | None:
        uri = params.text_document.uri
        document = ls.workspace.text_documents.get(uri)
        if document is None:
            log.warning("inline completion for a document that was never opened: %s", uri)
            return None
        text = document.source
        encoding = ls.workspace.position_encoding or types.PositionEncodingKind.Utf16
        starts = ls.line_index(uri, document.version, text)
        position = params.position
        offset = offset_at(text, starts, position.line, position.character, encoding)
        if offset is None:
            log.warning(
                "position %s:%s is past the end of %s", position.line, position.character, uri
            )
            return None
        selected = params.context.selected_completion_info
        if selected is not None:
            return await _complete_with_selection(ls, params, text, starts, encoding, offset)
        snapshot = Snapshot(uri, to_fs_path(uri) or uri, text, offset, document.language_id or "")
        invoked = params.context.trigger_kind == types.InlineCompletionTriggerKind.Invoked
        suggestion = await ls.engine.complete(snapshot, invoked=invoked)
        if suggestion is None:
            return None
        start = types.Position(position.line, units(text[starts[position.line] : offset], encoding))
        return _items(
            uri,
            suggestion.id,
            [suggestion.text, *suggestion.alternatives],
            start,
            _end(text, starts, position.line, suggestion, encoding),
        )

    @server.command(ACCEPTED_COMMAND)
    def accepted(ls: FimLanguageServer, *arguments: Any) -> None:
        ls.engine.accepted(_item_id(arguments))

    @server.feature(PARTIAL_ACCEPT)
    def partially_accepted(ls: FimLanguageServer, params: Any) -> None:
        length = getattr(params, "acceptedLength", None) or getattr(params, "accepted_length", 0)
        ls.engine.partially_accepted(int(length or 0))

    @server.command(STATS_COMMAND)
    def stats(ls: FimLanguageServer, *arguments: Any) -> dict[str, object]:
        return {**ls.engine.stats.as_dict(), "contextPending": ls.engine.workspace.pending}

    @server.feature(types.SHUTDOWN)
    async def shutdown(ls: FimLanguageServer, *arguments: Any) -> None:
        await ls.engine.aclose()
        remove_stats_file()

    return server


async def _complete_with_selection(
    ls: FimLanguageServer,
    params: types.InlineCompletionParams,
    text: str,
    starts: list[int],
    encoding: str,
    offset: int,
) -> types.InlineCompletionList | None:
    """With the suggest widget open, complete as if its item were accepted, and extend it."""
    selected = params.context.selected_completion_info
    assert selected is not None
    start_pos, end_pos = selected.range.start, selected.range.end
    start = offset_at(text, starts, start_pos.line, start_pos.character, encoding)
    end = offset_at(text, starts, end_pos.line, end_pos.character, encoding)
    if start is None or end is None or not start <= offset <= end or start_pos.line != end_pos.line:
        return None
    applied = text[:start] + selected.text + text[end:]
    uri = params.text_document.uri
    document = ls.workspace.text_documents[uri]
    cursor = start + len(selected.text)
    snapshot = Snapshot(uri, to_fs_path(uri) or uri, applied, cursor, document.language_id or "")
    suggestion = await ls.engine.complete(snapshot, invoked=True)
    if suggestion is None:
        return None
    texts = [selected.text + text for text in (suggestion.text, *suggestion.alternatives)]
    # Past the selected item, the suggestion replaces what it replaces in the applied text
    # (the closers right of the cursor): the same characters follow ``end`` in the document.
    replaced_end = end + suggestion.replace_to - cursor
    line = start_pos.line
    range_end = types.Position(line, units(text[starts[line] : replaced_end], encoding))
    return _items(uri, suggestion.id, texts, start_pos, range_end)


def _context_folders(ls: FimLanguageServer) -> None:
    """The workspace folders (from initialize, kept current by pygls) bound what the context
    may read; without any, the root path is the one folder."""
    folders = [to_fs_path(folder.uri) for folder in ls.workspace.folders.values()]
    root = ls.workspace.root_path
    found = [folder for folder in folders if folder] or ([root] if root else [])
    ls.engine.workspace.folders = found


def _item_id(arguments: tuple[Any, ...]) -> str:
    """The id we put in the item's command; clients send the arguments back as they were."""
    for argument in arguments:
        if isinstance(argument, (list, tuple)):
            return _item_id(tuple(argument))
        found = argument.get("id") if isinstance(argument, dict) else getattr(argument, "id", None)
        if isinstance(found, str):
            return found
    return ""


async def _publish_stats(ls: FimLanguageServer) -> None:
    """Keep the stats file fresh for ``fim-lsp stats``; written only when something changed."""
    last: dict[str, object] = {}
    while True:
        numbers = ls.engine.stats.as_dict()
        if numbers != last:
            try:
                await asyncio.to_thread(write_stats_file, numbers)
            except OSError as error:
                log.warning("cannot write the stats file: %s", error)
                return
            last = numbers
        await asyncio.sleep(STATS_FILE_PERIOD_S)


def _end(
    text: str, starts: list[int], line: int, suggestion: Suggestion, encoding: str
) -> types.Position:
    return types.Position(line, units(text[starts[line] : suggestion.replace_to], encoding))


def _items(
    uri: str, item_id: str, texts: list[str], start: types.Position, end: types.Position
) -> types.InlineCompletionList:
    """One item per choice; the accept hook's id tells the server which one was taken."""
    items = []
    for index, text in enumerate(texts):
        choice_id = f"{item_id}:{index}" if index else item_id
        command = types.Command(
            title="fim-lsp: accepted",
            command=ACCEPTED_COMMAND,
            arguments=[{"uri": uri, "id": choice_id}],
        )
        items.append(
            types.InlineCompletionItem(
                insert_text=text, range=types.Range(start, end), command=command
            )
        )
    return types.InlineCompletionList(items=items)
