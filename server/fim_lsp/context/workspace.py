"""The context sources' state and the one call on the keystroke path.

``gather`` only reads what is already in memory: the definitions of imported files, the
similarity windows of other documents and the places recently edited.  Whatever is missing or
stale is queued for one background thread, which reads the disk (through ``admission``) and
cuts windows; the next keystroke finds it.  Memory is bounded by entry counts.

A keystroke costs the same in a 2 MB document as in a small one: ``changed`` only notes the
place, and is given the document, not its text.  An edited document is cut again when a
completion is asked for in another one (its windows serve only other documents): one cut per
visit, not one per keystroke, and the text is joined then, on the worker.  The context keeps
no copy of a text: the lines it shows are read from the document itself (a closed one lives
on here until its windows go).
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
from typing import Protocol

from fim_lsp.context import similar
from fim_lsp.context.admission import ignored, path_refusal, read_admitted, text_refusal
from fim_lsp.context.budget import choose
from fim_lsp.context.definitions import definitions
from fim_lsp.context.imports import HEAD_CHARS, Import, imports_of, language_of
from fim_lsp.context.recent import RecentEdits, around
from fim_lsp.context.snippet import Snippet
from fim_lsp.exclusion import DEFAULT_EXCLUDE
from fim_lsp.tokens import TokenCounter

log = logging.getLogger(__name__)

MAX_MODULES = 512  # imported files' definitions kept
SIMILAR_DOCUMENTS = 16  # the most recently seen documents are ranked for similar code
# Documents whose windows are kept, open or recently closed: those ranked, the one being
# edited and a few more.  Windows beyond them would never be ranked.
MAX_DOCUMENTS = SIMILAR_DOCUMENTS + 4
MAX_COUNTS = 4096
MAX_SIMILAR = 4  # windows, from as many files
REFRESH_AFTER_S = 10.0  # a file read longer ago than this is read again in the background
NEAR_CURSOR_CHARS = 4000  # names used here count as used
SOURCE_NAMES = ("definitions", "similar", "recent")
SHARES = (0.6, 0.25, 0.15)  # definitions, similar code, recent edits: each one's first call


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
    stamps: tuple[int, ...] = ()  # the files' modification times when read


class Lines(Protocol):
    """A document as the context reads it: whole, to cut it (on the worker: must be safe
    from another thread), or a few lines, on the keystroke path."""

    @property
    def text(self) -> str: ...

    def lines(self, first: int, end: int) -> str:
        """Lines ``first`` up to ``end`` (clamped), without their breaks, joined by '\n'."""
        ...


@dataclass(frozen=True)
class Cut:
    """Another document, cut into windows for the similarity ranking."""

    path: str  # workspace-relative
    document: Lines
    windows: similar.Windows


@dataclass(frozen=True)
class Gathered:
    snippets: tuple[Snippet, ...]
    tokens: tuple[int, ...]  # per snippet
    repo: str
    current: str  # the edited file's workspace-relative path


class Workspace:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.folders: list[str] = []
        self.globs: tuple[str, ...] = DEFAULT_EXCLUDE  # the settings' exclude_globs, later
        self.recent = RecentEdits()
        self._clock = clock
        self._modules: OrderedDict[tuple[str, tuple[str, ...]], Module] = OrderedDict()
        self._go_modules: dict[str, str] = {}
        # (folder, path, mtime) -> its definitions, None if refused; the worker's alone.
        self._parsed: OrderedDict[tuple[str, str, int], dict[str, str] | None] = OrderedDict()
        self._windows: OrderedDict[str, Cut] = OrderedDict()  # by uri
        # uri -> (path, document) not yet cut; edited documents wait in _edited until the
        # user completes elsewhere.
        self._latest: dict[str, tuple[str, Lines]] = {}
        self._edited: dict[str, tuple[str, Lines]] = {}
        self._imports: tuple[object, list[Import]] = (None, [])  # the last document's
        self._counts: OrderedDict[str, int] = OrderedDict()
        self._version = 0  # counts changes to the windows kept
        # The last ranking and what it was of: typing on a line changes neither.
        self._ranked: tuple[object, list[tuple[float, str, similar.Window]]] = (None, [])
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
        self,
        uri: str,
        path: str,
        text: str,
        offset: int,
        sources: Sources,
        counter: TokenCounter,
        head: str | None = None,
    ) -> Gathered:
        """``text`` may be a part of the document around ``offset`` (a cursor in it), then
        ``head`` is the document's beginning, where its imports are."""
        self._cut_left_documents(uri)
        located = self.locate(path)
        if located is None or sources.budget <= 0:
            return Gathered((), (), "", "")
        folder, current = located
        before = text[max(0, offset - NEAR_CURSOR_CHARS) : offset]
        after = text[offset : offset + NEAR_CURSOR_CHARS // 4]
        definitions, imported = (
            self._definitions(folder, current, text if head is None else head, before, after)
            if sources.definitions
            else ([], {})
        )
        candidates = [
            definitions,
            self._similar(uri, text, offset) if sources.similar else [],
            self._recent(uri) if sources.recent else [],
        ]
        chosen = choose(candidates, SHARES, sources.budget, lambda t: self._count(t, counter))

        # A file's definitions, chosen apart by tier, are written as one, files in the order
        # they are imported: the order never depends on which names are near the cursor.
        def written(pair: tuple[Snippet, int]) -> tuple[int, int]:
            source = SOURCE_NAMES.index(pair[0].source)
            return (source, imported.get(pair[0].path, 0) if source == 0 else 0)

        chosen.sort(key=written)  # stable: similar code and recent edits keep their order
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

    def _definitions(
        self, folder: str, current: str, head: str, before: str, after: str
    ) -> tuple[list[Snippet], dict[str, int]]:
        """Imported files' summaries, best first: each name used near the cursor, nearest
        first; then the other names imported, in import order; then the rest those files
        define (while the budget lasts).  And each file's place in the import order."""
        go_module = self._go_module(folder) if current.endswith(".go") else ""
        used = similar.words(before) | similar.words(after)
        near: list[tuple[int, Snippet]] = []
        named: list[Snippet] = []
        rest: list[Snippet] = []
        seen = {current: None}
        for imported in self._imports_of(head, current, go_module):
            module = self._module(folder, imported)
            for path, defined in module.files if module else ():
                if path in seen:
                    continue
                seen[path] = None
                for name in defined:
                    if name in used:
                        snippet = Snippet(path, defined[name], "definitions")
                        near.append((_distance(name, before, after), snippet))
                wanted = [n for n in imported.names if n in defined and n not in used]
                named += [Snippet(path, defined[name], "definitions") for name in wanted]
                others = [n for n in defined if n not in used and n not in wanted]
                if others:
                    body = "\n".join(defined[name] for name in others)
                    rest.append(Snippet(path, body, "definitions"))
        near.sort(key=lambda pair: pair[0])
        order = {path: place for place, path in enumerate(seen)}
        return [snippet for _, snippet in near] + named + rest, order

    def _module(self, folder: str, imported: Import) -> Module | None:
        key = (folder, imported.candidates)
        module = self._modules.get(key)
        if module is None or self._clock() - module.loaded_at > REFRESH_AFTER_S:
            self._submit(key, lambda: self._load_module(folder, imported, module))
        return module

    def _go_module(self, folder: str) -> str:
        if folder not in self._go_modules:
            self._submit(("go.mod", folder), lambda: self._load_go_module(folder))
        return self._go_modules.get(folder, "")

    def _imports_of(self, head: str, current: str, go_module: str) -> list[Import]:
        """The document's imports, parsed again only when its head has changed (the
        expressions over 64 KB cost half a millisecond a keystroke)."""
        key = (current, go_module, head[:HEAD_CHARS])
        if self._imports[0] != key:
            self._imports = (key, imports_of(head, current, go_module))
        return self._imports[1]

    def _similar(self, uri: str, text: str, cursor: int) -> list[Snippet]:
        asked = similar.query(text, cursor)
        with self._lock:
            version = self._version
            recent = list(self._windows.items())[-SIMILAR_DOCUMENTS - 1 :]
        kept = {other: cut for other, cut in recent if other != uri}
        if self._ranked[0] != (asked, uri, version):
            windows = {other: cut.windows for other, cut in kept.items()}

            def read(other: str, window: similar.Window) -> str:
                return kept[other].document.lines(window.start, window.end)

            ranked = similar.rank(asked, windows, MAX_SIMILAR, read)
            self._ranked = ((asked, uri, version), ranked)
        found = []
        best = sorted(self._ranked[1], key=lambda item: (kept[item[1]].path, item[2].start))
        for _, other, window in best:
            lines = kept[other].document.lines(window.start, window.end)
            found.append(Snippet(kept[other].path, lines, "similar"))
        return found

    def _recent(self, uri: str) -> list[Snippet]:
        """Oldest first, so the newest edit sits nearest the cursor."""
        found = []
        for place_uri, line in reversed(self.recent.places(uri)):
            entry = self._windows.get(place_uri)
            if entry is not None:
                found.append(Snippet(entry.path, entry.document.lines(*around(line)), "recent"))
        return found

    # Fed by the server, never waiting -------------------------------------------------

    def opened(self, uri: str, path: str, document: Lines) -> None:
        """A document opened (or left after edits): its windows are cut in the background,
        from its text when the worker gets to it."""
        self._edited.pop(uri, None)
        self._latest[uri] = (path, document)
        self._submit(("windows", uri), lambda: self._cut(uri))

    def changed(self, uri: str, path: str, document: Lines, line: int) -> None:
        """An edit at ``line``: noted at once; the text is read when the document is cut."""
        self.recent.edited(uri, line)
        self._edited[uri] = (path, document)

    def _cut_left_documents(self, uri: str) -> None:
        """Completing in ``uri``: the documents edited since their last cut are left."""
        for other in [other for other in self._edited if other != uri]:
            self.opened(other, *self._edited[other])

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

    def _load_module(self, folder: str, imported: Import, known: Module | None = None) -> None:
        """Read an import's files, or only check them when nothing has changed since."""
        if known is not None and known.files and _stamps(folder, known.files) == known.stamps:
            files = list(known.files)
        else:
            files = self._read_module(folder, imported)
            files += self._reexported(folder, imported, files)
        module = Module(tuple(files), self._clock(), _stamps(folder, files))
        with self._lock:
            self._modules.pop((folder, imported.candidates), None)
            self._modules[(folder, imported.candidates)] = module
            while len(self._modules) > MAX_MODULES:
                self._modules.popitem(last=False)

    def _reexported(
        self, folder: str, imported: Import, files: list[tuple[str, dict[str, str]]]
    ) -> list[tuple[str, dict[str, str]]]:
        """For a package that re-exports (``from .models import Request`` in __init__.py),
        one hop on to the files that define the names it does not."""
        missing = set(imported.names) - {name for _, defined in files for name in defined}
        onward_files: list[tuple[str, dict[str, str]]] = []
        for path, _ in files[:1] if missing else ():
            text = read_admitted(folder, path, self.globs) or ""
            for onward in imports_of(text, path):
                if missing & set(onward.names):
                    onward_files += self._read_module(folder, onward)
        return onward_files

    def _read_module(self, folder: str, imported: Import) -> list[tuple[str, dict[str, str]]]:
        """The first candidate that exists, read (for Go, every file of the package)."""
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
        return files

    def _read_definitions(self, folder: str, relative: str) -> list[tuple[str, dict[str, str]]]:
        """A file's definitions, parsed once per version however many imports name it."""
        try:
            stamp = Path(folder, relative).stat().st_mtime_ns
        except OSError:
            return []
        key = (folder, relative, stamp)
        if key not in self._parsed:
            text = read_admitted(folder, relative, self.globs)
            self._parsed[key] = None if text is None else definitions(text, language_of(relative))
            while len(self._parsed) > MAX_MODULES:
                self._parsed.popitem(last=False)
        defined = self._parsed[key]
        return [] if defined is None else [(relative, defined)]

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
        if uri not in self._latest:
            return
        path, document = self._latest.pop(uri)
        located = self.locate(path)
        if located is None:
            return
        folder, relative = located
        text = document.text
        if path_refusal(relative, self.globs) or ignored(folder, relative) or text_refusal(text):
            with self._lock:
                self._version += 1
                self._windows.pop(uri, None)
            return
        self._load_imports(folder, relative, text)
        cut = Cut(relative, document, similar.windows(text))
        with self._lock:
            self._version += 1
            self._windows.pop(uri, None)
            self._windows[uri] = cut  # the newest last: the oldest go first
            while len(self._windows) > MAX_DOCUMENTS:
                self._windows.popitem(last=False)


def _distance(name: str, before: str, after: str) -> int:
    """Characters between the cursor and the nearest use of ``name``."""
    back = before.rfind(name)
    ahead = after.find(name)
    return min(
        len(before) - back if back >= 0 else len(before) + len(after),
        ahead if ahead >= 0 else len(before) + len(after),
    )


def _stamps(folder: str, files: Iterable[tuple[str, object]]) -> tuple[int, ...]:
    stamps = []
    for path, _ in files:
        try:
            stamps.append(Path(folder, path).stat().st_mtime_ns)
        except OSError:
            stamps.append(-1)
    return tuple(stamps)
