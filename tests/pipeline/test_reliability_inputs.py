"""Bad input (issue 7, item 1): the cases tests/pipeline/test_import_errors.py does not cover yet.

Each refusal must name the file (and the row or municipality where there is one), be written in
the chosen language (fi, sv and en differ), and leave the snapshot byte-identical; each
awkward-but-readable input must be read correctly.
"""

from __future__ import annotations

import copy
import json
import tempfile
from pathlib import Path

import geopandas as gpd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely import LineString, Point, Polygon

from kuntadash.cli import main
from kuntadash.importing import DataImportError
from kuntadash.importing.context import build_context
from kuntadash.importing.readers.tidy import read_tidy
from kuntadash.pipeline.importing import import_files
from kuntadash.store import read_snapshot, validate_snapshot
from tests import paths
from tests.fixtures.import_helpers import (
    folder_bytes,
    refused,
    register_codes,
    write_file,
    write_grid_boundaries,
)

FIXTURES = paths.IMPORT_FIXTURES
HEADER = "municipality_code,indicator_id,year,value\n"
ROW_WORDS = {"fi": "rivi", "sv": "rad", "en": "row"}
NOTHING_WRITTEN = {
    "fi": "Mitään ei kirjoitettu",
    "sv": "Inget skrevs",
    "en": "Nothing was written",
}


# --- encodings, delimiters, numbers ------------------------------------------------------------
def test_utf16_with_bom_is_read(tmp_path):
    out = tmp_path / "snap"
    text = "kommun;indikator;år;värde\nVörå;unemployment_rate;2024;9,5\n"
    import_files([write_file(tmp_path, "utf16.csv", text.encode("utf-16"))], out)
    values = read_snapshot(out).values
    assert len(values) == 1 and values["value"].iloc[0] == pytest.approx(9.5)


def test_windows_1252_names_are_read(tmp_path):
    out = tmp_path / "snap"
    text = "kunta;indikaattori;vuosi;arvo\nIngå;unemployment_rate;2024;7,5\n"
    import_files([write_file(tmp_path, "cp1252.csv", text.encode("cp1252"))], out)
    values = read_snapshot(out).values
    assert values["municipality_code"].iloc[0] == "149"  # Inkoo / Ingå


def test_utf16_without_bom_is_refused_not_misread(tmp_path, target):
    data = (HEADER + "091,unemployment_rate,2024,1\n").encode("utf-16-le")
    refused([write_file(tmp_path, "utf16le.csv", data)], target, "data.error.binary_file")


def test_ambiguous_thousands_comma_is_refused_in_a_comma_separated_file(tmp_path, target):
    path = write_file(tmp_path, "comma.csv", HEADER + '091,unemployment_rate,2024,"7,250"\n')
    error = refused([path], target, "data.error.bad_number")
    for lang, word in ROW_WORDS.items():
        assert f"{word} 2" in error.render(lang)


def test_the_same_number_is_a_decimal_comma_in_a_semicolon_file(tmp_path):
    out = tmp_path / "snap"
    path = write_file(
        tmp_path, "semi.csv", "kunta;indikaattori;vuosi;arvo\n091;unemployment_rate;2024;7,250\n"
    )
    import_files([path], out)
    assert read_snapshot(out).values["value"].iloc[0] == pytest.approx(7.25)


def test_implausible_value_names_file_row_and_range(tmp_path, target):
    path = write_file(
        tmp_path,
        "pct.csv",
        HEADER + "091,unemployment_rate,2024,9\n092,unemployment_rate,2024,95\n",
    )
    error = refused([path], target, "data.error.out_of_range")
    for lang, word in ROW_WORDS.items():
        text = error.render(lang)
        assert f"{word} 3" in text and "95" in text and "unemployment_rate" in text


def test_duplicate_key_names_both_rows(tmp_path, target):
    path = write_file(
        tmp_path, "dup.csv", HEADER + "091,unemployment_rate,2024,1\n091,unemployment_rate,2024,2\n"
    )
    error = refused([path], target, "data.error.duplicate_key")
    assert "row 3" in error.render("en") and "2" in str(error.messages[0].params["first"])


