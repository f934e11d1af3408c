"""No download runs as a spreadsheet formula (CSV / formula injection, OWASP).

Every text cell or header of a CSV or Excel download that starts with ``=``, ``+``, ``-``, ``@``,
tab or carriage return (or their full-width forms) gets a leading apostrophe unless it is a plain
number; Streamlit's own table export, which writes cells raw, is switched off.
"""

from __future__ import annotations

import csv
import io
import tomllib
from dataclasses import replace
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from streamlit import config
from streamlit.testing.v1 import AppTest

from kuntadash.store import read_snapshot
from kuntadash.store.locations import BUNDLED_SAMPLE_DIR
from kuntadash.store.snapshot import write_snapshot
from kuntadash.ui.downloads import (
    FORMULA_START,
    neutralise_cell,
    neutralise_formulas,
    table_csv_bytes,
    table_excel_bytes,
)
from tests import paths

REPO = paths.REPO
DDE = "-1 +cmd|' /C calc'!A0"
HYPERLINK = '=HYPERLINK("http://x.invalid","klikkaa")'
_NUMBER_CHARACTERS = set("+-0123456789.,eE \u00a0\u202f")


def _is_plain_number(text: str) -> bool:
    """An independent reading of "plain number": only digits, sign, separators and exponent,
    and Python reads it as a finite number once the separators are normalised."""
    if not text or not set(text) <= _NUMBER_CHARACTERS:
        return False
    try:
        float(text.replace(" ", "").replace("\u00a0", "").replace("\u202f", "").replace(",", "."))
    except ValueError:
        return False
    return True


def _could_run(cell: str) -> bool:
    return cell.startswith(FORMULA_START) and not _is_plain_number(cell)


# --- the neutraliser ------------------------------------------------------------------------------
hostile_text = st.one_of(
    st.text(),
    st.builds(lambda start, rest: start + rest, st.sampled_from(FORMULA_START), st.text()),
    st.builds(
        lambda start, number, rest: start + number + rest,
        st.sampled_from(["-", "+"]),
        st.from_regex(r"\d{1,6}([.,]\d{1,3})?", fullmatch=True),
        st.text(max_size=20),
    ),
)


@given(hostile_text)
def test_no_cell_that_could_run_comes_out(text):
    out = neutralise_cell(text)
    assert not _could_run(out), (text, out)
    # Only a leading apostrophe is ever added; ordinary text is left exactly as it was.
    assert out in (text, "'" + text)
    if not text.startswith(FORMULA_START):
        assert out == text


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_signed_plain_numbers_stay_numbers(number):
    for text in (f"{number:+}", f"{number:+.2f}", f"{number:+,.1f}".replace(",", " ")):
        assert neutralise_cell(text) == text, text


@pytest.mark.parametrize(
    "cell",
    [
        DDE,  # a signed number followed by a command: text, so it must not run
        "+1 +cmd|' /C calc'!A0",
        "-3,2 %",
        "-",
        "+",
        "=1+1",
        HYPERLINK,
        "@SUM(1+1)",
        "\t=1+1",
        "\r=1+1",
        "\uff1dHYPERLINK(1)",
        "-0x1F",
        "-1 2 +cmd",
    ],
)
def test_formula_like_text_gets_an_apostrophe(cell):
    assert neutralise_cell(cell) == "'" + cell


@pytest.mark.parametrize("cell", ["-3", "+1,5", "-1 234,5", "-2.5e3", "Helsinki", "", "'=x"])
def test_plain_numbers_and_text_are_unchanged(cell):
    assert neutralise_cell(cell) == cell


def test_categorical_and_header_cells_are_neutralised_too():
    frame = pd.DataFrame(
        {
            "name": pd.Categorical([HYPERLINK, "Espoo"]),
            DDE: [1.0, 2.0],
            ("year", HYPERLINK): [3, 4],
        }
    )
    out = neutralise_formulas(frame)
    assert out["name"].tolist() == ["'" + HYPERLINK, "Espoo"]
    assert list(out.columns) == ["name", "'" + DDE, ("year", "'" + HYPERLINK)]
    assert out["'" + DDE].tolist() == [1.0, 2.0]  # numbers untouched


