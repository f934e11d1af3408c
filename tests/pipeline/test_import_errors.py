"""Bad input to ``kuntadash data import`` is refused with a named, translated message and
changes nothing on disk; awkward but readable input (encodings, delimiters, symbols) is read."""

from __future__ import annotations

import json
import math
import re

import pytest

from kuntadash.i18n import translations
from kuntadash.importing import DataImportError, safe_file_name
from kuntadash.importing.text import parse_number
from kuntadash.pipeline.importing import import_files
from kuntadash.store import read_snapshot, validate_snapshot
from tests import paths
from tests.fixtures.import_helpers import (
    folder_bytes,
    register_codes,
    write_file,
    write_grid_boundaries,
)

FIXTURES = paths.IMPORT_FIXTURES
SRC = paths.SRC
HEADER = "municipality_code,indicator_id,year,value\n"


BAD_INPUTS = {
    "empty": ("empty.csv", b"", "data.error.file_empty"),
    "blank": ("blank.csv", b"\n \n", "data.error.file_empty"),
    "missing_columns": ("cols.csv", "kunta,arvo\nHelsinki,3\n", "data.error.unknown_layout"),
    "missing_value_column": (
        "cols2.csv",
        "kunta,indicator,year\nHelsinki,unemployment_rate,2024\n",
        "data.error.missing_columns",
    ),
    "duplicate_key": (
        "dup.csv",
        HEADER + "091,unemployment_rate,2024,1\n091,unemployment_rate,2024,2\n",
        "data.error.duplicate_key",
    ),
    "unknown_code": (
        "code.csv",
        HEADER + "999,unemployment_rate,2024,1\n",
        "data.error.codes_unknown",
    ),
    "merged_code_after_its_merger": (
        "gone.csv",
        HEADER + "588,unemployment_rate,2025,1\n",
        "data.error.codes_gone",
    ),
    "bad_code": ("code2.csv", HEADER + "12345,unemployment_rate,2024,1\n", "data.error.bad_code"),
    "unknown_name": (
        "name.csv",
        "kunta,indikaattori,vuosi,arvo\nAtlantis,unemployment_rate,2024,1\n",
        "data.error.unknown_name",
    ),
    "not_numeric": (
        "num.csv",
        HEADER + "091,unemployment_rate,2024,many\n",
        "data.error.bad_number",
    ),
    "bad_year": ("year.csv", HEADER + "091,unemployment_rate,20x4,1\n", "data.error.bad_year"),
    "unknown_indicator": (
        "ind.csv",
        HEADER + "091,happiness,2024,1\n",
        "data.error.unknown_indicator",
    ),
    "out_of_range": (
        "range.csv",
        HEADER + "091,unemployment_rate,2024,99\n",
        "data.error.out_of_range",
    ),
    "corrupt_geojson": (
        "b.geojson",
        '{"type": "FeatureCollection", "features": [{"type": "Feat',
        "data.error.corrupt_file",
    ),
    "corrupt_excel": ("t.xlsx", b"PK\x03\x04 not really a workbook", "data.error.corrupt_file"),
    "corrupt_parquet": ("t.parquet", b"PAR1 broken PAR1", "data.error.corrupt_file"),
    "corrupt_json": ("t.json", '{"class": "dataset", "id": ["a"', "data.error.corrupt_file"),
    "unknown_json": ("t.json", '{"hello": 1}', "data.error.unknown_format"),
    "unsupported_type": ("t.docx", b"PK\x03\x04", "data.error.unsupported_type"),
    "jsonstat_truncated_values": (
        "js.json",
        '{"class": "dataset", "id": ["alue", "vuosi", "contentscode"], "size": [1, 1, 1], '
        '"dimension": {"alue": {"category": {"index": {"KU091": 0}}}, "vuosi": {"category": '
        '{"index": {"2024": 0}}}, "contentscode": {"category": {"index": {"M162": 0}}}}, '
        '"value": []}',
        "data.error.jsonstat_file",
    ),
    "catalogue_sidecar_bad": (
        "new.yaml",
        "indicators:\n  - id: Bad Id\n    dimension: cosmic\n",
        "data.error.catalogue_entry",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_bad_input_is_refused_and_nothing_changes(case, tmp_path, target):
    name, content, key = BAD_INPUTS[case]
    path = write_file(tmp_path, name, content)
    before = folder_bytes(target)
    with pytest.raises(DataImportError) as caught:
        import_files([path], target)
    keys = [m.key for m in caught.value.messages]
    assert key in keys
    assert name in caught.value.render("en") or key == "data.error.validation"
    for lang in ("fi", "sv", "en"):
        assert caught.value.render(lang).strip()
    assert folder_bytes(target) == before


def test_oversized_file_isrefused(tmp_path, target):
    path = write_file(tmp_path, "big.csv", HEADER + "091,unemployment_rate,2024,1\n" * 100)
    with pytest.raises(DataImportError) as caught:
        import_files([path], target, max_bytes=1000)
    assert caught.value.messages[0].key == "data.error.file_too_large"


def test_messages_name_the_row(tmp_path, target):
    path = write_file(
        tmp_path,
        "rows.csv",
        HEADER + "091,unemployment_rate,2024,1\n092,unemployment_rate,2024,x\n",
    )
    with pytest.raises(DataImportError) as caught:
        import_files([path], target)
    assert "row 3" in caught.value.render("en")
    assert "rivi 3" in caught.value.render("fi")
    assert "rad 3" in caught.value.render("sv")


def test_every_problem_is_reported_not_only_the_first(tmp_path, target):
    path = write_file(
        tmp_path,
        "many.csv",
        HEADER + "999,unemployment_rate,2024,1\n091,unemployment_rate,2024,x\n"
        "Atlantis,unemployment_rate,2024,1\n",
    )
    with pytest.raises(DataImportError) as caught:
        import_files([path], target)
    assert {m.key for m in caught.value.messages} >= {
        "data.error.codes_unknown",
        "data.error.bad_number",
        "data.error.unknown_name",
    }


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("bom.csv", "\ufeff" + HEADER + "091,unemployment_rate,2024,9.5\n"),
        (
            "latin1.csv",
            "kunta;indikaattori;vuosi;arvo\nVörå;unemployment_rate;2024;9,5\n".encode("latin-1"),
        ),
        ("tabs.tsv", "kunta\tindicator\tyear\tvalue\nHelsingfors\tunemployment_rate\t2024\t9,5\n"),
        (
            "pipes.txt",
            "municipality_code|indicator_id|year|value\nKU091|unemployment_rate|2024|9.5\n",
        ),
        (
            "spaces.csv",
            "kunta;indikaattori;vuosi;arvo\n  helsinki  ;unemployment_rate;2024; 9,5 \n",
        ),
    ],
)
def test_encodings_delimiters_and_decimal_commas_are_read(name, content, tmp_path):
    out = tmp_path / "snap"
    import_files([write_file(tmp_path, name, content)], out)
    values = read_snapshot(out).values
    assert len(values) == 1 and values["value"].iloc[0] == pytest.approx(9.5)


