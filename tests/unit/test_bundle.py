"""The VS Code bundle gets the server's dependencies from pyproject.toml, less those only
``fim-lsp eval`` imports: that list must stay true of the code, or the bundled server breaks
(a dependency left out that the server imports) or carries dead weight."""

from __future__ import annotations

import ast
import functools
import importlib.util
import sys
from collections.abc import Mapping
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SERVER = ROOT / "server" / "fim_lsp"
EVALUATION = SERVER / "evaluation"
# Standard modules of a newer Python, imported only where they exist (3.10 takes a backport).
NEWER_STDLIB = {"tomllib"}

_spec = importlib.util.spec_from_file_location(
    "bundled_requirements", ROOT / "editors" / "vscode" / "scripts" / "bundled_requirements.py"
)
assert _spec and _spec.loader
bundle = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bundle)


def third_party_imports(path: Path) -> set[str]:
    """Top-level modules ``path`` imports that are neither ours nor the standard library's."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    standard = sys.stdlib_module_names | NEWER_STDLIB
    return {n for n in names if n != "fim_lsp" and n not in standard}


@functools.cache
def owners() -> Mapping[str, list[str]]:
    return packages_distributions()


def distributions(modules: set[str]) -> set[str]:
    return {bundle.name(dist) for module in modules for dist in owners().get(module, [module])}


def test_what_the_bundle_leaves_out_is_a_dependency_only_fim_lsp_eval_imports():
    dependencies = {bundle.name(r) for r in bundle.dependencies()}
    assert dependencies >= bundle.EVAL_ONLY  # no stale name (cachetools was one)
    outside = set()
    for path in SERVER.rglob("*.py"):
        if EVALUATION not in path.parents:
            outside |= distributions(third_party_imports(path))
    assert not outside & bundle.EVAL_ONLY
    used_by_eval = set()
    for path in EVALUATION.rglob("*.py"):
        used_by_eval |= distributions(third_party_imports(path))
    assert used_by_eval >= bundle.EVAL_ONLY  # nothing left out that eval does not use either


def test_everything_the_language_server_imports_is_bundled():
    bundled = {bundle.name(r) for r in bundle.bundled()}
    for path in SERVER.rglob("*.py"):
        if EVALUATION not in path.parents:
            assert distributions(third_party_imports(path)) <= bundled, path
