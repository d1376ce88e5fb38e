"""What a file imports, and where on disk each import may live: regular expressions over the
import lines of Python, TypeScript/JavaScript, Go, Rust and Lua.  Pure: it names candidate
paths (relative to the workspace folder); whoever reads the disk tries them in order."""

from __future__ import annotations

import functools
import posixpath
import re
from dataclasses import dataclass

HEAD_CHARS = 64 * 1024  # imports live at the top; a huge file costs what a small one does


@dataclass(frozen=True)
class Import:
    """``candidates`` are files (or, for Go, folders ending in '/') that may define
    ``names``; an empty ``names`` means whatever of the module the file uses."""

    candidates: tuple[str, ...]
    names: tuple[str, ...]


LANGUAGES = {
    ".py": "python",
    ".pyi": "python",
    ".ts": "typescript",
    ".tsx": "typescript",
    ".js": "javascript",
    ".jsx": "javascript",
    ".mjs": "javascript",
    ".cjs": "javascript",
    ".go": "go",
    ".rs": "rust",
    ".lua": "lua",
}


def language_of(path: str) -> str:
    return LANGUAGES.get(posixpath.splitext(path)[1].lower(), "")


def imports_of(text: str, path: str, go_module: str = "") -> list[Import]:
    """The imports of the file at workspace-relative ``path``, in the order written."""
    head = text[:HEAD_CHARS]
    language = language_of(path)
    if language == "python":
        return _python(head, path)
    if language in ("typescript", "javascript"):
        return _script(head, path)
    if language == "go":
        return _go(head, go_module)
    if language == "rust":
        return _rust(head, path)
    if language == "lua":
        return _lua(head)
    return []


_IDENT = re.compile(r"[A-Za-z_]\w*")
_PY_FROM = re.compile(r"^[ \t]*from[ \t]+(\.*)([\w.]*)[ \t]+import[ \t]+(\([^)]*\)|[^\n#]+)", re.M)
_PY_IMPORT = re.compile(r"^[ \t]*import[ \t]+([\w. ,]+)", re.M)


@functools.lru_cache(maxsize=4096)
def _python_module(dots: str, module: str, path: str) -> tuple[str, ...]:
    parts = [part for part in module.split(".") if part]
    if dots:
        base = posixpath.dirname(path)
        for _ in range(len(dots) - 1):
            base = posixpath.dirname(base)
        roots = [base]
    else:
        roots = ["", "src", "server", "lib"]
    stems = [posixpath.join(root, *parts) if parts else root for root in roots]
    return tuple(c for stem in stems for c in (f"{stem}.py", f"{stem}/__init__.py"))


def _python(head: str, path: str) -> list[Import]:
    found: list[tuple[int, Import]] = []
    for match in _PY_FROM.finditer(head):
        dots, module, names = match.groups()
        names = [name.split(" as ")[0].strip() for name in names.strip("()").split(",")]
        names = [name for name in names if _IDENT.fullmatch(name)]
        base = list(_python_module(dots, module, path))
        submodules = [
            candidate
            for name in names
            for candidate in _python_module(dots, f"{module}.{name}" if module else name, path)
        ]
        found.append((match.start(), Import(tuple(base + submodules), tuple(names))))
    for match in _PY_IMPORT.finditer(head):
        for module in match.group(1).split(","):
            module = module.split(" as ")[0].strip()
            if module:
                found.append((match.start(), Import(tuple(_python_module("", module, path)), ())))
    return [item for _, item in sorted(found, key=lambda pair: pair[0])]


_JS_FROM = re.compile(
    r"""(?:import|export)\s+(?:type\s+)?([\w*{}\s,$]*?)\s*from\s*['"]([^'"]+)['"]"""
    r"""|require\(\s*['"]([^'"]+)['"]\s*\)|import\(\s*['"]([^'"]+)['"]\s*\)"""
)
_JS_EXTENSIONS = (".ts", ".tsx", ".d.ts", ".js", ".jsx", ".mjs", ".cjs")


