"""Files that hold secrets or an editor's own configuration are never sent to any provider.

Globs are gitignore-style (``pathspec``): a glob without '/' matches a file name at any
depth, one with '/' matches a path from a folder down, and '*' never crosses '/'.  Matching
ignores case: ``.ENV`` and ``Server.PEM`` are the same files as ``.env`` and ``server.pem``
on macOS and Windows, and hold the same secrets everywhere.
"""

from __future__ import annotations

import functools
from pathlib import PurePath

import pathspec

# Never sent, whatever the user's own globs say: the one list every editor relies on (the
# editors send every document they have; the server refuses these).
DEFAULT_EXCLUDE = (
    # Secrets and credentials.
    ".env",
    ".env.*",
    "*.env",
    "*.pem",
    "*.key",
    "id_rsa*",
    "id_ed25519*",
    ".netrc",
    ".npmrc",
    ".pypirc",
    "credentials*",
    "secrets.*",
    # Editors' own configuration: no code to complete, and often tokens (a launch.json's
    # env, an extension's setting): VS Code's workspace folder and workspace files, and its
    # user settings and keybindings when opened as plain files (from Neovim, say).
    ".vscode/",
    "*.code-workspace",
    "User/settings.json",
    "keybindings.json",
)


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
