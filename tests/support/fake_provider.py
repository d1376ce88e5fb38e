"""A fake OpenAI-compatible completions server (DashScope's wire format) on 127.0.0.1.

It is a real HTTP server, so the code under test uses its real HTTP client, SSE parser and
error handling.  Tests queue scripted replies and read back every request it received.
Run it as a script (``python tests/support/fake_provider.py --text "..."``) to serve one fixed
completion to a process in another language; it prints ``PORT <n>`` on its first line.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Reply:
    """One scripted answer.  ``chunks`` are streamed as SSE when the request asks for a stream."""

    text: str = ""
    status: int = 200
    chunks: list[str] | None = None
    chunk_delay: float = 0.0
    first_delay: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)
    raw_body: bytes | None = None
    raw_stream: bytes | None = None
    hang: float = 0.0
    drop_after_chunks: int | None = None

    def stream_chunks(self) -> list[str]:
        return self.chunks if self.chunks is not None else _split_words(self.text)


def _split_words(text: str) -> list[str]:
    parts: list[str] = []
    current = ""
    for char in text:
        current += char
        if char in " \n":
            parts.append(current)
            current = ""
    if current:
        parts.append(current)
    return parts or [""]


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: dict[str, Any]
    client_closed: bool = False
    closed_at: float | None = None  # time.monotonic() when a write found the stream closed
    chunks_sent: int = 0
    at: float = field(default_factory=time.monotonic)  # when the request arrived


class FakeProvider:
    """Thread-hosted server; ``replies`` are consumed in order, then ``default`` repeats."""

    def __init__(self, default: Reply | None = None) -> None:
        self.default = default or Reply(text="")
        # When set, computes each reply from the request body (benchmarks answer with the
        # text the typist is about to type); queued replies still come first.
        self.responder: Callable[[dict[str, Any]], Reply] | None = None
        self.replies: list[Reply] = []
        self.received: list[Received] = []
        self._lock = threading.Lock()
        self.request_seen = threading.Event()
        self.warmups = 0  # bodiless HEAD requests: a client opening its connection early
        self.open_connections = 0  # accepted and not yet closed by the client
        self.closed_seen = threading.Event()
        self._server = QuietServer(("127.0.0.1", 0), _handler_for(self))
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/compatible-mode/v1"

    def start(self) -> FakeProvider:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def queue(self, *replies: Reply) -> None:
        with self._lock:
            self.replies.extend(replies)

    def next_reply(self, body: dict[str, Any]) -> Reply:
        with self._lock:
            if self.replies:
                return self.replies.pop(0)
        return self.responder(body) if self.responder else self.default

    def record(self, received: Received) -> None:
        with self._lock:
            self.received.append(received)
        self.request_seen.set()

    def wait_for_requests(self, count: int, timeout: float = 10.0) -> list[Received]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if len(self.received) >= count:
                    return list(self.received)
            time.sleep(0.01)
        raise AssertionError(f"expected {count} requests, got {len(self.received)}")

    def wait_for_close(self, timeout: float = 10.0) -> Received:
        if not self.closed_seen.wait(timeout):
            raise AssertionError("the client never closed a stream early")
        with self._lock:
            return next(r for r in self.received if r.client_closed)


class QuietServer(ThreadingHTTPServer):
    """Clients that hang up mid-answer are what several tests are about, not an error."""

    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


def _handler_for(fake: FakeProvider) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib name
            return

        def setup(self) -> None:
            super().setup()
            with fake._lock:
                fake.open_connections += 1

        def finish(self) -> None:
            with fake._lock:
                fake.open_connections -= 1
            super().finish()

        def do_GET(self) -> None:
            self._send_json(200, {"object": "list", "data": [{"id": "qwen2.5-coder-7b-instruct"}]})

        def do_HEAD(self) -> None:
            with fake._lock:
                fake.warmups += 1
            self.send_response(405)  # as the real endpoint: no HEAD, but the connection stays
            self.send_header("Content-Length", "0")
            self.end_headers()

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            raw = self.rfile.read(length)
            try:
                body = json.loads(raw)
            except ValueError:
                body = {"_unparsed": raw.decode("utf-8", "replace")}
            received = Received("POST", self.path, dict(self.headers.items()), body)
            fake.record(received)
            reply = fake.next_reply(body)
            if reply.hang:
                time.sleep(reply.hang)
            if reply.status != 200 or reply.raw_body is not None:
                self._send_raw(reply)
            elif reply.raw_stream is not None:
                self._send_raw_stream(reply.raw_stream)
            elif body.get("stream"):
                self._send_stream(reply, received, body)
            else:
                time.sleep(reply.first_delay)
                self._send_json(200, _completion(reply.text, body))

        def _send_raw(self, reply: Reply) -> None:
            payload = reply.raw_body
            if payload is None:
                error = {"message": f"fake error {reply.status}", "type": "fake", "code": None}
                payload = json.dumps({"error": error}).encode()
            self.send_response(reply.status)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def _send_json(self, status: int, payload: dict[str, Any]) -> None:
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _send_stream(self, reply: Reply, received: Received, body: dict[str, Any]) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            time.sleep(reply.first_delay)
            chunks = reply.stream_chunks()
            try:
                for index, piece in enumerate(chunks):
                    if reply.drop_after_chunks is not None and index >= reply.drop_after_chunks:
                        self.close_connection = True
                        self.wfile.flush()
                        with contextlib.suppress(OSError):  # the client may have gone first
                            self.connection.shutdown(2)
                        return
                    event = _chunk_event(piece, body, last=index == len(chunks) - 1)
                    self._write_chunk(f"data: {json.dumps(event)}\n\n".encode())
                    received.chunks_sent += 1
                    time.sleep(reply.chunk_delay)
                self._write_chunk(b"data: [DONE]\n\n")
                self._write_chunk(b"")
            except (BrokenPipeError, ConnectionResetError):
                received.closed_at = time.monotonic()
                received.client_closed = True
                fake.closed_seen.set()
                self.close_connection = True

        def _send_raw_stream(self, payload: bytes) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            self._write_chunk(payload)
            self._write_chunk(b"")

        def _write_chunk(self, data: bytes) -> None:
            self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
            self.wfile.flush()

    return Handler


def _completion(text: str, body: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": "cmpl-fake",
        "object": "text_completion",
        "created": 1,
        "model": body.get("model", ""),
        "choices": [{"text": text, "index": 0, "logprobs": None, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 10, "completion_tokens": max(1, len(text) // 4)},
    }


def _chunk_event(piece: str, body: dict[str, Any], last: bool) -> dict[str, Any]:
    return {
        "id": "cmpl-fake",
        "object": "text_completion",
        "created": 1,
        "model": body.get("model", ""),
        "choices": [
            {
                "text": piece,
                "index": 0,
                "logprobs": None,
                "finish_reason": "stop" if last else None,
            }
        ],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--text", default="", help="completion text served to every request")
    parser.add_argument("--record", help="append every received request body to this JSONL file")
    args = parser.parse_args()
    fake = FakeProvider(Reply(text=args.text)).start()
    print(f"PORT {fake.port}", flush=True)
    written = 0
    try:
        while True:
            time.sleep(0.05)
            if args.record and len(fake.received) > written:
                with open(args.record, "a", encoding="utf-8") as out:
                    for item in fake.received[written:]:
                        out.write(json.dumps({"path": item.path, "body": item.body}) + "\n")
                written = len(fake.received)
    except KeyboardInterrupt:
        pass
    finally:
        fake.stop()
        sys.exit(0)


if __name__ == "__main__":
    main()
