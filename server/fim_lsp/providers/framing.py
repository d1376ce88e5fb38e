"""How answers are framed on the wire: server-sent events and newline-delimited JSON.

We split bytes ourselves instead of letting a text decoder replace bad bytes with U+FFFD:
a provider that sends invalid UTF-8 must fail loudly, not put garbage in the user's buffer.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from fim_lsp.providers.base import BadResponseError


async def utf8_lines(chunks: AsyncIterator[bytes]) -> AsyncIterator[str]:
    """Each line of the stream without its line break; a last unterminated line too."""
    buffer = b""
    async for chunk in chunks:
        buffer += chunk
        *lines, buffer = buffer.split(b"\n")
        for raw in lines:
            yield _decode(raw.rstrip(b"\r"))
    if buffer:
        yield _decode(buffer.rstrip(b"\r"))


async def sse_data(chunks: AsyncIterator[bytes]) -> AsyncIterator[str]:
    """Yield each event's data until ``[DONE]`` or the end of the stream."""
    data_lines: list[str] = []
    async for line in utf8_lines(chunks):
        if line:
            if line.startswith("data:"):
                data_lines.append(line[5:].removeprefix(" "))
            continue
        if data_lines:
            data = "\n".join(data_lines)
            data_lines = []
            if data == "[DONE]":
                return
            yield data
    if data_lines and "\n".join(data_lines) != "[DONE]":
        yield "\n".join(data_lines)


async def json_lines(chunks: AsyncIterator[bytes]) -> AsyncIterator[str]:
    """NDJSON (Ollama): one JSON document a non-blank line."""
    async for line in utf8_lines(chunks):
        if line.strip():
            yield line


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise BadResponseError(f"provider sent invalid UTF-8 ({error.reason})") from None