def test_old_code_of_a_merged_municipality_is_harmonised_notrefused(tmp_path):
    out = tmp_path / "snap"
    path = write_file(tmp_path, "old.csv", HEADER + "099,unemployment_rate,2020,10\n")  # Honkajoki
    report = import_files([path], out)
    assert "data.note.values_harmonised" in {m.key for m in report.notes}
    assert "214" in set(read_snapshot(out).values["municipality_code"])  # Kankaanpää


def test_old_code_after_its_merger_is_refused_naming_the_merger(tmp_path):
    # Honkajoki joined Kankaanpää on 1.1.2021: a 2024 figure for it cannot be right.
    path = write_file(tmp_path, "late.csv", HEADER + "099,unemployment_rate,2024,10\n")
    with pytest.raises(DataImportError) as caught:
        import_files([path], tmp_path / "snap")
    assert [m.key for m in caught.value.messages] == ["data.error.codes_gone"]
    assert "099 Honkajoki (2024, row 2; merged into 214 Kankaanpää on 1 January 2021)" in (
        caught.value.render("en")
    )
    assert not (tmp_path / "snap").exists()


def test_a_name_matching_several_municipalities_is_refused_naming_them():
    context = build_context(2025)
    context.names["koski"] = {"284", "019"}  # as if two municipalities shared the name
    with pytest.raises(DataImportError) as caught:
        read_tidy(
            ["kunta", "indikaattori", "vuosi", "arvo"],
            [["Koski", "unemployment_rate", "2024", "5"]],
            "names.csv",
            context,
            decimal_comma=True,
        )
    (problem,) = caught.value.messages
    assert problem.key == "data.error.ambiguous_name"
    for lang, word in ROW_WORDS.items():
        text = caught.value.render(lang)
        assert "names.csv" in text and f"{word} 2" in text and "019, 284" in text


# --- size -------------------------------------------------------------------------------------
def test_oversized_file_names_the_file_and_changes_nothing(tmp_path, target):
    path = write_file(tmp_path, "huge.csv", HEADER + "091,unemployment_rate,2024,1\n" * 200)
    error = refused([path], target, "data.error.file_too_large", max_bytes=1000)
    assert "MB" in error.render("en") and "Mt" in error.render("fi")


# --- corrupted files --------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "content", "key"),
    [
        ("broken.gpkg", b"SQLite format 3\x00" + b"\x07" * 300, "data.error.corrupt_file"),
        (
            "broken.topojson",
            '{"type": "Topology", "objects": {"kunnat": ',
            "data.error.corrupt_file",
        ),
        ("cut.xlsx", None, "data.error.corrupt_file"),  # a real workbook cut in half
        ("odd.parquet", None, "data.error.unknown_layout"),  # readable, but not a table we know
        ("notgeo.geojson", '{"type": "Topology2", "x": 1}', "data.error.corrupt_file"),
    ],
)
def test_corrupted_or_foreign_files_arerefused(name, content, key, tmp_path, target):
    path = tmp_path / name
    if name == "cut.xlsx":
        import pandas as pd

        pd.DataFrame({"kunta": ["Helsinki"], "arvo": [1]}).to_excel(path, index=False)
        path.write_bytes(path.read_bytes()[:400])
    elif name == "odd.parquet":
        import pandas as pd

        pd.DataFrame({"x": [1, 2], "y": ["a", "b"]}).to_parquet(path)
    else:
        write_file(tmp_path, name, content)
    refused([path], target, key)


# --- geometries -------------------------------------------------------------------------------
def _boundaries_with(tmp_path: Path, replace_first, name: str = "bad.geojson") -> Path:
    path = write_grid_boundaries(tmp_path / name, register_codes(), crs=4326)
    frame = gpd.read_file(path)
    frame.loc[0, "geometry"] = replace_first(frame.geometry.iloc[0])
    frame.to_file(path, driver="GeoJSON")
    return path


def test_a_point_instead_of_an_area_is_refused_naming_the_municipality(tmp_path, target):
    path = _boundaries_with(tmp_path, lambda g: Point(g.centroid.x, g.centroid.y))
    error = refused([path], target, "data.error.geometry_not_polygon")
    assert register_codes()[0] in error.render("fi")


