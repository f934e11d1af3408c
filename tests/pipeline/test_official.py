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
from kuntadash.pipeline.official import OFFICIAL_COMMAND, build_official_snapshot, official_files
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


# --- what the default snapshot holds ----------------------------------------------------------


def _by_key(snapshot):
    return snapshot.values.set_index(["municipality_code", "indicator_id", "year"])["value"]


def test_the_default_holds_every_official_figure_we_have(official):
    """At least 25 indicators, three series of ten years or more, and every dimension but the
    technological one (no official file of it is held offline) has figures."""
    values = official.values
    assert values["indicator_id"].nunique() >= 25
    spans = values.dropna(subset=["value"]).groupby("indicator_id")["year"].agg(["min", "max"])
    long = spans[spans["max"] - spans["min"] + 1 >= 10].index
    assert {
        "population",
        "population_change",
        "unemployed_jobseekers_share",
        "education_level_measure",
    } <= set(long)
    dimensions = official.catalogue.set_index("id")["dimension"]
    present = set(dimensions[values["indicator_id"].unique()])
    assert present == {"economic", "social", "ecological"}
    # every value is a number or NaN, never a count column of the key figures
    assert not {"number_of_families", "excess_of_births"} & set(values["indicator_id"])


def test_check_values_of_the_series(official):
    values = _by_key(official)
    # Sotkanet 180 as published; Kankaanpää 2017 weighted with Honkajoki by the file's own
    # population
    assert values[("091", "education_level_measure", 2015)] == 432
    assert values[("214", "education_level_measure", 2017)] == pytest.approx(296.5, abs=0.05)
    # the employment service's register: mean of the monthly shares (labour force is one
    # annual figure); Mäntyharju with Pertunmaa as the ratio of the summed counts
    assert values[("091", "unemployed_jobseekers_share", 2019)] == pytest.approx(9.05, abs=0.005)
    assert values[("507", "unemployed_jobseekers_share", 2019)] == pytest.approx(9.53, abs=0.005)
    # municipal finance key figures 2020 (PxWeb json-stat2, key figures in `Tunnusluku`)
    assert values[("091", "equity_ratio", 2020)] == 81
    assert values[("091", "relative_indebtedness", 2020)] == 45
    # the loan stock stays the key figures' (M496), not read twice from the finance table
    assert values[("091", "loan_stock_per_resident", 2020)] == pytest.approx(1510.1)


def test_population_change_is_the_published_figure_and_derived_elsewhere(official):
    """2021 is the key figure (M476); the other years are computed from the population series
    (a declared derivation), and agree with the key figure where both exist."""
    values = _by_key(official)
    sources = official.values.set_index(["municipality_code", "indicator_id", "year"])["source_id"]
    assert sources[("091", "population_change", 2021)] == "statfi_key_figures_2021"
    assert sources[("091", "population_change", 2022)] == "thl_sotkanet_population"
    population = official.values[official.values["indicator_id"] == "population"].pivot(
        index="municipality_code", columns="year", values="value"
    )
    change = official.values[official.values["indicator_id"] == "population_change"]
    assert set(change["year"]) == set(range(2001, 2023))
    computed = (population[2021] / population[2020] - 1) * 100
    published = change[change["year"] == 2021].set_index("municipality_code")["value"]
    assert (computed.reindex(published.index).round(1) - published).abs().max() < 0.051
    assert values[("091", "population_change", 2022)] == pytest.approx(
        (664_028 / 658_457 - 1) * 100
    )
    entry = official.catalogue.set_index("id").loc["population_change"]
    assert "Sotkanet 127" in entry["definition_en"]


@pytest.mark.opendata
def test_the_new_official_files_are_read_by_their_format_readers(opendata, tmp_path):
    """Each file of the default, alone, through the ordinary import: the monthly employment
    service table, the Sotkanet table by name and the municipal finance json-stat2."""
    from kuntadash.pipeline.importing import import_files

    report = import_files(
        [opendata / "statfi_tyonv_monthly" / "data_kunta_1001.csv"], tmp_path / "a"
    )
    values = _by_key(report.snapshot)
    assert values[("091", "unemployed_jobseekers_share", 2019)] == pytest.approx(9.0495, abs=1e-4)
    assert values[("478", "unemployed_jobseekers_share", 2019)] > 0  # "Maarianhamina - Mariehamn"
    assert not any(":" in i for i in report.snapshot.values["indicator_id"])  # raw measures gone

    report = import_files(
        [opendata / "thl_sotkanet_koulutustaso" / "sotkanet_data.csv"], tmp_path / "b"
    )
    values = _by_key(report.snapshot)
    assert values[("284", "education_level_measure", 2017)] > 0  # "Koski" = Koski Tl
    assert ("911", "education_level_measure", 2017) not in values.index  # Valtimo → Nurmes
    assert values[("541", "education_level_measure", 2017)] > 0
    assert "population" not in set(report.snapshot.values["indicator_id"])  # weights only

    report = import_files(
        [opendata / "statfi_kuntatalous_2020" / "municipal_debt_raw.json"], tmp_path / "c"
    )
    assert set(report.snapshot.values["indicator_id"]) == {"equity_ratio", "relative_indebtedness"}
