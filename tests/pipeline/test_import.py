"""``kuntadash data import``: building and extending snapshots from local files."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd
import pytest

from kuntadash.cli import main
from kuntadash.i18n import translate
from kuntadash.importing import DataImportError
from kuntadash.pipeline.importing import import_files
from kuntadash.store import read_snapshot, validate_snapshot
from tests import paths
from tests.fixtures.import_helpers import folder_bytes, register_codes, write_grid_boundaries

FIXTURES = paths.IMPORT_FIXTURES


@pytest.fixture(scope="module")
def boundary_file(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("bounds")
    return write_grid_boundaries(folder / "kunnat_2025.geojson", register_codes(), crs=3067)


@pytest.fixture(scope="module")
def base_snapshot(tmp_path_factory, boundary_file) -> Path:
    out = tmp_path_factory.mktemp("snap") / "snapshot"
    import_files([boundary_file, FIXTURES / "tidy.csv"], out)
    return out


def _copy(src: Path, tmp_path: Path) -> Path:
    import shutil

    target = tmp_path / "snapshot"
    shutil.copytree(src, target)
    return target


def test_boundaries_and_tidy_table_give_a_valid_official_snapshot(base_snapshot):
    snapshot = read_snapshot(base_snapshot)
    assert validate_snapshot(snapshot) == []
    assert not snapshot.is_sample
    assert snapshot.manifest["boundaries"] == "official"
    assert len(snapshot.boundaries) == 308
    assert snapshot.boundaries.crs.to_epsg() == 4326  # transformed from EPSG:3067
    assert snapshot.tiles is not None and len(snapshot.tiles) == 308
    values = snapshot.values.set_index(["municipality_code", "indicator_id", "year"])["value"]
    assert values[("091", "unemployment_rate", 2024)] == pytest.approx(9.5)
    assert values[("710", "unemployment_rate", 2024)] == pytest.approx(7.25)  # decimal comma, name
    assert math.isnan(values[("946", "unemployment_rate", 2024)])  # ".." stays missing


def test_old_code_is_harmonised_with_the_datas_own_population(tmp_path, boundary_file):
    out = tmp_path / "snap"
    report = import_files([boundary_file, FIXTURES / "tidy.csv", FIXTURES / "population.csv"], out)
    snapshot = read_snapshot(out)
    values = snapshot.values.set_index(["municipality_code", "indicator_id", "year"])["value"]
    # 507 Mäntyharju 10.0 (5 600 residents) + 588 Pertunmaa 12.0 (1 650), both of 2024.
    expected = (10.0 * 5600 + 12.0 * 1650) / (5600 + 1650)
    assert values[("507", "unemployment_rate", 2024)] == pytest.approx(expected)
    assert values[("507", "population", 2024)] == 5600 + 1650  # counts are summed
    assert "588" not in set(snapshot.values["municipality_code"])
    harmonised = snapshot.harmonised
    assert harmonised is not None
    assert set(harmonised["members"]) == {"507+588"}
    keys = {m.key for m in report.notes}
    assert "data.note.weights_nearest" not in keys and "data.note.weights_missing" not in keys


def test_old_code_without_population_stays_missing_and_says_so(base_snapshot, tmp_path):
    snapshot = read_snapshot(base_snapshot)
    values = snapshot.values.set_index(["municipality_code", "indicator_id", "year"])["value"]
    # No population figures in the data: no weights, so no combined figure (never a guess).
    assert math.isnan(values[("507", "unemployment_rate", 2024)])
    report = import_files([FIXTURES / "tidy.csv"], tmp_path / "again")
    note = next(m for m in report.notes if m.key == "data.note.weights_missing")
    assert "507 unemployment_rate 2024" in note.render("en")


def test_weights_of_another_year_are_used_and_reported(tmp_path):
    path = tmp_path / "rates.csv"
    path.write_text(
        "municipality_code,indicator_id,year,value\n"
        "507,unemployment_rate,2022,10\n588,unemployment_rate,2022,12\n",
        encoding="utf-8",
    )
    report = import_files([path, FIXTURES / "population.csv"], tmp_path / "snap")
    values = read_snapshot(tmp_path / "snap").values.set_index(
        ["municipality_code", "indicator_id", "year"]
    )["value"]
    # 2022 has no population for 507 / 588: the nearest year's (2023) weights are used
    expected = (10.0 * 5652 + 12.0 * 1690) / (5652 + 1690)
    assert values[("507", "unemployment_rate", 2022)] == pytest.approx(expected)
    note = next(m for m in report.notes if m.key == "data.note.weights_nearest")
    assert "507 unemployment_rate 2022" in note.render("fi")


def test_cli_import_then_check_accepts(tmp_path, boundary_file, capsys):
    out = tmp_path / "snap"
    assert (
        main(["data", "import", "--out", str(out), str(boundary_file), str(FIXTURES / "tidy.csv")])
        == 0
    )
    assert main(["data", "check", str(out)]) == 0
    assert "308 municipalities" in capsys.readouterr().out


def test_import_into_existing_adds_and_newer_wins(tmp_path, base_snapshot):
    out = _copy(base_snapshot, tmp_path)
    report = import_files([FIXTURES / "tidy_semicolon_latin1.csv"], out)
    snapshot = read_snapshot(out)
    assert validate_snapshot(snapshot) == []
    values = snapshot.values.set_index(["municipality_code", "indicator_id", "year"])["value"]
    assert values[("091", "unemployment_rate", 2024)] == pytest.approx(9.9)  # replaced
    assert values[("020", "unemployment_rate", 2024)] == pytest.approx(8.0)  # Akaa, added
    assert values[("710", "unemployment_rate", 2024)] == pytest.approx(7.25)  # kept
    assert report.values_replaced == 1
    assert snapshot.manifest["boundaries"] == "official"  # kept without a boundary file
    keys = [m.key for m in report.notes]
    assert "data.note.values_replaced" in keys and "data.note.boundaries_kept" in keys


def test_without_boundaries_tiles_are_computed(tmp_path):
    out = tmp_path / "snap"
    import_files([FIXTURES / "tidy.csv"], out)
    snapshot = read_snapshot(out)
    assert snapshot.manifest["boundaries"] == "tiles"
    assert validate_snapshot(snapshot) == []


def test_excel_table_with_catalogue_sheet_adds_a_new_indicator(tmp_path):
    data = pd.DataFrame(
        {
            "kunta": ["Helsinki", "Espoo", "Vantaa"],
            "indikaattori": "fibre_share",
            "vuosi": [2024, 2024, 2024],
            "arvo": [91.5, 88.0, None],
        }
    )
    catalogue = pd.DataFrame(
        [
            {
                "id": "fibre_share",
                "dimension": "technological",
                "name_fi": "Kuituliittymien osuus",
                "name_sv": "Andel fiberanslutningar",
                "name_en": "Fibre connection share",
                "unit_fi": "%",
                "direction": "higher_better",
                "aggregation": "share",
                "decimals": 1,
                "valid_min": 0,
                "valid_max": 100,
                "publisher": "Traficom",
                "licence": "CC BY 4.0",
            }
        ]
    )
    book = tmp_path / "fibre.xlsx"
    with pd.ExcelWriter(book) as writer:
        data.to_excel(writer, sheet_name="data", index=False)
        catalogue.to_excel(writer, sheet_name="catalogue", index=False)
    out = tmp_path / "snap"
    import_files([book], out)
    snapshot = read_snapshot(out)
    assert validate_snapshot(snapshot) == []
    row = snapshot.catalogue.set_index("id").loc["fibre_share"]
    assert row["name_fi"] == "Kuituliittymien osuus"
    assert row["unit_sv"] == "%"  # missing languages fall back to the given one
    values = snapshot.values[snapshot.values["indicator_id"] == "fibre_share"]
    assert len(values) == 3 and values["value"].isna().sum() == 1


def test_yaml_sidecar_adds_a_new_indicator(tmp_path):
    out = tmp_path / "snap"
    import_files([FIXTURES / "broadband.csv", FIXTURES / "broadband.yaml"], out)
    snapshot = read_snapshot(out)
    assert "gigabit_households_share" in set(snapshot.catalogue["id"])
    assert validate_snapshot(snapshot) == []


def test_sidecar_without_cadence_gets_a_translated_valid_one(tmp_path):
    out = tmp_path / "snap"
    import_files([FIXTURES / "broadband.csv", FIXTURES / "broadband.yaml"], out)
    cadence = read_snapshot(out).catalogue.set_index("id").at["gigabit_households_share", "cadence"]
    assert cadence == "irregular"
    assert {translate(f"cadence.{cadence}", lang) for lang in ("fi", "sv", "en")} == {
        "epäsäännöllisesti",
        "oregelbundet",
        "irregularly",
    }


def test_sidecar_with_an_unknown_cadence_is_refused(tmp_path):
    sidecar = tmp_path / "broadband.yaml"
    text = (FIXTURES / "broadband.yaml").read_text(encoding="utf-8")
    sidecar.write_text(text.replace("decimals: 1", "decimals: 1\n    cadence: weekly"), "utf-8")
    with pytest.raises(DataImportError) as caught:
        import_files([FIXTURES / "broadband.csv", sidecar], tmp_path / "snap")
    assert "cadence" in caught.value.render("en")
    assert not (tmp_path / "snap").exists()


def test_jsonstat2_file_imports_with_status_symbols_missing(tmp_path):
    out = tmp_path / "snap"
    import_files([FIXTURES.parent / "pxweb" / "142h_data.json"], out)
    values = read_snapshot(out).values.set_index(["municipality_code", "indicator_id", "year"])
    assert values.loc[("091", "unemployment_rate", 2024), "value"] == pytest.approx(10.4)
    assert math.isnan(values.loc[("005", "unemployment_rate", 2024), "value"])


def _finance_jsonstat() -> dict:
    """A json-stat2 answer shaped like Statistics Finland's municipal finance key figures
    (``Kuntien_talous_ja_toiminta/Kunnat/9._Tunnusluvut/006_kta_19_2020.px``, values made up):
    the figures in ``Tunnusluku``, the metric role on a one-value ``ContentsCode``."""
    figures = {
        "omavaraisuus_aste": "Equity ratio, %",
        "suhteel_velkaant": "Relative indebtedness , %",
        "lainakanta_asuk": "Loan stock, EUR per capita",
    }
    areas = {"091": "Helsinki", "049": "Espoo"}
    return {
        "version": "2.0",
        "class": "dataset",
        "label": "Key figures, municipalities 2020 by Region, Key figure and Year",
        "role": {"time": ["Vuosi"], "metric": ["ContentsCode"]},
        "id": ["ContentsCode", "Alue", "Tunnusluku", "Vuosi"],
        "size": [1, 2, 3, 1],
        "dimension": {
            "ContentsCode": {
                "category": {
                    "index": {"EliminatedValue": 0},
                    "label": {"EliminatedValue": "Key figures, municipalities 2020"},
                }
            },
            "Alue": {"category": {"index": {c: i for i, c in enumerate(areas)}, "label": areas}},
            "Tunnusluku": {
                "category": {"index": {c: i for i, c in enumerate(figures)}, "label": figures}
            },
            "Vuosi": {"category": {"index": {"2020": 0}, "label": {"2020": "2020"}}},
        },
        "value": [81, 45, 1510, 60, 70, 4237],
    }


def test_jsonstat2_with_the_figures_in_a_classification_dimension(tmp_path):
    source = tmp_path / "finance.json"
    source.write_text(json.dumps(_finance_jsonstat()), encoding="utf-8")
    report = import_files([source], tmp_path / "snap")
    values = report.snapshot.values.set_index(["municipality_code", "indicator_id", "year"])
    assert values.loc[("091", "equity_ratio", 2020), "value"] == 81
    assert values.loc[("049", "relative_indebtedness", 2020), "value"] == 70
    # matched by value code only: the loan stock label would read M496 a second time
    assert "loan_stock_per_resident" not in set(report.snapshot.values["indicator_id"])
    unused = next(m for m in report.notes if m.key == "data.note.columns_unused")
    assert "lainakanta_asuk" in unused.render("en")


def test_pxweb_csv_wide_download_imports_by_label(tmp_path):
    out = tmp_path / "snap"
    report = import_files([FIXTURES / "keyfigures_wide.csv"], out)
    values = read_snapshot(out).values.set_index(["municipality_code", "indicator_id", "year"])
    assert values.loc[("091", "employment_rate", 2020), "value"] == pytest.approx(71.2)
    assert values.loc[("710", "employment_rate", 2020), "value"] == pytest.approx(72.0)
    keys = {m.key for m in report.notes}
    assert "data.note.aggregates_skipped" in keys
    unused = next(m for m in report.notes if m.key == "data.note.columns_unused")
    assert "Number of saunas, 2020" in unused.render("en")


def test_sotkanet_json_with_regions(tmp_path):
    out = tmp_path / "snap"
    sotkanet = FIXTURES.parent / "sotkanet"
    import_files([sotkanet / "data_5641.json", sotkanet / "regions.json"], out)
    values = read_snapshot(out).values.set_index(["municipality_code", "indicator_id", "year"])
    assert values.loc[("091", "morbidity_index", 2023), "value"] == pytest.approx(86.5)


def test_syke_csv_is_divided_by_the_datas_population(tmp_path):
    out = tmp_path / "snap"
    import_files([FIXTURES / "population.csv"], out)
    report = import_files([FIXTURES.parent / "syke" / "kunta_91.csv"], out)
    values = read_snapshot(out).values
    row = values[
        (values["indicator_id"] == "ghg_emissions_per_resident") & (values["year"] == 2022)
    ]
    from kuntadash.sources.syke import parse_syke_csv

    text = (FIXTURES.parent / "syke" / "kunta_91.csv").read_text(encoding="utf-8")
    total_kt = parse_syke_csv(text, "test")[2022]
    assert len(row) == 1
    assert row["value"].iloc[0] == pytest.approx(total_kt * 1000 / 664_028)  # t per resident
    # 2005 has no population figure: the nearest year's (2022) was used, and the report says so
    assert "data.note.derived_population_nearest" in {m.key for m in report.notes}


def test_syke_csv_without_population_is_refused(tmp_path):
    from kuntadash.importing import DataImportError

    with pytest.raises(DataImportError) as caught:
        import_files([FIXTURES.parent / "syke" / "kunta_91.csv"], tmp_path / "snap")
    assert "091" in caught.value.render("en") and not (tmp_path / "snap").exists()


def test_import_report_is_translated(tmp_path, capsys):
    out = tmp_path / "snap"
    assert (
        main(["data", "import", "--lang", "sv", "--out", str(out), str(FIXTURES / "tidy.csv")]) == 0
    )
    assert "lästa värden" in capsys.readouterr().out


def test_failed_import_leaves_existing_snapshot_byte_identical(tmp_path, base_snapshot, capsys):
    out = _copy(base_snapshot, tmp_path)
    before = folder_bytes(out)
    bad = tmp_path / "bad.csv"
    bad.write_text("municipality_code,indicator_id,year,value\n999,unemployment_rate,2024,5\n")
    assert main(["data", "import", "--lang", "en", "--out", str(out), str(bad)]) == 1
    err = capsys.readouterr().err
    assert "999" in err and "bad.csv" in err and "row 2" in err
    assert folder_bytes(out) == before
    assert not [p for p in out.parent.iterdir() if p.name.startswith(".tmp")]  # no temp dirs


def test_manifest_lists_file_sources(base_snapshot):
    manifest = json.loads((base_snapshot / "manifest.json").read_text())
    ids = {s["id"] for s in manifest["sources"]}
    assert "import:tidy.csv" in ids


def test_sotkanet_csv_with_regions(tmp_path):
    out = tmp_path / "snap"
    sotkanet = FIXTURES.parent / "sotkanet"
    import_files([sotkanet / "data_5641.csv", sotkanet / "regions.json"], out)
    values = read_snapshot(out).values.set_index(["municipality_code", "indicator_id", "year"])
    assert values.loc[("091", "morbidity_index", 2023), "value"] == pytest.approx(86.5)
    assert len(values) == 2  # the male row and the region row are not municipal totals


def test_geopackage_boundaries_in_etrs_tm35fin(tmp_path):
    import geopandas as gpd

    geojson = write_grid_boundaries(tmp_path / "grid.geojson", register_codes(), crs=3067)
    package = tmp_path / "kunnat.gpkg"
    gpd.read_file(geojson).to_file(package, driver="GPKG")
    out = tmp_path / "snap"
    report = import_files([package, FIXTURES / "tidy.csv"], out)
    assert "data.note.crs_transformed" in {m.key for m in report.notes}
    snapshot = read_snapshot(out)
    assert snapshot.boundaries.crs.to_epsg() == 4326
    assert validate_snapshot(snapshot) == []


def test_tidy_table_accepts_source_codes_and_a_sex_column(tmp_path):
    path = tmp_path / "codes.csv"
    path.write_text(
        "kunta;tunnusluku;vuosi;sukupuoli;arvo\n"
        "Helsinki;M162;2024;Yhteensä;9,9\nHelsinki;M162;2024;Miehet;11,0\n",
        encoding="utf-8",
    )
    out = tmp_path / "snap"
    import_files([path], out)
    values = read_snapshot(out).values
    assert values[["indicator_id", "value"]].values.tolist() == [["unemployment_rate", 9.9]]


def test_pxweb_csv_with_a_year_column_imports_by_label(tmp_path):
    out = tmp_path / "snap"
    import_files([FIXTURES / "pxweb_long_semicolon.csv", FIXTURES / "population.csv"], out)
    snapshot = read_snapshot(out)
    values = snapshot.values.set_index(["municipality_code", "indicator_id", "year"])["value"]
    assert values[("091", "employment_rate", 2023)] == pytest.approx(71.5)
    assert math.isnan(values[("091", "unemployment_rate", 2024)])
    assert values[("507", "employment_rate", 2024)] == pytest.approx(
        (66.0 * 5600 + 65.0 * 1650) / (5600 + 1650)
    )


def test_parquet_tidy_table_and_geoparquet_boundaries(tmp_path):
    import geopandas as gpd

    table = tmp_path / "values.parquet"
    pd.DataFrame(
        {
            "municipality_code": ["091", "049"],
            "indicator_id": "unemployment_rate",
            "year": [2024, 2024],
            "value": [9.5, None],
        }
    ).to_parquet(table)
    geojson = write_grid_boundaries(tmp_path / "grid.geojson", register_codes(), crs=4326)
    boundaries = tmp_path / "kunnat.parquet"
    gpd.read_file(geojson).to_parquet(boundaries)
    out = tmp_path / "snap"
    import_files([boundaries, table], out)
    snapshot = read_snapshot(out)
    assert snapshot.manifest["boundaries"] == "official"
    assert len(snapshot.values) == 2 and snapshot.values["value"].isna().sum() == 1
