"""Facts the package states in one module only: the coordinate systems (``kuntadash.crs``), the
public address (``kuntadash.links``) and the link's query keys (``kuntadash.urlkeys``). Each
test reads the source (ast or text, nothing imported) and names the module that writes a second
copy."""

from __future__ import annotations

import ast
from pathlib import Path

from kuntadash.crs import NATIONAL_GRID, WGS84

SRC = Path(__file__).resolve().parents[1] / "src" / "kuntadash"


def _python_files() -> list[Path]:
    return sorted(SRC.rglob("*.py"))


def _name(path: Path) -> str:
    return path.relative_to(SRC).as_posix()


def test_the_coordinate_systems_are_numbered_in_one_module():
    codes = {NATIONAL_GRID, WGS84}
    written = sorted(
        f"{_name(path)}:{node.lineno}"
        for path in _python_files()
        if path != SRC / "crs.py"
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Constant) and type(node.value) is int and node.value in codes
    )
    assert written == []
