"""Store layer: snapshot round trip, atomic locked writes, validation messages."""

from __future__ import annotations

import errno
import hashlib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from filelock import FileLock

from kuntadash.store import (
    SnapshotError,
    SnapshotWriteError,
    read_snapshot,
    validate_snapshot,
    write_snapshot,
)
from kuntadash.store import snapshot as snapshot_module


def _digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def test_round_trip_keeps_codes_as_strings_and_missing_as_nan(sample_snapshot, tmp_path):
    written = write_snapshot(sample_snapshot, tmp_path / "copy")
    assert written.municipalities["municipality_code"].str.len().eq(3).all()
    assert "091" in set(written.values["municipality_code"])
    missing_before = sample_snapshot.values["value"].isna().sum()
    assert missing_before > 0
    assert written.values["value"].isna().sum() == missing_before
    assert (written.values["value"].fillna(-1) != 0).sum() > 0
    assert written.version == sample_snapshot.version


def test_failed_write_leaves_previous_snapshot_byte_identical(
    sample_snapshot, sample_copy, monkeypatch
):
    before = _digest(sample_copy)
    calls = {"n": 0}
    original = snapshot_module._write_table

    def fail_on_values(frame, path):
        calls["n"] += 1
        if path.name == snapshot_module.VALUES:
            raise OSError(errno.ENOSPC, "No space left on device")
        original(frame, path)

    monkeypatch.setattr(snapshot_module, "_write_table", fail_on_values)
    with pytest.raises(SnapshotWriteError, match="No space left") as caught:
        write_snapshot(sample_snapshot, sample_copy)
    assert caught.value.key == "store.write.disk_full"
    assert calls["n"] >= 2
    assert _digest(sample_copy) == before
    leftovers = [p.name for p in sample_copy.parent.iterdir() if p.name.startswith(".tmp-")]
    assert leftovers == []


def test_second_writer_is_refused_while_the_lock_is_held(sample_snapshot, sample_copy, monkeypatch):
    monkeypatch.setattr(snapshot_module, "LOCK_TIMEOUT_S", 0.2)
    before = _digest(sample_copy)
    with (
        FileLock(str(sample_copy.parent / f".{sample_copy.name}.lock")),
        pytest.raises(SnapshotError, match="Another update or import"),
    ):
        write_snapshot(sample_snapshot, sample_copy)
    assert _digest(sample_copy) == before


def test_missing_manifest_is_explained(tmp_path):
    with pytest.raises(SnapshotError, match=r"manifest\.json is missing"):
        read_snapshot(tmp_path)


def test_corrupted_table_is_reported_as_damaged(sample_copy):
    (sample_copy / "values.parquet").write_bytes(b"PAR1 this is not parquet")
    with pytest.raises(SnapshotError, match="damaged"):
        read_snapshot(sample_copy)


def test_sample_snapshot_is_valid(sample_snapshot):
    assert validate_snapshot(sample_snapshot) == []


def _with_values(snapshot, values):
    return snapshot.__class__(
        snapshot.manifest, snapshot.municipalities, snapshot.boundaries, values, snapshot.catalogue
    )


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda v: pd.concat([v, v.head(1)]), "share a (municipality, indicator, year) key"),
        (
            lambda v: v.assign(municipality_code=v["municipality_code"].where(v.index > 0, "588")),
            "not in this division",
        ),
        (
            lambda v: v.assign(municipality_code=v["municipality_code"].where(v.index > 0, "91")),
            "not 3-digit strings",
        ),
        (
            lambda v: v.assign(indicator_id=v["indicator_id"].where(v.index > 0, "made_up")),
            "missing from the catalogue",
        ),
        (
            lambda v: v.assign(value=v["value"].where(v.index > 0, 1e12)),
            "outside the plausible range",
        ),
        (
            lambda v: v.assign(value=v["value"].where(v.index > 0, np.inf)),
            "outside the plausible range",
        ),
    ],
    ids=[
        "duplicate-key",
        "merged-code",
        "unpadded-code",
        "unknown-indicator",
        "implausible",
        "infinite",
    ],
)
def test_validation_names_the_problem(sample_snapshot, change, expected):
    values = change(sample_snapshot.values.copy()).reset_index(drop=True)
    problems = validate_snapshot(_with_values(sample_snapshot, values))
    assert any(expected in str(p) for p in problems), problems


