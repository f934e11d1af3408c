"""Downloads are data (kuntadash.ui.downloads): numbers as numbers in the reader's CSV notation,
unit, year, source and licence beside them, an Excel file with a metadata sheet, names."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook
from streamlit.testing.v1 import AppTest

from kuntadash.i18n import translate
from kuntadash.ui.downloads import (
    EXPORT_COLUMNS,
    chart_config,
    export_table,
    file_stem,
    table_csv_bytes,
    table_excel_bytes,
)
from tests import paths
from tests.apptest import open_groups_tables, open_overview_table, run_page

REPO = paths.REPO
NOTATION = {"fi": (";", ","), "sv": (";", ","), "en": (",", ".")}
CSV_NAME = {"fi": "fi-puolipiste", "sv": "sv-semikolon", "en": "en"}


def _read_csv(data: bytes, lang: str) -> pd.DataFrame:
    """The CSV as a spreadsheet in ``lang``'s locale reads it: that separator, that decimal."""
    assert data.startswith(b"\xef\xbb\xbf")  # BOM, so spreadsheet programs read UTF-8
    separator, decimal = NOTATION[lang]
    return pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", sep=separator, decimal=decimal)


def _header(key: str, lang: str) -> str:
    return translate(f"share.col.{key}", lang)


def test_file_stems_are_ascii_and_say_what_is_inside():
    assert (
        file_stem("Pedersören kunta", "unemployment_rate", 2024, None, "")
        == "kuntadash-pedersoren-kunta-unemployment-rate-2024"
    )
    assert file_stem("Ylöjärvi / Åland", "2015-2024").isascii()


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_csv_uses_the_languages_separator_and_decimal_mark(lang):
    frame = pd.DataFrame(
        {"Kunta": ["Ähtäri", "Pedersöre; Pietarsaari"], "Arvo": [8.1, np.nan], "Sija": [1, 2]}
    )
    data = table_csv_bytes(frame, lang)
    separator, decimal = NOTATION[lang]
    lines = data.decode("utf-8-sig").splitlines()
    assert lines[0] == separator.join(["Kunta", "Arvo", "Sija"])
    assert lines[1] == separator.join(["Ähtäri", f"8{decimal}1", "1"])
    back = _read_csv(data, lang)
    assert back["Kunta"].tolist() == ["Ähtäri", "Pedersöre; Pietarsaari"]  # quoted, not split
    assert back["Arvo"].dtype == "float64" and back["Arvo"].isna().tolist() == [False, True]
    assert back["Sija"].dtype == "int64"


def test_export_table_heads_orders_and_describes_every_row(sample_snapshot):
    data = pd.DataFrame(
        {
            "value": [8.6, np.nan, 200.0],
            "year": [2024.0, 2024.0, 2023.0],
            "indicator_id": ["unemployment_rate", "unemployment_rate", "median_income"],
            "rank": [3.0, np.nan, 1.0],
            "municipality": ["Helsinki", "Espoo", "Helsinki"],
        }
    )
    table = export_table(data, sample_snapshot, "sv")
    keys = ["municipality", "indicator_id", "indicator", "year", "value", "unit", "rank"]
    assert list(table.columns) == [_header(k, "sv") for k in [*keys, "source", "licence"]]
    assert table[_header("indicator", "sv")].tolist()[::2] == [
        "Arbetslösa av arbetskraften",
        "Medianinkomst per konsumtionsenhet",
    ]
    assert table[_header("unit", "sv")].tolist() == ["%", "%", "€/konsumtionsenhet"]
    assert str(table[_header("year", "sv")].dtype) == "Int64"
    assert table[_header("rank", "sv")].tolist()[::2] == [3, 1]
    assert table[_header("licence", "sv")].eq("CC0 1.0").all()  # the sample's own licence
    assert table[_header("source", "sv")].str.contains("exempeldata").all()
    with pytest.raises(ValueError, match="Arvo"):
        export_table(pd.DataFrame({"Arvo": [1.0]}), sample_snapshot, "fi")


def test_every_export_column_has_a_heading_in_every_language():
    for key in EXPORT_COLUMNS:
        headings = {lang: translate(f"share.col.{key}", lang) for lang in ("fi", "sv", "en")}
        assert all(headings.values()), key


