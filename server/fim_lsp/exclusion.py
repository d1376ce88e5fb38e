"""Files whose names say they hold secrets are never sent to any provider."""

from __future__ import annotations

from fnmatch import fnmatch
from pathlib import PurePath


def is_excluded(path: str, globs: tuple[str, ...]) -> bool:
    """Match the file name against every glob, and the whole path against globs with a '/'."""
    name = PurePath(path).name
    return any(fnmatch(path if "/" in glob else name, glob) for glob in globs)
