"""Domain statistics on tiny hand-made frames with known answers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from kuntadash.domain.stats import (
    compute_profile,
    group_summary,
    latest_common_year,
    latest_common_years,
    percentile_position,
    rank_in_group,
    rank_values,
    strengths_and_weaknesses,
)


def test_ties_share_the_best_rank_and_missing_is_unranked():
    series = pd.Series({"001": 5.0, "002": 7.0, "003": 7.0, "004": np.nan, "005": 1.0})
    ranks = rank_values(series, "higher_better")
    assert ranks.drop("004").to_dict() == {"001": 3, "002": 1, "003": 1, "005": 4}
    assert pd.isna(ranks["004"])
    lower = rank_values(series, "lower_better")
    assert lower["005"] == 1 and lower["002"] == 3 and pd.isna(lower["004"])


def test_rank_in_group_counts_members_without_data():
    series = pd.Series({"001": 5.0, "002": 7.0, "003": np.nan, "004": 9.0})
    rank = rank_in_group(series, pd.Index(["001", "002", "003"]), "001", "higher_better")
    assert (rank.rank, rank.of, rank.missing) == (2, 2, 1)
    none = rank_in_group(series, pd.Index(["001", "003"]), "003", "higher_better")
    assert (none.rank, none.of, none.missing) == (None, 1, 1)


@pytest.mark.parametrize(
    ("values", "direction", "expected"),
    [
        ({"a": 1.0, "b": 2.0, "c": 3.0}, "higher_better", {"a": 0.0, "b": 50.0, "c": 100.0}),
        ({"a": 1.0, "b": 2.0, "c": 3.0}, "lower_better", {"a": 100.0, "b": 50.0, "c": 0.0}),
        ({"a": 1.0, "b": 1.0, "c": 3.0}, "higher_better", {"a": 25.0, "b": 25.0, "c": 100.0}),
        ({"a": 4.0}, "higher_better", {"a": 50.0}),
    ],
    ids=["higher", "lower", "tie", "one-member"],
)
def test_percentile_position(values, direction, expected):
    assert percentile_position(pd.Series(values), direction).to_dict() == expected


def test_percentile_position_of_an_all_missing_group_is_missing():
    result = percentile_position(pd.Series({"a": np.nan, "b": np.nan}), "higher_better")
    assert result.isna().all() and list(result.index) == ["a", "b"]


def test_group_summary_weighted_mean_uses_population():
    values = pd.Series({"a": 10.0, "b": 20.0, "c": np.nan})
    weights = pd.Series({"a": 3.0, "b": 1.0, "c": 100.0})
    summary = group_summary(values, weights)
    assert summary["median"] == 15.0
    assert summary["mean"] == 15.0
    assert summary["weighted_mean"] == pytest.approx(12.5)
    assert (summary["n"], summary["missing"]) == (2, 1)


def test_latest_common_year_needs_half_the_municipalities():
    values = pd.DataFrame(
        {
            "municipality_code": ["001", "002", "003", "001", "002", "003"],
            "indicator_id": "x",
            "year": [2023, 2023, 2023, 2024, 2024, 2024],
            "value": [1.0, 2.0, 3.0, 1.0, np.nan, np.nan],
        }
    )
    assert latest_common_year(values, "x") == 2023


def test_latest_common_years_answers_for_every_indicator_at_once():
    codes = ["001", "002", "003"]
    rows = [
        # x: 2024 has one value of three, so 2023; y: half or more in 2025; z: never half
        *[("x", 2023, c, 1.0) for c in codes],
        ("x", 2024, "001", 1.0),
        ("x", 2024, "002", np.nan),
        ("x", 2024, "003", np.nan),
        ("y", 2024, "001", 1.0),
        ("y", 2025, "001", 2.0),
        ("y", 2025, "002", 3.0),
        ("y", 2025, "003", np.nan),
        ("z", 2024, "001", np.nan),
        ("z", 2024, "002", np.nan),
        ("z", 2024, "003", 4.0),
    ]
    values = pd.DataFrame(rows, columns=["indicator_id", "year", "municipality_code", "value"])
    values["indicator_id"] = values["indicator_id"].astype("string")
    expected = {"x": 2023, "y": 2025}
    assert latest_common_years(values) == expected
    each = {i: latest_common_year(values, i) for i in ("x", "y", "z")}
    assert each == {**expected, "z": None}


def _profile_fixture():
    catalogue = pd.DataFrame(
        {
            "id": ["good", "bad", "context"],
            "dimension": ["economic", "social", "ecological"],
            "direction": ["higher_better", "lower_better", "neutral"],
        }
    )
    rows = []
    for code, good, bad, context in (("001", 9, 9, 1), ("002", 5, 1, 2), ("003", 1, 5, 3)):
        rows += [
            {"municipality_code": code, "indicator_id": "good", "year": 2024, "value": float(good)},
            {"municipality_code": code, "indicator_id": "bad", "year": 2024, "value": float(bad)},
            {
                "municipality_code": code,
                "indicator_id": "context",
                "year": 2024,
                "value": float(context),
            },
        ]
    return pd.DataFrame(rows), catalogue


def test_profile_ranks_and_positions_follow_direction():
    values, catalogue = _profile_fixture()
    years = {"good": 2024, "bad": 2024, "context": 2024}
    profile = compute_profile(values, catalogue, "001", pd.Index(["001", "002", "003"]), years)
    by_id = profile.set_index("indicator_id")
    assert by_id.at["good", "rank"] == 1 and by_id.at["good", "percentile"] == 100.0
    assert by_id.at["bad", "rank"] == 3 and by_id.at["bad", "percentile"] == 0.0
    assert np.isnan(by_id.at["context", "percentile"])
    assert by_id.at["good", "group_median"] == 5.0
    strongest, weakest = strengths_and_weaknesses(profile, count=1)
    assert strongest["indicator_id"].tolist() == ["good"]
    assert weakest["indicator_id"].tolist() == ["bad"]


def test_with_a_middle_nothing_level_with_the_group_is_a_strength_or_weak_spot():
    profile = pd.DataFrame(
        {
            "indicator_id": ["a", "b", "c", "ctx"],
            "percentile": [80.0, 50.0, 20.0, np.nan],
        }
    )
    strongest, weakest = strengths_and_weaknesses(profile, count=3, middle=50)
    assert strongest["indicator_id"].tolist() == ["a"]
    assert weakest["indicator_id"].tolist() == ["c"]
    # Alone in its group, a municipality sits at 50 everywhere: no strengths, no weak spots.
    alone = profile.assign(percentile=[50.0, 50.0, 50.0, np.nan])
    assert all(f.empty for f in strengths_and_weaknesses(alone, count=3, middle=50))
    # Without a middle the old behaviour: the best and the worst, whatever they are.
    strongest, weakest = strengths_and_weaknesses(alone, count=1)
    assert len(strongest) == len(weakest) == 1
