"""Fakes of the other providers' real wire formats, each a real HTTP server on 127.0.0.1.

- ``FakeQianfan``: Baidu's OAuth token exchange and the wenxinworkshop completions path,
  checking the access token (or the bce-auth-v1 signature) like Baidu does; errors as HTTP
  200 ``error_code``/``error_msg``; SSE chunks with ``sentence_id``/``is_end``.
- ``FakeOllama``: ``/api/tags`` and ``/api/generate`` streaming NDJSON; ``{"error": ...}``.
- ``FakeLlamaCpp``: ``/health`` and ``/infill`` streaming SSE ``content``/``stop``.
- ``FakeCodestral``: ``/v1/fim/completions`` streaming chat-style ``delta.content`` chunks.

Tests queue ``Script``s and read back every ``Exchange`` received.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

from tests.support.fake_provider import QuietServer


@dataclass
class Script:
    """One scripted answer: streamed ``chunks``, or an ``error`` in the provider's own shape
    (with ``status``), optionally after ``hang`` seconds; ``unfinished`` drops the last
    frame that says the answer is complete."""

    chunks: list[str] = field(default_factory=list)
    status: int = 200
    error: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    hang: float = 0.0
    chunk_delay: float = 0.0
    unfinished: bool = False
    flags: dict[str, Any] = field(default_factory=dict)  # extra fields on the last chunk


@dataclass
class Exchange:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: Any
    client_closed: bool = False


class FakeApi:
    """Thread-hosted server; ``scripts`` are consumed in order, then ``default`` repeats."""

    def __init__(self, default: Script | None = None) -> None:
        self.default = default or Script(chunks=[""])
        self.scripts: list[Script] = []
        self.received: list[Exchange] = []
        self._lock = threading.Lock()
        self._server = QuietServer(("127.0.0.1", 0), _handler_for(self))
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> FakeApi:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def queue(self, *scripts: Script) -> None:
        with self._lock:
            self.scripts.extend(scripts)

    def next_script(self) -> Script:
        with self._lock:
            return self.scripts.pop(0) if self.scripts else self.default

    def record(self, exchange: Exchange) -> None:
        with self._lock:
            self.received.append(exchange)

    def requests_to(self, path_part: str) -> list[Exchange]:
        with self._lock:
            return [e for e in self.received if path_part in e.path]

    def wait_for(self, path_part: str, count: int, timeout: float = 10.0) -> list[Exchange]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.requests_to(path_part)
            if len(found) >= count:
                return found
            time.sleep(0.01)
        raise AssertionError(f"expected {count} requests to {path_part}, got {self.received}")

    def answer(self, handler: Handler, exchange: Exchange) -> None:
        raise NotImplementedError


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    fake: FakeApi

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib name
        return

    def do_GET(self) -> None:
        self._dispatch(None)

    def do_HEAD(self) -> None:
        self.send_response(404)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_POST(self) -> None:
        raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = {"_unparsed": raw.decode("utf-8", "replace")}
        self._dispatch(body)

    def _dispatch(self, body: Any) -> None:
        parts = urlsplit(self.path)
        exchange = Exchange(
            self.command, parts.path, parse_qs(parts.query), dict(self.headers.items()), body
        )
        self.fake.record(exchange)
        self.fake.answer(self, exchange)

    def send_json(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(payload).encode()
        try:
            self.send_response(status)
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client gave up waiting (a timeout test)

    def send_frames(
        self, exchange: Exchange, content_type: str, frames: list[bytes], delay: float
    ) -> None:
        """Chunked transfer, one frame a chunk; a client that hangs up is noted."""
        try:
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for frame in [*frames, b""]:
                self.wfile.write(f"{len(frame):x}\r\n".encode() + frame + b"\r\n")
                self.wfile.flush()
                time.sleep(delay)
        except (BrokenPipeError, ConnectionResetError):
            exchange.client_closed = True
            self.close_connection = True


def _handler_for(fake: FakeApi) -> type[Handler]:
    return type("BoundHandler", (Handler,), {"fake": fake})


def sse(event: dict[str, Any]) -> bytes:
    return f"data: {json.dumps(event, ensure_ascii=False)}\n\n".encode()


class FakeQianfan(FakeApi):
    """Baidu Qianfan: tokens ``24.token-1``, ``24.token-2`` … for the one valid AK/SK."""

    def __init__(self, ak: str, sk: str, expires_in: int = 2592000) -> None:
        super().__init__(Script(chunks=[""]))
        self.ak, self.sk = ak, sk
        self.expires_in = expires_in
        self.issued: list[str] = []
        self.revoked: set[str] = set()

    def revoke_tokens(self) -> None:
        """Every token issued so far is now expired (error 111), as after 30 days."""
        self.revoked.update(self.issued)

    def answer(self, handler: Handler, exchange: Exchange) -> None:
        if exchange.path == "/oauth/2.0/token":
            return self._token(handler, exchange)
        prefix = "/rpc/2.0/ai_custom/v1/wenxinworkshop/completions/"
        if exchange.method != "POST" or not exchange.path.startswith(prefix):
            return handler.send_json(
                404, {"error_code": 3, "error_msg": "Unsupported openapi method"}
            )
        denied = self._check_auth(handler, exchange)
        if denied:
            return handler.send_json(200, denied)
        script = self.next_script()
        time.sleep(script.hang)
        if script.error is not None:
            code, message = script.error
            return handler.send_json(script.status, {"error_code": code, "error_msg": message})
        if not exchange.body.get("stream"):
            text = "".join(script.chunks)
            return handler.send_json(200, self._chunk(text, 0, True, script))
        frames = [
            sse(self._chunk(piece, index, index == len(script.chunks) - 1, script))
            for index, piece in enumerate(script.chunks)
        ]
        if script.unfinished:
            frames = frames[:-1]
        handler.send_frames(exchange, "text/event-stream;charset=utf-8", frames, script.chunk_delay)

    def _chunk(self, text: str, index: int, last: bool, script: Script) -> dict[str, Any]:
        chunk = {
            "id": "as-fake",
            "object": "completion",
            "created": 1700000000,
            "sentence_id": index,
            "is_end": last,
            "is_truncated": False,
            "result": text,
            "need_clear_history": False,
            "usage": {"prompt_tokens": 5, "completion_tokens": 2, "total_tokens": 7},
        }
        return {**chunk, **script.flags} if last else chunk

    def _token(self, handler: Handler, exchange: Exchange) -> None:
        query = {k: v[0] for k, v in exchange.query.items()}
        if query.get("grant_type") != "client_credentials":
            return handler.send_json(
                400, {"error": "unsupported_grant_type", "error_description": "bad grant"}
            )
        if query.get("client_id") != self.ak or query.get("client_secret") != self.sk:
            return handler.send_json(
                401, {"error": "invalid_client", "error_description": "unknown client id"}
            )
        token = f"24.token-{len(self.issued) + 1}"
        self.issued.append(token)
        handler.send_json(
            200,
            {
                "refresh_token": "25.refresh",
                "expires_in": self.expires_in,
                "session_key": "fake",
                "access_token": token,
                "scope": "public brain_all_scope",
                "session_secret": "fake",
            },
        )

    def _check_auth(self, handler: Handler, exchange: Exchange) -> dict[str, Any] | None:
        authorization = exchange.headers.get("Authorization", "")
        if authorization.startswith("bce-auth-v1/"):
            if authorization == self.expected_signature(exchange):
                return None
            return {"error_code": 14, "error_msg": "IAM Certification failed"}
        token = exchange.query.get("access_token", [""])[0]
        if token in self.revoked:
            return {"error_code": 111, "error_msg": "Access token expired"}
        if token not in self.issued:
            return {"error_code": 110, "error_msg": "Access token invalid or no longer valid"}
        return None

    def expected_signature(self, exchange: Exchange) -> str:
        """bce-auth-v1 as Baidu's reference describes it, written out independently."""
        authorization = exchange.headers["Authorization"]
        _, ak, timestamp, lifetime, signed, _ = authorization.split("/")
        prefix = f"bce-auth-v1/{self.ak}/{timestamp}/{lifetime}"
        signing_key = hmac.new(self.sk.encode(), prefix.encode(), hashlib.sha256).hexdigest()
        lowered = {name.lower(): value for name, value in exchange.headers.items()}
        names = signed.split(";")
        header_lines = sorted(
            quote(name, safe="-_.~") + ":" + quote(lowered[name].strip(), safe="-_.~")
            for name in names
        )
        query = "&".join(
            sorted(
                quote(k, safe="-_.~") + "=" + quote(v, safe="-_.~")
                for k, values in exchange.query.items()
                for v in values
            )
        )
        canonical = "\n".join(
            ["POST", quote(exchange.path, safe="/-_.~"), query, "\n".join(header_lines)]
        )
        signature = hmac.new(signing_key.encode(), canonical.encode(), hashlib.sha256).hexdigest()
        return f"{prefix}/{signed}/{signature}" if ak == self.ak else "wrong-ak"


