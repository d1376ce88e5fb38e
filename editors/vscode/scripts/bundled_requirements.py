"""The server's runtime dependencies that go into the .vsix, one requirement a line: those of
pyproject.toml, less the ones only ``fim-lsp eval`` imports (the extension runs the language
server, never that command). pip resolves what they need in turn (bundle-server.sh), so
nothing here is kept by hand but the list below; tests hold it to the code
(tests/unit/test_bundle.py) and the .vsix to this output (test/package/vsix.test.ts).

    python bundled_requirements.py                 requirements, for pip
    python bundled_requirements.py --left-out      the names left out
    python bundled_requirements.py --missing LIBS  what LIBS still lacks on Python 3.10

pip evaluates markers for the Python that runs it, not for ``--python-version``, so a bundle
made on 3.11 would lack the 3.10 backports (tomli, exceptiongroup); ``--missing`` names them
from the bundled packages' own metadata.
"""

from __future__ import annotations

import re
import sys
from email.parser import HeaderParser
from pathlib import Path

try:
    from packaging.requirements import Requirement
except ModuleNotFoundError:  # pip, which the bundling runs anyway, has its own copy
    from pip._vendor.packaging.requirements import Requirement

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

PYPROJECT = Path(__file__).resolve().parents[3] / "pyproject.toml"
OLDEST_PYTHON = {"python_version": "3.10", "python_full_version": "3.10.0", "extra": ""}
# Imported by fim_lsp/evaluation only; rapidfuzz is compiled, so it could not be bundled anyway.
EVAL_ONLY = frozenset({"tqdm", "rapidfuzz"})


def name(requirement: str) -> str:
    """The distribution name of a requirement, normalized (PEP 503)."""
    match = re.match(r"[A-Za-z0-9._-]+", requirement)
    assert match, requirement
    return re.sub(r"[-_.]+", "-", match.group(0)).lower()


def dependencies() -> list[str]:
    with PYPROJECT.open("rb") as file:
        return list(tomllib.load(file)["project"]["dependencies"])


def bundled() -> list[str]:
    return [r for r in dependencies() if name(r) not in EVAL_ONLY]


def missing(libs: Path) -> list[str]:
    """Requirements of the packages in ``libs`` that hold on the oldest Python and that no
    package there fulfils."""
    present: dict[str, str] = {}
    needed = [Requirement(line) for line in bundled()]
    for info in libs.glob("*.dist-info"):
        metadata = HeaderParser().parsestr((info / "METADATA").read_text(encoding="utf-8"))
        present[name(metadata["Name"])] = metadata["Version"]
        needed += [Requirement(line) for line in metadata.get_all("Requires-Dist") or ()]
    return sorted(
        {
            # Without the marker, which pip would evaluate for the Python that runs it.
            f"{r.name}{'[' + ','.join(sorted(r.extras)) + ']' if r.extras else ''}{r.specifier}"
            for r in needed
            if (r.marker is None or r.marker.evaluate(OLDEST_PYTHON))
            and not (name(r.name) in present and r.specifier.contains(present[name(r.name)]))
        }
    )


if __name__ == "__main__":
    if sys.argv[1:2] == ["--missing"]:
        lines = missing(Path(sys.argv[2]))
    else:
        lines = sorted(EVAL_ONLY) if sys.argv[1:] == ["--left-out"] else bundled()
    if lines:
        print("\n".join(lines))