@pytest.mark.parametrize("symbol", [".", "..", "...", "-", ""])
def test_suppression_symbols_stay_missing(symbol, tmp_path):
    out = tmp_path / "snap"
    path = write_file(
        tmp_path,
        "s.csv",
        "kunta;indikaattori;vuosi;arvo\n091;unemployment_rate;2024;" + symbol + "\n",
    )
    import_files([path], out)
    assert math.isnan(read_snapshot(out).values["value"].iloc[0])


@pytest.mark.parametrize(
    ("raw", "decimal_comma", "expected"),
    [
        ("1,5", True, 1.5),
        ("1 234,5", True, 1234.5),
        ("1.234,5", True, 1234.5),
        ("-3", True, -3.0),
        ("−3,2", True, -3.2),
        ("1,25", False, 1.25),
        ("1,234.5", False, 1234.5),
        (7, True, 7.0),
    ],
)
def test_parse_number(raw, decimal_comma, expected):
    assert parse_number(raw, decimal_comma) == pytest.approx(expected)


@pytest.mark.parametrize("raw", ["1,234", "abc", "1.2.3", "inf", "1e999"])
def test_parse_number_refuses_ambiguous_or_non_numbers(raw):
    with pytest.raises(ValueError):
        parse_number(raw, decimal_comma=False)


