"""A fake FIM model for HumanEval infilling: it knows every task's true middle.

Plugged into ``FakeProvider.responder``, it reads the Qwen FIM prompt the server sent, finds
the task whose code is around the hole, and answers with the true middle for the tasks it is
told to get right and with code that cannot run (a syntax error) for the others, so the
pass@1 a run must report is known before it starts.  Some tasks can hang, fail (HTTP 500)
or get an answer of the test's own; ``runaway`` is written after every true middle, as by
a model that does not stop at the hole; after ``refuse_after`` requests the key is refused.
Stop sequences are honoured, as by a real server.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from typing import Any

from fim_lsp.evaluation.suites import Task
from tests.support.fake_provider import Reply

WRONG_LINE = "$ this is not Python\n"


class InfillingModel:
    def __init__(
        self,
        tasks: Iterable[Task],
        right: set[str],
        *,
        hang: Iterable[str] = (),
        fail: Iterable[str] = (),
        runaway: str = "",
        delay: float = 0.0,
        refuse_after: int | None = None,
    ) -> None:
        self._tasks = list(tasks)
        self.right = right
        self.hang = set(hang)
        self.fail = set(fail)
        self.wrong: dict[str, str] = {}  # task id -> the answer to give instead
        self.runaway = runaway
        self.delay = delay
        self.refuse_after = refuse_after
        self.asked: list[str] = []  # task ids, in the order their prompts arrived
        self._lock = threading.Lock()

    def task_of(self, prompt: str) -> Task:
        """The task whose hole this FIM prompt is about (the window may have trimmed it)."""
        fim = prompt[prompt.rindex("<|fim_prefix|>") + len("<|fim_prefix|>") :]
        prefix, _, rest = fim.partition("<|fim_suffix|>")
        suffix = rest.removesuffix("<|fim_middle|>")
        for task in self._tasks:
            before, after = task.document[: task.cursor], task.document[task.cursor :]
            if before.endswith(prefix) and after.startswith(suffix):
                return task
        raise AssertionError(f"no task has this hole: {prefix[-60:]!r} | {suffix[:60]!r}")

    def __call__(self, body: dict[str, Any]) -> Reply:
        task = self.task_of(body["prompt"])
        with self._lock:
            self.asked.append(task.task_id)
            refused = self.refuse_after is not None and len(self.asked) > self.refuse_after
        time.sleep(self.delay)
        if refused:
            return Reply(status=401)
        if task.task_id in self.hang:
            return Reply(hang=30)
        if task.task_id in self.fail:
            return Reply(status=500)
        if task.task_id in self.wrong:
            text = self.wrong[task.task_id]
        elif task.task_id in self.right:
            text = task.canonical_solution + self.runaway
        else:
            text = WRONG_LINE
        return Reply(text=_until_stop(text, body.get("stop") or []))


def _until_stop(text: str, stops: list[str]) -> str:
    """As a real server does: the answer ends before the first stop sequence."""
    return text[: min((text.find(stop) for stop in stops if stop in text), default=len(text))]
