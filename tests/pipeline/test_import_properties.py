"""Property-based tests: arbitrary input to the tidy-table importer and the json-stat2 parser
ends either in the named error or in a snapshot that validates — never in anything else."""

from __future__ import annotations

import csv
import io
import json
import tempfile
from pathlib import Path

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kuntadash import resources
from kuntadash.importing import DataImportError
from kuntadash.pipeline.importing import import_files
from kuntadash.sources.errors import SourceFormatError
from kuntadash.sources.pxweb import parse_jsonstat2
from kuntadash.store import read_snapshot, validate_snapshot

SETTINGS = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
REGISTER = resources.read_municipality_register()
CODES = [*REGISTER["municipality_code"][:20], "588", "099", "999", "91", "KU091"]
NAMES = (
    list(REGISTER["name_fi"][:10])
    + list(REGISTER["name_sv"][:5])
    + ["Pertunmaa", "Atlantis", "KOKO MAA", "  helsinki "]
)
INDICATORS = ["unemployment_rate", "employment_rate", "population_change", "no_such_indicator"]

cells = st.one_of(
    st.sampled_from(
        [
            "",
            ".",
            "..",
            "...",
            "-",
            "n/a",
            "1,5",
            "2.5",
            "1 234,5",
            "abc",
            "1e3",
            "-0",
            "NaN",
            "inf",
        ]
    ),
    st.floats(allow_nan=True, allow_infinity=True, width=32).map(str),
    st.integers(-10_000, 10_000).map(str),
    st.text(st.characters(min_codepoint=32, max_codepoint=0x2FF), max_size=8),
)
areas = st.one_of(
    st.sampled_from(CODES),
    st.sampled_from(NAMES),
    st.text(st.characters(min_codepoint=32, max_codepoint=0x2FF), max_size=6),
)
years = st.one_of(st.integers(1975, 2105).map(str), st.sampled_from(["2024", "2023.0", "x", ""]))
rows = st.lists(
    st.tuples(areas, st.sampled_from(INDICATORS), years, cells), min_size=0, max_size=12
)
# Valid tables (so the "valid snapshot" branch is exercised): known codes and indicators,
# plausible years, numbers in either decimal style, or suppression symbols.
valid_rows = st.lists(
    st.tuples(
        st.sampled_from([*REGISTER["municipality_code"][:30], "588", "507"]),
        st.sampled_from(["unemployment_rate", "population_change"]),
        st.integers(2000, 2024).map(str),
        st.one_of(
            st.floats(0, 15, allow_nan=False).map(lambda v: f"{v:.2f}"),
            st.floats(0, 15, allow_nan=False).map(lambda v: f"{v:.1f}".replace(".", ",")),
            st.sampled_from(["", "..", "-"]),
        ),
    ),
    min_size=1,
    max_size=12,
    unique_by=lambda r: (r[0], r[1], r[2]),
)
headers = st.sampled_from(
    [
        ("municipality_code", "indicator_id", "year", "value"),
        ("kunta", "indikaattori", "vuosi", "arvo"),
        ("kommun", "indikator", "år", "värde"),
        ("municipality", "indicator", "year"),
        ("a", "b", "c", "d"),
    ]
)


def _check_outcome(files: list[Path], out: Path) -> None:
    try:
        import_files(files, out)
    except DataImportError as exc:
        assert exc.messages
        for lang in ("fi", "sv", "en"):
            assert exc.render(lang)
        return
    assert validate_snapshot(read_snapshot(out)) == []


@SETTINGS
@given(
    header=headers,
    body=st.one_of(rows, valid_rows),
    delimiter=st.sampled_from([",", ";", "\t"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "latin-1"]),
)
def test_tidy_csv_never_crashes_and_never_writes_an_invalid_snapshot(
    header, body, delimiter, encoding
):
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(r[: len(header)] for r in body)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "table.csv"
        path.write_bytes(buffer.getvalue().encode(encoding, errors="replace"))
        _check_outcome([path], Path(folder) / "snap")


@settings(max_examples=15, deadline=None)
@given(body=valid_rows, delimiter=st.sampled_from([";", "\t"]))
def test_valid_tidy_tables_always_import(body, delimiter):
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(("kuntanumero", "indikaattori", "vuosi", "arvo"))
    writer.writerows(body)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "table.csv"
        path.write_text(buffer.getvalue(), encoding="utf-8")
        out = Path(folder) / "snap"
        import_files([path], out)  # must not raise
        snapshot = read_snapshot(out)
        assert validate_snapshot(snapshot) == []
        assert "588" not in set(snapshot.values["municipality_code"])