@pytest.mark.parametrize(
    ("lang", "params", "expected_stem"),
    [
        ("fi", {}, "kuntadash-unemployment-rate-2024"),
        (
            "en",
            {"type": "large_city", "indicator": "employment_rate"},
            "kuntadash-employment-rate-2024-large-city",
        ),
        ("sv", {"region": "01", "year": "2020"}, "kuntadash-unemployment-rate-2020-nyland"),
    ],
)
def test_overview_csv_holds_the_rows_shown_as_numbers(
    offered_files, sample_snapshot, lang, params, expected_stem
):
    at = open_overview_table(run_page("overview", lang, **params))
    shown = at.expander[0].dataframe[0].value
    name = f"{expected_stem}-{CSV_NAME[lang]}.csv"
    assert name in offered_files, sorted(offered_files)
    csv = _read_csv(offered_files[name](), lang)
    # the same municipalities in the same order, each value the number shown
    assert csv[_header("municipality", lang)].tolist() == shown.iloc[:, 1].tolist()
    value = csv[_header("value", lang)]
    assert value.dtype == "float64"
    np.testing.assert_allclose(value.to_numpy(), shown.iloc[:, 2].to_numpy(dtype="float64"))
    rank = csv[_header("rank", lang)]
    assert rank.dtype == "int64" and rank.tolist() == shown.iloc[:, 0].tolist()
    ranked = csv[_header("ranked", lang)]
    assert ranked.dtype == "int64" and ranked.nunique() == 1
    assert ranked.iat[0] == int(value.notna().sum()) or "type" in params or "region" in params
    assert set(csv[_header("year", lang)]) == {int(params.get("year", 2024))}
    assert set(csv[_header("unit", lang)]) == {"%"}
    assert csv[_header("source", lang)].str.len().gt(0).all()
    assert set(csv[_header("licence", lang)]) == {"CC0 1.0"}
    municipalities = sample_snapshot.municipalities
    if "type" in params:
        assert len(csv) == int((municipalities["municipality_type"] == params["type"]).sum())
    elif "region" in params:
        assert len(csv) == int((municipalities["region_code"] == params["region"]).sum())
    else:
        assert len(csv) == len(municipalities)


def test_overview_excel_has_numbers_as_numbers_and_the_metadata(offered_files):
    open_overview_table(run_page("overview"))
    book = load_workbook(io.BytesIO(offered_files["kuntadash-unemployment-rate-2024-fi.xlsx"]()))
    data_sheet, meta_sheet = book.sheetnames
    assert (data_sheet, meta_sheet) == ("Tiedot", "Metatiedot")
    header = [cell.value for cell in book[data_sheet][1]]
    value_column = header.index("Arvo") + 1
    rank_column = header.index("Sija") + 1
    cells = list(book[data_sheet].iter_rows(min_row=2))
    assert {row[value_column - 1].data_type for row in cells} == {"n"}
    assert all(isinstance(row[rank_column - 1].value, int) for row in cells)
    assert isinstance(cells[0][header.index("Kuntanumero")].value, str)  # "091" keeps its 0


def test_compare_csv_holds_the_chosen_municipalities_only(offered_files):
    at = run_page("compare", "en", compare="091,049,837")
    shown = at.expander[-1].dataframe[0].value
    name = "kuntadash-compare-091-049-837-unemployment-rate-2015-2024-en.csv"
    csv = _read_csv(offered_files[name](), "en")
    assert csv["Municipality"].tolist() == ["Helsinki", "Espoo", "Tampere"]
    np.testing.assert_allclose(
        csv[[str(y) for y in range(2015, 2025)]].to_numpy(dtype="float64"),
        shown[[str(y) for y in range(2015, 2025)]].to_numpy(dtype="float64"),
    )
    assert set(csv["Unit"]) == {"%"} and set(csv["Licence"]) == {"CC0 1.0"}


def test_groups_download_is_one_row_per_line_and_year(offered_files):
    open_groups_tables(run_page("groups", "sv"))
    (name,) = [n for n in offered_files if n.endswith("-sv-semikolon.csv")]
    csv = _read_csv(offered_files[name](), "sv")
    assert list(csv.columns[:5]) == ["Kommun eller grupp", "Statistik", "Indikator", "År", "Värde"]
    assert csv["År"].dtype == "int64" and csv["Värde"].dtype == "float64"
    assert csv.groupby("Kommun eller grupp").size().nunique() == 1  # every line, every year
    helsinki = csv[csv["Kommun eller grupp"] == "Helsingfors"]
    assert helsinki["Statistik"].isna().all()  # its own values, not a statistic


