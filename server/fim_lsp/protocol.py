"""pygls's JSON-RPC protocol, changed where it would lose a reply, a document or memory.

- Documents live in our own store (``documents.py``): pygls's splits lines where LSP does
  not and rebuilds the whole text on every keystroke.
- A message whose params do not fit its method is answered with a JSON-RPC error at once
  (pygls raises inside ``json.loads``, loses the id, and the client waits forever).
- Error replies pass the log masking: their text can quote what the client sent.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Generator
from typing import Any

from lsprotocol import types
from lsprotocol.types import ResponseErrorMessage
from pygls.capabilities import ServerCapabilitiesBuilder
from pygls.exceptions import JsonRpcInvalidParams, JsonRpcInvalidRequest
from pygls.protocol import LanguageServerProtocol, lsp_method
from pygls.protocol.json_rpc import (
    JsonRPCNotification,
    JsonRPCRequestMessage,
    JsonRPCResponseMessage,
)

from fim_lsp.logs import mask

log = logging.getLogger(__name__)

# What an editor's initialize carries, for ``prepare_initialize``: fields cattrs must read.
_PARAMS: dict[str, Any] = {
    "processId": None,
    "capabilities": {},
    "initializationOptions": {},
    "workspaceFolders": [{"uri": "file:///", "name": "root"}],
}


class UnreadableMessageError(Exception):
    """A message we cannot act on; already answered (if it was a request) and logged."""


class FimProtocol(LanguageServerProtocol):
    def _execute_handler(
        self,
        msg_id: Any,
        handler: Callable[..., Any],
        callback: Callable[..., Any],
        args: tuple[Any, ...] | None = None,
        kwargs: dict[str, Any] | None = None,
    ) -> None:
        """pygls 2.1 files a future under a fresh id for each notification it handles and
        only requests ever remove theirs: about 1 KB kept per keystroke.  Drop each when done."""
        super()._execute_handler(msg_id, handler, callback, args, kwargs)
        future = self._request_futures.get(msg_id)
        if future is not None:
            future.add_done_callback(lambda done: self._forget(msg_id, done))

    def _forget(self, msg_id: Any, done: Any) -> None:
        if self._request_futures.get(msg_id) is done:
            del self._request_futures[msg_id]

    def structure_message(self, data: Any) -> Any:
        """A parsed JSON message as lsprotocol types; ``UnreadableMessageError`` (after answering a
        request with the error) when its shape or params are wrong."""
        if not isinstance(data, dict) or data.get("jsonrpc") != self.VERSION:
            raise self._unreadable(data, JsonRpcInvalidRequest("not a JSON-RPC 2.0 message"))
        method = data.get("method")
        if "method" in data and not isinstance(method, str):
            raise self._unreadable(data, JsonRpcInvalidRequest("method must be a string"))
        try:
            return self._converter.structure(data, self._message_type(data))
        except Exception as error:
            cause = error.__cause__ or error
            raise self._unreadable(
                data, JsonRpcInvalidParams(f"invalid params for {method}: {_first_line(cause)}")
            ) from None

    def _message_type(self, data: dict[str, Any]) -> type:
        """What pygls's ``structure_message`` picks, without its traceback in the log."""
        if "id" not in data:
            return self.get_message_type(data.get("method", "")) or JsonRPCNotification
        if "error" in data:
            return ResponseErrorMessage
        if "method" in data:
            return self.get_message_type(data["method"]) or JsonRPCRequestMessage
        return self._result_types.pop(data["id"], None) or JsonRPCResponseMessage

    def prepare_initialize(self) -> None:
        """cattrs writes and compiles each type's (de)serializer on its first use: about 20 ms
        for ``initialize``'s request and reply on a quiet machine, several times that on a
        busy one, all before the reply.  Called before the first message is read."""
        self.structure_message(
            {"jsonrpc": self.VERSION, "id": 0, "method": types.INITIALIZE, "params": _PARAMS}
        )
        features = self.fm
        capabilities = ServerCapabilitiesBuilder(
            types.ClientCapabilities(),
            {*features.features, *features.builtin_features},
            features.feature_options,
            list(features.commands),
            self._server._text_document_sync_kind,
            self._server._notebook_document_sync,
            types.PositionEncodingKind.Utf16,
        ).build()
        result = types.InitializeResult(capabilities=capabilities, server_info=self.server_info)
        json.dumps(
            JsonRPCResponseMessage(id=0, result=result, jsonrpc=self.VERSION),
            default=self._serialize_message,
        )

    def _unreadable(self, data: Any, error: Exception) -> UnreadableMessageError:
        request_id = data.get("id") if isinstance(data, dict) else None
        is_request = isinstance(data, dict) and "method" in data and "id" in data
        log.warning("ignoring a client message: %s", error)
        if is_request:
            if not isinstance(request_id, (int, str)) or isinstance(request_id, bool):
                request_id = None
            self._send_response(request_id, None, error.to_response_error())  # type: ignore[attr-defined]
        return UnreadableMessageError(str(error))

    def _send_response(
        self, msg_id: Any, result: Any = None, error: types.ResponseError | None = None
    ) -> None:
        if error is not None:
            data = None if error.data is None else mask(str(error.data))
            error = types.ResponseError(error.code, mask(error.message), data)
        super()._send_response(msg_id, result, error)

    # Document sync: our handlers in server.py keep the documents; pygls's workspace never
    # sees them.
    @lsp_method(types.TEXT_DOCUMENT_DID_OPEN)
    def lsp_text_document__did_open(self, params: Any) -> Generator[Any, Any, None]:
        yield from self._user_handler(types.TEXT_DOCUMENT_DID_OPEN, params)

    @lsp_method(types.TEXT_DOCUMENT_DID_CHANGE)
    def lsp_text_document__did_change(self, params: Any) -> Generator[Any, Any, None]:
        yield from self._user_handler(types.TEXT_DOCUMENT_DID_CHANGE, params)

    @lsp_method(types.TEXT_DOCUMENT_DID_CLOSE)
    def lsp_text_document__did_close(self, params: Any) -> Generator[Any, Any, None]:
        yield from self._user_handler(types.TEXT_DOCUMENT_DID_CLOSE, params)

    def _user_handler(self, method: str, params: Any) -> Generator[Any, Any, None]:
        if (handler := self.fm.features.get(method)) is not None:
            yield handler, (params,), None


def _first_line(error: BaseException) -> str:
    """cattrs nests the real reason in exception groups; the innermost one says it."""
    while getattr(error, "exceptions", None):
        error = error.exceptions[0]  # type: ignore[attr-defined]
    text = str(error).strip().splitlines()
    return text[0] if text else type(error).__name__
