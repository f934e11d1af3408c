"""Trends: changes over 1 / 5 / 10 years read in the indicator's direction, by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from kuntadash.domain.catalogue import (
    CatalogueError,
    breaks_json,
    catalogue_from_document,
    crosses_break,
    direction_note,
    series_breaks,
)
from kuntadash.domain.trends import (
    classify_change,
    compare_with_group,
    compute_changes,
    compute_trends,
    group_changes,
    indicator_history,
    trend_counts,
    typical_changes,
)

YEARS = list(range(2019, 2025))


def _wide() -> pd.DataFrame:
    """Three municipalities, 2019–2024. ``up`` rises by 1 a year for A, 2 for B, 0 for C.
    M is a merged municipality whose series starts in 2023 (no harmonised history)."""
    rows = []
    for year in YEARS:
        step = year - 2019
        rows += [
            ("A", year, 10.0 + step, 50.0 - step, 3.0),
            ("B", year, 10.0 + 2 * step, 50.0, 3.0 + step),
            ("C", year, 10.0, 50.0 + step, np.nan if year == 2019 else 3.0),
            ("M", year, 20.0 if year >= 2023 else np.nan, np.nan, np.nan),
        ]
    frame = pd.DataFrame(rows, columns=["municipality_code", "year", "up", "down", "ctx"])
    return frame.set_index(["municipality_code", "year"])


def _catalogue() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id": ["up", "down", "ctx"],
            "dimension": ["economic", "social", "ecological"],
            "direction": ["higher_better", "lower_better", "neutral"],
            "decimals": [1, 0, 1],
        }
    )


YEARS_END = {"up": 2024, "down": 2024, "ctx": 2024}


def test_compute_changes_needs_both_years():
    history = indicator_history(_wide(), "up")
    one = compute_changes(history, 2024, 1)
    assert one[["A", "B", "C", "M"]].tolist() == [1.0, 2.0, 0.0, 0.0]
    five = compute_changes(history, 2024, 5)
    assert five[["A", "B", "C"]].tolist() == [5.0, 10.0, 0.0]
    assert pd.isna(five["M"])  # the merged municipality has no 2019 value
    assert compute_changes(history, 2024, 10).isna().all()  # 2014 is not in the data


@pytest.mark.parametrize(
    ("change", "direction", "decimals", "expected"),
    [
        (1.0, "higher_better", 1, "better"),
        (-1.0, "higher_better", 1, "worse"),
        (1.0, "lower_better", 1, "worse"),
        (-1.0, "lower_better", 1, "better"),
        (2.0, "neutral", 1, "up"),
        (-2.0, "neutral", 1, "down"),
        (0.04, "higher_better", 1, "unchanged"),  # rounds to 0.0 at one decimal
        (0.06, "higher_better", 1, "better"),
        (0.4, "lower_better", 0, "unchanged"),  # rounds to 0 at no decimals
        (np.nan, "higher_better", 1, "missing"),
    ],
)
def test_classify_change_follows_direction(change, direction, decimals, expected):
    assert classify_change(change, direction, decimals) == expected


@pytest.mark.parametrize(
    ("change", "group", "direction", "expected"),
    [
        (2.0, 1.0, "higher_better", "ahead"),
        (2.0, 1.0, "lower_better", "behind"),
        (1.0, 1.02, "higher_better", "level"),
        (1.0, 5.0, "neutral", "neutral"),
        (np.nan, 1.0, "higher_better", "missing"),
    ],
)
def test_compare_with_group(change, group, direction, expected):
    assert compare_with_group(change, group, direction, 1) == expected


def test_compute_trends_against_the_group_median_change():
    trends = compute_trends(_wide(), _catalogue(), "A", pd.Index(["A", "B", "C"]), YEARS_END)
    up5 = trends[(trends["indicator_id"] == "up") & (trends["period"] == 5)].iloc[0]
    assert (up5["start_year"], up5["end_year"]) == (2019, 2024)
    assert (up5["start_value"], up5["end_value"], up5["change"]) == (10.0, 15.0, 5.0)
    assert up5["verdict"] == "better"
    assert up5["group_change"] == 5.0 and up5["group_n"] == 3  # median of 5, 10, 0
    assert up5["versus_group"] == "level"
    down1 = trends[(trends["indicator_id"] == "down") & (trends["period"] == 1)].iloc[0]
    # A falls by 1 (better, lower is better); group changes -1, 0, +1 -> median 0: A is ahead.
    assert (down1["change"], down1["verdict"], down1["group_change"]) == (-1.0, "better", 0.0)
    assert down1["versus_group"] == "ahead"


def test_compute_trends_missing_values_and_the_merged_municipality():
    members = pd.Index(["A", "B", "C", "M"])
    trends = compute_trends(_wide(), _catalogue(), "M", members, YEARS_END)
    by = trends.set_index(["indicator_id", "period"])
    assert by.loc[("up", 1), "change"] == 0.0 and by.loc[("up", 1), "verdict"] == "unchanged"
    assert by.loc[("up", 5), "verdict"] == "missing"
    assert by.loc[("up", 5), "group_n"] == 3  # M is not counted in the group's change
    assert by.loc[("up", 10), "group_n"] == 0 and pd.isna(by.loc[("up", 10), "group_change"])
    # ctx for C is missing in 2019 only: the 5-year group change uses A and B.
    assert by.loc[("ctx", 5), "group_n"] == 2 and by.loc[("ctx", 5), "group_change"] == 2.5
    assert by.loc[("ctx", 5), "versus_group"] == "missing"  # M has no ctx


def test_a_groups_changes_computed_once_give_each_members_trends_as_computed_alone():
    members = pd.Index(["A", "B", "C", "M"])
    changes = group_changes(_wide(), _catalogue(), members, YEARS_END, also=["A"])
    for code in ("M", "B", "Z"):  # Z is in no row: computed afresh, with it
        alone = compute_trends(_wide(), _catalogue(), code, members, YEARS_END)
        shared = compute_trends(_wide(), _catalogue(), code, members, YEARS_END, changes=changes)
        pd.testing.assert_frame_equal(shared, alone)
    with pytest.raises(ValueError, match="not those of these members"):
        compute_trends(_wide(), _catalogue(), "A", members[:2], YEARS_END, changes=changes)


def test_compute_trends_for_a_one_member_group_compares_with_itself():
    trends = compute_trends(_wide(), _catalogue(), "B", pd.Index(["B"]), YEARS_END)
    up1 = trends[(trends["indicator_id"] == "up") & (trends["period"] == 1)].iloc[0]
    assert (up1["change"], up1["group_change"], up1["versus_group"]) == (2.0, 2.0, "level")


def test_trend_counts_leave_out_neutral_indicators():
    trends = compute_trends(_wide(), _catalogue(), "A", pd.Index(["A", "B", "C"]), YEARS_END)
    assert trend_counts(trends, 5) == {"better": 2, "worse": 0, "unchanged": 0}
    assert trend_counts(trends, 10) == {"better": 0, "worse": 0, "unchanged": 0}


def test_compute_trends_without_any_reference_year_is_empty_with_its_columns():
    trends = compute_trends(_wide(), _catalogue(), "A", pd.Index(["A", "B"]), {})
    assert trends.empty
    assert {"period", "change", "verdict", "versus_group"} <= set(trends.columns)
    assert trend_counts(trends, 5) == {"better": 0, "worse": 0, "unchanged": 0}


def test_typical_change_is_the_spread_of_every_municipalitys_change():
    spread = typical_changes(_wide(), YEARS_END, 5)
    assert spread["up"] == pytest.approx(np.std([5.0, 10.0, 0.0]))  # M has no 2019
    assert spread["down"] == pytest.approx(np.std([-5.0, 0.0, 5.0]))
    assert spread["ctx"] == pytest.approx(2.5)  # C lacks 2019: two changes, 0 and 5
    assert typical_changes(_wide(), YEARS_END, 10).isna().all()  # no 2014


# --- breaks in a series -------------------------------------------------------------------------
def _catalogue_with_break(year: int = 2023) -> pd.DataFrame:
    breaks = breaks_json([{"year": year, "reason": {"fi": f"Uudistus {year}", "en": "Reform"}}])
    return _catalogue().assign(breaks=["[]", breaks, "[]"])


@pytest.mark.parametrize(
    ("start", "end", "crossed"),
    [(2022, 2023, True), (2019, 2024, True), (2023, 2024, False), (2021, 2022, False)],
)
def test_a_change_crosses_a_break_when_the_new_series_starts_inside_it(start, end, crossed):
    breaks = series_breaks({"breaks": breaks_json([{"year": 2023, "reason": {"fi": "x"}}])})
    assert (crosses_break(breaks, start, end) is not None) == crossed


def test_a_change_across_a_break_is_neither_better_nor_worse():
    assert classify_change(-12.6, "lower_better", 2, across_break=True) == "break"
    assert compare_with_group(-12.6, -12.0, "lower_better", 2, across_break=True) == "break"
    # a missing value stays missing, break or not
    assert classify_change(np.nan, "lower_better", 2, across_break=True) == "missing"


def test_trends_across_a_break_are_not_compared_and_say_which_break():
    trends = compute_trends(
        _wide(), _catalogue_with_break(2023), "A", pd.Index(["A", "B", "C"]), YEARS_END
    ).set_index(["indicator_id", "period"])
    # 'down' falls for A: better in its direction, were it not for the break of 2023
    row = trends.loc[("down", 5)]  # 2019 -> 2024
    assert row["verdict"] == "break" and row["group_verdict"] == "break"
    assert row["versus_group"] == "break" and row["break_year"] == 2023
    assert row["change"] == -5  # the difference itself is still there, for downloads
    # 2023 -> 2024 lies within the new series: read as usual
    assert trends.loc[("down", 1), "verdict"] == "better"
    assert pd.isna(trends.loc[("down", 1), "break_year"])
    # the other indicators have no break and are read as before
    assert trends.loc[("up", 1), "verdict"] == "better"
    assert pd.isna(trends.loc[("up", 1), "break_year"])


def test_a_break_after_the_period_changes_nothing():
    trends = compute_trends(
        _wide(), _catalogue_with_break(2030), "A", pd.Index(["A", "B", "C"]), YEARS_END
    ).set_index(["indicator_id", "period"])
    assert trends.loc[("down", 5), "verdict"] == "better"


def test_catalogue_breaks_round_trip_through_the_snapshot_table():
    document = {
        "indicators": [
            {
                "id": "tax",
                "dimension": "economic",
                "name": {"fi": "Vero"},
                "decimals": 2,
                "direction": "lower_better",
                "direction_note": {"fi": "Arvovalinta", "sv": "Värdeval", "en": "Value choice"},
                "aggregation": "index",
                "cadence": "annual",
                "source": {"publisher": "verohallinto", "adapter": "import", "licence": "CC"},
                "valid_range": [0, 30],
                "breaks": [
                    {"year": 2023, "reason": {"fi": "b", "sv": "b", "en": "b"}},
                    {"year": 2017, "reason": {"fi": "a", "sv": "a", "en": "a"}},
                ],
            }
        ]
    }
    row = catalogue_from_document(document).iloc[0]
    assert [item.year for item in series_breaks(row)] == [2017, 2023]
    assert series_breaks(row)[1].reason_in("sv") == "b"
    assert direction_note(row, "sv") == "Värdeval"
    with pytest.raises(CatalogueError):
        catalogue_from_document(
            {"indicators": [{**document["indicators"][0], "breaks": [{"year": "2023"}]}]}
        )
