"""Files whose names say they hold secrets are never sent to any provider.

Globs are gitignore-style (``pathspec``): a glob without '/' matches a file name at any
depth, one with '/' matches from the workspace folder, and '*' never crosses '/'.  Matching
ignores case: ``.ENV`` and ``Server.PEM`` are the same files as ``.env`` and ``server.pem``
on macOS and Windows, and hold the same secrets everywhere.
"""

from __future__ import annotations

import functools
from pathlib import PurePath

import pathspec


def is_excluded(path: str, globs: tuple[str, ...]) -> bool:
    """``path`` is relative to its workspace folder (absolute outside any folder)."""
    return _spec(globs).match_file(path.lower())


@functools.lru_cache(maxsize=8)
def _spec(globs: tuple[str, ...]) -> pathspec.GitIgnoreSpec:
    return pathspec.GitIgnoreSpec.from_lines(glob.lower() for glob in globs)


def workspace_relative(path: str, folders: list[str]) -> str:
    """``path`` relative to the innermost workspace folder holding it, in '/' form."""
    file = PurePath(path)
    holding = [PurePath(folder) for folder in folders if file.is_relative_to(folder)]
    if not holding:
        return file.as_posix()
    return file.relative_to(max(holding, key=lambda folder: len(folder.parts))).as_posix()
