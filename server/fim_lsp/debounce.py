"""Step 3: how long to wait before calling the model, learned from the user's typing.

The rule, in order:

1. A manual trigger (``Invoked``) never waits.
2. Start from the user's rhythm: ``RHYTHM_FACTOR`` times the slow end (90th percentile) of
   their gaps between keys inside a burst (gaps under ``BURST_GAP_S``), or the ``debounceMs``
   setting until we have seen ``MIN_GAPS`` gaps.
3. Scale by what is left of the cursor: ``EAGER`` after a character that usually starts a
   completion (``.`` ``(`` ``=`` ``,`` ``:`` ``{`` ``[`` ``>``, a space after a keyword,
   a fresh line, the end of a line); ``PATIENT`` in the middle of a word, where a completion
   is rarely wanted.
4. Never below the burst gap itself: a key typed at the user's usual pace must supersede
   the wait before any request is sent, so a fast burst costs nothing upstream.
5. Keep it within ``[debounceMs / 2, debounceMs * 2]``.
6. Never longer than the model itself takes to answer (its recent median): with a fast
   local model, a wasted request is cheaper than a late suggestion.  Never below
   ``MIN_DELAY_MS``.
"""

from __future__ import annotations

import re
import statistics
import time
from collections import deque
from dataclasses import dataclass, field

RHYTHM_FACTOR = 1.2
BURST_GAP_S = 1.0
MIN_GAPS = 5
EAGER = 0.5
PATIENT = 1.5
MIN_DELAY_MS = 30
STARTERS = set(".(=,:{[>")
KEYWORD_BEFORE_SPACE = re.compile(
    r"\b(return|import|from|def|class|if|elif|while|for|in|not|and|or|await|yield|new|"
    r"const|let|var|function|func|fn|local|then|else|case|throw|raise|with|as)\s$"
)


@dataclass
class Rhythm:
    """Recent gaps between one document's requests, kept only while the user is in a burst."""

    gaps: deque[float] = field(default_factory=lambda: deque(maxlen=20))
    last: float | None = None

    def keystroke(self, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        if self.last is not None and now - self.last < BURST_GAP_S:
            self.gaps.append(now - self.last)
        self.last = now

    def burst_gap_ms(self) -> float | None:
        """The slow end of the user's in-burst gaps (90th percentile), once we know enough."""
        if len(self.gaps) < MIN_GAPS:
            return None
        return statistics.quantiles(self.gaps, n=10)[-1] * 1000


def context_factor(line_prefix: str, line_suffix: str) -> float:
    """Less wait where completions usually start; more in the middle of a word."""
    last = line_prefix[-1:]
    if not line_prefix.strip() or last in STARTERS or KEYWORD_BEFORE_SPACE.search(line_prefix):
        return EAGER
    if _in_word(last):
        return PATIENT
    if not line_suffix.strip():
        return EAGER
    return 1.0


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
    delay = RHYTHM_FACTOR * burst_gap_ms if burst_gap_ms is not None else float(setting_ms)
    delay *= context_factor(line_prefix, line_suffix)
    if burst_gap_ms is not None:
        delay = max(delay, burst_gap_ms)
    delay = min(max(delay, setting_ms / 2), setting_ms * 2)
    if model_latency_ms is not None:
        delay = min(delay, model_latency_ms)
    return round(max(delay, MIN_DELAY_MS))
