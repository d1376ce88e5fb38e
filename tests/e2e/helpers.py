"""Editor-like actions for the e2e tests: open, edit, ask for ghost text."""

from __future__ import annotations

import asyncio

from lsprotocol import types
from pygls.lsp.client import BaseLanguageClient
from pytest_lsp import LanguageClient


def open_document(client: LanguageClient, uri: str, text: str, language_id: str = "python") -> None:
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            types.TextDocumentItem(uri=uri, language_id=language_id, version=1, text=text)
        )
    )


def insert(
    client: LanguageClient, uri: str, version: int, line: int, character: int, text: str
) -> None:
    """An incremental change, as editors send while the user types."""
    at = types.Position(line, character)
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[
                types.TextDocumentContentChangePartial(range=types.Range(at, at), text=text)
            ],
        )
    )


def inline_params(
    uri: str,
    line: int,
    character: int,
    trigger: types.InlineCompletionTriggerKind = types.InlineCompletionTriggerKind.Automatic,
) -> types.InlineCompletionParams:
    return types.InlineCompletionParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        position=types.Position(line, character),
        context=types.InlineCompletionContext(trigger_kind=trigger),
    )


async def ask(
    client: LanguageClient, uri: str, line: int, character: int
) -> list[types.InlineCompletionItem]:
    result = await asyncio.wait_for(
        client.text_document_inline_completion_async(inline_params(uri, line, character)), 15
    )
    if result is None:
        return []
    return list(result.items if isinstance(result, types.InlineCompletionList) else result)


async def settled(client: BaseLanguageClient) -> None:
    """Until the server's background loading has caught up with what it was told (every
    notification before the round trip has been handled, and the context has read it)."""
    for _ in range(200):
        numbers = await client.workspace_execute_command_async(
            types.ExecuteCommandParams(command="fim-lsp.stats")
        )
        if numbers["contextPending"] == 0:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the context never finished loading")
