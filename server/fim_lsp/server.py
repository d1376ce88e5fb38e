"""The only module that speaks LSP: capabilities, handlers, settings updates.

Handlers convert positions and wrap the engine's answer in lsprotocol types; everything
else lives in plain modules.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
import threading
from collections.abc import Callable
from typing import Any, BinaryIO

from lsprotocol import types
from pygls.exceptions import FeatureRequestError
from pygls.io_ import StdoutWriter
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path

from fim_lsp import __version__, incoming
from fim_lsp.documents import Document, DocumentStore
from fim_lsp.engine import Engine
from fim_lsp.keys import remember_keys, with_checked_keys
from fim_lsp.logs import mask
from fim_lsp.notices import Severity, sentence
from fim_lsp.pipeline import snapshot_near
from fim_lsp.positions import units
from fim_lsp.protocol import FimProtocol, UnreadableMessageError
from fim_lsp.settings import Settings, SettingsError, client_layer, load_startup_settings
from fim_lsp.snapshot import Snapshot
from fim_lsp.stats import remove_stats_file, write_stats_file

log = logging.getLogger(__name__)

ACCEPTED_COMMAND = "fim-lsp.accepted"
STATS_COMMAND = "fim-lsp.stats"
# Not in LSP 3.18: what VS Code's API reports as a partial accept, forwarded by our clients.
PARTIAL_ACCEPT = "textDocument/didPartiallyAcceptCompletion"
# Not in LSP: "the answer to a request you gave up on is here; ask again", sent only to a
# client that declares `experimental.fimLsp.suggestionReady` (docs/CONTRACT.md).
SUGGESTION_READY = "fimLsp/suggestionReady"
STATS_FILE_PERIOD_S = 5.0


class FimLanguageServer(LanguageServer):
    protocol: FimProtocol

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
        self.documents = DocumentStore()
        self.stats_publisher: asyncio.Task[None] | None = None
        self.tells_ready = False  # the client asks again when told a suggestion is ready

    @property
    def encoding(self) -> str:
        return self.workspace.position_encoding or types.PositionEncodingKind.Utf16

    def tell_user(self, severity: Severity, message: str) -> None:
        """The one way to the user's screen: masked like the logs."""
        kind = types.MessageType.Error if severity is Severity.ERROR else types.MessageType.Warning
        self.window_show_message(types.ShowMessageParams(type=kind, message=mask(message)))

    def landed(self, uri: str, version: int, position: types.Position) -> Callable[[], None]:
        """What tells the client that the answer to its given-up request at ``position`` of
        ``uri`` at ``version`` is ready, if the document is still at that version."""

        def tell() -> None:
            document = self.documents.get(uri)
            if self.tells_ready and document is not None and document.version == version:
                log.debug("a kept suggestion is ready for %s at %s", uri, version)
                self.protocol.notify(
                    SUGGESTION_READY,
                    {
                        "textDocument": {"uri": uri, "version": version},
                        "position": {"line": position.line, "character": position.character},
                    },
                )

        return tell

    def report_server_error(self, error: Exception, source: Any) -> None:
        """pygls pops up every failed notification; a client's mistake is one log line (for
        a request pygls has written it, and the error reply says it)."""
        if source is not FeatureRequestError:
            log.warning("%s: %s", getattr(source, "__name__", source), error)

    def start_io(self, stdin: BinaryIO | None = None, stdout: BinaryIO | None = None) -> None:
        self.protocol.set_writer(StdoutWriter(stdout or sys.stdout.buffer))
        self.protocol.prepare_initialize()

        async def serve() -> None:
            source = incoming.PipeSource(stdin or sys.stdin.buffer)
            await incoming.serve(incoming.MessageReader(source), self.handle, self._stop())

        try:
            asyncio.run(serve())
        except BrokenPipeError:
            log.error("the connection to the client is lost; shutting down")
        except (KeyboardInterrupt, SystemExit):
            pass
        finally:
            self.shutdown()

    def start_tcp(self, host: str, port: int) -> None:
        stop = self._stop()
        self.protocol.prepare_initialize()

        async def connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            self.protocol.set_writer(writer)
            await incoming.serve(
                incoming.MessageReader(incoming.StreamSource(reader)), self.handle, stop
            )
            self.shutdown()

        async def serve() -> None:
            self._server = await asyncio.start_server(connection, host, port)
            async with self._server:
                await self._server.serve_forever()

        with contextlib.suppress(asyncio.CancelledError):
            asyncio.run(serve())

    def _stop(self) -> threading.Event:
        self._stop_event = threading.Event()
        return self._stop_event

    def handle(self, data: Any) -> None:
        """One message from the client: a bad one is answered (if a request) and logged."""
        try:
            message = self.protocol.structure_message(data)
        except UnreadableMessageError:
            return
        try:
            self.protocol.handle_message(message)
        except Exception:
            log.exception("internal error handling %s", getattr(message, "method", "a message"))

    def settings_with(self, payload: Any, source: str) -> Settings | None:
        """The startup settings under the client's layers, ``source``'s replaced by
        ``payload``; None (and one message naming the field) if invalid."""
        try:
            layer = dict(client_layer(payload))
            remember_keys(layer)
            layers = {**self.client_layers, source: layer}
            merged = self.startup
            for name in ("initializationOptions", "didChangeConfiguration"):
                merged = with_checked_keys(merged.merged(layers.get(name, {}), name), name)
        except SettingsError as error:
            log.error("%s; keeping the previous settings", error)
            self.tell_user(
                Severity.ERROR, f"fim-lsp: {sentence(error)} Keeping the previous settings."
            )
            return None
        self.client_layers = layers
        return merged