def test_a_polygon_without_area_is_refused_naming_the_municipality(tmp_path, target):
    def flat(geometry):
        minx, miny, maxx, _ = geometry.bounds
        return Polygon([(minx, miny), (maxx, miny), ((minx + maxx) / 2, miny), (minx, miny)])

    error = refused([_boundaries_with(tmp_path, flat)], target, "data.error.geometry_invalid")
    assert register_codes()[0] in error.render("sv")


def test_a_line_mixed_into_a_repaired_polygon_is_dropped(tmp_path):
    # A self-touching ring that make_valid splits into a polygon and a line: the polygon is kept.
    def bow_with_tail(geometry):
        minx, miny, maxx, maxy = geometry.bounds
        midx = (minx + maxx) / 2
        return Polygon(
            [(minx, miny), (maxx, miny), (maxx, maxy), (midx, maxy), (midx, maxy + 0.01),
             (midx, maxy), (minx, maxy), (minx, miny)]
        )  # fmt: skip

    out = tmp_path / "snap"
    report = import_files([_boundaries_with(tmp_path, bow_with_tail)], out)
    assert "data.note.geometry_repaired" in {m.key for m in report.notes}
    geometry = read_snapshot(out).boundaries.set_index("municipality_code").geometry
    assert geometry[register_codes()[0]].geom_type in ("Polygon", "MultiPolygon")
    assert not isinstance(geometry[register_codes()[0]], LineString)


def test_epsg3067_without_a_crs_member_is_recognised_and_transformed(tmp_path):
    path = write_grid_boundaries(tmp_path / "tm35.geojson", register_codes(), crs=3067)
    doc = json.loads(path.read_text())
    doc.pop("crs", None)  # as many exports do: metres, but no CRS written
    path.write_text(json.dumps(doc))
    out = tmp_path / "snap"
    report = import_files([path], out)
    assert "data.note.crs_inferred" in {m.key for m in report.notes}
    minx, miny, maxx, maxy = read_snapshot(out).boundaries.total_bounds
    assert 19 < minx < maxx < 32 and 59 < miny < maxy < 71  # Finland in degrees


def test_a_geopackage_in_epsg3067_is_transformed(tmp_path):
    path = write_grid_boundaries(tmp_path / "grid.geojson", register_codes(), crs=3067)
    gpkg = tmp_path / "kunnat.gpkg"
    gpd.read_file(path).to_file(gpkg, driver="GPKG")
    out = tmp_path / "snap"
    report = import_files([gpkg], out)
    assert "data.note.crs_transformed" in {m.key for m in report.notes}
    assert read_snapshot(out).boundaries.crs.to_epsg() == 4326


def test_coordinates_in_no_known_system_arerefused(tmp_path, target):
    path = write_grid_boundaries(tmp_path / "far.geojson", register_codes(), crs=3067)
    doc = json.loads(path.read_text())
    doc.pop("crs", None)
    for feature in doc["features"]:
        feature["geometry"]["coordinates"] = [
            [[x * 100, y * 100] for x, y in ring] for ring in feature["geometry"]["coordinates"]
        ]
    path.write_text(json.dumps(doc))
    refused([path], target, "data.error.unknown_crs")


# --- the command line speaks the chosen language -----------------------------------------------
@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_cli_refusal_is_in_the_chosen_language_and_changes_nothing(lang, tmp_path, target, capsys):
    bad = write_file(
        tmp_path,
        "kunnat.csv",
        HEADER + "091,unemployment_rate,2024,1\nAtlantis,unemployment_rate,2024,2\n",
    )
    before = folder_bytes(target)
    assert main(["data", "import", "--lang", lang, "--out", str(target), str(bad)]) == 1
    err = capsys.readouterr().err
    assert "kunnat.csv" in err and f"{ROW_WORDS[lang]} 3" in err and "Atlantis" in err
    assert NOTHING_WRITTEN[lang] in err
    assert folder_bytes(target) == before


# --- property: damaged boundary files ----------------------------------------------------------
@pytest.fixture(scope="module")
def grid_document(tmp_path_factory) -> dict:
    path = write_grid_boundaries(tmp_path_factory.mktemp("grid") / "g.geojson", register_codes())
    return json.loads(path.read_text())