def _script(head: str, path: str) -> list[Import]:
    found = []
    for match in _JS_FROM.finditer(head):
        clause, spec = match.group(1) or "", match.group(2) or match.group(3) or match.group(4)
        if not spec.startswith("."):
            continue  # a package: node_modules never enters the context
        target = posixpath.normpath(posixpath.join(posixpath.dirname(path), spec))
        stem = re.sub(r"\.(js|jsx|mjs|cjs)$", "", target)
        candidates = [target, *(stem + ext for ext in _JS_EXTENSIONS)]
        candidates += [f"{target}/index{ext}" for ext in _JS_EXTENSIONS]
        names = tuple(
            name.split(" as ")[-1].strip()
            for name in re.split(r"[{},]", clause)
            if _IDENT.fullmatch(name.split(" as ")[0].strip().removeprefix("type "))
        )
        names = tuple(re.sub(r"^type\s+", "", name) for name in names)
        found.append(Import(tuple(dict.fromkeys(candidates)), names))
    return found


_GO_BLOCK = re.compile(r"^import\s*\(([^)]*)\)|^import\s+(?:\w+\s+)?\"([^\"]+)\"", re.M)


def _go(head: str, module: str) -> list[Import]:
    specs: list[str] = []
    for match in _GO_BLOCK.finditer(head):
        block, single = match.groups()
        specs += re.findall(r"\"([^\"]+)\"", block) if block else [single]
    found = []
    for spec in specs:
        if module and (spec == module or spec.startswith(module + "/")):
            folder = spec[len(module) :].strip("/")
            found.append(Import((f"{folder}/" if folder else "./",), ()))
    return found


_RUST_USE = re.compile(r"^\s*(?:pub\s+)?use\s+(crate|super|self)::([^;]+);", re.M)
_RUST_MOD = re.compile(r"^\s*(?:pub\s+)?mod\s+(\w+)\s*;", re.M)


def _rust(head: str, path: str) -> list[Import]:
    here = posixpath.dirname(path)
    parts = here.split("/")
    # The crate's root is its src folder (the innermost one on the way), else the file's own.
    crate_root = (
        "/".join(parts[: len(parts) - parts[::-1].index("src")]) if "src" in parts else here
    )
    found = []
    for match in _RUST_MOD.finditer(head):
        name = match.group(1)
        stem = posixpath.join(here, name)
        found.append(Import((f"{stem}.rs", f"{stem}/mod.rs"), ()))
    for match in _RUST_USE.finditer(head):
        anchor, tail = match.groups()
        tail = re.sub(r"\s+", "", tail)
        modules, _, items = tail.partition("{")
        segments = [segment for segment in modules.split("::") if segment]
        names = [item for item in re.split(r"[,}]", items) if _IDENT.fullmatch(item)]
        if not items:
            names = segments[-1:]
            segments = segments[:-1]
        base = {"crate": crate_root, "super": posixpath.dirname(here), "self": here}[anchor]
        candidates = []
        for depth in range(len(segments), -1, -1):
            stem = posixpath.join(base, *segments[:depth]) if depth else base
            if depth:
                candidates += [f"{stem}.rs", f"{stem}/mod.rs"]
            else:
                candidates += [posixpath.join(base, "lib.rs"), posixpath.join(base, "main.rs")]
        found.append(Import(tuple(candidates), tuple(names)))
    return found


_LUA_REQUIRE = re.compile(r"""require\s*\(?\s*['"]([\w./-]+)['"]""")


def _lua(head: str) -> list[Import]:
    found = []
    for match in _LUA_REQUIRE.finditer(head):
        stem = match.group(1).replace(".", "/")
        candidates = (f"{stem}.lua", f"{stem}/init.lua", f"lua/{stem}.lua", f"lua/{stem}/init.lua")
        found.append(Import(candidates, ()))
    return found
