"""Each task through the engine the server uses, asked for as an editor asks, then scored.

The engine is driven through its one entry point, ``Engine.complete``, with the user's
settings.  What only the wire shows (first-token time, tokens read, the provider's error) is
seen by a thin wrapper around the real provider; a context variable tells it which task's
request it carries, since the engine runs each request in a task of its own.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections import deque
from collections.abc import AsyncGenerator, Callable
from contextvars import ContextVar
from dataclasses import asdict, dataclass

from rapidfuzz import fuzz

from fim_lsp.engine import Engine, Timing
from fim_lsp.evaluation.sandbox import Limits, run_program
from fim_lsp.evaluation.suites import Task
from fim_lsp.gate import MAX_RATE_LIMIT_PAUSE_S
from fim_lsp.notices import Notify
from fim_lsp.providers import make_provider
from fim_lsp.providers.base import (
    AuthError,
    CompletionRequest,
    MissingKeyError,
    Provider,
    ProviderError,
    RateLimitError,
)
from fim_lsp.settings import Settings
from fim_lsp.snapshot import Snapshot

RATE_LIMIT_RETRIES = 6  # per task; the engine pauses between them as the provider asks
RATE_LIMIT_PAUSE_S = MAX_RATE_LIMIT_PAUSE_S + 1


class StoppedError(Exception):
    """Nothing more can be completed with these settings (no key, key refused, disabled)."""


@dataclass
class Attempt:
    """One task's request as the provider saw it."""

    requested_at: float | None = None
    first_chunk_at: float | None = None
    last_chunk_at: float | None = None
    raw: str = ""
    error: ProviderError | None = None


_attempt: ContextVar[Attempt] = ContextVar("fim_lsp_eval_attempt")


class RecordingProvider:
    """The real provider, with each task's request timed and its raw answer kept.

    ``whole_answer`` (``--raw``) reads the model's answer to its end before the engine sees
    any of it, so the engine cannot close the stream where post-processing would cut."""

    def __init__(self, inner: Provider, whole_answer: bool) -> None:
        self._inner = inner
        self._whole_answer = whole_answer
        self.name = inner.name

    async def stream(self, request: CompletionRequest) -> AsyncGenerator[str, None]:
        attempt = _attempt.get()
        attempt.requested_at = time.perf_counter()
        chunks = self._inner.stream(request)
        try:
            async for chunk in chunks:
                now = time.perf_counter()
                if attempt.first_chunk_at is None:
                    attempt.first_chunk_at = now
                attempt.last_chunk_at = now
                attempt.raw += chunk
                if not self._whole_answer:
                    yield chunk
            if self._whole_answer:
                yield attempt.raw
        except ProviderError as error:
            attempt.error = error
            raise
        finally:
            await chunks.aclose()

    async def alternatives(self, request: CompletionRequest, n: int) -> list[str]:
        return await self._inner.alternatives(request, n)

    async def warm(self) -> None:
        await self._inner.warm()

    async def aclose(self) -> None:
        await self._inner.aclose()


@dataclass
class TaskResult:
    task_id: str
    type: str
    passed: bool
    completion: str
    error: str | None
    outcome: str  # "passed", why the tests failed, or "not run" after an endpoint error
    exact_match: bool = False
    edit_similarity: float = 0.0
    ttft_ms: float | None = None
    generation_s: float = 0.0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    network: str = ""  # how the test run was cut off from the network (see sandbox.py)

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


