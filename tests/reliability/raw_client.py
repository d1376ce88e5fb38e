"""A client that can send what no well-behaved client would: raw bytes, bad headers, bad
params.  It runs the real server over stdio and reads its replies with a plain parser."""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import sys
from typing import Any

from tests.e2e.conftest import SERVER, SERVER_ENV
from tests.support.fake_provider import FakeProvider

REPLY_TIMEOUT_S = 10.0


class RawClient:
    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.replies: dict[Any, dict[str, Any]] = {}
        self.notifications: list[dict[str, Any]] = []
        self.stderr = bytearray()
        self.initialize_reply: dict[str, Any] = {}
        self._arrived = asyncio.Condition()
        self._ids = itertools.count(1)
        self._tasks = [
            asyncio.ensure_future(self._read_stdout()),
            asyncio.ensure_future(self._read_stderr()),
        ]

    @classmethod
    async def start(
        cls,
        fake: FakeProvider,
        arguments: tuple[str, ...] = (),
        root: str | None = None,
        capabilities: dict[str, Any] | None = None,
        **options: Any,
    ) -> RawClient:
        """The server initialized with ``options`` over working defaults, ``root`` as its
        one workspace folder, the client declaring ``capabilities``."""
        client = await cls.launch(arguments)
        init = {"baseUrl": fake.base_url, "apiKey": API_KEY, "debounceMs": 0, "cacheSize": 0}
        params: dict[str, Any] = {
            "processId": None,
            "capabilities": capabilities or {},
            "initializationOptions": {**init, **options},
        }
        if root is not None:
            params["workspaceFolders"] = [{"uri": f"file://{root}", "name": "project"}]
        client.initialize_reply = await client.request("initialize", params)
        client.notify("initialized", {})
        return client

    @classmethod
    async def launch(
        cls, arguments: tuple[str, ...] = (), env: dict[str, str] | None = None
    ) -> RawClient:
        """The server started, nothing sent yet (``env`` over the e2e environment)."""
        process = await asyncio.create_subprocess_exec(
            *SERVER,
            *arguments,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env={**SERVER_ENV, **(env or {})},
        )
        return cls(process)

    # -- sending ------------------------------------------------------------------------------

    def send_bytes(self, data: bytes) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(data)

    def send(self, *messages: dict[str, Any]) -> None:
        """``messages`` in one write: the server reads them as one chunk."""
        self.send_bytes(b"".join(map(framed, messages)))

    def notify(self, method: str, params: Any) -> None:
        self.send({"jsonrpc": "2.0", "method": method, "params": params})

    def next_id(self) -> int:
        return next(self._ids)

    def send_request(self, method: str, params: Any, request_id: Any = None) -> Any:
        request_id = self.next_id() if request_id is None else request_id
        self.send({"jsonrpc": "2.0", "id": request_id, "method": method, "params": params})
        return request_id

    async def request(self, method: str, params: Any) -> dict[str, Any]:
        return await self.reply(self.send_request(method, params))

    async def reply(self, request_id: Any, timeout: float = REPLY_TIMEOUT_S) -> dict[str, Any]:
        async with self._arrived:
            await asyncio.wait_for(
                self._arrived.wait_for(lambda: request_id in self.replies), timeout
            )
        return self.replies[request_id]

    # -- LSP actions ----------------------------------------------------------------------------

    def open(self, uri: str, text: str, version: int = 1) -> None:
        item = {"uri": uri, "languageId": "python", "version": version, "text": text}
        self.notify("textDocument/didOpen", {"textDocument": item})

    def change(self, uri: str, version: int, changes: list[dict[str, Any]]) -> None:
        self.notify(
            "textDocument/didChange",
            {"textDocument": {"uri": uri, "version": version}, "contentChanges": changes},
        )

    async def complete(self, uri: str, line: int, character: int) -> dict[str, Any]:
        return await self.request(
            "textDocument/inlineCompletion",
            {
                "textDocument": {"uri": uri},
                "position": {"line": line, "character": character},
                "context": {"triggerKind": 2},
            },
        )

    def notified(self, method: str) -> list[Any]:
        """The params of every notification ``method`` the server sent so far."""
        return [note["params"] for note in self.notifications if note.get("method") == method]

    def popups(self) -> list[str]:
        return [
            note["params"]["message"]
            for note in self.notifications
            if note.get("method") == "window/showMessage"
        ]

    async def stop(self) -> int:
        if self.process.returncode is None:
            try:
                await self.request("shutdown", None)
                self.notify("exit", None)
                assert self.process.stdin is not None
                self.process.stdin.close()
                await asyncio.wait_for(self.process.wait(), 10)
            except (asyncio.TimeoutError, ConnectionError):
                self.process.kill()
                await self.process.wait()
        for task in self._tasks:
            task.cancel()
        return self.process.returncode or 0

    # -- reading --------------------------------------------------------------------------------

    async def _read_stdout(self) -> None:
        stdout = self.process.stdout
        assert stdout is not None
        while True:
            header = await stdout.readuntil(b"\r\n\r\n")
            found = re.search(rb"Content-Length: (\d+)", header)
            assert found, header
            message = json.loads(await stdout.readexactly(int(found.group(1))))
            async with self._arrived:
                if "method" in message:
                    self.notifications.append(message)
                    if "id" in message:  # a request from the server: answer it empty
                        self.send({"jsonrpc": "2.0", "id": message["id"], "result": None})
                else:
                    self.replies[message.get("id")] = message
                self._arrived.notify_all()

    async def _read_stderr(self) -> None:
        stderr = self.process.stderr
        assert stderr is not None
        while chunk := await stderr.read(65536):
            self.stderr += chunk
            sys.stderr.buffer.write(chunk)


API_KEY = "sk-reliability-9d2b7e41"


def framed(message: dict[str, Any]) -> bytes:
    body = json.dumps(message).encode()
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


def prompt_document(fake: FakeProvider) -> str:
    """The document as the server last sent it upstream: prefix + suffix of the FIM prompt
    (small documents fit the budget whole)."""
    suffix = fake.received[-1].body["prompt"].partition("<|fim_suffix|>")[2]
    return prompt_prefix(fake) + suffix.partition("<|fim_middle|>")[0]


def prompt_prefix(fake: FakeProvider) -> str:
    """The text before the cursor in the last prompt sent upstream."""
    prompt = fake.received[-1].body["prompt"]
    return prompt.partition("<|fim_prefix|>")[2].partition("<|fim_suffix|>")[0]