def test_invalid_geometry_is_repaired(tmp_path):
    import geopandas as gpd
    from shapely import Polygon

    codes = register_codes()
    path = write_grid_boundaries(tmp_path / "grid.geojson", codes, crs=4326)
    frame = gpd.read_file(path)
    first = frame.geometry.iloc[0]
    minx, miny, maxx, maxy = first.bounds
    frame.loc[0, "geometry"] = Polygon(
        [(minx, miny), (maxx, maxy), (maxx, miny), (minx, maxy)]
    )  # bow tie
    frame.to_file(path, driver="GeoJSON")
    out = tmp_path / "snap"
    report = import_files([path, FIXTURES / "tidy.csv"], out)
    assert "data.note.geometry_repaired" in {m.key for m in report.notes}
    assert validate_snapshot(read_snapshot(out)) == []


def test_boundary_file_missing_municipalities_isrefused(tmp_path):
    path = write_grid_boundaries(tmp_path / "part.geojson", register_codes()[:-3])
    with pytest.raises(DataImportError) as caught:
        import_files([path], tmp_path / "snap")
    assert caught.value.messages[0].key == "data.error.boundary_missing_codes"
    assert not (tmp_path / "snap").exists()


def test_boundary_file_with_foreign_codes_is_refused_naming_them(tmp_path):
    path = write_grid_boundaries(tmp_path / "odd.geojson", [*register_codes(), "999"])
    with pytest.raises(DataImportError) as caught:
        import_files([path], tmp_path / "snap")
    assert "999" in caught.value.render("fi")


def test_earlier_division_boundaries_are_dissolved(tmp_path):
    path = write_grid_boundaries(tmp_path / "old.geojson", [*register_codes(), "588", "099"])
    out = tmp_path / "snap"
    report = import_files([path], out)
    note = next(m for m in report.notes if m.key == "data.note.boundary_harmonised")
    assert note.params["division"] == "2020"
    assert "588 → 507" in note.render("en") and "099 → 214" in note.render("en")
    assert len(read_snapshot(out).boundaries) == 308


def test_boundaries_of_the_2010_division_are_dissolved_into_the_founded_code(tmp_path):
    from kuntadash.domain.harmonise import division_codes
    from kuntadash.importing.context import build_context

    context = build_context(2025)
    codes = sorted(division_codes(context.codes, context.changes, 2025, 2010))
    assert len(codes) == 342 and "946" not in codes and {"559", "945"} <= set(codes)
    path = write_grid_boundaries(tmp_path / "kunnat2010.geojson", codes)
    out = tmp_path / "snap"
    report = import_files([path], out)
    note = next(m for m in report.notes if m.key == "data.note.boundary_harmonised")
    assert note.params["division"] == "2010"
    assert "559 → 946" in note.render("fi") and "945 → 946" in note.render("fi")
    assert "kuntajaon 2010 rajatiedosto" in note.render("fi")
    assert len(read_snapshot(out).boundaries) == 308


def test_boundary_note_shows_the_span_of_the_division(tmp_path):
    path = write_grid_boundaries(tmp_path / "old.geojson", [*register_codes(), "588"])
    report = import_files([path], tmp_path / "snap")
    note = next(m for m in report.notes if m.key == "data.note.boundary_harmonised")
    assert "boundary file of the 2021–2024 division (309 municipalities)" in note.render("en")
    assert "indelningen 2021–2024" in note.render("sv")


def test_boundary_file_with_a_code_that_no_longer_existed_names_the_merger(tmp_path):
    path = write_grid_boundaries(tmp_path / "mixed.geojson", [*register_codes(), "911"])
    with pytest.raises(DataImportError) as caught:
        import_files([path], tmp_path / "snap")
    assert [m.key for m in caught.value.messages] == ["data.error.boundary_gone_codes"]
    text = caught.value.render("en")
    assert "nearest division, 2025–" in text
    assert "911 Valtimo (2025–; merged into 541 Nurmes on 1 January 2020)" in text
    assert "911 Valtimo (2025–; liitettiin kuntaan 541 Nurmes 1.1.2020)" in (
        caught.value.render("fi")
    )