# --- what the app hands out ---------------------------------------------------------------------
@pytest.fixture(scope="module")
def formula_names(tmp_path_factory) -> Path:
    """The sample with municipality names that are formulas."""
    sample = read_snapshot(BUNDLED_SAMPLE_DIR)
    municipalities = sample.municipalities.copy()
    for code, name in {"091": DDE, "049": HYPERLINK}.items():
        row = municipalities["municipality_code"] == code
        for lang in ("fi", "sv"):
            municipalities.loc[row, f"name_{lang}"] = name
    target = tmp_path_factory.mktemp("formulas") / "data"
    write_snapshot(replace(sample, municipalities=municipalities), target)
    return target


def test_downloaded_csv_and_excel_hold_no_live_formula(formula_names, offered_files, monkeypatch):
    monkeypatch.setenv("KUNTADASH_DATA_DIR", str(formula_names))
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    at.switch_page("pages/compare.py")
    at.query_params["compare"] = "091,049,837"
    at.run()
    assert not at.exception
    stem = "kuntadash-compare-091-049-837-unemployment-rate-2015-2024"
    csv_name, xlsx_name = f"{stem}-fi-puolipiste.csv", f"{stem}-fi.xlsx"
    assert {csv_name, xlsx_name} <= set(offered_files)

    text = offered_files[csv_name]().decode("utf-8-sig")
    cells = [cell for row in csv.reader(io.StringIO(text), delimiter=";") for cell in row]
    assert "'" + DDE in cells and "'" + HYPERLINK in cells  # the names are there, as text
    assert [cell for cell in cells if _could_run(cell)] == []

    book = openpyxl.load_workbook(io.BytesIO(offered_files[xlsx_name]()))
    values = [
        (sheet.title, cell.coordinate, cell.data_type, cell.value)
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.value is not None
    ]
    assert "'" + DDE in [value for *_, value in values]
    assert [v for v in values if v[2] == "f" or (isinstance(v[3], str) and _could_run(v[3]))] == []


def test_excel_download_of_formula_text_has_no_formula_cell(sample_snapshot):
    frame = pd.DataFrame({"Kunta": [DDE, HYPERLINK, "@SUM(1)"], "Arvo": [1.0, -2.0, 3.0]})
    book = openpyxl.load_workbook(
        io.BytesIO(table_excel_bytes(frame, sample_snapshot, ["unemployment_rate"], "fi"))
    )
    sheet = book.worksheets[0]
    assert [cell.data_type for cell in sheet["A"][1:]] == ["s", "s", "s"]
    assert [cell.value for cell in sheet["B"][1:]] == [1.0, -2.0, 3.0]
    assert table_csv_bytes(frame).decode("utf-8-sig").splitlines()[1].startswith("'-1 +cmd")
    # the same in a Finnish file, where cells are separated by ';' and a number reads "-2,0"
    finnish = table_csv_bytes(frame, "fi").decode("utf-8-sig").splitlines()
    assert finnish[1].startswith("'-1 +cmd") and finnish[2].endswith(";-2")


# --- Streamlit's own table export -----------------------------------------------------------------
def test_streamlit_table_export_is_off_in_the_server_config():
    settings = tomllib.loads((REPO / ".streamlit" / "config.toml").read_text())
    assert settings["client"]["disableDataExport"] is True
    # The option exists in this Streamlit (an unknown option would be ignored silently).
    assert config.get_option("client.disableDataExport") in (True, False)


def test_the_app_switches_streamlit_table_export_off_without_the_config_file():
    before = config.get_option("client.disableDataExport")
    config.set_option("client.disableDataExport", False)
    try:
        at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
        at.run()
        assert not at.exception
        assert config.get_option("client.disableDataExport") is True
    finally:
        config.set_option("client.disableDataExport", before)