class Evaluation:
    """Completes and scores tasks, ``concurrency`` at a time, reporting each as it ends."""

    def __init__(
        self,
        settings: Settings,
        raw: bool,
        notify: Notify,
        limits: Limits,
    ) -> None:
        # One choice, streamed: a manual trigger would otherwise ask for alternatives.
        self.settings = settings.merged({"alternatives": 1}, "eval")
        self.raw = raw
        self.limits = limits
        self._notify = notify
        self._scoring = asyncio.Semaphore(os.cpu_count() or 1)
        self._rate_limited_at = -RATE_LIMIT_PAUSE_S

    async def run(
        self, tasks: list[Task], concurrency: int, done: Callable[[TaskResult], None]
    ) -> None:
        pending = deque(tasks)
        engines = [self.engine() for _ in range(min(concurrency, len(tasks)))]

        async def worker(engine: Engine) -> None:
            while pending:
                done(await self.evaluate(pending.popleft(), engine))

        workers = [asyncio.ensure_future(worker(engine)) for engine in engines]
        try:
            if workers:
                finished, _ = await asyncio.wait(workers, return_when=asyncio.FIRST_EXCEPTION)
                for finished_worker in finished:
                    finished_worker.result()
        finally:
            for still_running in workers:
                still_running.cancel()
            await asyncio.gather(*workers, return_exceptions=True)
            await asyncio.gather(*(engine.aclose() for engine in engines))

    def engine(self) -> Engine:
        """An engine for one task at a time, as an editor's user works in one document at a
        time.  Shared, tasks in flight together would compete as one user's documents do: the
        newest takes the upstream slot of one slower than the model usually is, and
        ``last_timing`` would be another task's."""
        raw = self.raw
        return Engine(
            self.settings,
            self._notify,
            provider_factory=lambda s: RecordingProvider(make_provider(s), whole_answer=raw),
        )

    async def evaluate(self, task: Task, engine: Engine) -> TaskResult:
        attempt, timing, text, replace_to = await self._complete(task, engine)
        if attempt.error is not None:
            return self._result(task, engine, attempt, timing, "", error=str(attempt.error))
        document = task.document
        edited = document[: task.cursor] + text + document[replace_to:]
        async with self._scoring:
            outcome = await run_program(task.program(edited), self.limits)
        result = self._result(task, engine, attempt, timing, text, outcome=outcome.reason)
        middle = task.middle_in(edited)
        result.passed = outcome.passed
        result.exact_match = middle == task.canonical_solution
        # fuzz.ratio: the edit similarity of CrossCodeEval and RepoBench (Indel, 0-100).
        result.edit_similarity = fuzz.ratio(middle, task.canonical_solution) / 100
        result.network = outcome.network
        return result

    async def _complete(self, task: Task, engine: Engine) -> tuple[Attempt, Timing, str, int]:
        """The item the engine offers at the task's hole: insert text and replaced range end."""
        uri = f"file:///fim-lsp-eval/{task.task_id.replace('/', '_')}.py"
        snapshot = Snapshot(uri, uri.removeprefix("file://"), task.document, task.cursor, "python")
        rate_limits = 0
        while True:
            attempt = Attempt()
            engine.last_timing = None
            token = _attempt.set(attempt)
            try:
                suggestion = await engine.complete(snapshot, invoked=True)
            finally:
                _attempt.reset(token)
                engine.forget(uri)  # no follow-up: the next task is another document
            timing = engine.last_timing or Timing(prompt_tokens=0)
            error = attempt.error
            if isinstance(error, (MissingKeyError, AuthError)):
                raise StoppedError(str(error))
            if isinstance(error, RateLimitError) and rate_limits < RATE_LIMIT_RETRIES:
                rate_limits += 1
                self._rate_limited_at = time.monotonic()
                await asyncio.sleep(1)  # the engine pauses as long as the provider says
                continue
            if attempt.requested_at is None and suggestion is None:
                reason = engine.gate.refusal(snapshot)
                if reason and time.monotonic() - self._rate_limited_at < RATE_LIMIT_PAUSE_S:
                    await asyncio.sleep(1)  # paused after a rate limit: ask again
                    continue
                if reason:
                    raise StoppedError(reason)
            if self.raw:
                return attempt, timing, attempt.raw, task.cursor
            if suggestion is None:
                return attempt, timing, "", task.cursor
            return attempt, timing, suggestion.text, suggestion.replace_to

    def _result(
        self,
        task: Task,
        engine: Engine,
        attempt: Attempt,
        timing: Timing,
        completion: str,
        error: str | None = None,
        outcome: str = "not run",
    ) -> TaskResult:
        first, last, asked = attempt.first_chunk_at, attempt.last_chunk_at, attempt.requested_at
        return TaskResult(
            task_id=task.task_id,
            type=task.kind,
            passed=False,
            completion=completion,
            error=error,
            outcome=outcome,
            ttft_ms=round((first - asked) * 1000, 1) if first and asked else None,
            generation_s=round(last - first, 4) if first and last else 0.0,
            prompt_tokens=timing.prompt_tokens,
            completion_tokens=engine.counter.count(attempt.raw) if attempt.raw else 0,
        )