class FakeOllama(FakeApi):
    def __init__(self, models: tuple[str, ...] = ("qwen2.5-coder:1.5b",)) -> None:
        super().__init__(Script(chunks=[""]))
        self.models = models

    def answer(self, handler: Handler, exchange: Exchange) -> None:
        if exchange.path == "/api/tags":
            listed = [{"name": m, "model": m, "size": 1, "digest": "0"} for m in self.models]
            return handler.send_json(200, {"models": listed})
        if exchange.path != "/api/generate":
            return handler.send_json(404, {"error": "404 page not found"})
        script = self.next_script()
        time.sleep(script.hang)
        if script.error is not None:
            return handler.send_json(script.status, {"error": script.error})
        model = exchange.body.get("model")
        frames = [
            json.dumps(
                {
                    "model": model,
                    "created_at": "2025-01-01T00:00:00Z",
                    "response": piece,
                    "done": False,
                }
            ).encode()
            + b"\n"
            for piece in script.chunks
        ]
        if not script.unfinished:
            final = {
                "model": model,
                "created_at": "2025-01-01T00:00:01Z",
                "response": "",
                "done": True,
                "done_reason": "stop",
                "total_duration": 1,
                "eval_count": len(script.chunks),
            }
            frames.append(json.dumps(final).encode() + b"\n")
        handler.send_frames(exchange, "application/x-ndjson", frames, script.chunk_delay)


