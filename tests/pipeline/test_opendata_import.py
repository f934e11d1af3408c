"""Integration over the real official files in ../shared/opendata (skipped when absent).

Nothing derived from these files is committed: snapshots go to pytest's temporary folders.
"""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import pytest

from kuntadash.cli import main
from kuntadash.importing import DataImportError
from kuntadash.pipeline.importing import import_files
from kuntadash.store import read_snapshot, validate_snapshot
from tests import paths
from tests.fixtures.import_helpers import folder_bytes

pytestmark = pytest.mark.opendata

OPENDATA = paths.OPENDATA
WFS_2025 = OPENDATA / "statfi_wfs_2025" / "kunta1000k_2025_with_neighbors_and_province.geojson"
NLS_2023 = OPENDATA / "nls_hallinnolliset_aluejaot" / "kuntarajat.2023.json"
YLE_2020 = OPENDATA / "yle_geodata" / "finland-munis-2020.topo.json"
KEY_FIGURES = OPENDATA / "statfi_kuntien_avainluvut" / "key_figures_municipalities.csv"
TIDY = paths.IMPORT_FIXTURES / "tidy.csv"


def _need(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"{path} is absent")
    return path


@pytest.fixture(scope="module")
def wfs_snapshot(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wfs") / "snapshot"
    assert main(["data", "import", "--out", str(out), str(_need(WFS_2025)), str(TIDY)]) == 0
    return out


def test_2025_wfs_boundaries_give_a_valid_snapshot(wfs_snapshot, capsys):
    assert main(["data", "check", str(wfs_snapshot)]) == 0
    assert "308 municipalities" in capsys.readouterr().out
    snapshot = read_snapshot(wfs_snapshot)
    assert len(snapshot.boundaries) == 308
    assert snapshot.manifest["boundaries"] == "official"
    assert snapshot.tiles is not None and len(snapshot.tiles) == 308
    # simplified once at build: a few hundred KB of GeoJSON at most
    assert len(snapshot.boundaries.to_json()) < 400_000
    shared = snapshot.boundaries.set_index("municipality_code").geometry
    # Helsinki and Espoo still share a border after simplification (coverage kept)
    assert shared["091"].intersection(shared["049"]).length > 0


def test_nls_2023_file_is_harmonised_from_309_codes(tmp_path):
    out = tmp_path / "snap"
    report = import_files([_need(NLS_2023)], out)
    note = next(m for m in report.notes if m.key == "data.note.boundary_harmonised")
    assert note.params["count"] == 309
    assert "588 → 507" in note.render("fi")
    snapshot = read_snapshot(out)
    assert validate_snapshot(snapshot) == []
    assert len(snapshot.boundaries) == 308


def test_yle_2020_topojson_is_harmonised_from_310_codes(tmp_path):
    out = tmp_path / "snap"
    report = import_files([_need(YLE_2020)], out)
    note = next(m for m in report.notes if m.key == "data.note.boundary_harmonised")
    assert note.params["count"] == 310 and note.params["division"] == "2020"
    text = note.render("en")
    assert "099 → 214" in text and "588 → 507" in text
    assert len(read_snapshot(out).boundaries) == 308


def test_yle_2020_is_refused_when_its_mergers_are_unknown(tmp_path, monkeypatch):
    """Without the merger table the older file cannot be placed; the message names the codes."""
    from kuntadash.importing import context as context_module

    original = context_module.read_division_changes
    monkeypatch.setattr(
        context_module,
        "read_division_changes",
        lambda doc: [c for c in original(doc) if c.absorbed != "099"],
    )
    with pytest.raises(DataImportError) as caught:
        import_files([_need(YLE_2020)], tmp_path / "snap")
    assert "099" in caught.value.render("fi")
    assert not (tmp_path / "snap").exists()


def test_key_figures_csv_imports_by_name(tmp_path, wfs_snapshot):
    out = tmp_path / "snapshot"
    shutil.copytree(wfs_snapshot, out)
    report = import_files([_need(KEY_FIGURES)], out)
    snapshot = read_snapshot(out)
    assert validate_snapshot(snapshot) == []
    values = snapshot.values.set_index(["municipality_code", "indicator_id", "year"])["value"]
    # "Raseborg" / "Vörå" (Swedish forms in the English PxWeb labels) matched to 710 / 946
    assert not math.isnan(values.loc[("710", "employment_rate", 2020)])
    assert ("946", "unemployment_rate", 2020) in values.index
    # Pertunmaa harmonised into Mäntyharju, with the harmonised keys recorded
    assert "588" not in set(snapshot.values["municipality_code"])
    harmonised = snapshot.harmonised
    assert harmonised is not None and (harmonised["members"] == "507+588").any()
    assert {m.key for m in report.notes} >= {
        "data.note.values_harmonised",
        "data.note.aggregates_skipped",
    }
    assert snapshot.manifest["boundaries"] == "official"  # real borders kept


def test_failed_import_over_real_snapshot_changes_nothing(tmp_path, wfs_snapshot):
    out = tmp_path / "snapshot"
    shutil.copytree(wfs_snapshot, out)
    before = folder_bytes(out)
    with pytest.raises(DataImportError):
        import_files([_need(NLS_2023), _need(YLE_2020)], out)  # two boundary files
    assert folder_bytes(out) == before
