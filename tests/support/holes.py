"""Holes cut from real source files, and the answers a FIM model writes for them.

A *hole* is what an editor holds while the user writes: the file with a span removed and the
cursor where it was.  Its truth is the file as it was.  For each hole, ``answers`` gives the
raw text a model streams in each of the shapes real models produce (exact, running on into
the suffix, looping on a line, leaking an end marker, retyping the closers right of the
cursor, whitespace only).  Used by ``bench/quality.py`` and by the property tests.
"""

from __future__ import annotations

import random
import re
import sysconfig
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
LANGUAGES = {".py": "python", ".ts": "typescript", ".lua": "lua"}
KINDS = ("mid_line", "whole_line", "empty_line", "block", "auto_closed")
CLASSES = ("exact", "runoff", "repeat", "marker", "closers", "blank")
OPENERS = {"(": ")", "[": "]", "{": "}"}
MARKERS = ("<|endoftext|>", "<|file_sep|>", "<|fim_pad|>", "<|im_end|>", "<|fim_prefix|>")
_BOUNDARY = re.compile(r"(?<=[\s(\[{,.=:+\-*/<>!])|(?=[\s)\]},.=:(])")


@dataclass(frozen=True)
class Source:
    path: str
    language: str
    text: str


@dataclass(frozen=True)
class Hole:
    source: Source
    kind: str
    document: str  # what the editor holds, cursor at ``offset``
    offset: int
    middle: str  # the exact answer
    truth: str  # the document once the hole is filled

    @property
    def language(self) -> str:
        return self.source.language


def corpus(stdlib_files: int = 60, seed: int = 1) -> list[Source]:
    """This repository's sources as kept in bench/corpus (Python, TypeScript, Lua), and a
    seeded sample of the running interpreter's standard library."""
    sources = []
    for path in sorted((REPO / "bench" / "corpus").glob("*.txt")):
        language = LANGUAGES.get(Path(path.stem).suffix)
        if language:
            sources.append(Source(path.stem, language, path.read_text(encoding="utf-8")))
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    candidates = sorted(
        path
        for path in stdlib.glob("*.py")
        if 2_000 < path.stat().st_size < 200_000 and not path.name.startswith("_")
    )
    for path in random.Random(seed).sample(candidates, min(stdlib_files, len(candidates))):
        text = path.read_text(encoding="utf-8", errors="replace")
        if "\t" not in text and "\r" not in text:
            sources.append(Source(f"stdlib/{path.name}", "python", text))
    return sources


def cut_holes(sources: list[Source], per_kind: int, seed: int = 7) -> list[Hole]:
    """``per_kind`` holes of each kind, from seeded random places in ``sources``."""
    rng = random.Random(seed)
    by_language: dict[str, list[Source]] = {}
    for source in sources:
        by_language.setdefault(source.language, []).append(source)
    # Python twice as often as each other language: it has the standard library too.
    languages = [lang for lang in sorted(by_language) for _ in range(2 if lang == "python" else 1)]
    holes: list[Hole] = []
    cutters = {
        "mid_line": _mid_line,
        "whole_line": _whole_line,
        "empty_line": _empty_line,
        "block": _block,
        "auto_closed": _auto_closed,
    }
    for kind in KINDS:
        found = 0
        for _ in range(per_kind * 200):
            if found == per_kind:
                break
            source = rng.choice(by_language[rng.choice(languages)])
            hole = cutters[kind](source, rng)
            # A middle holding an end marker cannot be served: the provider stops at it.
            if hole and hole.middle.strip() and "<|" not in hole.middle:
                holes.append(hole)
                found += 1
    return holes


def _lines(text: str) -> list[str]:
    return text.split("\n")


def _line_start(lines: list[str], index: int) -> int:
    return sum(len(line) + 1 for line in lines[:index])


def _code_line(lines: list[str], rng: random.Random, min_length: int = 8) -> int | None:
    index = rng.randrange(1, len(lines))
    line = lines[index]
    if len(line.strip()) < min_length or line.lstrip().startswith(("#", "--", "//", "*")):
        return None
    return index


def _make(source: Source, kind: str, start: int, end: int, replacement: str = "") -> Hole:
    text = source.text
    document = text[:start] + replacement + text[end:]
    return Hole(source, kind, document, start, text[start:end], text)


def _mid_line(source: Source, rng: random.Random) -> Hole | None:
    """A span inside one line, with real code right of it."""
    lines = _lines(source.text)
    index = _code_line(lines, rng)
    if index is None:
        return None
    line = lines[index]
    indent = len(line) - len(line.lstrip())
    cuts = sorted({m.start() for m in _BOUNDARY.finditer(line) if indent < m.start() < len(line)})
    if len(cuts) < 2:
        return None
    left = rng.randrange(len(cuts) - 1)
    right = rng.randrange(left + 1, min(len(cuts), left + 6))
    base = _line_start(lines, index)
    start, end = base + cuts[left], base + cuts[right]
    if not source.text[end : base + len(line)].strip():
        return None
    return _make(source, "mid_line", start, end)


