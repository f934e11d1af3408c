"""The synthetic sample: deterministic, equal to the bundled sample, plausible, tiled."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from kuntadash import resources
from kuntadash.crs import NATIONAL_GRID
from kuntadash.domain.tiles import compute_tile_layout
from kuntadash.pipeline.sample import SAMPLE_YEARS, build_sample_snapshot
from kuntadash.store import validate_snapshot, write_snapshot


@pytest.fixture(scope="module")
def built():
    return build_sample_snapshot()


def test_build_is_deterministic_and_equals_committed_data(built, sample_snapshot, tmp_path):
    first = write_snapshot(built, tmp_path / "a")
    second = write_snapshot(build_sample_snapshot(), tmp_path / "b")
    assert first.version == second.version
    assert first.version == sample_snapshot.version, (
        "the bundled sample is stale: rebuild it with "
        "`kuntadash data sample --out src/kuntadash/resources/sample`"
    )


def test_sample_covers_the_2025_division(built):
    codes = built.municipalities["municipality_code"]
    assert len(codes) == 308 and codes.is_unique
    assert {"091", "507"} <= set(codes) and not {"588", "099", "911"} & set(codes)
    assert built.municipalities.loc[codes == "091", "name_sv"].item() == "Helsingfors"
    assert (
        built.municipalities[["region_code", "wellbeing_county_code", "municipality_type"]]
        .notna()
        .all()
        .all()
    )
    assert validate_snapshot(built) == []


def test_every_catalogue_indicator_has_ten_years_and_some_missing_cells(built):
    values = built.values
    assert sorted(values["year"].unique()) == list(SAMPLE_YEARS)
    assert set(values["indicator_id"]) == set(built.catalogue["id"])
    assert values["value"].isna().sum() > 0
    coverage = values.groupby("indicator_id")["value"].apply(lambda s: s.notna().mean())
    assert (coverage > 0.85).all()


def test_indicators_driven_by_prosperity_correlate_as_designed(built):
    document = resources.read_indicator_catalogue_document()
    loading = {e["id"]: e["sample"].get("prosperity", 0.0) for e in document["indicators"]}
    positive = [i for i, p in loading.items() if p >= 0.5]
    negative = [i for i, p in loading.items() if p <= -0.5]
    assert positive and negative
    latest = built.values[built.values["year"] == max(SAMPLE_YEARS)].pivot(
        index="municipality_code", columns="indicator_id", values="value"
    )
    for up, down in itertools.product(positive[:2], negative[:2]):
        assert latest[up].corr(latest[down]) < 0, (up, down)


def test_tiles_are_equal_squares_that_never_overlap(built):
    tiles = built.boundaries.to_crs(NATIONAL_GRID)
    areas = tiles.area
    assert areas.max() / areas.min() == pytest.approx(1.0, rel=1e-3)
    overlaps = tiles.sindex.query(tiles.geometry, predicate="overlaps")
    assert overlaps.size == 0


def test_tile_layout_keeps_order_near_locations():
    points = pd.DataFrame({"lon": [24.94, 25.47, 27.68], "lat": [60.17, 65.01, 62.89]})
    import geopandas as gpd

    geo = gpd.GeoSeries(gpd.points_from_xy(points["lon"], points["lat"]), crs=4326)
    tiles = compute_tile_layout(pd.Series(["091", "564", "297"]), geo)
    centres = tiles.to_crs(NATIONAL_GRID).centroid
    original = geo.to_crs(NATIONAL_GRID)
    assert np.all(centres.distance(original) < 30_000)


def test_each_indicator_keeps_its_designed_spread(built):
    """The synthetic spread follows the catalogue's sd (a shared random stream would shrink it)."""
    document = resources.read_indicator_catalogue_document()
    latest = built.values[built.values["year"] == max(SAMPLE_YEARS)]
    spread = latest.groupby("indicator_id")["value"].std()
    for entry in document["indicators"]:
        low, high = entry["valid_range"]
        sd = entry["sample"]["sd"]
        if entry["sample"]["mean"] - 2 * sd < low or entry["sample"]["mean"] + 2 * sd > high:
            continue  # clipped at a bound: spread legitimately smaller
        assert spread[entry["id"]] > 0.6 * sd, entry["id"]
