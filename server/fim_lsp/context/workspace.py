"""The context sources' state and the one call on the keystroke path.

``gather`` only reads what is already in memory: the definitions of imported files, the
similarity windows of other documents and the places recently edited.  Whatever is missing or
stale is queued for one background thread, which reads the disk (through ``admission``) and
cuts windows; the next keystroke finds it.  Memory is bounded by entry counts.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path, PurePath

from fim_lsp.context import similar
from fim_lsp.context.admission import ignored, path_refusal, read_admitted, text_refusal
from fim_lsp.context.budget import choose
from fim_lsp.context.definitions import definitions
from fim_lsp.context.imports import Import, imports_of, language_of
from fim_lsp.context.recent import RecentEdits, around
from fim_lsp.context.snippet import Snippet
from fim_lsp.settings import DEFAULT_EXCLUDE
from fim_lsp.tokens import TokenCounter

log = logging.getLogger(__name__)

MAX_MODULES = 512  # imported files' definitions kept
MAX_DOCUMENTS = 64  # other documents' windows kept (open ones and recently closed)
MAX_COUNTS = 4096
MAX_SIMILAR = 4  # windows, from as many files
REFRESH_AFTER_S = 10.0  # a file read longer ago than this is read again in the background
NEAR_CURSOR_CHARS = 8000  # names used here count as used
SHARES = (0.5, 0.3, 0.2)  # definitions, similar code, recent edits: each one's first call

Documents = Callable[[], Iterable[tuple[str, str, str]]]  # (uri, path, text) of open documents


@dataclass(frozen=True)
class Sources:
    """Which sources are on, and the budget they share."""

    budget: int
    definitions: bool = True
    similar: bool = True
    recent: bool = True


@dataclass(frozen=True)
class Module:
    """An imported file (for Go, each file of the package) and what it defines."""

    files: tuple[tuple[str, dict[str, str]], ...]
    loaded_at: float


@dataclass(frozen=True)
class Cut:
    """Another document, cut into windows for the similarity ranking."""

    path: str  # workspace-relative
    lines: list[str]
    windows: list[similar.Window]


@dataclass(frozen=True)
class Gathered:
    snippets: tuple[Snippet, ...]
    tokens: tuple[int, ...]  # per snippet
    repo: str
    current: str  # the edited file's workspace-relative path


class Workspace:
    def __init__(self, documents: Documents = lambda: (), clock=time.monotonic) -> None:
        self.folders: list[str] = []
        self.documents = documents
        self.globs = DEFAULT_EXCLUDE  # the settings' exclude_globs, once the engine has them
        self.recent = RecentEdits()
        self._clock = clock
        self._modules: OrderedDict[tuple[str, tuple[str, ...]], Module] = OrderedDict()
        self._go_modules: dict[str, str] = {}
        self._windows: OrderedDict[str, Cut] = OrderedDict()  # by uri
        self._latest: dict[str, tuple[str, str]] = {}  # uri -> (path, text) not yet cut
        self._counts: OrderedDict[str, int] = OrderedDict()
        self._pending: set[object] = set()
        self._lock = threading.Lock()
        self._worker = ThreadPoolExecutor(1, thread_name_prefix="fim-lsp-context")

    def close(self) -> None:
        self._worker.shutdown(wait=False, cancel_futures=True)

    def locate(self, path: str) -> tuple[str, str] | None:
        """The innermost workspace folder holding ``path``, and the path relative to it."""
        file = PurePath(path)
        holding = [folder for folder in self.folders if file.is_relative_to(folder)]
        if not holding:
            return None
        folder = max(holding, key=len)
        return folder, file.relative_to(folder).as_posix()

    # The keystroke path ----------------------------------------------------------------

    def gather(
        self, uri: str, path: str, text: str, offset: int, sources: Sources, counter: TokenCounter
    ) -> Gathered:
        located = self.locate(path)
        if located is None or sources.budget <= 0:
            return Gathered((), (), "", "")
        folder, current = located
        near = text[max(0, offset - NEAR_CURSOR_CHARS) : offset + NEAR_CURSOR_CHARS // 4]
        candidates = [
            self._definitions(folder, current, text, near) if sources.definitions else [],
            self._similar(uri, text[:offset]) if sources.similar else [],
            self._recent(uri) if sources.recent else [],
        ]
        chosen = choose(candidates, SHARES, sources.budget, lambda t: self._count(t, counter))
        # A file's used definitions and the rest of them, chosen apart, are written as one.
        merged: dict[tuple[str, str], tuple[Snippet, int]] = {}
        for snippet, tokens in chosen:
            key = (snippet.source, snippet.path)
            if key in merged:
                first, first_tokens = merged[key]
                snippet = Snippet(first.path, f"{first.text}\n{snippet.text}", first.source)
                tokens += first_tokens
            merged[key] = (snippet, tokens)
        return Gathered(
            tuple(snippet for snippet, _ in merged.values()),
            tuple(tokens for _, tokens in merged.values()),
            PurePath(folder).name,
            current,
        )

    def _count(self, text: str, counter: TokenCounter) -> int:
        counts = self._counts
        if text in counts:
            counts.move_to_end(text)
            return counts[text]
        counts[text] = count = counter.count(text)
        if len(counts) > MAX_COUNTS:
            counts.popitem(last=False)
        return count

    def _definitions(self, folder: str, current: str, text: str, near: str) -> list[Snippet]:
        """Per imported file, in import order, the summaries of the names it is imported for
        or used by near the cursor; then, while the budget lasts, the rest it defines."""
        go_module = self._go_module(folder) if current.endswith(".go") else ""
        used = similar.words(near)
        wanted: list[Snippet] = []
        rest: list[Snippet] = []
        seen = {current}
        for imported in imports_of(text, current, go_module):
            module = self._module(folder, imported)
            for path, defined in module.files if module else ():
                if path in seen:
                    continue
                seen.add(path)
                names = [name for name in imported.names if name in defined]
                names += [name for name in defined if name in used and name not in names]
                others = [name for name in defined if name not in names]
                for group, into in ((names, wanted), (others, rest)):
                    if group:
                        body = "\n".join(defined[name] for name in group)
                        into.append(Snippet(path, body, "definitions"))
        return wanted + rest

    def _module(self, folder: str, imported: Import) -> Module | None:
        key = (folder, imported.candidates)
        module = self._modules.get(key)
        if module is None or self._clock() - module.loaded_at > REFRESH_AFTER_S:
            self._submit(key, lambda: self._load_module(folder, imported))
        return module

    def _go_module(self, folder: str) -> str:
        if folder not in self._go_modules:
            self._submit(("go.mod", folder), lambda: self._load_go_module(folder))
        return self._go_modules.get(folder, "")

    def _similar(self, uri: str, prefix: str) -> list[Snippet]:
        asked = similar.query(prefix)
        kept = dict(list(self._windows.items()))  # one atomic copy: the worker adds and drops
        cut = {key: entry.windows for key, entry in kept.items() if key != uri}
        best = similar.rank(asked, cut, limit=MAX_SIMILAR)
        found = []
        for _, key, window in sorted(best, key=lambda item: (kept[item[1]].path, item[2].start)):
            lines = kept[key].lines[window.start : window.end]
            found.append(Snippet(kept[key].path, "\n".join(lines), "similar"))
        return found

    def _recent(self, uri: str) -> list[Snippet]:
        """Oldest first, so the newest edit sits nearest the cursor."""
        found = []
        for place_uri, line in reversed(self.recent.places(uri)):
            entry = self._windows.get(place_uri)
            if entry is not None:
                found.append(Snippet(entry.path, around(entry.lines, line), "recent"))
        return found

    # Fed by the server, never waiting -------------------------------------------------

    def opened(self, uri: str, path: str, text: str) -> None:
        """A document's text now: its windows are recut in the background, from whatever
        text is the latest when the worker gets to it."""
        self._latest[uri] = (path, text)
        self._submit(("windows", uri), lambda: self._cut(uri))

    def changed(self, uri: str, path: str, text: str, line: int) -> None:
        self.recent.edited(uri, line)
        self.opened(uri, path, text)

    @property
    def pending(self) -> int:
        """Loads queued or running: 0 once everything asked for so far is in memory."""
        with self._lock:
            return len(self._pending)

    async def warm(self, path: str, text: str) -> None:
        """Load what ``text`` imports before the first request (``fim-lsp complete``, which
        has one request and no keystroke before it to start the loading)."""
        located = self.locate(path)
        if located is not None:
            loop = asyncio.get_running_loop()
            await loop.run_in_executor(self._worker, self._load_imports, *located, text)

    # The background thread -------------------------------------------------------------

    def _submit(self, key: object, job: Callable[[], None]) -> None:
        with self._lock:
            if key in self._pending:
                return
            self._pending.add(key)

        def run() -> None:
            try:
                job()
            except Exception:  # a bad file must never stop the worker
                log.exception("context: loading failed")
            finally:
                with self._lock:
                    self._pending.discard(key)

        try:
            self._worker.submit(run)
        except RuntimeError:  # shut down
            self._pending.discard(key)

    def _load_imports(self, folder: str, relative: str, text: str) -> None:
        """What an opened document imports, before its first completion asks for it."""
        if relative.endswith(".go") and folder not in self._go_modules:
            self._load_go_module(folder)
        for imported in imports_of(text, relative, self._go_modules.get(folder, "")):
            if (folder, imported.candidates) not in self._modules:
                self._load_module(folder, imported)

    def _load_module(self, folder: str, imported: Import) -> None:
        files: list[tuple[str, dict[str, str]]] = []
        for candidate in imported.candidates:
            if candidate.endswith("/"):
                directory = Path(folder, candidate)
                if directory.is_dir():
                    for file in sorted(directory.glob("*.go")):
                        if not file.name.endswith("_test.go"):
                            relative = file.relative_to(folder).as_posix()
                            files += self._read_definitions(folder, relative)
                    break
            elif Path(folder, candidate).is_file():
                files += self._read_definitions(folder, candidate)
                break
        with self._lock:
            self._modules.pop((folder, imported.candidates), None)
            self._modules[(folder, imported.candidates)] = Module(tuple(files), self._clock())
            while len(self._modules) > MAX_MODULES:
                self._modules.popitem(last=False)

    def _read_definitions(self, folder: str, relative: str) -> list[tuple[str, dict[str, str]]]:
        text = read_admitted(folder, relative, self.globs)
        if text is None:
            return []
        return [(relative, definitions(text, language_of(relative)))]

    def _load_go_module(self, folder: str) -> None:
        module = ""
        try:
            for line in Path(folder, "go.mod").read_text(encoding="utf-8").splitlines():
                if line.startswith("module "):
                    module = line.split()[1]
                    break
        except (OSError, UnicodeDecodeError, IndexError):
            pass
        self._go_modules[folder] = module

    def _cut(self, uri: str) -> None:
        path, text = self._latest.pop(uri, ("", ""))
        located = self.locate(path)
        if located is None:
            return
        folder, relative = located
        if path_refusal(relative, self.globs) or ignored(folder, relative) or text_refusal(text):
            self._windows.pop(uri, None)
            return
        self._load_imports(folder, relative, text)
        cut = Cut(relative, text.splitlines(), similar.windows(text))
        with self._lock:
            self._windows.pop(uri, None)
            self._windows[uri] = cut  # the newest last: the oldest go first
            while len(self._windows) > MAX_DOCUMENTS:
                self._windows.popitem(last=False)


def _firsts(snippets: list[Snippet]) -> set[str]:
    firsts: dict[str, str] = {}
    for snippet in snippets:
        firsts.setdefault(snippet.path, snippet.text)
    return set(firsts.values())
