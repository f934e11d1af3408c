"""Nothing an import reads is changed silently: formula cells without a saved result, a
catalogue file redefining an indicator, an unknown or undeclared coordinate system, years and
numbers written in surprising ways are each refused (naming their row) or said in a note."""

from __future__ import annotations

import functools
import io
import json
import math
import re
import sqlite3
import zipfile
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kuntadash.cli import main
from kuntadash.importing.text import parse_number, parse_year
from kuntadash.pipeline.importing import import_files
from kuntadash.store import read_snapshot
from tests import paths
from tests.fixtures.import_helpers import (
    refused,
    register_codes,
    write_grid_boundaries,
)

FIXTURES = paths.IMPORT_FIXTURES
HEADER = "municipality_code,indicator_id,year,value\n"
SETTINGS = settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


# Refusals here need not name the file (a cell or an option is named instead).
_refused = functools.partial(refused, named=False)


def _values(out: Path):
    return read_snapshot(out).values.set_index(["municipality_code", "indicator_id", "year"])[
        "value"
    ]


# --- Excel formulas without a saved result ------------------------------------------------------
def _workbook(path: Path, rows: list[list[object]], catalogue: list[list[object]] | None = None):
    """An .xlsx written by openpyxl, which stores formulas without their results (as scripts
    and many exporters do)."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "data"
    for cells in rows:
        sheet.append(cells)
    if catalogue:
        extra = book.create_sheet("catalogue")
        for cells in catalogue:
            extra.append(cells)
    book.save(path)
    return path


def _with_saved_results(path: Path, result: str) -> Path:
    """The workbook with every formula given ``result`` as its saved value, as a spreadsheet
    program saves it."""
    source = zipfile.ZipFile(io.BytesIO(path.read_bytes()))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            part = source.read(info.filename)
            if info.filename.startswith("xl/worksheets/"):
                part = re.sub(
                    rb"(<f>[^<]*</f>)(<v\s*/>|<v></v>)?",
                    rb"\1<v>" + result.encode() + rb"</v>",
                    part,
                )
            out.writestr(info.filename, part)
    path.write_bytes(buffer.getvalue())
    return path


TIDY = ["municipality_code", "indicator_id", "year", "value"]


def test_a_formula_without_a_saved_result_is_refused_with_its_cell_and_row(tmp_path, target):
    """openpyxl reads such a cell as empty: before, the import stored it as a missing value
    over the real figure already in the snapshot (091 unemployment 2024 = 9.5)."""
    path = _workbook(
        tmp_path / "formulas.xlsx",
        [TIDY, ["049", "unemployment_rate", 2024, 8.0], ["091", "unemployment_rate", 2024, "=4+5"]],
    )
    error = _refused([path], target, "data.error.formula_without_value")
    problem = next(m for m in error.messages if m.key == "data.error.formula_without_value")
    assert problem.params["cell"] == "D3"
    for lang, words in {"fi": "rivi 3", "sv": "rad 3", "en": "row 3"}.items():
        text = error.render(lang)
        assert words in text and "D3" in text and "=4+5" in text and "formulas.xlsx" in text


def test_a_formula_with_a_saved_result_gives_that_result(tmp_path, target):
    path = _workbook(tmp_path / "saved.xlsx", [TIDY, ["091", "unemployment_rate", 2024, "=4+5"]])
    import_files([_with_saved_results(path, "9.25")], target)
    assert _values(target)[("091", "unemployment_rate", 2024)] == pytest.approx(9.25)


def test_a_formula_in_the_catalogue_sheet_is_refused(tmp_path, target):
    catalogue = [
        ["id", "dimension", "name_fi", "valid_min", "valid_max"],
        ["fibre_share", "technological", '="Kuitu"&"osuus"', 0, 100],
    ]
    path = _workbook(
        tmp_path / "cat.xlsx", [TIDY, ["091", "fibre_share", 2024, 50]], catalogue=catalogue
    )
    error = _refused([path], target, "data.error.formula_without_value")
    assert "catalogue" in error.render("en")


def test_an_excel_error_value_is_refused_not_read_as_missing(tmp_path, target):
    path = _workbook(tmp_path / "error.xlsx", [TIDY, ["091", "unemployment_rate", 2024, "x"]])
    source = zipfile.ZipFile(io.BytesIO(path.read_bytes()))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as out:
        for info in source.infolist():
            part = source.read(info.filename)
            if info.filename.startswith("xl/worksheets/"):
                part = re.sub(
                    rb'<c r="D2" t="inlineStr"><is><t>x</t></is></c>',
                    b'<c r="D2" t="e"><v>#DIV/0!</v></c>',
                    part,
                )
            out.writestr(info.filename, part)
    path.write_bytes(buffer.getvalue())
    error = _refused([path], target, "data.error.bad_number")
    assert "#DIV/0!" in error.render("en")


# --- catalogue files redefining an indicator ----------------------------------------------------
def _sidecar(folder: Path, name: str, ident: str, valid_range: list[float]) -> Path:
    text = (
        "indicators:\n"
        f"  - id: {ident}\n"
        "    dimension: economic\n"
        "    name: {fi: Työttömyysaste, sv: Arbetslöshetsgrad, en: Unemployment rate}\n"
        "    unit: {fi: '%', sv: '%', en: '%'}\n"
        "    direction: lower_better\n"
        "    aggregation: share\n"
        f"    valid_range: {valid_range}\n"
    )
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def _high_unemployment(folder: Path) -> Path:
    path = folder / "high.csv"
    path.write_text(HEADER + "091,unemployment_rate,2024,99\n")
    return path


def test_a_sidecar_redefining_a_bundled_indicator_is_refused(tmp_path, target):
    """Before, it replaced the bundled entry silently, and with it the plausible range that
    keeps a 99 % unemployment rate out."""
    sidecar = _sidecar(tmp_path, "mine.yaml", "unemployment_rate", [0, 100])
    error = _refused(
        [sidecar, _high_unemployment(tmp_path)], target, "data.error.indicator_redefined"
    )
    problem = error.messages[0]
    assert "valid_max" in problem.params["fields"]
    for lang in ("fi", "sv", "en"):
        assert "--replace-indicator unemployment_rate" in error.render(lang)


def test_a_redefinition_asked_for_is_made_and_reported(tmp_path, target):
    sidecar = _sidecar(tmp_path, "mine.yaml", "unemployment_rate", [0, 100])
    report = import_files(
        [sidecar, _high_unemployment(tmp_path)], target, replace_indicators=["unemployment_rate"]
    )
    note = next(m for m in report.notes if m.key == "data.note.indicator_replaced")
    assert note.params["indicator"] == "unemployment_rate"
    assert _values(target)[("091", "unemployment_rate", 2024)] == pytest.approx(99)
    catalogue = read_snapshot(target).catalogue.set_index("id")
    assert catalogue.loc["unemployment_rate", "valid_max"] == 100


def test_cli_replace_indicator_option(tmp_path, target, capsys):
    sidecar = _sidecar(tmp_path, "mine.yaml", "unemployment_rate", [0, 100])
    files = [str(sidecar), str(_high_unemployment(tmp_path))]
    argv = ["data", "import", "--lang", "en", "--out", str(target)]
    assert main([*argv, *files]) == 1
    assert "--replace-indicator" in capsys.readouterr().err
    assert main([*argv, "--replace-indicator", "unemployment_rate", *files]) == 0


def test_an_unused_replace_option_is_refused(tmp_path, target):
    error = _refused(
        [FIXTURES / "tidy.csv"], target, "data.error.replace_unused", replace_indicators=["typo"]
    )
    assert "typo" in error.render("fi")


def test_repeating_an_imported_indicator_unchanged_is_accepted(tmp_path):
    out = tmp_path / "snap"
    files = [FIXTURES / "broadband.csv", FIXTURES / "broadband.yaml"]
    import_files(files, out)
    report = import_files(files, out)  # next year's import with the same catalogue file
    assert "data.note.indicator_unchanged" in {m.key for m in report.notes}


def test_an_unchanged_repeat_still_lends_its_column_labels(tmp_path):
    out = tmp_path / "snap"
    import_files([FIXTURES / "broadband.csv", FIXTURES / "broadband.yaml"], out)
    sidecar = tmp_path / "broadband.yaml"
    text = (FIXTURES / "broadband.yaml").read_text(encoding="utf-8")
    sidecar.write_text(text + '    columns: ["Gigabit share, %"]\n', encoding="utf-8")
    wide = tmp_path / "gigabit.csv"
    wide.write_text('"Alue","Gigabit share, %, 2025"\n"Helsinki",82.5\n', encoding="utf-8")
    report = import_files([wide, sidecar], out)
    assert "data.note.indicator_unchanged" in {m.key for m in report.notes}
    assert _values(out)[("091", "gigabit_households_share", 2025)] == pytest.approx(82.5)


def test_changing_an_imported_indicator_needs_the_option(tmp_path):
    out = tmp_path / "snap"
    import_files([FIXTURES / "broadband.csv", FIXTURES / "broadband.yaml"], out)
    text = (FIXTURES / "broadband.yaml").read_text(encoding="utf-8")
    changed = tmp_path / "broadband.yaml"
    changed.write_text(text.replace("decimals: 1", "decimals: 2"), encoding="utf-8")
    assert text != changed.read_text(encoding="utf-8")
    _refused([FIXTURES / "broadband.csv", changed], out, "data.error.indicator_redefined")


def test_the_same_indicator_in_two_catalogue_files_is_refused(tmp_path, target):
    first = _sidecar(tmp_path, "a.yaml", "my_rate", [0, 50])
    second = _sidecar(tmp_path, "b.yaml", "my_rate", [0, 60])
    _refused([first, second], target, "data.error.indicator_twice")


# --- coordinate systems -------------------------------------------------------------------------
def _grid(tmp_path: Path, crs: int = 3067) -> Path:
    return write_grid_boundaries(tmp_path / "grid.geojson", register_codes(), crs=crs)


def _with_crs_member(path: Path, member: object) -> Path:
    doc = json.loads(path.read_text())
    if member is None:
        doc.pop("crs", None)
    else:
        doc["crs"] = member
    path.write_text(json.dumps(doc))
    return path


@pytest.mark.parametrize("name", ["urn:ogc:def:crs:EPSG::99999", "my own grid", "EPSG:0"])
def test_an_unknown_declared_crs_is_refused_not_assumed(name, tmp_path, target):
    """GDAL reads an unknown "crs" member as EPSG:4326; metres then looked undeclared and were
    taken as EPSG:3067 without a word."""
    path = _with_crs_member(_grid(tmp_path), {"type": "name", "properties": {"name": name}})
    error = _refused([path], target, "data.error.unknown_declared_crs")
    assert name in error.render("en")


def test_a_known_declared_crs_is_used(tmp_path):
    path = _with_crs_member(
        _grid(tmp_path), {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::3067"}}
    )
    report = import_files([path], tmp_path / "snap")
    keys = {m.key for m in report.notes}
    assert "data.note.crs_transformed" in keys and "data.note.crs_inferred" not in keys


@pytest.mark.parametrize(("crs", "inferred"), [(3067, "EPSG:3067"), (4326, "EPSG:4326")])
def test_an_undeclared_crs_is_inferred_from_finnish_ranges_and_said(crs, inferred, tmp_path):
    path = _with_crs_member(_grid(tmp_path, crs), None)
    report = import_files([path], tmp_path / "snap")
    note = next(m for m in report.notes if m.key == "data.note.crs_inferred")
    assert note.params["crs"] == inferred


def test_undeclared_coordinates_outside_finland_are_refused(tmp_path, target):
    path = _with_crs_member(_grid(tmp_path, 3857), None)  # web mercator metres
    _refused([path], target, "data.error.unknown_crs")


def test_declared_degrees_with_metre_coordinates_are_refused(tmp_path, target):
    path = _with_crs_member(
        _grid(tmp_path), {"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}}
    )
    _refused([path], target, "data.error.boundaries_outside_finland")


def test_a_geopackage_with_an_unresolvable_crs_is_refused(tmp_path, target):
    gpkg = tmp_path / "kunnat.gpkg"
    gpd.read_file(_grid(tmp_path)).to_file(gpkg, driver="GPKG")
    with sqlite3.connect(gpkg) as connection:
        connection.execute(
            "INSERT INTO gpkg_spatial_ref_sys (srs_name, srs_id, organization, "
            "organization_coordsys_id, definition) VALUES ('local grid', 4242, 'CITY', 1, "
            '\'PROJCS["local grid",GEOGCS["x"]]\')'
        )
        connection.execute("UPDATE gpkg_geometry_columns SET srs_id = 4242")
        connection.execute("UPDATE gpkg_contents SET srs_id = 4242")
    error = _refused([gpkg], target, "data.error.unknown_declared_crs")
    assert "local grid" in error.render("en")


def test_a_geopackage_without_a_crs_is_inferred(tmp_path):
    gpkg = tmp_path / "kunnat.gpkg"
    frame = gpd.read_file(_grid(tmp_path))
    with pytest.warns(UserWarning, match="crs"):  # what every writer says of such a file
        frame.set_crs(None, allow_override=True).to_file(gpkg, driver="GPKG")
    report = import_files([gpkg], tmp_path / "snap")
    assert "data.note.crs_inferred" in {m.key for m in report.notes}


# --- years ------------------------------------------------------------------------------------
@pytest.mark.parametrize("year", ["2e3", "2020.5", "+2020", "2 020", "２０２０", "2020,0", "0x7e4"])
def test_a_year_written_oddly_is_refused_with_its_row(year, tmp_path, target):
    path = tmp_path / "years.csv"
    path.write_text(
        HEADER + "049,unemployment_rate,2024,5\n" + f'091,unemployment_rate,"{year}",5\n'
    )
    error = _refused([path], target, "data.error.bad_year")
    problem = next(m for m in error.messages if m.key == "data.error.bad_year")
    assert problem.params["where"].params["n"] == 3


@pytest.mark.parametrize("year", ["2020", " 2020 ", "2020.0", 2020, 2020.0])
def test_plain_years_are_read(year):
    assert parse_year(year) == 2020


@pytest.mark.parametrize("year", [2020.5, True, "2e3", "", None, float("nan")])
def test_parse_year_refuses(year):
    with pytest.raises(ValueError):
        parse_year(year)


# --- numbers ----------------------------------------------------------------------------------
def _group(digits: str, separator: str) -> str:
    head = len(digits) % 3 or 3
    return separator.join(
        [digits[:head]] + [digits[i : i + 3] for i in range(head, len(digits), 3)]
    )


@st.composite
def written_numbers(draw) -> tuple[str, float, bool]:
    """(a number as a Finnish, Swedish or English file may write it, its value, whether it
    comes from a file with decimal commas)."""
    whole = draw(st.integers(0, 10**9))
    decimals = draw(st.text("0123456789", min_size=0, max_size=4))
    negative = draw(st.booleans())
    digits = str(whole)
    style = draw(st.sampled_from(["plain", "comma", "space", "nbsp", "dots", "commas"]))
    if style == "plain":
        text, decimal_comma = digits + ("." + decimals if decimals else ""), False
    elif style == "comma":
        text, decimal_comma = digits + ("," + decimals if decimals else ""), True
    elif style in ("space", "nbsp"):
        separator = " " if style == "space" else "\u00a0"
        mark = draw(st.sampled_from([",", "."]))
        text, decimal_comma = (
            _group(digits, separator) + (mark + decimals if decimals else ""),
            True,
        )
    elif style == "dots":
        text, decimal_comma = _group(digits, ".") + "," + (decimals or "0"), True
    else:
        text, decimal_comma = _group(digits, ",") + "." + (decimals or "0"), False
    value = float(f"{digits}.{decimals or '0'}")
    if negative:
        text = draw(st.sampled_from(["-", "−", "–"])) + text
        value = -value
    return text, value, decimal_comma


@settings(max_examples=300, deadline=None)
@given(written=written_numbers())
def test_every_way_of_writing_a_number_gives_its_value(written):
    text, value, decimal_comma = written
    assert parse_number(text, decimal_comma) == pytest.approx(value, rel=1e-12, abs=1e-12)


@settings(max_examples=300, deadline=None)
@given(text=st.text("0123456789 ,.-−'\u00a0eE+", min_size=1, max_size=12))
def test_a_string_is_a_number_only_when_it_reads_one_way(text):
    """Any digits-and-separators string is read as a number that the same string reads as in
    both styles, or it is missing, or refused; never read from digits regrouped by stray
    spaces ("12 5" is not 125)."""
    for decimal_comma in (True, False):
        try:
            value = parse_number(text, decimal_comma)
        except ValueError:
            continue
        if math.isnan(value):
            assert text.strip() in {".", "..", "...", "-", "−", ""}
            continue
        bare = text.strip().lstrip("+-−").strip()
        groups = re.split("[ \u00a0']", bare)
        assert all(len(g) == 3 for g in groups[1:-1])
        if len(groups) > 1:
            assert re.match("[0-9]{3}", groups[-1])


@pytest.mark.parametrize("symbol", [".", "..", "...", "…", "-", "–", "—", "−", "", " .. "])
def test_suppression_symbols_stay_missing_never_zero(symbol):
    assert math.isnan(parse_number(symbol))


@pytest.mark.parametrize(
    ("text", "decimal_comma", "expected"),
    [
        ("1,234.5", False, 1234.5),
        ("1 234,5", True, 1234.5),
        ("1.234,5", True, 1234.5),
        ("1,234,567", True, 1234567.0),
        ("1.234.567", True, 1234567.0),
        ("−3,2", True, -3.2),
        ("–3,2", True, -3.2),
        ("- 3", True, -3.0),
        ("1,5e3", True, 1500.0),
        ("1 234.5", False, 1234.5),
    ],
)
def test_number_formats(text, decimal_comma, expected):
    assert parse_number(text, decimal_comma) == pytest.approx(expected)


@pytest.mark.parametrize(
    "text", ["12 5", "1 23", "1 2345", "١٢٣", "１２３", "1–2", "12,34,56", "5-"]
)
def test_numbers_that_would_be_misread_are_refused(text):
    for decimal_comma in (True, False):
        with pytest.raises(ValueError):
            parse_number(text, decimal_comma)


def test_a_misread_number_is_refused_in_a_file_with_its_row(tmp_path, target):
    path = tmp_path / "spaces.csv"
    path.write_text("kunta;indikaattori;vuosi;arvo\nHelsinki;unemployment_rate;2024;12 5\n")
    error = _refused([path], target, "data.error.bad_number")
    assert error.messages[0].params["where"].params["n"] == 2


def test_excel_whole_number_years_are_read(tmp_path):
    frame = pd.DataFrame(
        {
            "kunta": ["Helsinki"],
            "indikaattori": ["unemployment_rate"],
            "vuosi": [2024.0],
            "arvo": [9.0],
        }
    )
    path = tmp_path / "years.xlsx"
    frame.to_excel(path, index=False)
    out = tmp_path / "snap"
    import_files([path], out)
    assert _values(out)[("091", "unemployment_rate", 2024)] == pytest.approx(9.0)