def test_boundary_file_missing_municipalities_names_them_and_the_division(tmp_path):
    codes = [c for c in register_codes() if c not in ("091", "049")]
    path = write_grid_boundaries(tmp_path / "part.geojson", codes)
    with pytest.raises(DataImportError) as caught:
        import_files([path], tmp_path / "snap")
    text = caught.value.render("en")
    assert "lacks municipalities of the 2025– division (2): 049 Espoo; 091 Helsinki" in text
    assert "puuttuu kuntajaon 2025– kuntia (2)" in caught.value.render("fi")


def test_refused_codes_are_listed_with_names_years_rows_and_reasons(tmp_path, target):
    path = write_file(
        tmp_path,
        "mixed.csv",
        HEADER
        + "091,unemployment_rate,2024,9\n"
        + "588,unemployment_rate,2024,9\n"  # fine: Pertunmaa existed in 2024
        + "588,unemployment_rate,2025,9\n"
        + "994,unemployment_rate,2023,9\n"  # a code no municipality has had
        + "994,unemployment_rate,2024,9\n",
    )
    before = folder_bytes(target)
    with pytest.raises(DataImportError) as caught:
        import_files([path], target)
    assert [m.key for m in caught.value.messages] == [
        "data.error.codes_unknown",
        "data.error.codes_gone",
    ]
    en, fi, sv = (caught.value.render(lang) for lang in ("en", "fi", "sv"))
    assert "no municipal division since 2009 has them: 994 (2023–2024, row 5)" in en
    assert "588 Pertunmaa (2025, row 4; merged into 507 Mäntyharju on 1 January 2025)" in en
    assert "588 Pertunmaa (2025, rivi 4; liitettiin kuntaan 507 Mäntyharju 1.1.2025)" in fi
    assert "588 Pertunmaa (2025, rad 4; slogs samman med 507 Mäntyharju 1.1.2025)" in sv
    assert "994 (2023–2024, rad 5)" in sv
    assert folder_bytes(target) == before


def test_a_long_list_of_refused_codes_is_cut_with_a_count(tmp_path, target):
    unknown = [f"{n:03d}" for n in range(960, 972)]  # twelve codes no division has had
    path = write_file(
        tmp_path,
        "many_codes.csv",
        HEADER + "".join(f"{code},unemployment_rate,2024,1\n" for code in unknown),
    )
    with pytest.raises(DataImportError) as caught:
        import_files([path], target)
    (problem,) = caught.value.messages
    en = problem.render("en")
    assert all(code in en for code in unknown[:8])
    assert not any(code in en for code in unknown[8:])
    assert "971 (2024, row 13); and 4 more. Check the codes." not in en
    assert "967 (2024, row 9); and 4 more. Check the codes." in en
    assert "ja 4 muuta" in problem.render("fi") and "och 4 till" in problem.render("sv")


def test_a_founded_code_beside_its_predecessors_isrefused(tmp_path, target):
    path = write_file(
        tmp_path,
        "voyri.csv",
        HEADER
        + "946,unemployment_rate,2010,5\n"
        + "945,unemployment_rate,2010,6\n"
        + "559,unemployment_rate,2010,4\n",
    )
    with pytest.raises(DataImportError) as caught:
        import_files([path], target)
    assert [m.key for m in caught.value.messages] == ["data.error.codes_not_yet"]
    assert "946 Vöyri (2010, row 2; formed on 1 January 2011 from 559, 945)" in (
        caught.value.render("en")
    )


def test_a_long_series_on_the_current_division_is_accepted(tmp_path):
    # Vöyri 946 was formed in 2011; publishers still give its figures for earlier years.
    path = write_file(tmp_path, "series.csv", HEADER + "946,unemployment_rate,2005,5\n")
    out = tmp_path / "snap"
    import_files([path], out)
    values = read_snapshot(out).values.set_index(["municipality_code", "year"])["value"]
    assert values[("946", 2005)] == 5.0


