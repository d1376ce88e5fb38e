"""The server's own numbers, kept locally: nothing is ever sent anywhere.

A running server also leaves them in ``$XDG_STATE_HOME/fim-lsp/stats-<pid>.json`` so that
``fim-lsp stats`` can show them from a shell while an editor owns the server's stdio.
"""

from __future__ import annotations

import json
import os
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

SAMPLES = 1000


def _samples() -> deque[float]:
    return deque(maxlen=SAMPLES)


@dataclass
class Stats:
    requests: int = 0
    cancelled: int = 0
    errors: int = 0
    cache_hits: int = 0
    typed_ahead: int = 0
    adopted: int = 0
    prefetches: int = 0
    follow_ups: int = 0
    suggestions: int = 0
    accepted: int = 0
    partially_accepted: int = 0
    tokens_generated: int = 0
    tokens_discarded: int = 0
    context_tokens: int = 0  # other files' context, in the prompts sent
    last_debounce_ms: int | None = None
    first_chunk_s: deque[float] = field(default_factory=_samples)
    items_s: deque[float] = field(default_factory=_samples)
    overhead_s: deque[float] = field(default_factory=_samples)
    typed_ahead_s: deque[float] = field(default_factory=_samples)
    context_s: deque[float] = field(default_factory=_samples)  # gathering it, per request

    def as_dict(self) -> dict[str, object]:
        counters: dict[str, object] = {
            "requests": self.requests,
            "cancelled": self.cancelled,
            "errors": self.errors,
            "cacheHits": self.cache_hits,
            "typedAhead": self.typed_ahead,
            "adopted": self.adopted,
            "prefetches": self.prefetches,
            "followUps": self.follow_ups,
            "suggestions": self.suggestions,
            "accepted": self.accepted,
            "partiallyAccepted": self.partially_accepted,
            "acceptanceRate": round(self.accepted / self.suggestions, 3)
            if self.suggestions
            else None,
            "tokensGenerated": self.tokens_generated,
            "tokensDiscarded": self.tokens_discarded,
            "contextTokens": self.context_tokens,
            "lastDebounceMs": self.last_debounce_ms,
        }
        for name, samples in (
            ("firstChunkMs", self.first_chunk_s),
            ("itemsMs", self.items_s),
            ("overheadMs", self.overhead_s),
            ("typedAheadMs", self.typed_ahead_s),
            ("contextMs", self.context_s),
        ):
            counters[name] = percentiles_ms(samples)
        return counters


def percentiles_ms(samples: deque[float]) -> dict[str, float] | None:
    if not samples:
        return None
    ordered = sorted(samples)

    def at(share: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(len(ordered) * share))] * 1000, 2)

    return {"p50": at(0.5), "p95": at(0.95)}


def stats_dir() -> Path:
    base = os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state"
    return Path(base) / "fim-lsp"


def write_stats_file(numbers: dict[str, object]) -> None:
    folder = stats_dir()
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"stats-{os.getpid()}.json"
    scratch = target.with_suffix(".tmp")
    scratch.write_text(json.dumps(numbers, indent=2), encoding="utf-8")
    scratch.replace(target)


def remove_stats_file() -> None:
    (stats_dir() / f"stats-{os.getpid()}.json").unlink(missing_ok=True)


def running_servers() -> dict[int, dict[str, object]]:
    """Stats of every server whose process is still alive, by pid."""
    found = {}
    for path in sorted(stats_dir().glob("stats-*.json")):
        pid = int(path.stem.removeprefix("stats-"))
        try:
            os.kill(pid, 0)
            found[pid] = json.loads(path.read_text(encoding="utf-8"))
        except (ProcessLookupError, ValueError, OSError):
            continue
    return found
