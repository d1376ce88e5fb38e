"""Import lines name the files that may define what they import, per language."""

from __future__ import annotations

from fim_lsp.context.imports import Import, imports_of


def test_python_from_import_names_module_and_submodule_files():
    [found] = imports_of("from pkg.tools import parse, Thing as T\n", "app/main.py")
    assert found.names == ("parse", "Thing")
    assert found.candidates[:2] == ("pkg/tools.py", "pkg/tools/__init__.py")
    assert "src/pkg/tools.py" in found.candidates
    assert "pkg/tools/parse.py" in found.candidates  # parse may be a submodule


def test_python_relative_import_starts_at_the_file_s_package():
    [found] = imports_of("from ..core import run\n", "app/sub/main.py")
    assert found.candidates[:2] == ("app/core.py", "app/core/__init__.py")


def test_python_parenthesised_names_and_plain_imports_in_order():
    text = "import os, pkg.util as u\nfrom a import (\n    b,\n    c,\n)\n"
    found = imports_of(text, "main.py")
    assert [item.candidates[0] for item in found] == ["os.py", "pkg/util.py", "a.py"]
    assert found[2].names == ("b", "c")


def test_typescript_relative_imports_try_extensions_and_index_packages_never():
    text = (
        "import { parse, type Options } from './lib/parse';\n"
        "import React from 'react';\n"
        "const util = require('../util.js');\n"
    )
    parse, util = imports_of(text, "src/app.ts")
    assert parse.names == ("parse", "Options")
    assert "src/lib/parse.ts" in parse.candidates
    assert "src/lib/parse/index.ts" in parse.candidates
    assert "util.ts" in util.candidates and "util.js" in util.candidates


def test_go_imports_inside_the_module_are_folders():
    text = 'package main\n\nimport (\n\t"fmt"\n\t"example.com/shop/pkg/price"\n)\n'
    assert imports_of(text, "cmd/main.go", "example.com/shop") == [Import(("pkg/price/",), ())]


def test_rust_use_and_mod():
    text = "mod parser;\nuse crate::model::{Order, Line};\nuse super::util::helper;\n"
    module, model, util = imports_of(text, "src/bin/app.rs")
    assert module.candidates == ("src/bin/parser.rs", "src/bin/parser/mod.rs")
    assert model.names == ("Order", "Line")
    assert model.candidates[:2] == ("src/model.rs", "src/model/mod.rs")
    assert util.names == ("helper",)
    assert util.candidates[0] == "src/util.rs"


def test_lua_require():
    [found] = imports_of('local cfg = require("plugin.config")\n', "lua/plugin/init.lua")
    assert found.candidates == (
        "plugin/config.lua",
        "plugin/config/init.lua",
        "lua/plugin/config.lua",
        "lua/plugin/config/init.lua",
    )


def test_unknown_languages_import_nothing():
    assert imports_of("import x from './y'\n", "notes.txt") == []
