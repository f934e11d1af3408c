"""The overview map's data: outlines built once per snapshot version, and what one rerun sends
(colours from the one palette, value and rank texts, the selected municipality, the legend)."""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import MultiPolygon, Polygon

from kuntadash.charts.palette import (
    BETTER,
    CIVIDIS,
    MISSING_COLOUR,
    MUTED_COLOUR,
    WORSE,
    colour_range,
    colour_stops,
    scale_colours,
)
from kuntadash.views.map import map_geometry, map_view
from tests.conftest import OFFICIAL_DIR

# --- outlines --------------------------------------------------------------------------------


def _names(snapshot):
    table = snapshot.municipalities.set_index("municipality_code")
    return {"fi": table["name_fi"], "sv": table["name_sv"].fillna(table["name_fi"])}


def _decode_path(d: str) -> list[list[tuple[int, int]]]:
    """Absolute points of each ring of an ``M x y l dx dy … z`` path."""
    rings = []
    for part in d.split("M")[1:]:
        head, moves = part.rstrip("z").split("l")
        x, y = map(int, head.split())
        points = [(x, y)]
        numbers = list(map(int, moves.split()))
        for dx, dy in zip(numbers[::2], numbers[1::2], strict=True):
            x, y = x + dx, y + dy
            points.append((x, y))
        rings.append(points)
    return rings


def test_outlines_hold_every_municipality_in_code_order_with_names(sample_snapshot):
    geometry = map_geometry(sample_snapshot.boundaries, _names(sample_snapshot))
    document = json.loads(geometry.payload)
    codes = sorted(sample_snapshot.municipalities["municipality_code"])
    assert document["codes"] == codes == list(geometry.codes)
    assert len(document["paths"]) == len(codes)
    assert all(path.startswith("M") and path.endswith("z") for path in document["paths"])
    assert document["names"]["fi"][codes.index("091")] == "Helsinki"
    assert document["names"]["sv"][codes.index("091")] == "Helsingfors"
    width, height = document["viewBox"][2:]
    for path in document["paths"]:
        for ring in _decode_path(path):
            assert all(0 <= x <= width and 0 <= y <= height for x, y in ring)


def test_outlines_are_north_up_in_the_national_grid(sample_snapshot):
    geometry = map_geometry(sample_snapshot.boundaries, _names(sample_snapshot))
    document = json.loads(geometry.payload)

    def centre(code: str) -> tuple[float, float]:
        points = np.array(_decode_path(document["paths"][document["codes"].index(code)])[0])
        return float(points[:, 0].mean()), float(points[:, 1].mean())

    utsjoki, helsinki, joensuu, vaasa = (centre(c) for c in ("890", "091", "167", "905"))
    assert utsjoki[1] < helsinki[1], "the north is at the top"
    assert vaasa[0] < joensuu[0], "the west is on the left"
    # Metres of the national grid, in 100 m units: Helsinki-Utsjoki is about 1 100 km (the
    # sample's tiles sit near, not on, the real centres).
    assert 9_500 < helsinki[1] - utsjoki[1] < 12_500


def test_outline_file_name_follows_its_content(sample_snapshot):
    names = _names(sample_snapshot)
    first = map_geometry(sample_snapshot.boundaries, names)
    again = map_geometry(sample_snapshot.boundaries, names)
    assert first.digest == again.digest and len(first.digest) == 16
    renamed = {**names, "fi": names["fi"].replace("Helsinki", "Helsinki!")}
    assert map_geometry(sample_snapshot.boundaries, renamed).digest != first.digest


def test_islands_and_holes_become_rings_of_one_path():
    square = Polygon([(25, 60), (25.1, 60), (25.1, 60.05), (25, 60.05)])
    holed = Polygon(
        [(26, 61), (26.5, 61), (26.5, 61.3), (26, 61.3)],
        holes=[[(26.1, 61.1), (26.2, 61.1), (26.2, 61.2), (26.1, 61.2)]],
    )
    boundaries = gpd.GeoDataFrame(
        {"municipality_code": ["002", "001"]},
        geometry=[holed, MultiPolygon([square, Polygon([(24, 60), (24.1, 60), (24.1, 60.1)])])],
        crs=4326,
    )
    geometry = map_geometry(boundaries, {"fi": pd.Series({"001": "A", "002": "B"})})
    document = json.loads(geometry.payload)
    assert document["codes"] == ["001", "002"]
    assert document["paths"][0].count("M") == 2  # two islands
    assert document["paths"][1].count("M") == 2  # an outer ring and a hole


@pytest.mark.skipif(not (OFFICIAL_DIR / "boundaries.parquet").exists(), reason="no data/")
def test_real_borders_stay_small():
    from kuntadash.store import read_snapshot

    snapshot = read_snapshot(OFFICIAL_DIR)
    geometry = map_geometry(snapshot.boundaries, _names(snapshot))
    assert len(geometry.codes) == 308
    # Fetched once per snapshot version: tens of kilobytes, not hundreds.
    assert len(geometry.payload) < 100_000


