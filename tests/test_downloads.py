"""Downloads of what is displayed (kuntadash.ui.downloads): CSV, Excel with metadata, names."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest

from kuntadash.ui.downloads import (
    chart_config,
    file_stem,
    table_csv_bytes,
    table_excel_bytes,
)

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def served_files(monkeypatch) -> dict[str, bytes]:
    """Every file the app hands to a download button, by file name (what a user would get)."""
    files: dict[str, bytes] = {}
    original = MemoryMediaFileStorage.load_and_get_id

    def record(self, path_or_data, mimetype, kind, filename=None):
        if filename and isinstance(path_or_data, bytes):
            files[filename] = path_or_data
        return original(self, path_or_data, mimetype, kind, filename)

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", record)
    return files


def _run(page: str, **params: str) -> AppTest:
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    at.switch_page(f"pages/{page}.py")
    for name, value in params.items():
        at.query_params[name] = value
    at.run()
    assert not at.exception
    return at


def _read_csv(data: bytes) -> pd.DataFrame:
    assert data.startswith(b"\xef\xbb\xbf")  # BOM, so spreadsheet programs read UTF-8
    return pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", dtype=str, keep_default_na=False)


def _as_text(frame: pd.DataFrame) -> pd.DataFrame:
    return pd.read_csv(
        io.BytesIO(frame.to_csv(index=False).encode()), dtype=str, keep_default_na=False
    )


def test_file_stems_are_ascii_and_say_what_is_inside():
    assert (
        file_stem("Pedersören kunta", "unemployment_rate", 2024, None, "")
        == "kuntadash-pedersoren-kunta-unemployment-rate-2024"
    )
    assert file_stem("Ylöjärvi / Åland", "2015-2024").isascii()


def test_csv_keeps_missing_values_empty_and_letters_intact():
    frame = pd.DataFrame({"Kunta": ["Ähtäri", "Pedersöre"], "Arvo (%)": [1.5, np.nan]})
    back = pd.read_csv(io.BytesIO(table_csv_bytes(frame)), encoding="utf-8-sig")
    assert back["Kunta"].tolist() == ["Ähtäri", "Pedersöre"]
    assert back["Arvo (%)"].isna().tolist() == [False, True]


@pytest.mark.parametrize(
    ("params", "expected_name"),
    [
        ({}, "kuntadash-unemployment-rate-2024.csv"),
        (
            {"type": "large_city", "lang": "en", "indicator": "employment_rate"},
            "kuntadash-employment-rate-2024-large-city.csv",
        ),
        ({"region": "01", "year": "2020"}, "kuntadash-unemployment-rate-2020-uusimaa.csv"),
    ],
)
def test_overview_csv_holds_exactly_the_rows_shown(
    served_files, sample_snapshot, params, expected_name
):
    at = _run("overview", **params)
    shown = at.expander[0].dataframe[0].value
    assert expected_name in served_files
    csv = _read_csv(served_files[expected_name])
    assert list(csv.columns) == list(shown.columns)
    pd.testing.assert_frame_equal(csv, _as_text(shown))
    municipalities = sample_snapshot.municipalities
    if "type" in params:
        assert len(csv) == int((municipalities["municipality_type"] == params["type"]).sum())
    elif "region" in params:
        assert len(csv) == int((municipalities["region_code"] == params["region"]).sum())
    else:
        assert len(csv) == len(municipalities)


def test_compare_csv_holds_the_chosen_municipalities_only(served_files):
    at = _run("compare", compare="091,049,837", lang="en")
    shown = at.expander[-1].dataframe[0].value
    name = "kuntadash-compare-091-049-837-unemployment-rate-2015-2024.csv"
    csv = _read_csv(served_files[name])
    assert csv["Municipality"].tolist() == ["Helsinki", "Espoo", "Tampere"]
    pd.testing.assert_frame_equal(csv, _as_text(shown))


@pytest.mark.parametrize("lang", ["fi", "en"])
def test_excel_has_the_table_and_a_metadata_sheet(sample_snapshot, lang):
    frame = pd.DataFrame(
        {"Kunta": ["Helsinki", "Espoo"], "Arvo": [8.6, np.nan], "Vuosi": [2024, 2024]}
    )
    data = table_excel_bytes(
        frame, sample_snapshot, ("unemployment_rate", "median_income"), lang, "Testi"
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
    for ident in ("unemployment_rate", "median_income"):
        assert ident in cells
        assert catalogue.at[ident, f"definition_{lang}"] in cells
        assert catalogue.at[ident, f"unit_{lang}"] in cells
    assert "CC BY 4.0" in cells  # publishers' licence
    assert "CC0 1.0" in cells  # the synthetic sample's own source
    assert sample_snapshot.version in cells
    assert str(sample_snapshot.manifest["created"]) in cells
    sample_text = {
        "fi": "Esimerkkiaineisto (ei virallinen tilasto)",
        "en": "Sample data (not official statistics)",
    }
    assert sample_text[lang] in cells
    assert "Testi" in cells


def test_chart_images_are_named_and_png_by_default():
    config = chart_config("kuntadash-map-unemployment-rate-2024", scroll_zoom=True)
    assert config["toImageButtonOptions"] == {
        "format": "png",
        "filename": "kuntadash-map-unemployment-rate-2024",
        "scale": 2,
    }
    assert config["scrollZoom"] is True
    assert config["displaylogo"] is False


def test_the_image_format_choice_turns_the_camera_button_to_svg(served_files):
    at = _run("compare", compare="091,049")
    control = at.get("button_group")
    assert control, "the PNG / SVG choice is offered next to the table"
    at.session_state["share_image_format_compare_trend"] = "svg"
    at.run()
    assert not at.exception
    configs = [element.proto.config for element in at.get("plotly_chart") if element.proto.config]
    assert any('"format": "svg"' in config for config in configs)
    assert any('"format": "png"' in config for config in configs)  # the bar chart stays PNG