@pytest.mark.parametrize("lang", ["fi", "en"])
def test_excel_has_the_table_and_a_metadata_sheet(sample_snapshot, lang):
    frame = pd.DataFrame(
        {"Kunta": ["Helsinki", "Espoo"], "Arvo": [8.6, np.nan], "Vuosi": [2024, 2024]}
    )
    data = table_excel_bytes(
        frame, sample_snapshot, ("unemployment_rate", "municipal_tax_rate"), lang, "Testi"
    )
    book = load_workbook(io.BytesIO(data))
    data_sheet, meta_sheet = book.sheetnames
    assert meta_sheet == {"fi": "Metatiedot", "en": "Metadata"}[lang]
    rows = list(book[data_sheet].iter_rows(values_only=True))
    assert rows == [("Kunta", "Arvo", "Vuosi"), ("Helsinki", 8.6, 2024), ("Espoo", None, 2024)]
    cells = [
        str(value)
        for row in book[meta_sheet].iter_rows(values_only=True)
        for value in row
        if value is not None
    ]
    catalogue = sample_snapshot.catalogue.set_index("id")
    for ident in ("unemployment_rate", "municipal_tax_rate"):
        assert ident in cells
        assert catalogue.at[ident, f"definition_{lang}"] in cells
        assert catalogue.at[ident, f"unit_{lang}"] in cells
    # the tax rate's value choice and its break at the 2023 reform travel with the figures
    assert catalogue.at["municipal_tax_rate", f"direction_note_{lang}"] in cells
    assert any(cell.startswith("2023: ") for cell in cells)
    assert "CC BY 4.0" in cells  # publishers' licence
    assert "CC0 1.0" in cells  # the synthetic sample's own source
    # the sample's own source in the reader's language, never the manifest's English note
    assert translate("share.source_sample", lang) in cells
    assert not any("synthetic sample" in cell for cell in cells if lang == "fi")
    assert sample_snapshot.version in cells
    assert str(sample_snapshot.manifest["created"]) in cells
    sample_text = {
        "fi": "Esimerkkiaineisto (ei virallinen tilasto)",
        "en": "Sample data (not official statistics)",
    }
    assert sample_text[lang] in cells
    assert "Testi" in cells


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_the_metadata_sheet_explains_the_small_population_column(sample_snapshot, lang):
    """A download whose rows are municipalities' figures has the true/false column; its
    metadata sheet says what the column means, and gives each indicator's threshold (empty for
    one without). A table without the column is not explained it."""
    data = pd.DataFrame(
        {"municipality_code": ["091", "766"], "year": [2023, 2023], "value": [8.6, 2.0]}
    )
    frame = export_table(data, sample_snapshot, lang, ["unemployment_rate"])
    heading = _header("small_population", lang)
    assert heading in frame.columns
    explanation = translate(
        "share.meta_small_population", lang, column=heading, limit=translate("small.limit", lang)
    )

    def metadata(table: pd.DataFrame) -> list[tuple]:
        book = load_workbook(
            io.BytesIO(
                table_excel_bytes(table, sample_snapshot, ("unemployment_rate", "population"), lang)
            )
        )
        return list(book[translate("share.sheet_metadata", lang)].iter_rows(values_only=True))

    rows = metadata(frame)
    assert (heading, explanation) in [row[:2] for row in rows]
    limit_heading = translate("small.limit", lang)
    header = next(row for row in rows if limit_heading in row)
    column = header.index(limit_heading)
    by_id = {row[0]: row[column] for row in rows[rows.index(header) + 1 :] if row[0]}
    assert by_id["unemployment_rate"] == 1000 and by_id["population"] is None
    assert explanation not in [row[1] for row in metadata(frame.drop(columns=heading))]


