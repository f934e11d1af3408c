"""The dependency direction of the package (docs/STYLE.md), checked on every module's imports.

Each module of src/kuntadash is parsed (ast, nothing imported) and every ``import`` and
``from … import`` in it, lazy ones inside functions included, is held against the rules below.
The rules are data: a new arrow that runs the wrong way fails here, naming the module and the
import. Layers, from the top:

    pages → ui → views → {charts, domain, store}
    cli → pipeline → {sources, importing (the file readers), store, domain}

and below all of them the shared modules: errors (the user-message types), i18n, resources,
provenance, terminal, naming, crs (the coordinate systems), urlkeys (the link parameters).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests import paths

SRC = paths.SRC

# Layer -> the layers and third-party packages its modules must never import.
UPPER = {"cli", "pipeline", "ui", "views", "charts", "report", "streamlit"}
FORBIDDEN: dict[str, set[str]] = {
    "errors": UPPER | {"sources", "importing", "store", "domain"},
    "domain": UPPER | {"store", "sources", "importing"},
    "store": UPPER | {"sources", "importing"},
    "sources": UPPER | {"store", "importing"},
    "importing": UPPER,  # the readers sit below the pipeline that runs them
    "charts": UPPER - {"charts"} | {"sources", "importing"},
    "views": UPPER - {"views", "charts"} | {"sources", "importing"},
    "report": UPPER - {"report", "views", "charts"} | {"sources", "importing"},
    "pipeline": {"cli", "ui", "views", "charts", "report", "streamlit"},
}
# Only the entry points start a snapshot: these modules (and the pipeline itself) may import
# the pipeline; nothing else may.
PIPELINE_CALLERS = {
    "kuntadash.cli",  # the command line
    "kuntadash.ui.admin",  # the operator's Data page (uploads run in pipeline.worker)
}
# Only ui/ (and app.py and pages/, outside the package) draws with streamlit.
STREAMLIT_LAYERS = {"ui"}


def _modules() -> list[tuple[str, Path]]:
    found = []
    for path in sorted(SRC.rglob("*.py")):
        parts = path.relative_to(SRC.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found.append((name, path))
    return found


def _imports(path: Path) -> set[str]:
    """Every module named by an absolute import in the file (``from kuntadash import x`` names
    kuntadash.x: x is a layer or a module of the root)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "kuntadash":
                names |= {f"kuntadash.{alias.name}" for alias in node.names}
            else:
                names.add(node.module)
    return names


def _layer(module: str) -> str:
    """``kuntadash.store.snapshot`` → store; a third-party module → its top-level package."""
    parts = module.split(".")
    if parts[0] != "kuntadash":
        return parts[0]
    return parts[1] if len(parts) > 1 else "kuntadash"


def _is_pipeline(module: str) -> bool:
    return module == "kuntadash.pipeline" or module.startswith("kuntadash.pipeline.")


def wrong_arrows(modules: list[tuple[str, Path]]) -> list[str]:
    wrong = []
    for name, path in modules:
        layer = _layer(name)
        for target in sorted(_imports(path)):
            if not target.startswith(("kuntadash", "streamlit")):
                continue
            other = _layer(target)
            if other == layer:
                continue
            if other in FORBIDDEN.get(layer, set()):
                wrong.append(f"{name} imports {target} ({layer} must not import {other})")
            elif other == "streamlit" and layer not in STREAMLIT_LAYERS:
                wrong.append(f"{name} imports {target} (only ui/ imports streamlit)")
            elif _is_pipeline(target) and layer != "pipeline" and name not in PIPELINE_CALLERS:
                wrong.append(f"{name} imports {target} (only the entry points call the pipeline)")
    return wrong


def test_every_import_runs_in_the_direction_of_the_layers():
    assert wrong_arrows(_modules()) == []


@pytest.mark.parametrize(
    ("module", "source"),
    [
        ("kuntadash.domain.x", "from kuntadash.store.snapshot import Snapshot"),
        ("kuntadash.store.x", "import streamlit as st"),
        ("kuntadash.views.x", "from kuntadash.ui import widgets"),
        ("kuntadash.sources.x", "def f():\n    from kuntadash.pipeline.steps import skip\n"),
        ("kuntadash.importing.readers.x", "from kuntadash.pipeline.derive import measure_of"),
        ("kuntadash.naming", "from kuntadash.pipeline.update import run_update"),
        ("kuntadash.charts.x", "import streamlit"),
    ],
)
def test_a_new_wrong_arrow_is_found(tmp_path, module, source):
    path = tmp_path / "module.py"
    path.write_text(source, encoding="utf-8")
    assert len(wrong_arrows([(module, path)])) == 1


def test_the_entry_points_may_call_the_pipeline(tmp_path):
    path = tmp_path / "module.py"
    path.write_text("from kuntadash.pipeline.update import run_update\n", encoding="utf-8")
    assert wrong_arrows([("kuntadash.cli", path), ("kuntadash.ui.admin", path)]) == []


def test_one_module_assembles_snapshots():
    """The shared tail is ``pipeline/assemble.py``; no second module of that name."""
    assembles = sorted(p.relative_to(SRC).as_posix() for p in SRC.rglob("assemble.py"))
    assert assembles == ["pipeline/assemble.py"]
