"""Reading LSP messages off stdio or TCP, surviving whatever the client sends.

pygls's reader trusts the header: ``Content-Length: 99999999999`` asks for 93 GB (the
server dies), a length longer than the body leaves it waiting for bytes that never come, a
shorter one leaves it deaf until a bare line arrives.  Here a header line is found anywhere
in a line, lengths are bounded, a body that stops short of its announced length is taken
once it is a whole JSON value and the wire goes quiet, and a body cut too short is extended
to the JSON value it starts.  Each such repair logs one line.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
import threading
from collections.abc import AsyncIterator, Callable
from typing import Any, BinaryIO, Protocol

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 256 * 1024 * 1024  # a 100 MB file, JSON-escaped, still fits
MAX_HEADER_LINE_BYTES = 8 * 1024
QUIET_S = 0.5  # how long a short body may wait for bytes its header promised
CHUNK_BYTES = 64 * 1024
UNKNOWN_LENGTH = -1
_CONTENT_LENGTH = re.compile(rb"content-length[ \t]*:[ \t]*(\d+)", re.IGNORECASE)
_DECODER = json.JSONDecoder()


class Source(Protocol):
    async def read(self) -> bytes:
        """Some bytes; ``b""`` at the end of the stream."""
        ...


class StreamSource:
    """An asyncio stream (TCP)."""

    def __init__(self, reader: asyncio.StreamReader) -> None:
        self._reader = reader

    async def read(self) -> bytes:
        return await self._reader.read(CHUNK_BYTES)


class PipeSource:
    """A blocking binary stream (stdin) read by a daemon thread, a few chunks ahead at most:
    a thread blocked on stdin must never hold up the process's exit."""

    def __init__(self, stream: BinaryIO) -> None:
        self._stream = stream
        self._chunks: asyncio.Queue[bytes] = asyncio.Queue()
        self._room = threading.Semaphore(4)
        self._loop = asyncio.get_running_loop()
        threading.Thread(target=self._pump, name="lsp-stdin", daemon=True).start()

    def _pump(self) -> None:
        # os.read on the descriptor: a thread blocked inside the buffered reader holds its
        # lock, and Python aborts at exit when a daemon thread holds it.
        fd = self._stream.fileno()
        while True:
            self._room.acquire()
            try:
                chunk = os.read(fd, CHUNK_BYTES)
            except (OSError, ValueError):
                chunk = b""
            self._loop.call_soon_threadsafe(self._chunks.put_nowait, chunk)
            if not chunk:
                return

    async def read(self) -> bytes:
        chunk = await self._chunks.get()
        self._room.release()
        return chunk


class MessageReader:
    """LSP messages, parsed from JSON, in order, from a ``Source``."""

    def __init__(self, source: Source) -> None:
        self._source = source
        self._buffer = bytearray()
        self._pending: asyncio.Future[bytes] | None = None
        self._ended = False

    async def messages(self) -> AsyncIterator[Any]:
        while (length := await self._header()) is not None:
            if (message := await self._message(length)) is _END:
                return
            if message is not _UNREADABLE:
                yield message

    async def _more(self, timeout: float | None = None) -> bool:
        """Append the next chunk; False at the end of the stream or after ``timeout``."""
        if self._ended:
            return False
        if self._pending is None:
            self._pending = asyncio.ensure_future(self._source.read())
        try:
            chunk = await asyncio.wait_for(asyncio.shield(self._pending), timeout)
        except asyncio.TimeoutError:
            return False
        self._pending = None
        if not chunk:
            self._ended = True
            return False
        self._buffer += chunk
        return True

    async def _header(self) -> int | None:
        """The announced length of the next body, its header block consumed."""
        length: int | None = None
        while True:
            end = self._buffer.find(b"\n")
            if end < 0:
                if len(self._buffer) > MAX_HEADER_LINE_BYTES:
                    log.warning("dropped %d bytes that are no LSP header", len(self._buffer))
                    del self._buffer[:-64]  # a header may begin in the last bytes
                if not await self._more():
                    return None
                continue
            line = bytes(self._buffer[: end + 1])
            del self._buffer[: end + 1]
            if not line.strip():
                if length is not None:
                    return length
                continue
            found = list(_CONTENT_LENGTH.finditer(line))
            if not found:
                continue  # Content-Type, or bytes between messages
            digits = found[-1].group(1)
            if len(digits) > 12 or int(digits) > MAX_BODY_BYTES:
                log.warning(
                    "a message announced as %s bytes (the limit is %d): read as the JSON "
                    "it starts with",
                    digits.decode()[:20],
                    MAX_BODY_BYTES,
                )
                length = UNKNOWN_LENGTH
            else:
                length = int(digits)

    async def _message(self, length: int) -> Any:
        if length == UNKNOWN_LENGTH:
            return await self._message_as_sent()
        while len(self._buffer) < length:
            if await self._more(QUIET_S):
                continue
            if (sent := _json_prefix(self._buffer)) is not None:
                return self._repaired(length, *sent)
            if self._ended:
                return _END
        try:
            message = json.loads(self._buffer[:length])
        except ValueError as error:
            if (sent := _json_prefix(self._buffer)) is not None:
                return self._repaired(length, *sent)
            log.warning("ignoring a message that is not JSON: %s", error)
            message = _UNREADABLE
        del self._buffer[:length]
        return message

    async def _message_as_sent(self) -> Any:
        """The JSON object the buffer starts with, once it has arrived whole; nothing (the
        header scan takes the bytes) if the wire goes quiet first."""
        while True:
            if (sent := _json_prefix(self._buffer)) is not None:
                del self._buffer[: sent[1]]
                return sent[0]
            if not self._buffer.lstrip().startswith(b"{") and self._buffer.strip():
                return _UNREADABLE
            if len(self._buffer) > MAX_BODY_BYTES or not await self._more(QUIET_S):
                return _END if self._ended else _UNREADABLE

    def _repaired(self, length: int, message: Any, sent: int) -> Any:
        log.warning("a message announced %d bytes but sent %d; read as sent", length, sent)
        del self._buffer[:sent]
        return message


_END = object()
_UNREADABLE = object()


def _json_prefix(data: bytearray) -> tuple[Any, int] | None:
    """The JSON object ``data`` starts with, and its length in bytes, if it is whole."""
    try:
        text = bytes(data).decode("utf-8", "surrogateescape")
        start = len(text) - len(text.lstrip())
        if not text.startswith("{", start):
            return None
        message, end = _DECODER.raw_decode(text, start)
    except ValueError:
        return None
    return message, len(text[:end].encode("utf-8", "surrogateescape"))


async def serve(
    reader: MessageReader, handle: Callable[[Any], None], stop: threading.Event
) -> None:
    """Hand each message to ``handle``; nothing a client sends ends the loop."""
    async for message in reader.messages():
        if stop.is_set():
            return
        handle(message)