def test_official_sources_in_the_metadata_name_publishers_in_the_readers_language(monkeypatch):
    from kuntadash.store import read_snapshot
    from tests.conftest import OFFICIAL_DIR

    official = read_snapshot(OFFICIAL_DIR)
    book = load_workbook(
        io.BytesIO(
            table_excel_bytes(pd.DataFrame({"x": [1]}), official, ("unemployment_rate",), "fi")
        )
    )
    cells = {str(v) for row in book["Metatiedot"].iter_rows(values_only=True) for v in row if v}
    assert {"Tilastokeskus", "Maanmittauslaitos"} <= cells
    assert not {"Statistics Finland", "National Land Survey of Finland"} & cells


# --- the municipality profile: every dimension in one file ---------------------------------------
def _profile_page() -> None:
    """A page showing only the profile's download (what the profile page calls)."""
    from kuntadash.domain.stats import profile_from_table
    from kuntadash.domain.trends import compute_trends
    from kuntadash.ui.downloads import render_profile_downloads
    from kuntadash.ui.loaders import (
        load_reference_table,
        load_reference_years,
        load_snapshot,
        load_wide_values,
    )
    from kuntadash.ui.widgets import comparison_group

    snapshot = load_snapshot()
    group = comparison_group(snapshot, "091", "municipality_type")
    years = load_reference_years(snapshot)
    profile = profile_from_table(
        load_reference_table(snapshot), snapshot.catalogue, "091", group.members, years
    )
    trends = compute_trends(
        load_wide_values(snapshot), snapshot.catalogue, "091", group.members, years
    )
    render_profile_downloads(
        snapshot,
        code="091",
        name="Helsinki",
        group_label=group.label,
        profile=profile,
        trends=trends,
    )


def test_profile_download_covers_every_dimension_in_one_file(offered_files, sample_snapshot):
    at = AppTest.from_function(_profile_page, default_timeout=60)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    stem = "kuntadash-091-helsinki-profile-suuret-kaupungit"
    csv = _read_csv(offered_files[f"{stem}-fi-puolipiste.csv"](), "fi")
    dimensions = {translate(f"dimension.{d}", "fi") for d in sample_snapshot.catalogue["dimension"]}
    assert set(csv[_header("dimension", "fi")]) == dimensions
    assert csv[_header("indicator_id", "fi")].is_unique
    for key in ("value", "group_median", "country_median", "percentile", "change_1y"):
        assert csv[_header(key, "fi")].dtype == "float64", key
    for key in ("year", "ranked", "missing", "country_ranked"):
        assert csv[_header(key, "fi")].dtype == "int64", key
    tax = csv.set_index(_header("indicator_id", "fi")).loc["municipal_tax_rate"]
    # 2019 -> 2024 spans the 2023 reform: no change is given, and the break says why
    assert pd.isna(tax[_header("change_5y", "fi")]) and tax[_header("series_break", "fi")] == 2023
    assert pd.notna(tax[_header("change_1y", "fi")])
    assert tax[_header("unit", "fi")] == "%"

    book = load_workbook(io.BytesIO(offered_files[f"{stem}-fi.xlsx"]()))
    assert book.sheetnames == ["Tiedot", "Muutokset", "Metatiedot"]
    changes = pd.DataFrame(list(book["Muutokset"].iter_rows(values_only=True)))
    changes = changes.rename(columns=changes.iloc[0]).iloc[1:]
    assert set(changes[_header("period", "fi")]) == {1, 5, 10}


def test_chart_images_are_named_and_png_by_default():
    config = chart_config("kuntadash-map-unemployment-rate-2024", scroll_zoom=True)
    assert config["toImageButtonOptions"] == {
        "format": "png",
        "filename": "kuntadash-map-unemployment-rate-2024",
        "scale": 2,
    }
    assert config["scrollZoom"] is True
    assert config["displaylogo"] is False


def test_the_image_format_choice_turns_the_camera_button_to_svg(offered_files):
    at = run_page("compare", compare="091,049")
    control = at.get("button_group")
    assert control, "the PNG / SVG choice is offered next to the table"
    at.session_state["share_image_format_compare_trend"] = "svg"
    at.run()
    assert not at.exception
    configs = [element.proto.config for element in at.get("plotly_chart") if element.proto.config]
    assert any('"format": "svg"' in config for config in configs)
    assert any('"format": "png"' in config for config in configs)  # the bar chart stays PNG