def test_non_snapshot_folder_is_not_overwritten(tmp_path):
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "notes.txt").write_text("keep me")
    with pytest.raises(DataImportError) as caught:
        import_files([FIXTURES / "tidy.csv"], folder)
    assert caught.value.messages[0].key == "store.target.not_snapshot"
    assert (folder / "notes.txt").read_text() == "keep me"


@pytest.mark.parametrize(
    "name", ["../evil.csv", "a/b.csv", "..\\x.csv", ".hidden", "x\x00.csv", ""]
)
def test_unsafe_file_names_arerefused(name):
    with pytest.raises(DataImportError):
        safe_file_name(name)


def test_plain_file_names_are_accepted():
    assert safe_file_name("Kuntien avainluvut (2021).csv") == "Kuntien avainluvut (2021).csv"


def test_every_message_key_used_in_code_has_three_translations():
    used = set()
    for path in [
        *SRC.joinpath("importing").rglob("*.py"),
        *SRC.joinpath("sources").rglob("*.py"),
        *SRC.joinpath("pipeline").rglob("*.py"),
    ]:
        used |= set(
            re.findall(r"\"(data\.(?:error|note|where|reason)\.[a-z_]+)\"", path.read_text())
        )
    texts = translations()
    missing = sorted(k for k in used if k not in texts)
    assert not missing
    for key in used:
        assert all(texts[key].get(lang) for lang in ("fi", "sv", "en")), key


def test_a_name_matching_several_municipalities_is_reported_with_the_codes():
    from kuntadash.importing.context import build_context
    from kuntadash.importing.readers.tidy import read_tidy

    context = build_context(2025)
    context.names["mustasaari"] = {"499", "905"}  # pretend the name were shared
    with pytest.raises(DataImportError) as caught:
        read_tidy(
            ["kunta", "indikaattori", "vuosi", "arvo"],
            [["Mustasaari", "unemployment_rate", "2024", "5"]],
            "t.csv",
            context,
            True,
        )
    assert caught.value.messages[0].key == "data.error.ambiguous_name"
    assert "499, 905" in caught.value.render("fi")


def test_register_names_are_unambiguous():
    from kuntadash.importing.context import build_context

    shared = {name: codes for name, codes in build_context(2025).names.items() if len(codes) > 1}
    assert shared == {}


def test_monthly_jsonstat_is_refused_with_the_period(tmp_path, target):
    import json

    doc = json.loads((FIXTURES.parent / "pxweb" / "142h_data.json").read_text(encoding="utf-8"))
    doc["dimension"]["timeperiod_y"]["category"]["index"] = {"2024M01": 0, "2024M02": 1}
    path = write_file(tmp_path, "monthly.json", json.dumps(doc))
    before = folder_bytes(target)
    with pytest.raises(DataImportError) as caught:
        import_files([path], target)
    assert caught.value.messages[0].key == "data.error.not_annual"
    assert "2024M01" in caught.value.render("sv")
    assert folder_bytes(target) == before


def test_out_path_that_is_a_file_isrefused(tmp_path):
    out = tmp_path / "file.txt"
    out.write_text("x")
    with pytest.raises(DataImportError) as caught:
        import_files([FIXTURES / "tidy.csv"], out)
    assert caught.value.messages[0].key == "store.target.file"
    assert out.read_text() == "x"


def test_a_jsonstat_file_names_its_unplaced_codes_and_years(tmp_path, target):
    doc = {
        "class": "dataset",
        "id": ["alue", "vuosi", "contentscode"],
        "size": [2, 2, 1],
        "dimension": {
            "alue": {"category": {"index": {"KU588": 0, "KU994": 1}}},
            "vuosi": {"category": {"index": {"2024": 0, "2025": 1}}},
            "contentscode": {"category": {"index": {"M162": 0}}},
        },
        "value": [5.0, 6.0, 7.0, 8.0],
    }
    path = write_file(tmp_path, "px.json", json.dumps(doc))
    with pytest.raises(DataImportError) as caught:
        import_files([path], target)
    text = caught.value.render("en")
    assert "994 (2024–2025)" in text
    assert "588 Pertunmaa (2025; merged into 507 Mäntyharju on 1 January 2025)" in text
    assert "588 Pertunmaa (2024" not in text  # Pertunmaa still existed in 2024