def build_server(startup: Settings | None = None) -> FimLanguageServer:
    server = FimLanguageServer(startup or load_startup_settings())

    @server.feature(types.INITIALIZE)
    def initialize(ls: FimLanguageServer, params: types.InitializeParams) -> None:
        ls.tells_ready = _declares_suggestion_ready(params.capabilities)
        settings = ls.settings_with(params.initialization_options, "initializationOptions")
        if settings is not None:
            ls.engine.update_settings(settings)

    @server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
    def did_change_configuration(
        ls: FimLanguageServer, params: types.DidChangeConfigurationParams
    ) -> None:
        settings = ls.settings_with(params.settings, "didChangeConfiguration")
        if settings is not None:
            ls.engine.update_settings(settings)
            log.info("settings updated")

    @server.feature(types.INITIALIZED)
    async def initialized(ls: FimLanguageServer, params: types.InitializedParams) -> None:
        ls.stats_publisher = asyncio.ensure_future(_publish_stats(ls))

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: FimLanguageServer, params: types.DidOpenTextDocumentParams) -> None:
        _context_folders(ls)
        item = params.text_document
        document = ls.documents.open(item.uri, item.language_id, item.version, item.text)
        path = to_fs_path(item.uri) or item.uri
        ls.engine.workspace.opened(item.uri, path, document)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: FimLanguageServer, params: types.DidChangeTextDocumentParams) -> None:
        uri, version = params.text_document.uri, params.text_document.version
        ls.documents.change(uri, version, params.content_changes, ls.encoding)
        ls.engine.typing(uri)
        document = ls.documents.get(uri)
        if document is not None and params.content_changes:
            change = params.content_changes[0]
            line = (
                change.range.start.line
                if isinstance(change, types.TextDocumentContentChangePartial)
                else 0
            )
            path = to_fs_path(uri) or uri
            ls.engine.workspace.changed(uri, path, document, line)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: FimLanguageServer, params: types.DidCloseTextDocumentParams) -> None:
        ls.documents.close(params.text_document.uri)
        ls.engine.forget(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_INLINE_COMPLETION, types.InlineCompletionOptions())
    async def inline_completion(
        ls: FimLanguageServer, params: types.InlineCompletionParams
    ) -> types.InlineCompletionList | None:
        uri = params.text_document.uri
        document = ls.documents.get(uri)
        if document is None:
            log.warning("inline completion for a document that was never opened: %s", uri)
            return None
        encoding = ls.encoding
        position = params.position
        offset = document.offset_at(position, encoding)
        line_start = document.line_start(position.line)
        if offset is None or line_start is None:
            log.warning(
                "position %s:%s is past the end of %s", position.line, position.character, uri
            )
            return None
        # Read now: the document may change while the engine waits for the model.
        snapshot = snapshot_near(
            document,
            uri,
            to_fs_path(uri) or uri,
            offset,
            document.language_id or "",
            ls.engine.settings,
        )
        selected = params.context.selected_completion_info
        if selected is not None:
            return await _complete_with_selection(ls, params, snapshot, document, line_start)
        invoked = params.context.trigger_kind == types.InlineCompletionTriggerKind.Invoked
        landed = ls.landed(uri, document.version, position)
        suggestion = await ls.engine.complete(snapshot, invoked=invoked, landed=landed)
        if suggestion is None:
            return None
        return _items(
            uri,
            suggestion.id,
            [suggestion.text, *suggestion.alternatives],
            types.Position(position.line, _units(snapshot, line_start, offset, encoding)),
            types.Position(
                position.line, _units(snapshot, line_start, suggestion.replace_to, encoding)
            ),
        )

    @server.command(ACCEPTED_COMMAND)
    def accepted(ls: FimLanguageServer, *arguments: Any) -> None:
        ls.engine.accepted(_item_id(arguments))

    @server.feature(PARTIAL_ACCEPT)
    def partially_accepted(ls: FimLanguageServer, params: Any) -> None:
        length = _field(params, "acceptedLength")
        if not isinstance(length, int) or isinstance(length, bool) or length < 0:
            log.warning("%s: acceptedLength must be a count, got %.40r", PARTIAL_ACCEPT, length)
            return
        ls.engine.partially_accepted(length)

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
    snapshot: Snapshot,
    document: Document,
    line_start: int,
) -> types.InlineCompletionList | None:
    """With the suggest widget open, complete as if its item were accepted, and extend it."""
    selected = params.context.selected_completion_info
    assert selected is not None
    start_pos, end_pos = selected.range.start, selected.range.end
    start = document.offset_at(start_pos, ls.encoding)
    end = document.offset_at(end_pos, ls.encoding)
    offset = snapshot.offset
    if start is None or end is None or not start <= offset <= end or start_pos.line != end_pos.line:
        return None
    if snapshot.slice(start, end) is None:  # a line longer than the snapshot reaches
        return None
    applied = snapshot.replaced(start, end, selected.text)
    suggestion = await ls.engine.complete(applied, invoked=True, browse=False)
    if suggestion is None:
        return None
    texts = [selected.text + text for text in (suggestion.text, *suggestion.alternatives)]
    # Past the selected item, the suggestion replaces what it replaces in the applied text
    # (the closers right of the cursor): the same characters follow ``end`` in the document.
    replaced_end = end + suggestion.replace_to - applied.offset
    range_end = types.Position(
        start_pos.line, _units(snapshot, line_start, replaced_end, ls.encoding)
    )
    return _items(snapshot.uri, suggestion.id, texts, start_pos, range_end)


def _units(snapshot: Snapshot, line_start: int, offset: int, encoding: str) -> int:
    """The column of ``offset`` on the line beginning at ``line_start``, in ``encoding``."""
    return units(snapshot.slice(line_start, offset) or "", encoding)


def _context_folders(ls: FimLanguageServer) -> None:
    """The workspace folders (from initialize, kept current by pygls) bound what the context
    may read; without any, the root path is the one folder."""
    folders = [to_fs_path(folder.uri) for folder in ls.workspace.folders.values()]
    root = ls.workspace.root_path
    found = [folder for folder in folders if folder] or ([root] if root else [])
    ls.engine.workspace.folders = found


def _declares_suggestion_ready(capabilities: types.ClientCapabilities) -> bool:
    experimental = capabilities.experimental
    ours = experimental.get("fimLsp") if isinstance(experimental, dict) else None
    return isinstance(ours, dict) and ours.get("suggestionReady") is True


def _field(params: Any, name: str) -> Any:
    """A field of params pygls left untyped (a method outside LSP): a dict or an object."""
    return params.get(name) if isinstance(params, dict) else getattr(params, name, None)


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
