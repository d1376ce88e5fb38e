"""The fake DashScope of the real-editor tests: the project's fake provider (a real HTTP server
on 127.0.0.1, DashScope's wire format) answering by what the prompt's prefix ends with.

    python fake_provider.py ANSWERS.json RECORD.jsonl

ANSWERS.json maps the end of a prefix (the text right before the cursor) to the model's raw
answer, or to ``{"status": 500}`` for a failing one (with ``"message": "..."``, the error body's
words); a prompt matching none gets
an empty answer. Every request (path and body) is appended
to RECORD.jsonl as it arrives, before it is answered. Prints ``PORT <n>`` once listening.
"""

from __future__ import annotations

import json
import sys
import threading
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[4]))

from tests.support.fake_provider import FakeProvider, Received, Reply  # noqa: E402

SUFFIX_MARKER = "<|fim_suffix|>"


def reply(answer: str | dict[str, Any]) -> Reply:
    if isinstance(answer, str):
        return Reply(text=answer)
    if "message" in answer:  # an error in OpenAI's shape, in the provider's own words
        body = {"error": {"message": answer["message"]}}
        return Reply(status=answer["status"], raw_body=json.dumps(body).encode())
    return Reply(**answer)


def main() -> None:
    answers: dict[str, str | dict[str, Any]] = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    record = Path(sys.argv[2])
    lock = threading.Lock()

    def respond(body: dict[str, Any]) -> Reply:
        prefix = str(body.get("prompt", "")).split(SUFFIX_MARKER, 1)[0]
        for ending, answer in answers.items():
            if prefix.endswith(ending):
                return reply(answer)
        return Reply(text="")

    fake = FakeProvider()
    fake.responder = respond
    keep = fake.record

    def record_to_file(received: Received) -> None:
        keep(received)
        with lock, record.open("a", encoding="utf-8") as out:
            out.write(json.dumps({"path": received.path, "body": received.body}) + "\n")

    fake.record = record_to_file  # type: ignore[method-assign]
    fake.start()
    print(f"PORT {fake.port}", flush=True)
    threading.Event().wait()


if __name__ == "__main__":
    main()