def _whole_line(source: Source, rng: random.Random) -> Hole | None:
    """A line's code after its indentation (the editor indented the fresh line)."""
    lines = _lines(source.text)
    index = _code_line(lines, rng, min_length=3)
    if index is None:
        return None
    line = lines[index]
    base = _line_start(lines, index)
    return _make(source, "whole_line", base + len(line) - len(line.lstrip()), base + len(line))


def _empty_line(source: Source, rng: random.Random) -> Hole | None:
    """A whole line, indentation and all: the cursor at column 0 of an empty line."""
    lines = _lines(source.text)
    index = _code_line(lines, rng, min_length=3)
    if index is None:
        return None
    base = _line_start(lines, index)
    return _make(source, "empty_line", base, base + len(lines[index]))


def _block(source: Source, rng: random.Random) -> Hole | None:
    """Two to four whole lines, from the first one's indentation to the last one's end."""
    lines = _lines(source.text)
    index = _code_line(lines, rng, min_length=3)
    if index is None:
        return None
    last = index + rng.randint(1, 3)
    if last >= len(lines) or not lines[last].strip():
        return None
    first = lines[index]
    start = _line_start(lines, index) + len(first) - len(first.lstrip())
    return _make(source, "block", start, _line_start(lines, last) + len(lines[last]))


def _auto_closed(source: Source, rng: random.Random) -> Hole | None:
    """Right after an opener whose closer the editor inserted: the user types what goes in."""
    lines = _lines(source.text)
    index = _code_line(lines, rng)
    if index is None:
        return None
    line = lines[index]
    openers = [i for i, char in enumerate(line) if char in OPENERS]
    rng.shuffle(openers)
    for at in openers:
        close = _matching(line, at)
        if close is not None and close > at + 1:
            base = _line_start(lines, index)
            return _make(source, "auto_closed", base + at + 1, base + close)
    return None


def _matching(line: str, at: int) -> int | None:
    """Where the bracket opened at ``at`` closes on the same line (quotes respected)."""
    depth, quote = 0, ""
    for index in range(at, len(line)):
        char = line[index]
        if quote:
            if char == quote and line[index - 1] != "\\":
                quote = ""
        elif char in "\"'`":
            quote = char
        elif char in OPENERS:
            depth += 1
        elif char in ")]}":
            depth -= 1
            if depth == 0:
                return index if OPENERS[line[at]] == char else None
    return None


def answers(hole: Hole, rng: random.Random) -> dict[str, str]:
    """The raw answer of each class for ``hole``; a class that cannot occur there is absent."""
    document, offset, middle = hole.document, hole.offset, hole.middle
    after = document[offset:]
    line_end = after.find("\n")
    rest_of_line = after if line_end < 0 else after[:line_end]
    following = [] if line_end < 0 else after[line_end + 1 :].split("\n")
    result = {"exact": middle}
    runoff = _runoff(rest_of_line, following, rng.randint(1, 3))
    if runoff:
        result["runoff"] = middle + runoff
    truth_line = _truth_line_of_end(hole)
    result["repeat"] = middle + ("\n" + truth_line) * rng.randint(3, 5)
    junk = rng.choice([line for line in _lines(hole.source.text) if line.strip()] or ["x"])
    result["marker"] = middle + rng.choice(MARKERS) + junk
    if rest_of_line.strip():
        result["closers"] = middle + rest_of_line
    elif following and following[0].strip() and _only_closers(following[0]):
        result["closers"] = middle + "\n" + following[0]
    result["blank"] = rng.choice(["", " ", "\n", "\n\n", "\n    \n", "  \n\t\n"])
    return result


def _runoff(rest_of_line: str, following: list[str], count: int) -> str:
    """The suffix retyped up to its ``count``-th non-blank line after the cursor's line."""
    taken: list[str] = []
    for line in following:
        taken.append(line)
        count -= bool(line.strip())
        if count == 0:
            break
    if not any(line.strip() for line in taken):
        return ""
    return rest_of_line + "".join("\n" + line for line in taken)


def _truth_line_of_end(hole: Hole) -> str:
    """The whole line, in the truth, where the middle ends: what a looping model repeats."""
    end = hole.offset + len(hole.middle)
    truth = hole.truth
    start = truth.rfind("\n", 0, end) + 1
    stop = truth.find("\n", end)
    return truth[start : len(truth) if stop < 0 else stop]


def _only_closers(line: str) -> bool:
    return all(char in ")]}>\"'`;," or char.isspace() for char in line) or line.strip() in (
        "end",
        "fi",
    )
