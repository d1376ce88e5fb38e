"""The server's token count (an estimate from Qwen's pre-tokenizer pieces) against Qwen2.5's
real BPE: error, speed, and the memory the real vocabulary would hold.

Windows of 6,000 characters (about the 2,048-token prompt budget), half overlapping, over
``bench/corpus`` (this repository's Python, TypeScript and Lua) and HumanEval's 164
solutions; the error is (estimate - real) / real per window.  Speed: one 8 KB window counted
many times.  Memory: RSS before and after loading the real vocabulary into tiktoken.
Run: ``.venv/bin/python bench/tokens.py``.
"""

from __future__ import annotations

import gzip
import json
import os
import statistics
import time
from pathlib import Path

import support

from fim_lsp.tokens import PieceCounter
from tests.support.qwen_bpe import QwenBpeCounter

HUMANEVAL = Path("/work/shared/data/humaneval-infilling/HumanEval-SingleLineInfilling.jsonl.gz")
WINDOW = 6000


def humaneval_solutions() -> list[str]:
    if not HUMANEVAL.is_file():
        return []
    seen: dict[str, str] = {}
    with gzip.open(HUMANEVAL, "rt", encoding="utf-8") as lines:
        for line in lines:
            task = json.loads(line)
            whole = task["prompt"] + task["canonical_solution"] + task["suffix"]
            seen.setdefault(task["entry_point"], whole)
    return list(seen.values())


def windows(text: str) -> list[str]:
    return [text[i : i + WINDOW] for i in range(0, max(1, len(text) - WINDOW // 2), WINDOW // 2)]


def error_line(label: str, texts: list[str], estimate: PieceCounter, real: QwenBpeCounter) -> str:
    errors = sorted(
        (estimate.count(window) - exact) / exact
        for text in texts
        for window in windows(text)
        if (exact := real.count(window)) >= 50
    )
    if not errors:
        return f"{label:>10}: no data"
    p5, p95 = errors[len(errors) // 20], errors[len(errors) * 19 // 20]
    return (
        f"{label:>10}: {len(errors):4d} windows   error median {statistics.median(errors):+.1%}"
        f"   p5 {p5:+.1%}   p95 {p95:+.1%}   worst {errors[0]:+.1%} / {errors[-1]:+.1%}"
    )


def per_call_ms(count, text: str, repeat: int = 200) -> float:
    samples = []
    for _ in range(5):
        started = time.perf_counter()
        for _ in range(repeat):
            count(text)
        samples.append((time.perf_counter() - started) / repeat * 1000)
    return statistics.median(samples)


def main() -> None:
    corpus = [
        path.read_text(encoding="utf-8") for path in sorted(support.REPO.glob("bench/corpus/*"))
    ]
    estimate = PieceCounter()
    before = support.rss_mb(os.getpid())
    started = time.perf_counter()
    real = QwenBpeCounter()
    load_s = time.perf_counter() - started
    held = support.rss_mb(os.getpid()) - before
    print(error_line("corpus", corpus, estimate, real))
    print(error_line("humaneval", humaneval_solutions(), estimate, real))
    sample = "".join(corpus)[:8192]
    print(
        f"count 8 KB: estimate {per_call_ms(estimate.count, sample):.3f} ms, "
        f"real BPE {per_call_ms(real.count, sample):.3f} ms"
    )
    print(f"real vocabulary: {load_s * 1000:.0f} ms to load, {held:.0f} MB RSS held; estimate: 0")


if __name__ == "__main__":
    main()
