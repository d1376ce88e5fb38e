"""The only module that speaks LSP: capabilities, handlers, settings updates.

Handlers convert positions and wrap the engine's answer in lsprotocol types; everything
else lives in plain modules.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path

from fim_lsp import __version__
from fim_lsp.engine import Engine, Severity, Snapshot, Suggestion
from fim_lsp.positions import line_starts, offset_at, units
from fim_lsp.settings import Settings, SettingsError, client_layer, load_startup_settings

log = logging.getLogger(__name__)

ACCEPTED_COMMAND = "fim-lsp.accepted"
STATS_COMMAND = "fim-lsp.stats"


class FimLanguageServer(LanguageServer):
    def __init__(self, startup: Settings) -> None:
        super().__init__(
            "fim-lsp", __version__, text_document_sync_kind=types.TextDocumentSyncKind.Incremental
        )
        self.startup = startup
        self.client_options: dict[str, Any] = {}
        self.engine = Engine(startup, self.tell_user)
        self._line_index: dict[str, tuple[int, list[int]]] = {}

    def tell_user(self, severity: Severity, message: str) -> None:
        kind = types.MessageType.Error if severity is Severity.ERROR else types.MessageType.Warning
        self.window_show_message(types.ShowMessageParams(type=kind, message=message))

    def settings_with(self, payload: Any, source: str) -> Settings | None:
        """Layer a client's settings object over the startup settings; None if invalid."""
        try:
            layer = dict(client_layer(payload))
            merged = self.startup.merged({**self.client_options, **layer}, source)
        except SettingsError as error:
            log.error("%s; keeping the previous settings", error)
            self.tell_user(Severity.ERROR, f"fim-lsp: {error}. Keeping the previous settings.")
            return None
        self.client_options.update(layer)
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

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: FimLanguageServer, params: types.DidCloseTextDocumentParams) -> None:
        ls._line_index.pop(params.text_document.uri, None)

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
            uri, suggestion.text, start, _end(text, starts, position.line, suggestion, encoding)
        )

    @server.command(ACCEPTED_COMMAND)
    def accepted(ls: FimLanguageServer, *arguments: Any) -> None:
        ls.engine.stats.accepted += 1
        log.debug("completion accepted: %s", arguments)

    @server.command(STATS_COMMAND)
    def stats(ls: FimLanguageServer, *arguments: Any) -> dict[str, object]:
        return ls.engine.stats.as_dict()

    @server.feature(types.SHUTDOWN)
    async def shutdown(ls: FimLanguageServer, *arguments: Any) -> None:
        await ls.engine.aclose()

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
    snapshot = Snapshot(
        uri, to_fs_path(uri) or uri, applied, start + len(selected.text), document.language_id or ""
    )
    suggestion = await ls.engine.complete(snapshot, invoked=True)
    if suggestion is None:
        return None
    return _items(uri, selected.text + suggestion.text, start_pos, end_pos)


def _end(
    text: str, starts: list[int], line: int, suggestion: Suggestion, encoding: str
) -> types.Position:
    return types.Position(line, units(text[starts[line] : suggestion.replace_to], encoding))


def _items(
    uri: str, insert_text: str, start: types.Position, end: types.Position
) -> types.InlineCompletionList:
    command = types.Command(
        title="fim-lsp: accepted",
        command=ACCEPTED_COMMAND,
        arguments=[{"uri": uri, "id": uuid.uuid4().hex[:12]}],
    )
    item = types.InlineCompletionItem(
        insert_text=insert_text, range=types.Range(start, end), command=command
    )
    return types.InlineCompletionList(items=[item])