def test_validation_requires_manifest_sources_with_licence(sample_snapshot):
    broken = sample_snapshot.with_manifest(
        sources=[{"publisher": "X", "url": "u", "accessed": "t"}]
    )
    assert any("lacks licence" in str(p) for p in validate_snapshot(broken))


def test_validation_requires_a_boundary_for_every_municipality(sample_snapshot):
    boundaries = sample_snapshot.boundaries.iloc[1:]
    broken = sample_snapshot.__class__(
        sample_snapshot.manifest,
        sample_snapshot.municipalities,
        boundaries,
        sample_snapshot.values,
        sample_snapshot.catalogue,
    )
    missing = sample_snapshot.boundaries["municipality_code"].iloc[0]
    assert any(
        missing in str(p) and "without a boundary" in str(p) for p in validate_snapshot(broken)
    )


def _with_catalogue(snapshot, catalogue):
    return snapshot.__class__(
        snapshot.manifest, snapshot.municipalities, snapshot.boundaries, snapshot.values, catalogue
    )


def _first(column, value):
    def change(catalogue):
        catalogue = catalogue.copy()
        catalogue[column] = catalogue[column].astype("object")
        catalogue.loc[0, column] = value
        return catalogue

    return change


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (_first("cadence", "weekly"), "cadence must be one of"),
        (_first("cadence", None), "cadence must be one of"),
        (_first("direction", "up"), "direction must be one of"),
        (_first("dimension", "cultural"), "dimension must be one of"),
        (_first("aggregation", "sum"), "aggregation must be one of"),
        (_first("decimals", 1.5), "decimals must be a whole number"),
        (_first("decimals", None), "decimals must be a whole number"),
        (_first("name_sv", None), "name_sv is missing"),
        (_first("name_en", "  "), "name_en is empty"),
        (_first("unit_en", None), "unit_en is missing"),
        (_first("interpretation_fi", None), "interpretation_fi is missing"),
        (_first("licence", ""), "licence is empty"),
        (lambda c: c.drop(columns="cadence"), "missing columns: cadence"),
        (_first("breaks", "2023"), "breaks must be a JSON list"),
        (_first("breaks", '[{"year": "2023", "reason": {}}]'), "breaks must be a JSON list"),
    ],
    ids=[
        "unknown-cadence",
        "no-cadence",
        "unknown-direction",
        "unknown-dimension",
        "unknown-aggregation",
        "fractional-decimals",
        "no-decimals",
        "no-swedish-name",
        "blank-english-name",
        "no-unit",
        "no-interpretation",
        "no-licence",
        "no-cadence-column",
        "breaks-not-a-list",
        "break-year-as-text",
    ],
)
def test_validation_rejects_a_catalogue_the_app_cannot_show(sample_snapshot, change, expected):
    catalogue = change(sample_snapshot.catalogue)
    problems = validate_snapshot(_with_catalogue(sample_snapshot, catalogue))
    assert any(expected in str(p) for p in problems), problems


def test_validation_accepts_empty_optional_texts_and_missing_source_ids(sample_snapshot):
    catalogue = sample_snapshot.catalogue.copy()
    catalogue[["definition_sv", "interpretation_en", "unit_fi"]] = ""
    catalogue[["table", "code"]] = None
    assert validate_snapshot(_with_catalogue(sample_snapshot, catalogue)) == []


def test_validation_rejects_a_snapshot_without_municipalities(sample_snapshot):
    empty = sample_snapshot.__class__(
        sample_snapshot.manifest,
        sample_snapshot.municipalities.iloc[0:0],
        sample_snapshot.boundaries.iloc[0:0],
        sample_snapshot.values.iloc[0:0],
        sample_snapshot.catalogue,
    )
    assert any("no municipalities" in str(p) for p in validate_snapshot(empty))


def test_a_catalogue_written_before_notes_and_breaks_reads_as_having_none(sample_copy):
    """Snapshots keep working when the catalogue gains optional columns: an older catalogue
    table reads with empty direction notes and no breaks, and stays valid."""
    path = sample_copy / "catalogue.parquet"
    older = pd.read_parquet(path).drop(
        columns=["breaks", "direction_note_fi", "direction_note_sv", "direction_note_en"]
    )
    older.to_parquet(path)
    snapshot = read_snapshot(sample_copy)
    assert set(snapshot.catalogue["breaks"]) == {"[]"}
    assert set(snapshot.catalogue["direction_note_fi"]) == {""}
    assert validate_snapshot(snapshot) == []
