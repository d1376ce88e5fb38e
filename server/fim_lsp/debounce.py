"""Step 3: how long to wait before calling the model, learned from the user's typing.

A request sent while the user is still typing is paid for and thrown away, so the wait is
built on the one thing that tells a burst from a pause: the user's own gaps between keys.

The rule, in order:

1. A manual trigger (``Invoked``) never waits.
2. The *burst ceiling*: ``MARGIN`` times the slow end (95th percentile) of the user's recent
   gaps between keys inside a burst (gaps under ``BURST_GAP_S``), or the ``debounceMs``
   setting until ``MIN_GAPS`` gaps are known.  A key typed at the user's own pace arrives
   before it, so a fast burst sends nothing upstream.
3. Scale by what is left of the cursor: ``EAGER`` (the ceiling itself) after a character that
   usually starts a completion (``.`` ``(`` ``=`` ``,`` ``:`` ``{`` ``[`` ``>``, a space after
   a keyword, a fresh line, the end of a line); ``NEUTRAL`` elsewhere; ``PATIENT`` in the
   middle of a word, where a completion is rarely wanted.
4. The part above the ceiling is never longer than the model's own recent answer time: with a
   fast local model, a wasted request is cheaper than a late suggestion.
5. Keep it within ``[debounceMs / 2, debounceMs * 3]`` and never below ``MIN_DELAY_MS``.
"""

from __future__ import annotations

import re
import statistics
import time
from collections import deque
from dataclasses import dataclass, field

MARGIN = 1.15
BURST_GAP_S = 0.5  # a longer gap is a pause: people type at 80-250 ms between keys
MIN_GAPS = 5
EAGER = 1.0
NEUTRAL = 1.3
PATIENT = 1.8
MIN_DELAY_MS = 30
STARTERS = set(".(=,:{[>")
KEYWORD_BEFORE_SPACE = re.compile(
    r"\b(return|import|from|def|class|if|elif|while|for|in|not|and|or|await|yield|new|"
    r"const|let|var|function|func|fn|local|then|else|case|throw|raise|with|as)\s$"
)


@dataclass
class Rhythm:
    """The user's recent gaps between keys, kept only while they are in a burst."""

    gaps: deque[float] = field(default_factory=lambda: deque(maxlen=50))
    last: float | None = None

    def keystroke(self, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        if self.last is not None and now - self.last < BURST_GAP_S:
            self.gaps.append(now - self.last)
        self.last = now

    def burst_gap_ms(self) -> float | None:
        """The slow end of the user's in-burst gaps (95th percentile), once we know enough."""
        if len(self.gaps) < MIN_GAPS:
            return None
        return statistics.quantiles(self.gaps, n=20)[-1] * 1000


def context_factor(line_prefix: str, line_suffix: str) -> float:
    """Less wait where completions usually start; more in the middle of a word."""
    last = line_prefix[-1:]
    if not line_prefix.strip() or last in STARTERS or KEYWORD_BEFORE_SPACE.search(line_prefix):
        return EAGER
    if _in_word(last):
        return PATIENT
    if not line_suffix.strip():
        return EAGER
    return NEUTRAL


def _in_word(char: str) -> bool:
    return char.isalnum() or char == "_"


def choose_delay_ms(
    setting_ms: int,
    line_prefix: str,
    line_suffix: str,
    burst_gap_ms: float | None,
    model_latency_ms: float | None,
    invoked: bool,
) -> int:
    if invoked or setting_ms == 0:
        return 0
    ceiling = MARGIN * burst_gap_ms if burst_gap_ms is not None else float(setting_ms)
    delay = ceiling * context_factor(line_prefix, line_suffix)
    if model_latency_ms is not None:
        delay = max(ceiling, min(delay, model_latency_ms))
    delay = min(max(delay, setting_ms / 2), setting_ms * 3)
    return round(max(delay, MIN_DELAY_MS))
