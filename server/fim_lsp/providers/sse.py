"""Server-sent events from a byte stream: the ``data`` of each event, strictly UTF-8.

We split bytes ourselves instead of letting a text decoder replace bad bytes with U+FFFD:
a provider that sends invalid UTF-8 must fail loudly, not put garbage in the user's buffer.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from fim_lsp.providers.base import BadResponseError


async def sse_data(chunks: AsyncIterator[bytes]) -> AsyncIterator[str]:
    """Yield each event's data until ``[DONE]`` or the end of the stream."""
    buffer = b""
    data_lines: list[str] = []
    async for chunk in chunks:
        buffer += chunk
        *lines, buffer = buffer.split(b"\n")
        for raw in lines:
            line = _decode(raw.rstrip(b"\r"))
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


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise BadResponseError(f"provider sent invalid UTF-8 ({error.reason})") from None
