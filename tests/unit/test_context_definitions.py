"""Definitions are summarised as signatures and docs, never bodies."""

from __future__ import annotations

from fim_lsp.context.definitions import definitions

PYTHON = '''\
import re

LIMIT: int = 10


@cache
def parse(text: str,
          strict: bool = False) -> list[str]:
    """Words of TEXT."""
    return re.findall(r"\\w+", text)


class Basket:
    """Things bought."""

    size = 3

    def add(self, item: str) -> None:
        self.items.append(item)
'''


def test_python_signatures_docstrings_and_class_members():
    found = definitions(PYTHON, "python")
    assert list(found) == ["LIMIT", "parse", "Basket"]
    assert found["LIMIT"] == "LIMIT: int = 10"
    assert found["parse"] == (
        "@cache\n"
        "def parse(text: str,\n"
        "          strict: bool = False) -> list[str]:\n"
        '    """Words of TEXT."""\n'
        "    ..."
    )
    assert found["Basket"] == (
        'class Basket:\n    """Things bought."""\n    size = 3\n'
        "    def add(self, item: str) -> None:\n        ..."
    )


def test_a_python_file_that_does_not_parse_is_read_lexically():
    half_edited = "class Shop:\n    def parse(self, text):\n        return (\n"
    assert definitions(half_edited, "python") == {
        "Shop": "class Shop:",
        "parse": "    def parse(self, text):",
    }
    found = definitions("function helper(a) {\n  return a\n", "javascript")
    assert found == {"helper": "function helper(a) {"}


def test_typescript_doc_comments_and_type_bodies():
    text = (
        "/** Adds. */\n"
        "export function add(a: number, b: number): number {\n"
        "  return a + b;\n"
        "}\n"
        "export interface Point {\n"
        "  x: number;\n"
        "  y: number;\n"
        "}\n"
        "export const ORIGIN: Point = { x: 0, y: 0 };\n"
    )
    found = definitions(text, "typescript")
    assert found["add"] == "/** Adds. */\nexport function add(a: number, b: number): number {"
    assert found["Point"] == "export interface Point {\n  x: number;\n  y: number;\n}"
    assert "ORIGIN" in found


def test_go_rust_and_lua_heads():
    go = "// Price in cents.\nfunc (s *Shop) Price(id string) int {\n\treturn 0\n}\n"
    assert definitions(go, "go") == {
        "Price": "// Price in cents.\nfunc (s *Shop) Price(id string) int {"
    }
    rust = (
        "/// A line.\npub struct Line {\n    qty: u32,\n}\n\n"
        "pub fn total(lines: &[Line]) -> u32 {\n    0\n}\n"
    )
    found = definitions(rust, "rust")
    assert found["Line"] == "/// A line.\npub struct Line {\n    qty: u32,\n}"
    assert found["total"] == "pub fn total(lines: &[Line]) -> u32 {"
    lua = "-- Sets up.\nfunction M.setup(opts)\n  return opts\nend\n"
    assert definitions(lua, "lua") == {"setup": "-- Sets up.\nfunction M.setup(opts)"}
