"""The committed default snapshot of official figures (data/) and the command that builds it.

The committed snapshot is checked as it is; rebuilding it needs the official files in
../shared/opendata (those tests are skipped when the folder is absent).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from kuntadash.cli import main
from kuntadash.domain.population import POPULATION
from kuntadash.official import OFFICIAL_COMMAND, build_official_snapshot, official_files
from kuntadash.store import read_snapshot, write_snapshot
from tests.conftest import OFFICIAL_DIR, OPENDATA
from tests.fixtures.import_helpers import folder_bytes


@pytest.fixture(scope="module")
def official():
    return read_snapshot(OFFICIAL_DIR)


def test_check_reports_an_official_snapshot_of_308_municipalities(capsys):
    assert main(["data", "check", "--json", str(OFFICIAL_DIR)]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["sample"] is False and summary["valid"] is True
    assert summary["municipalities"] == 308 and summary["division_year"] == 2025
    assert summary["indicators"] >= 10


def test_population_is_a_series_of_at_least_twenty_years(official):
    population = official.values[official.values["indicator_id"] == POPULATION]
    assert population["year"].nunique() >= 20
    per_year = population.groupby("year")["value"].agg(["count", "sum"])
    assert (per_year["count"] == 308).all()  # every municipality every year, nothing missing
    # Statistics Finland's figures: 5 548 241 in 2021; Helsinki 664 028 at the end of 2022
    assert per_year.loc[2021, "sum"] == 5_548_241
    by_key = population.set_index(["municipality_code", "year"])["value"]
    assert by_key[("091", 2022)] == 664_028


def test_every_value_names_a_listed_official_source(official):
    listed = {s["id"]: s for s in official.manifest["sources"]}
    used = set(official.values["source_id"])
    assert used <= set(listed)
    for ident in used:
        source = listed[ident]
        assert source["licence"] == "CC BY 4.0"
        assert source["file"] and len(source["sha256"]) == 64
        assert source["command"] == OFFICIAL_COMMAND
        assert set(source["title"]) == {"fi", "sv", "en"}
    assert official.manifest["command"] == OFFICIAL_COMMAND
    assert {
        e.id for e in official_files() if e.provides != "register" or e.division == 2025
    } <= set(listed), "every file the build reads is listed, the register's and land areas' too"


def test_municipalities_are_the_official_register(official):
    from kuntadash import resources

    register = resources.read_municipality_register(2025)
    table = official.municipalities.set_index("municipality_code")
    for column in ("name_fi", "name_sv", "subregion_code", "wellbeing_county_code"):
        assert table[column].astype(str).to_dict() == dict(
            zip(register["municipality_code"], register[column], strict=True)
        )
    assert "population" not in official.municipalities.columns


def test_merged_municipality_is_harmonised_with_its_own_population(official):
    """Mäntyharju (507) absorbed Pertunmaa (588) in 2025: counts summed, rates weighted by the
    population of the same year; the harmonised keys are recorded."""
    values = official.values.set_index(["municipality_code", "indicator_id", "year"])["value"]
    harmonised = official.harmonised
    members = harmonised[harmonised["municipality_code"] == "507"]
    assert set(members["members"]) == {"507+588"}
    assert ("507", "population", 2010) in set(
        zip(members["municipality_code"], members["indicator_id"], members["year"], strict=True)
    )
    assert values[("507", "unemployment_rate", 2020)] > 0
    assert "588" not in set(official.values["municipality_code"])


@pytest.mark.opendata
def test_the_command_rebuilds_the_committed_snapshot(tmp_path):
    if not OPENDATA.is_dir():
        pytest.skip("../shared/opendata is absent")
    snapshot, _report = build_official_snapshot(OPENDATA)
    written = write_snapshot(snapshot, tmp_path / "data")
    assert written.version == read_snapshot(OFFICIAL_DIR).version, (
        f"data/ is stale: rebuild it with `{OFFICIAL_COMMAND}`"
    )


@pytest.mark.opendata
def test_a_changed_official_file_stops_the_build_and_writes_nothing(tmp_path, capsys):
    if not OPENDATA.is_dir():
        pytest.skip("../shared/opendata is absent")
    copy = tmp_path / "opendata"
    shutil.copytree(OPENDATA, copy)
    target = copy / "thl_sotkanet" / "population_127_2000_2022.csv"
    target.chmod(0o644)
    frame = pd.read_csv(target, dtype={"municipality_code": str})
    frame.loc[0, "value"] += 1
    frame.to_csv(target, index=False)
    out = tmp_path / "data"
    shutil.copytree(OFFICIAL_DIR, out)
    before = folder_bytes(out)
    code = main(["data", "official", "--opendata", str(copy), "--out", str(out), "--lang", "en"])
    assert code == 1
    err = capsys.readouterr().err
    assert "population_127_2000_2022.csv" in err and "SHA-256" in err
    assert folder_bytes(out) == before


def test_a_missing_official_folder_is_a_sentence(tmp_path, capsys):
    code = main(
        ["data", "official", "--opendata", str(tmp_path / "nowhere"), "--out", str(tmp_path / "d")]
    )
    assert code == 1
    err = capsys.readouterr().err
    assert "--opendata" in err and "Traceback" not in err
    assert not (tmp_path / "d").exists()


def test_manifest_of_the_committed_snapshot_is_path_free(official):
    text = (Path(OFFICIAL_DIR) / "manifest.json").read_text(encoding="utf-8")
    assert "/work/" not in text and "/home/" not in text and "/tmp/" not in text