DAMAGES = (
    "drop_crs",
    "scale",
    "shift",
    "point",
    "line",
    "empty",
    "null",
    "code_text",
    "code_number",
    "duplicate",
    "drop_feature",
    "foreign_code",
    "nan",
    "wrong_crs",
)


def _is_polygon(feature: dict) -> bool:
    geometry = feature.get("geometry")
    return bool(geometry and geometry["type"] == "Polygon" and geometry["coordinates"])


def _scale(draw, doc, feature, polygons):
    factor = draw(st.sampled_from([1e-6, 1e-3, 10.0, 1e3]))
    for f in polygons:
        f["geometry"]["coordinates"] = [
            [[x * factor, y * factor] for x, y in r] for r in f["geometry"]["coordinates"]
        ]


def _shift(draw, doc, feature, polygons):
    for f in polygons:
        f["geometry"]["coordinates"] = [
            [[x + 5e6, y] for x, y in r] for r in f["geometry"]["coordinates"]
        ]


def _as(kind: str):
    """Turn the feature's polygon into a ``kind`` geometry made of its outer ring."""

    def damage(draw, doc, feature, polygons):
        if _is_polygon(feature):
            ring = feature["geometry"]["coordinates"][0]
            feature["geometry"] = {
                "type": kind,
                "coordinates": ring[0] if kind == "Point" else ring,
            }

    return damage


def _nan(draw, doc, feature, polygons):
    if _is_polygon(feature):
        ring = feature["geometry"]["coordinates"][0]
        ring[0] = [float("nan"), ring[0][1]]


def _set_geometry(geometry):
    def damage(draw, doc, feature, polygons):
        feature["geometry"] = copy.deepcopy(geometry)

    return damage


def _set_code(value_of):
    def damage(draw, doc, feature, polygons):
        feature["properties"]["kunta"] = value_of(draw)

    return damage


# One small function per damage: (draw, document, the chosen feature, the polygons) -> None.
_DAMAGE = {
    "drop_crs": lambda draw, doc, feature, polygons: doc.pop("crs", None),
    "scale": _scale,
    "shift": _shift,
    "point": _as("Point"),
    "line": _as("LineString"),
    "empty": _set_geometry({"type": "Polygon", "coordinates": []}),
    "null": _set_geometry(None),
    "code_text": _set_code(lambda draw: draw(st.text(max_size=5))),
    "code_number": _set_code(lambda draw: draw(st.integers(-5, 2000))),
    "duplicate": lambda draw, doc, feature, polygons: doc["features"].append(
        copy.deepcopy(feature)
    ),
    "foreign_code": _set_code(lambda draw: "999"),
    "nan": _nan,
    "wrong_crs": lambda draw, doc, feature, polygons: doc.__setitem__(
        "crs", {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::2393"}}
    ),
}


@st.composite
def damaged(draw, document: dict) -> tuple[dict, list[str]]:
    doc = copy.deepcopy(document)
    features = doc["features"]
    chosen = draw(st.lists(st.sampled_from(DAMAGES), min_size=1, max_size=3, unique=True))
    chosen.sort(key=DAMAGES.index)  # whole-file damages first, then one feature's
    polygons = [f for f in features if f["geometry"] and f["geometry"]["type"] == "Polygon"]
    index = draw(st.integers(0, len(features) - 1))
    feature = features[index]
    for damage in chosen:
        if damage == "drop_feature":  # the feature is gone: later damages have nothing to act on
            features.pop(index)
            break
        _DAMAGE[damage](draw, doc, feature, polygons)
    return doc, chosen


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_damaged_boundary_files_are_refused_or_give_a_valid_snapshot(data, grid_document):
    doc, _ = data.draw(damaged(grid_document))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "kunnat.geojson"
        path.write_text(json.dumps(doc))  # NaN is written as the invalid JSON token NaN
        out = Path(folder) / "snap"
        try:
            import_files([path], out)
        except DataImportError as exc:
            assert all(exc.render(lang) for lang in ROW_WORDS)
            assert not out.exists()
            return
        snapshot = read_snapshot(out)
        assert validate_snapshot(snapshot) == []
        minx, miny, maxx, maxy = snapshot.boundaries.total_bounds
        assert 15 < minx <= maxx < 35 and 55 < miny <= maxy < 75  # in Finland, in degrees
