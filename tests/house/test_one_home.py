"""Facts the package states in one module only: the coordinate systems (``kuntadash.crs``), the
public address (``kuntadash.links``) and the link's query keys (``kuntadash.urlkeys``). Each
test reads the source (ast or text, nothing imported) and names the module that writes a second
copy."""

from __future__ import annotations

import ast
from pathlib import Path
from urllib.parse import urlsplit

from kuntadash import urlkeys
from kuntadash.crs import NATIONAL_GRID, WGS84
from kuntadash.links import FALLBACK_BASE, PUBLIC_URL_ENV
from tests import paths

SRC = paths.SRC


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


def _strings(path: Path) -> list[tuple[int, str]]:
    return [
        (node.lineno, node.value)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    ]


def test_the_public_address_is_decided_in_one_module():
    """Only ``kuntadash.links`` names the setting of the public address or the local default;
    every other module asks :func:`kuntadash.links.public_base_url`."""
    local = urlsplit(FALLBACK_BASE).netloc
    written = sorted(
        f"{_name(path)}:{line}"
        for path in _python_files()
        if path != SRC / "links.py"
        for line, text in _strings(path)
        if text == PUBLIC_URL_ENV or local in text
    )
    assert written == []


# Modules allowed to spell a link's parameters by hand: none.
_SPELLS_LINK_KEYS: set[str] = set()


def test_links_are_spelt_with_the_shared_parameter_names():
    """A dict literal keyed by the link's language or municipality parameter and another link
    parameter is a link written by hand: it belongs to :mod:`kuntadash.urlkeys`' names."""
    params = {value for name, value in vars(urlkeys).items() if name.endswith("_KEY")}
    anchors = {urlkeys.LANG_KEY, urlkeys.MUNICIPALITY_KEY}
    written = sorted(
        f"{_name(path)}:{node.lineno}"
        for path in _python_files()
        if path != SRC / "urlkeys.py" and _name(path) not in _SPELLS_LINK_KEYS
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Dict)
        and len(keys := {k.value for k in node.keys if isinstance(k, ast.Constant)} & params) > 1
        and keys & anchors
    )
    assert written == []


def test_the_app_state_uses_the_shared_parameter_names():
    from kuntadash.ui import state

    for name, value in vars(urlkeys).items():
        if name.endswith("_KEY"):
            assert getattr(state, name) is value, name
