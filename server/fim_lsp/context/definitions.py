"""What a file defines, as the model needs it: for each top-level name its signature and
docstring (or doc comment), not its body.  Python is read with ``ast``; the other languages
lexically, by the lines that start a definition.  Pure: text in, summaries out."""

from __future__ import annotations

import ast
import re

MAX_TYPE_LINES = 30  # a class, struct or interface body: fields and method heads matter
MAX_SIGNATURE_LINES = 8
MAX_DOC_LINES = 6
MAX_MEMBER_LINES = 40


def definitions(text: str, language: str) -> dict[str, str]:
    """Top-level name → its summary, in the order the file defines them."""
    if language == "python":
        try:
            return _python(text)
        except (SyntaxError, ValueError):
            pass  # half-edited file on disk: the lexical reading still finds most heads
    return _lexical(text, language)


def _python(text: str) -> dict[str, str]:
    lines = text.splitlines()
    found: dict[str, str] = {}
    for node in ast.parse(text).body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            found[node.name] = "\n".join(_py_head(node, lines))
        elif isinstance(node, ast.ClassDef):
            # The class's own docstring, then its members' heads without theirs: a big
            # class must still fit the budget.
            summary = _py_head(node, lines)
            members: list[str] = []
            for member in node.body:
                if isinstance(member, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    members += _py_head(member, lines, docstring=False)
                elif isinstance(member, (ast.Assign, ast.AnnAssign)):
                    members.append(lines[member.lineno - 1])
            found[node.name] = "\n".join(summary + members[:MAX_MEMBER_LINES])
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            end = min(node.end_lineno or node.lineno, node.lineno + 2)
            for target in targets:
                if isinstance(target, ast.Name):
                    found[target.id] = "\n".join(lines[node.lineno - 1 : end])
    return found


def _py_head(
    node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef,
    lines: list[str],
    docstring: bool = True,
) -> list[str]:
    """Decorators, the signature and the docstring's first lines, with '...' for the rest
    of the body."""
    start = min([node.lineno, *(d.lineno for d in node.decorator_list)])
    first = node.body[0]
    head = lines[start - 1 : max(first.lineno - 1, node.lineno)]
    rest = node.body
    if (
        isinstance(first, ast.Expr)
        and isinstance(first.value, ast.Constant)
        and isinstance(first.value.value, str)
        and first.lineno > node.lineno
    ):
        if docstring:
            head += _first_lines(lines[first.lineno - 1 : first.end_lineno])
        rest = node.body[1:]
    if rest and first.lineno > node.lineno and not isinstance(node, ast.ClassDef):
        indent = re.match(r"\s*", lines[first.lineno - 1]).group()  # type: ignore[union-attr]
        head.append(f"{indent}...")
    return head


def _first_lines(docstring: list[str]) -> list[str]:
    """A docstring's first paragraph (at most MAX_DOC_LINES lines), closed again if cut."""
    if len(docstring) <= MAX_DOC_LINES:
        return docstring
    taken: list[str] = []
    for line in docstring[:MAX_DOC_LINES]:
        if taken and not line.strip():
            break
        taken.append(line)
    indent = re.match(r"\s*", docstring[0]).group()  # type: ignore[union-attr]
    return [*taken, f'{indent}"""']


_STARTS = {
    "python": [r"\s*(?:async\s+)?def\s+(\w+)", r"class\s+(\w+)"],
    "typescript": [
        r"(?:export\s+)?(?:default\s+)?(?:async\s+)?function\*?\s+(\w+)",
        r"(?:export\s+)?(?:default\s+)?(?:abstract\s+)?(?:class|interface|enum)\s+(\w+)",
        r"(?:export\s+)?(?:declare\s+)?type\s+(\w+)",
        r"(?:export\s+)?(?:const|let|var)\s+(\w+)",
    ],
    "go": [r"func\s+(?:\([^)]*\)\s*)?(\w+)", r"type\s+(\w+)", r"(?:var|const)\s+(\w+)"],
    "rust": [
        r"\s*(?:pub(?:\([^)]*\))?\s+)?(?:async\s+)?(?:unsafe\s+)?(?:const\s+)?fn\s+(\w+)",
        r"(?:pub(?:\([^)]*\))?\s+)?(?:struct|enum|trait|type|union)\s+(\w+)",
        r"(?:pub(?:\([^)]*\))?\s+)?(?:const|static)\s+(\w+)",
    ],
    "lua": [
        r"(?:local\s+)?function\s+(?:[\w.]+[.:])?(\w+)",
        r"(?:local\s+)?(?:[\w.]+\.)?(\w+)\s*=\s*function\b",
    ],
}
_STARTS["javascript"] = _STARTS["typescript"]
_PATTERNS = {name: [re.compile(pattern) for pattern in found] for name, found in _STARTS.items()}
_TYPE_WORDS = re.compile(r"\b(class|interface|enum|struct|trait|type)\b")
_COMMENT = re.compile(r"\s*(//|/\*|\*|--|#)")


def _lexical(text: str, language: str) -> dict[str, str]:
    patterns = _PATTERNS.get(language)
    if not patterns:
        return {}
    lines = text.splitlines()
    found: dict[str, str] = {}
    for number, line in enumerate(lines):
        for pattern in patterns:
            match = pattern.match(line)
            if match and match.group(1) not in found:
                head = _doc_above(lines, number) + _body(lines, number, language != "python")
                found[match.group(1)] = "\n".join(head)
                break
    return found


def _doc_above(lines: list[str], number: int) -> list[str]:
    start = number
    while start > 0 and _COMMENT.match(lines[start - 1]) and lines[start - 1].strip():
        start -= 1
    return lines[start:number]


def _body(lines: list[str], number: int, braces: bool) -> list[str]:
    """A type's body up to its closing brace (capped); a function's signature only."""
    is_type = braces and bool(_TYPE_WORDS.search(lines[number].split("(")[0]))
    limit = MAX_TYPE_LINES if is_type else MAX_SIGNATURE_LINES
    taken: list[str] = []
    depth = 0
    for line in lines[number : number + limit]:
        taken.append(line)
        depth += line.count("{") - line.count("}")
        if not is_type and ("{" in line or line.rstrip().endswith((";", "=>", ")", ":"))):
            break
        if is_type and depth <= 0 and ("{" in "".join(taken) or line.rstrip().endswith(";")):
            break
    return taken