# --- one rerun -------------------------------------------------------------------------------


def _table(values, *, focus=None):
    codes = [f"{i:03d}" for i in range(1, len(values) + 1)]
    return pd.DataFrame(
        {
            "municipality_code": codes,
            "name": codes,
            "value": values,
            "value_text": ["–" if pd.isna(v) else f"{v:.1f} %".replace(".", ",") for v in values],
            "rank_text": [
                "Ei tietoa" if pd.isna(v) else f"Sija {i}/9" for i, v in enumerate(values)
            ],
            "in_focus": focus if focus is not None else [True] * len(values),
        }
    )


def _view(table, direction="higher_better", selected=None):
    codes = tuple(table["municipality_code"])
    return map_view(
        codes,
        table,
        direction=direction,
        selected=selected,
        geometry="app/static/map/0123456789abcdef.json",
        legend={"missing": "Ei tietoa", "muted": "Rajattu"},
        labels={"map": "Kartta"},
        lang="fi",
        file_stem="kuntadash-map",
        format_value=lambda v: f"{v:.1f} %",
    )


def _text(texts, i):
    item = texts["items"][i]
    return item[0] if isinstance(item, list) else texts["prefix"] + item + texts["suffix"]


VALUES = [float(v) for v in range(10, 100, 10)]


@pytest.mark.parametrize(
    ("direction", "lowest", "highest"),
    [
        ("higher_better", WORSE, BETTER),
        ("lower_better", BETTER, WORSE),
        ("neutral", CIVIDIS[0], CIVIDIS[-1]),
    ],
)
def test_colour_follows_the_direction(direction, lowest, highest):
    view = _view(_table(VALUES), direction)
    assert view["fill"][0] == lowest
    assert view["fill"][-1] == highest


def test_missing_values_are_grey_and_filtered_out_ones_pale():
    values = [*VALUES[:-1], np.nan]
    focus = [True] * 8 + [True]
    focus[0] = False
    view = _view(_table(values, focus=focus))
    assert view["fill"][0] == MUTED_COLOUR
    assert view["fill"][-1] == MISSING_COLOUR
    assert view["legend"]["has_missing"] and view["legend"]["has_muted"]
    # The scale spans the municipalities in focus only.
    assert view["fill"][1] == WORSE


def test_texts_arrive_whole_though_their_shared_parts_travel_once():
    values = [12.0, 13.0, np.nan, 1234.5, 0.0, 7.5, 22.0, 12.0, 99.9]
    table = _table(values)
    view = _view(table)
    assert view["value"]["suffix"] == " %"
    assert view["rank"]["prefix"] == "Sija " and view["rank"]["suffix"] == "/9"
    for i in range(len(values)):
        assert _text(view["value"], i) == table.at[i, "value_text"]
        assert _text(view["rank"], i) == table.at[i, "rank_text"]
    assert view["value"]["items"][2] == ["–"]


def test_texts_that_share_everything_still_read_right():
    table = _table([5.0] * 4)
    view = _view(table)
    assert [_text(view["value"], i) for i in range(4)] == ["5,0 %"] * 4


def test_selected_municipality_is_outlined_only_when_on_the_map():
    table = _table(VALUES)
    assert _view(table, selected="003")["selected"] == "003"
    assert _view(table, selected="999")["selected"] is None


def test_legend_says_where_values_lie_beyond_its_ends():
    view = _view(_table([*VALUES, 1000.0]))
    assert view["legend"]["high"].startswith("≥ ")
    assert view["legend"]["low"].startswith("≤ ")
    assert [stop for _, stop in view["legend"]["stops"]] == [
        c for _, c in colour_stops("higher_better")
    ]


def test_nothing_to_colour_leaves_the_legend_without_a_scale():
    view = _view(_table([np.nan] * 3))
    assert view["legend"]["stops"] == [] and view["legend"]["low"] == ""
    assert set(view["fill"]) == {MISSING_COLOUR}


def test_one_rerun_of_308_municipalities_stays_small():
    values = list(np.linspace(2.5, 31.7, 308))
    table = _table(values)
    table["rank_text"] = [f"Sija {i + 1}/308" for i in range(308)]
    payload = json.dumps(_view(table), ensure_ascii=False, separators=(",", ":"))
    assert len(payload.encode()) < 10_000


# --- the palette -----------------------------------------------------------------------------


def test_scale_colours_clip_to_the_range_and_leave_missing_empty():
    stops = colour_stops("higher_better")
    colours = scale_colours([-5.0, 0.0, 50.0, 100.0, 500.0, np.nan], stops, 0.0, 100.0)
    assert colours[0] == colours[1] == WORSE
    assert colours[3] == colours[4] == BETTER
    assert colours[2] not in (WORSE, BETTER)
    assert colours[5] is None


def test_colour_range_ignores_missing_and_widens_a_single_value():
    assert colour_range([np.nan, np.nan]) is None
    assert colour_range([3.0, 3.0, np.nan]) == (2.0, 4.0)
