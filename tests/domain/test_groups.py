"""Comparison groups and group statistics on tiny hand-made frames with known answers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from kuntadash.domain.groups import (
    GROUP_KINDS,
    describe_group,
    group_keys,
    group_members,
    group_order,
    is_partition,
    size_class,
)
from kuntadash.domain.stats import (
    compute_profile,
    group_figures,
    group_statistic_over_time,
    group_statistic_table,
    percentile_table,
    profile_from_table,
    reference_table,
    summarise_groups,
)


def _population() -> pd.Series:
    """Their population figures (005 has none yet)."""
    return pd.Series(
        [120_000, 19_999, 20_000, 1_999, np.nan],
        index=pd.Index(["001", "002", "003", "004", "005"], name="municipality_code"),
    )


def _municipalities() -> pd.DataFrame:
    """Five municipalities; 005 was formed by a merger and has no population or group yet."""
    return pd.DataFrame(
        {
            "municipality_code": ["001", "002", "003", "004", "005"],
            "name_fi": ["Aa", "Bb", "Cc", "Dd", "Ee"],
            "name_sv": ["Aa", "Bb", "Cc", "Dd", "Ee"],
            "region_code": ["01", "01", "02", "02", "02"],
            "region_name_fi": ["Uusimaa", "Uusimaa", "Pirkanmaa", "Pirkanmaa", "Pirkanmaa"],
            "region_name_sv": ["Nyland", "Nyland", "Birkaland", "Birkaland", "Birkaland"],
            "region_name_en": ["Uusimaa", "Uusimaa", "Pirkanmaa", "Pirkanmaa", "Pirkanmaa"],
            "wellbeing_county_code": ["90", "91", "92", "92", "92"],
            "wellbeing_county_name_fi": ["A", "B", "C", "C", "C"],
            "wellbeing_county_name_sv": ["A", "B", "C", "C", "C"],
            "wellbeing_county_name_en": ["A", "B", "C", "C", "C"],
            "municipality_type": ["large_city", "frame", "frame", "small_rural", "small_rural"],
            "municipality_type_uncertain": [False] * 5,
            "urban_rural_group": pd.array([1, 2, 2, 3, pd.NA], dtype="Int64"),
            "language_status": ["fi"] * 5,
            "land_area_km2": [200.0, 300.0, 400.0, 1000.0, 500.0],
        }
    )


@pytest.mark.parametrize(
    ("population", "expected"),
    [
        (0, "under_2000"),
        (1_999, "under_2000"),
        (2_000, "2000_4999"),
        (9_999, "5000_9999"),
        (10_000, "10000_19999"),
        (49_999, "20000_49999"),
        (99_999, "50000_99999"),
        (100_000, "100000_plus"),
    ],
)
def test_size_class_bounds_are_lower_inclusive(population, expected):
    assert size_class(pd.Series([population]))[0] == expected


def test_size_class_of_a_missing_population_is_missing():
    assert pd.isna(size_class(pd.Series([np.nan]))[0])


def test_group_keys_per_kind():
    municipalities = _municipalities()
    urban_rural = group_keys(municipalities, "urban_rural")
    assert urban_rural.drop("005").tolist() == ["urban", "semi_urban", "semi_urban", "rural"]
    assert pd.isna(group_keys(municipalities, "urban_rural")["005"])
    assert group_keys(municipalities, "region").tolist() == ["01", "01", "02", "02", "02"]
    assert set(group_keys(municipalities, "country")) == {"all"}


def test_members_include_the_municipality_and_only_its_group():
    municipalities = _municipalities()
    assert list(group_members(municipalities, "002", "municipality_type")) == ["002", "003"]
    assert list(group_members(municipalities, "003", "region")) == ["003", "004", "005"]
    assert list(group_members(municipalities, "004", "size_class", population=_population())) == [
        "004"
    ]
    # without population figures nobody has a size class: everyone is a group of one
    assert list(group_members(municipalities, "002", "size_class")) == ["002"]
    assert len(group_members(municipalities, "004", "country")) == 5


def test_a_merged_municipality_without_a_key_forms_a_one_member_group():
    municipalities = _municipalities()
    assert list(group_members(municipalities, "005", "size_class", population=_population())) == [
        "005"
    ]
    group = describe_group(municipalities, "005", "urban_rural", "fi")
    assert group.key == "" and list(group.members) == ["005"]
    assert group.label == "Ei ryhmää"


def test_similar_group_is_the_municipality_and_its_peers_once():
    members = group_members(_municipalities(), "001", "similar", peers=["003", "001", "002"])
    assert list(members) == ["001", "003", "002"]


@pytest.mark.parametrize(
    ("lang", "label", "definition_part"),
    [
        ("fi", "Taajaan asutut kunnat", "2 kuntaa"),
        ("sv", "Tätortskommuner", "2 kommuner"),
        ("en", "Semi-urban municipalities", "2 municipalities"),
    ],
)
def test_labels_and_definitions_are_translated(lang, label, definition_part):
    group = describe_group(_municipalities(), "002", "urban_rural", lang)
    assert group.label == label
    assert definition_part in group.definition and label in group.definition


def test_every_kind_has_a_label_in_every_language():
    municipalities = _municipalities()
    for kind in GROUP_KINDS:
        for lang in ("fi", "sv", "en"):
            group = describe_group(
                municipalities, "003", kind, lang, peers=["002"], names={"003": "Cc"}
            )
            assert group.label and group.definition
            assert "003" in group.members


def test_group_order_follows_the_classification():
    assert group_order("size_class", ["100000_plus", "under_2000", "5000_9999"]) == [
        "under_2000",
        "5000_9999",
        "100000_plus",
    ]
    assert group_order("municipality_type", ["small_rural", "frame", "large_city"]) == [
        "large_city",
        "frame",
        "small_rural",
    ]
    assert group_order("region", ["02", "01", np.nan]) == ["01", "02"]


# --- group statistics -----------------------------------------------------------------------


def test_summarise_groups_counts_missing_and_labels_each_statistic():
    values = pd.Series({"001": 10.0, "002": 20.0, "003": np.nan, "004": 40.0})
    groups = pd.Series({"001": "a", "002": "a", "003": "a", "004": "b"})
    weights = pd.Series({"001": 3.0, "002": 1.0, "003": 5.0, "004": 2.0})
    summary = summarise_groups(values, groups, weights)
    assert summary.loc["a", "median"] == 15.0
    assert summary.loc["a", "mean"] == 15.0
    assert summary.loc["a", "weighted_mean"] == pytest.approx(12.5)
    assert (summary.loc["a", "n"], summary.loc["a", "missing"]) == (2, 1)
    assert summary.loc["b", "median"] == 40.0 and summary.loc["b", "q1"] == 40.0


def test_summary_of_an_all_missing_group_is_missing_not_zero():
    values = pd.Series({"001": np.nan, "002": np.nan})
    summary = summarise_groups(values, pd.Series({"001": "a", "002": "a"}))
    assert summary.loc["a", ["median", "mean", "q1", "q3"]].isna().all()
    assert (summary.loc["a", "n"], summary.loc["a", "missing"]) == (0, 2)


def test_group_statistic_over_time_and_table_agree():
    history = pd.DataFrame(
        {2023: [1.0, 3.0, np.nan, 10.0], 2024: [2.0, np.nan, np.nan, 20.0]},
        index=pd.Index(["001", "002", "003", "004"], name="municipality_code"),
    )
    groups = pd.Series({"001": "a", "002": "a", "003": "a", "004": "b"})
    weights = pd.Series({"001": 1.0, "002": 3.0, "003": 1.0, "004": 1.0})
    for statistic, expected_a in (
        ("median", [2.0, 2.0]),
        ("mean", [2.0, 2.0]),
        ("weighted_mean", [2.5, 2.0]),
    ):
        table = group_statistic_table(history, groups, statistic, weights)
        assert table.loc["a"].tolist() == pytest.approx(expected_a)
        assert table.loc["b"].tolist() == pytest.approx([10.0, 20.0])
        one = group_statistic_over_time(
            history, pd.Index(["001", "002", "003"]), statistic, weights
        )
        assert one.tolist() == pytest.approx(expected_a)


def test_an_unknown_statistic_is_refused():
    with pytest.raises(ValueError, match="statistic"):
        group_statistic_table(pd.DataFrame(), pd.Series(dtype=object), "mode")


def test_percentile_table_within_groups_matches_each_group_alone():
    table = pd.DataFrame(
        {"x": [1.0, 2.0, 2.0, 5.0, np.nan], "y": [4.0, 3.0, 2.0, 1.0, 0.0]},
        index=["001", "002", "003", "004", "005"],
    )
    directions = pd.Series({"x": "higher_better", "y": "lower_better"})
    groups = pd.Series({"001": "a", "002": "a", "003": "a", "004": "b", "005": np.nan})
    within = percentile_table(table, directions, groups)
    # Group a: x = 1, 2, 2 -> 0, 75, 75 (tie averaged); y lower better: 4, 3, 2 -> 0, 50, 100.
    assert within.loc[["001", "002", "003"], "x"].tolist() == [0.0, 75.0, 75.0]
    assert within.loc[["001", "002", "003"], "y"].tolist() == [0.0, 50.0, 100.0]
    # One-member group b -> 50; no group for 005 -> scored alone; its missing x stays missing.
    assert within.loc["004"].tolist() == [50.0, 50.0]
    assert pd.isna(within.loc["005", "x"]) and within.loc["005", "y"] == 50.0


def _wide_values() -> tuple[pd.DataFrame, pd.DataFrame]:
    tidy = pd.DataFrame(
        {
            "municipality_code": ["001", "002", "003"] * 4,
            "indicator_id": ["good"] * 6 + ["bad"] * 6,
            "year": [2023] * 3 + [2024] * 3 + [2023] * 3 + [2024] * 3,
            "value": [1.0, 2.0, 3.0, 5.0, np.nan, 4.0, 9.0, 8.0, 7.0, 1.0, 1.0, 3.0],
        }
    )
    return tidy, tidy.pivot(
        index=["municipality_code", "year"], columns="indicator_id", values="value"
    )


def test_reference_table_takes_each_indicator_in_its_own_year():
    _, wide = _wide_values()
    table = reference_table(wide, {"good": 2024, "bad": 2023})
    assert table.loc["001"].to_dict() == {"good": 5.0, "bad": 9.0}
    assert pd.isna(table.loc["002", "good"])


def _two_indicators() -> tuple[pd.DataFrame, dict[str, int]]:
    """A catalogue of a higher-better and a lower-better indicator, both read in 2024."""
    catalogue = pd.DataFrame(
        {
            "id": ["good", "bad"],
            "dimension": ["economic", "social"],
            "direction": ["higher_better", "lower_better"],
        }
    )
    return catalogue, {"good": 2024, "bad": 2024}


def test_profile_from_table_matches_compute_profile_and_adds_national_rank():
    tidy, wide = _wide_values()
    catalogue, years = _two_indicators()
    members = pd.Index(["001", "002"])
    fast = profile_from_table(reference_table(wide, years), catalogue, "001", members, years)
    slow = compute_profile(tidy, catalogue, "001", members, years)
    pd.testing.assert_frame_equal(slow, fast[slow.columns], check_dtype=False)
    bad = fast.set_index("indicator_id").loc["bad"]
    # bad in 2024: 1, 1, 3 (lower better) -> 001 ties for first nationally.
    assert (bad["country_rank"], bad["country_of"], bad["country_missing"]) == (1, 3, 0)
    good = fast.set_index("indicator_id").loc["good"]
    assert (good["rank"], good["of"], good["missing"]) == (1, 1, 1)


def test_a_groups_figures_computed_once_profile_each_member_as_computed_alone():
    _, wide = _wide_values()
    catalogue, years = _two_indicators()
    reference, members = reference_table(wide, years), pd.Index(["001", "002"])
    figures = group_figures(reference, catalogue, members, years)
    for code in ("001", "002", "003"):  # 003 is not a member: no rank in the group
        alone = profile_from_table(reference, catalogue, code, members, years)
        shared = profile_from_table(reference, catalogue, code, members, years, figures)
        pd.testing.assert_frame_equal(shared, alone)
    with pytest.raises(ValueError, match="not those of these members"):
        profile_from_table(reference, catalogue, "001", pd.Index(["001"]), years, figures)


def test_rank_within_groups_handles_ties_missing_and_no_group():
    from kuntadash.domain.stats import rank_within_groups

    series = pd.Series({"001": 5.0, "002": 5.0, "003": 1.0, "004": np.nan, "005": 3.0})
    groups = pd.Series({"001": "a", "002": "a", "003": "a", "004": "a", "005": np.nan})
    lower = rank_within_groups(series, groups, "lower_better")
    assert lower[["001", "002", "003"]].tolist() == [2, 2, 1]
    assert pd.isna(lower["004"]) and pd.isna(lower["005"])
    assert rank_within_groups(series, groups, "higher_better")[["001", "003"]].tolist() == [1, 3]


def test_distribution_figure_has_one_box_per_group_and_the_highlight_on_top():
    from kuntadash.charts.distributions import build_distribution_figure

    data = pd.DataFrame(
        {
            "group": ["A", "A", "B", "B"],
            "name": ["Aa", "Ab", "Ba", "Bb"],
            "value": [1.0, 2.0, np.nan, 4.0],
            "highlight": [False, True, False, False],
        }
    )
    figure = build_distribution_figure(
        data, unit="%", lang="en", decimals=1, group_order=["A", "B"], highlight_name="Ab"
    )
    boxes = [trace for trace in figure.data if trace.type == "box"]
    assert [box.name for box in boxes] == ["A", "B"]
    assert list(boxes[1].x) == [4.0]  # the missing value is not drawn
    highlight = figure.data[-1]
    assert highlight.name == "Ab" and list(highlight.x) == [2.0]
    assert highlight.marker.symbol == "diamond"


def test_a_group_described_with_given_keys_is_the_group_described_without():
    # The app hands describe_group the keys it keeps per snapshot; the group must not differ
    # from the one computed from the table, and the keys given are the ones used.
    municipalities, population = _municipalities(), _population()
    for kind in GROUP_KINDS:
        keys = group_keys(municipalities, kind, population) if is_partition(kind) else None
        for code in municipalities["municipality_code"]:
            given = describe_group(
                municipalities, code, kind, "sv", peers=["002"], population=population, keys=keys
            )
            computed = describe_group(
                municipalities, code, kind, "sv", peers=["002"], population=population
            )
            assert given.label == computed.label and given.key == computed.key
            assert given.definition == computed.definition
            assert list(given.members) == list(computed.members)
    keys = group_keys(municipalities, "region", population)
    other = keys.where(keys.index != "001", "elsewhere")
    assert "001" not in describe_group(municipalities, "002", "region", "fi", keys=other).members
