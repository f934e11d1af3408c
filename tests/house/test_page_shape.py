"""Pages are layout (docs/STYLE.md, CONTRIBUTING "Add a page"), checked on every page file.

Each file is parsed, nothing imported: a page computes nothing itself (no ``kuntadash.domain``
import: what it shows comes from a view model in ``views/``), runs at most a few lines at module
level (the rest sits in ``render()`` and its section functions), and stays short; no function
in the package, the pages or app.py grows past a screenful and a half. A new page or function is
covered by being there.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests import paths

REPO = paths.REPO
PAGES = sorted((REPO / "pages").glob("*.py"))
ENTRY = [*PAGES, REPO / "app.py"]
MAX_PAGE_LINES = 250
MAX_MODULE_LEVEL_LINES = 40
MAX_FUNCTION_LINES = 80


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"))


def _module_level_lines(tree: ast.Module) -> int:
    """Lines of top-level statements other than imports, definitions and the docstring."""
    lines = 0
    for node in tree.body:
        if isinstance(node, ast.Import | ast.ImportFrom | ast.FunctionDef | ast.ClassDef):
            continue
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            continue
        lines += node.end_lineno - node.lineno + 1
    return lines


def test_there_are_pages():
    assert len(PAGES) >= 7


@pytest.mark.parametrize("path", ENTRY, ids=lambda p: p.name)
def test_a_page_draws_a_view_and_computes_nothing_itself(path: Path):
    tree = _tree(path)
    domain = [
        node.lineno
        for node in ast.walk(tree)
        if (isinstance(node, ast.ImportFrom) and (node.module or "").startswith("kuntadash.domain"))
        or (
            isinstance(node, ast.Import)
            and any(a.name.startswith("kuntadash.domain") for a in node.names)
        )
    ]
    assert domain == [], f"{path.name} imports kuntadash.domain on lines {domain}"
    assert _module_level_lines(tree) <= MAX_MODULE_LEVEL_LINES
    assert len(path.read_text(encoding="utf-8").splitlines()) <= MAX_PAGE_LINES


def test_no_function_is_longer_than_a_screenful_and_a_half():
    files = [*sorted((REPO / "src").rglob("*.py")), *ENTRY]
    long = [
        f"{path.relative_to(REPO)}:{node.lineno} {node.name} ({node.end_lineno - node.lineno + 1})"
        for path in files
        for node in ast.walk(_tree(path))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES
    ]
    assert long == []
