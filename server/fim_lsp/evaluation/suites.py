"""The HumanEval infilling tasks, and each one as an editor would show it."""

from __future__ import annotations

import json
import lzma
import random
from dataclasses import dataclass
from importlib import resources

# Suite name on the command line -> the task id prefix of its records in the data file.
SUITES = {
    "single-line": "SingleLineInfilling/",
    "multi-line": "MultiLineInfilling/",
    "random-span": "RandomSpanInfilling/",
    "random-span-light": "RandomSpanInfillingLight/",
}
DATA_FILE = "humaneval-infilling.jsonl.xz"
# Where the hole is, as the editor's cursor sees it; post-processing treats each differently.
KINDS = ("whole-line", "line-end", "mid-line")


@dataclass(frozen=True)
class Task:
    task_id: str
    entry_point: str
    prompt: str
    suffix: str
    canonical_solution: str
    test: str

    @property
    def kind(self) -> str:
        """``whole-line``: the middle is whole lines (the cursor is on an empty line);
        ``mid-line``: code follows the cursor on its line; ``line-end``: nothing does."""
        if self.prompt[-1:] in ("", "\n") and self.canonical_solution.endswith("\n"):
            return "whole-line"
        return "mid-line" if self.suffix.split("\n", 1)[0].strip() else "line-end"

    @property
    def document(self) -> str:
        """The code around the hole; a whole-line hole is an empty line to type into."""
        gap = "\n" if self.kind == "whole-line" else ""
        return self.prompt + gap + self.suffix

    @property
    def cursor(self) -> int:
        return len(self.prompt)

    def middle_in(self, document: str) -> str:
        """What stands between the task's prompt and suffix in ``document`` (edited from
        ``self.document``): the completion as the tests will see it."""
        if document.startswith(self.prompt) and document.endswith(self.suffix):
            return document[len(self.prompt) : len(document) - len(self.suffix)]
        return document[len(self.prompt) :]

    def program(self, document: str) -> str:
        """The code that passes when ``document`` holds a right middle (as the benchmark's
        own harness builds it: code, tests, then the check of the entry point)."""
        return f"{document}\n{self.test}\ncheck({self.entry_point})\n"


def load_tasks(suite: str, limit: int | None = None, seed: int = 0) -> list[Task]:
    """The suite's tasks in the data's order; with ``limit``, a sample drawn with ``seed``."""
    prefix = SUITES[suite]
    data = resources.files(__package__) / "data" / DATA_FILE
    tasks = []
    for line in lzma.decompress(data.read_bytes()).decode("utf-8").splitlines():
        if line.startswith('{"task_id": "' + prefix):
            record = json.loads(line)
            tasks.append(Task(**{name: record[name] for name in Task.__dataclass_fields__}))
    if limit is not None and limit < len(tasks):
        chosen = set(random.Random(seed).sample(range(len(tasks)), limit))
        tasks = [task for index, task in enumerate(tasks) if index in chosen]
    return tasks