@settings(max_examples=10, deadline=None)
@given(body=rows)
def test_tidy_excel_never_crashes(body):
    frame = pd.DataFrame(body, columns=["kunta", "indikaattori", "vuosi", "arvo"])
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "table.xlsx"
        frame.to_excel(path, index=False)
        _check_outcome([path], Path(folder) / "snap")


ODD_STARTS = [
    b"",
    b"{",
    b'{"type": "FeatureCollection", "features": [',
    b'{"type": "Topology"',
    b"PK\x03\x04",
    b"PAR1",
    b"SQLite format 3\x00",
    b'{"class": "dataset"',
    b"indicators:",
]


@SETTINGS
@given(
    start=st.sampled_from(ODD_STARTS),
    data=st.binary(max_size=200),
    suffix=st.sampled_from(
        [".csv", ".json", ".geojson", ".topojson", ".xlsx", ".parquet", ".yaml", ".gpkg", ".txt"]
    ),
)
def test_arbitrary_bytes_never_crash(start, data, suffix):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"noise{suffix}"
        path.write_bytes(start + data)
        _check_outcome([path], Path(folder) / "snap")


json_values = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-5, 5),
        st.floats(allow_nan=False, width=32),
        st.text(max_size=5),
    ),
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(st.text(max_size=6), children, max_size=4)
    ),
    max_leaves=20,
)


@st.composite
def near_jsonstat(draw):
    """json-stat2 documents that are mostly well-formed, with random damage."""
    sizes = draw(st.lists(st.integers(0, 3), min_size=1, max_size=3))
    dims = ["alue", "vuosi", "contentscode"][: len(sizes)]
    area_codes = draw(
        st.lists(
            st.sampled_from(["KU091", "KU005", "SSS", "KU588", "KU999", "MK01"]),
            min_size=sizes[0],
            max_size=sizes[0],
            unique=True,
        )
    )
    categories = [area_codes] + [
        [
            draw(st.sampled_from(["2023", "2024", "20x4", "M162", "M140", "M999"])) + str(i)
            if d != "vuosi"
            else str(2020 + i)
            for i in range(n)
        ]
        for d, n in zip(dims[1:], sizes[1:], strict=True)
    ]
    total = 1
    for n in sizes:
        total *= n
    doc = {
        "class": "dataset",
        "id": dims,
        "size": sizes,
        "dimension": {
            d: {"category": {"index": {c: i for i, c in enumerate(codes)}}}
            for d, codes in zip(dims, categories, strict=True)
        },
        "value": draw(
            st.lists(st.one_of(st.none(), st.floats(-1e6, 1e6)), min_size=total, max_size=total)
        ),
        "status": draw(
            st.dictionaries(
                st.integers(0, max(0, total - 1)).map(str),
                st.sampled_from([".", "..", "..."]),
                max_size=3,
            )
        ),
        "role": {"time": ["vuosi"], "metric": ["contentscode"]},
    }
    damage = draw(st.sampled_from(["none", "value", "size", "index", "status", "drop"]))
    if damage == "value":
        doc["value"] = draw(json_values)
    elif damage == "size":
        doc["size"] = draw(json_values)
    elif damage == "index":
        doc["dimension"][dims[0]]["category"]["index"] = draw(json_values)
    elif damage == "status":
        doc["status"] = draw(json_values)
    elif damage == "drop":
        doc.pop(draw(st.sampled_from(sorted(doc))))
    return doc


@settings(max_examples=60, deadline=None)
@given(doc=st.one_of(json_values, near_jsonstat()))
def test_jsonstat2_parser_only_raises_its_named_error(doc):
    try:
        frame = parse_jsonstat2(doc)
    except SourceFormatError:
        return
    assert {"value", "status"} <= set(frame.columns)
    assert frame["value"].dtype == "float64"


@settings(max_examples=20, deadline=None)
@given(doc=near_jsonstat())
def test_jsonstat2_import_never_writes_an_invalid_snapshot(doc):
    # M162 -> unemployment_rate in the catalogue; other codes are reported
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "data.json"
        path.write_text(json.dumps(doc), encoding="utf-8")
        _check_outcome([path], Path(folder) / "snap")
