"""Each task's result on disk the moment it is known, so an interrupted run loses nothing.

A JSON-lines file: the run's identity first, then one result a line.  Rerunning the same
command reads it back and asks only for the tasks still missing; the identity check keeps a
run with another model or other settings from mixing its results in.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any


class JournalError(Exception):
    """The journal belongs to another run, or cannot be read."""


class Journal:
    def __init__(self, path: Path, identity: dict[str, Any]) -> None:
        self.path = path
        self._identity = identity

    def resume(self) -> dict[str, dict[str, Any]]:
        """The results kept so far, by task id; starts the file when there is none."""
        if not self.path.exists():
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._write_line(self._identity)
            return {}
        try:
            lines = self.path.read_text(encoding="utf-8").splitlines()
            identity = json.loads(lines[0]) if lines else None
        except (OSError, UnicodeDecodeError, ValueError) as error:
            raise JournalError(f"cannot read {self.path}: {error}") from error
        if identity != self._identity:
            raise JournalError(
                f"{self.path} holds an unfinished run of another suite, model or settings; "
                "remove it to start over, or pass another --json"
            )
        results = {}
        for line in lines[1:]:
            try:
                result = json.loads(line)
            except ValueError:
                continue  # a line cut short by a hard kill: that task is simply done again
            results[result["task_id"]] = result
        return results

    def add(self, result: dict[str, Any]) -> None:
        self._write_line(result)

    def remove(self) -> None:
        self.path.unlink(missing_ok=True)

    def _write_line(self, record: dict[str, Any]) -> None:
        with self.path.open("a", encoding="utf-8") as out:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
            out.flush()
            os.fsync(out.fileno())
