"""Similar municipalities: standardisation, weighted distances and reasons, by hand."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from kuntadash.domain.peers import (
    explain_similarity,
    nearest_peers,
    peer_distances,
    standardise,
    structural_table,
)


def _z() -> pd.DataFrame:
    """Already standardised positions: A at the origin, others at known offsets."""
    return pd.DataFrame(
        {"u": [0.0, 1.0, 0.0, 3.0, 1.0], "v": [0.0, 0.0, 2.0, 4.0, 0.0]},
        index=pd.Index(["A", "B", "C", "D", "E"], name="municipality_code"),
    )


def test_standardise_gives_z_scores_with_population_standard_deviation():
    z = standardise(pd.DataFrame({"x": [1.0, 2.0, 3.0]}), log_columns=())
    assert z["x"].tolist() == pytest.approx([-math.sqrt(1.5), 0.0, math.sqrt(1.5)])


def test_standardise_logs_population_so_ratios_count_equally():
    z = standardise(pd.DataFrame({"population": [10.0, 100.0, 1000.0]}))
    assert z["population"].tolist() == pytest.approx([-math.sqrt(1.5), 0.0, math.sqrt(1.5)])


def test_standardise_constant_column_separates_no_one_and_keeps_missing():
    z = standardise(pd.DataFrame({"x": [5.0, 5.0, np.nan]}), log_columns=())
    assert z["x"].iloc[:2].tolist() == [0.0, 0.0] and pd.isna(z["x"].iloc[2])


def test_standardise_log_of_zero_population_is_missing_not_minus_infinity():
    z = standardise(pd.DataFrame({"population": [0.0, 10.0, 100.0]}))
    assert pd.isna(z["population"].iloc[0]) and np.isfinite(z["population"].iloc[1:]).all()


def test_equal_weights_distance_is_root_mean_square_difference():
    result = nearest_peers(_z(), "A", {"u": 1, "v": 1}, n=10)
    # B, E: sqrt(1/2); C: sqrt(4/2); D: sqrt(25/2). B and E tie: broken by code.
    assert result["municipality_code"].tolist() == ["B", "E", "C", "D"]
    assert result["distance"].tolist() == pytest.approx(
        [math.sqrt(0.5), math.sqrt(0.5), math.sqrt(2), math.sqrt(12.5)]
    )


@pytest.mark.parametrize(
    ("weights", "expected", "distance"),
    [
        ({"u": 0, "v": 1}, ["B", "E"], 0.0),  # u ignored: B and E sit on A's v
        ({"u": 1, "v": 0}, ["C", "B"], 0.0),  # v ignored: C sits on A's u
        ({"u": 3, "v": 1}, ["B", "E"], math.sqrt(0.75)),  # B: sqrt(3/4) beats C: sqrt(4/4)
    ],
    ids=["only-v", "only-u", "u-heavier"],
)
def test_weights_change_who_is_nearest(weights, expected, distance):
    result = nearest_peers(_z(), "A", weights, n=2)
    assert result["municipality_code"].tolist() == expected
    assert result["distance"].iloc[0] == pytest.approx(distance)


def test_missing_values_use_shared_variables_and_too_little_overlap_is_excluded():
    z = pd.DataFrame(
        {
            "u": [0.0, 2.0, np.nan, 1.0],
            "v": [0.0, np.nan, np.nan, 1.0],
            "w": [0.0, np.nan, 5.0, 1.0],
        },
        index=["A", "B", "C", "D"],
    )
    distances = peer_distances(z, "A", {"u": 1, "v": 1, "w": 1})
    # B shares only u (1/3 of the weight): not comparable. C shares only w: likewise.
    assert distances["distance"][["B", "C"]].isna().all()
    assert distances.loc["B", "shared_weight"] == pytest.approx(1 / 3)
    assert distances.loc["D", "distance"] == pytest.approx(1.0)
    # With w left out, B shares u out of u + v: half the weight, which is enough.
    shared_half = peer_distances(z, "A", {"u": 1, "v": 1})
    assert shared_half.loc["B", "distance"] == pytest.approx(2.0)


def test_a_merged_municipality_missing_most_variables_gets_no_peers_but_others_still_do():
    z = _z()
    z.loc["M"] = [np.nan, 0.5]
    z["x"] = [0.0, 0.0, 0.0, 0.0, 0.0, np.nan]
    alone = nearest_peers(z, "M", {"u": 1, "v": 1, "x": 1})
    assert alone.empty
    others = nearest_peers(z, "A", {"u": 1, "v": 1, "x": 1})
    assert "M" not in others["municipality_code"].tolist()


def test_reason_lists_the_closest_weighted_variables_first():
    z = pd.DataFrame(
        {"u": [0.0, 0.1], "v": [0.0, 2.0], "w": [0.0, -0.5], "x": [0.0, 0.0]},
        index=["A", "B"],
    )
    assert explain_similarity(z, "A", "B", {"u": 1, "v": 1, "w": 1, "x": 1}) == ["x", "u", "w"]
    assert explain_similarity(z, "A", "B", {"u": 1, "v": 1, "w": 1, "x": 0}) == ["u", "w", "v"]
    result = nearest_peers(z, "A", {"u": 1, "v": 1, "w": 1, "x": 1})
    assert result.loc[0, "similar_on"] == ["x", "u", "w"]


def test_all_zero_weights_are_refused():
    with pytest.raises(ValueError, match="weight"):
        nearest_peers(_z(), "A", {"u": 0, "v": 0})


def test_asking_for_more_peers_than_exist_returns_all_comparable():
    assert len(nearest_peers(_z(), "A", {"u": 1, "v": 1}, n=50)) == 4


def test_structural_table_computes_density_and_leaves_out_absent_variables():
    municipalities = pd.DataFrame(
        {
            "municipality_code": ["001", "002"],
            "population": [1000, 500],
            "land_area_km2": [10.0, 0.0],
        }
    )
    reference = pd.DataFrame(
        {"share_aged_65_plus": [20.0, 30.0], "unemployment_rate": [5.0, 6.0]},
        index=["001", "002"],
    )
    population = municipalities.set_index("municipality_code")["population"]
    table = structural_table(municipalities.drop(columns="population"), reference, population)
    assert table.loc["001", "population_density"] == 100.0
    assert pd.isna(table.loc["002", "population_density"])  # zero area: no density
    assert "share_aged_65_plus" in table.columns
    assert "unemployment_rate" not in table.columns  # a result, not a structural variable
    assert "degree_of_urbanisation" not in table.columns  # absent from the data: not invented


def test_peers_of_the_sample_snapshot_are_ten_other_municipalities(sample_snapshot):
    from kuntadash.domain.population import population_history, population_in
    from kuntadash.domain.stats import latest_common_year, reference_table

    values = sample_snapshot.values
    wide = values.pivot(index=["municipality_code", "year"], columns="indicator_id", values="value")
    years = {i: latest_common_year(values, i) for i in values["indicator_id"].unique()}
    codes = pd.Index(sample_snapshot.municipalities["municipality_code"])
    population = population_in(population_history(values), codes).values
    reference = reference_table(wide, years)
    z = standardise(structural_table(sample_snapshot.municipalities, reference, population))
    assert set(z.columns) >= {"population", "population_density", "share_aged_65_plus"}
    for code in ("091", "035", "853"):
        peers = nearest_peers(z, code)
        assert len(peers) == 10 and code not in peers["municipality_code"].tolist()
        assert peers["distance"].is_monotonic_increasing
        assert all(1 <= len(reason) <= 3 for reason in peers["similar_on"])


def test_a_shared_link_keeps_its_weight_order_when_the_catalogue_is_reordered():
    from kuntadash.domain.peers import LINK_ORDER, STRUCTURAL_VARIABLES, in_link_order

    # The catalogue lists its structural indicators by dimension, not in the link's order.
    shuffled = list(reversed(STRUCTURAL_VARIABLES))
    assert in_link_order(shuffled) == STRUCTURAL_VARIABLES
    assert STRUCTURAL_VARIABLES[: len(LINK_ORDER)] == LINK_ORDER
    # A structural indicator added later goes after the ones links already carry.
    assert in_link_order(["new_b", *shuffled, "new_a"])[len(LINK_ORDER) :] == ("new_b", "new_a")


@pytest.mark.parametrize("seed", range(4))
def test_each_peers_reasons_are_its_own_explanation(seed):
    # nearest_peers explains all peers at once; each must read as explain_similarity says,
    # with missing values left out and ties kept in the variables' order.
    rng = np.random.default_rng(seed)
    codes = [f"{i:03d}" for i in range(30)]
    z = pd.DataFrame(
        rng.integers(-2, 3, size=(30, 6)).astype(float), index=codes, columns=list("uvwxyz")
    )
    z = z.mask(rng.random(z.shape) < 0.15)
    weights = {"u": 1, "v": 2, "w": 0, "x": 1, "y": 0.5, "z": 1}
    for code in codes[:10]:
        peers = nearest_peers(z, code, weights)
        for peer, reasons in zip(peers["municipality_code"], peers["similar_on"], strict=True):
            assert reasons == explain_similarity(z, code, peer, weights)
            assert "w" not in reasons and len(reasons) <= 3
