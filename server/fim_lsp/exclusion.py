"""Files whose names say they hold secrets are never sent to any provider.

Globs are gitignore-style (``pathspec``): a glob without '/' matches a file name at any
depth, one with '/' matches a path from a folder down, and '*' never crosses '/'.  Matching
ignores case: ``.ENV`` and ``Server.PEM`` are the same files as ``.env`` and ``server.pem``
on macOS and Windows, and hold the same secrets everywhere.
"""

from __future__ import annotations

import functools
from pathlib import PurePath

import pathspec


def is_excluded(path: str, globs: tuple[str, ...]) -> bool:
    """Whether any tail of ``path`` matches: the file name for globs without '/', and for a
    glob with '/' the path from any folder down, so it matches from the workspace folder
    wherever that is (and, erring toward not sending, from any deeper folder too)."""
    spec = _spec(globs)
    file = PurePath(path.lower())
    parts = file.parts[1:] if file.anchor else file.parts
    return any(spec.match_file("/".join(parts[start:])) for start in range(len(parts)))


@functools.lru_cache(maxsize=8)
def _spec(globs: tuple[str, ...]) -> pathspec.GitIgnoreSpec:
    return pathspec.GitIgnoreSpec.from_lines(glob.lower() for glob in globs)