class FakeLlamaCpp(FakeApi):
    """``/infill`` and ``/completion``; a model without FIM tokens (``fim=False``) refuses
    ``/infill`` as the real server does."""

    def __init__(self, api_key: str = "", fim: bool = True) -> None:
        super().__init__(Script(chunks=[""]))
        self.api_key = api_key
        self.fim = fim

    def answer(self, handler: Handler, exchange: Exchange) -> None:
        if exchange.path == "/health":
            return handler.send_json(200, {"status": "ok"})
        if exchange.path not in ("/infill", "/completion"):
            return handler.send_json(404, _llama_error(404, "File Not Found", "not_found_error"))
        if exchange.path == "/infill" and not self.fim:
            missing = "prefix token is missing. suffix token is missing. middle token is missing. "
            refusal = f"Infill is not supported by this model: {missing}"
            return handler.send_json(501, _llama_error(501, refusal, "not_supported_error"))
        if self.api_key and exchange.headers.get("Authorization") != f"Bearer {self.api_key}":
            return handler.send_json(
                401, _llama_error(401, "Invalid API Key", "authentication_error")
            )
        script = self.next_script()
        time.sleep(script.hang)
        if script.error is not None:
            kind = {400: "invalid_request_error", 503: "unavailable_error"}.get(
                script.status, "server_error"
            )
            return handler.send_json(
                script.status, _llama_error(script.status, script.error, kind), script.headers
            )
        frames = [
            sse({"index": 0, "content": piece, "tokens": [], "stop": False, "id_slot": 0})
            for piece in script.chunks
        ]
        if not script.unfinished:
            frames.append(
                sse({"index": 0, "content": "", "stop": True, "stop_type": "eos", "timings": {}})
            )
        handler.send_frames(exchange, "text/event-stream", frames, script.chunk_delay)


def _llama_error(code: int, message: str, kind: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "type": kind}}


class FakeCodestral(FakeApi):
    """Mistral's ``/v1/fim/completions``: chat-completion-shaped chunks."""

    def answer(self, handler: Handler, exchange: Exchange) -> None:
        if exchange.path != "/v1/fim/completions":
            return handler.send_json(404, {"detail": "Not Found"})
        script = self.next_script()
        time.sleep(script.hang)
        if script.error is not None:
            return handler.send_json(
                script.status,
                {"object": "error", "message": script.error, "type": "invalid_request_error"},
                script.headers,
            )
        model = exchange.body.get("model")
        first = {"role": "assistant", "content": ""}
        frames = [sse(_mistral_chunk(model, first, None))]
        for index, piece in enumerate(script.chunks):
            last = index == len(script.chunks) - 1 and not script.unfinished
            frames.append(sse(_mistral_chunk(model, {"content": piece}, "stop" if last else None)))
        frames.append(b"data: [DONE]\n\n")
        handler.send_frames(exchange, "text/event-stream", frames, script.chunk_delay)


def _mistral_chunk(model: str, delta: dict[str, str], finish: str | None) -> dict[str, Any]:
    return {
        "id": "fake",
        "object": "chat.completion.chunk",
        "created": 1,
        "model": model,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }
