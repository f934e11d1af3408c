"""Dimension scores: mean of direction-adjusted percentiles, coverage rule, weights, by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from kuntadash.domain.scores import COVERAGE_THRESHOLD, score_dimensions


def _catalogue() -> pd.DataFrame:
    """economic: e1, e2 (higher better), e3 (lower better), ctx (neutral).
    social: s1..s5 (higher better). ecological and technological: one indicator each."""
    ids = ["e1", "e2", "e3", "ctx", "s1", "s2", "s3", "s4", "s5", "g1", "t1"]
    dimensions = ["economic"] * 4 + ["social"] * 5 + ["ecological", "technological"]
    directions = ["higher_better", "higher_better", "lower_better", "neutral"] + [
        "higher_better"
    ] * 7
    return pd.DataFrame({"id": ids, "dimension": dimensions, "direction": directions})


def _reference() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "e1": [1.0, 2.0, 3.0],
            "e2": [10.0, 10.0, 30.0],  # tie between A and B
            "e3": [5.0, 6.0, 7.0],  # lower better: A best
            "ctx": [100.0, 0.0, 50.0],  # neutral: must not matter
            "s1": [1.0, 2.0, 3.0],
            "s2": [1.0, 2.0, 3.0],
            "s3": [1.0, np.nan, 3.0],
            "s4": [np.nan, np.nan, 3.0],
            "s5": [np.nan, np.nan, 3.0],
            "g1": [np.nan, np.nan, np.nan],  # all missing
            "t1": [4.0, 5.0, 6.0],
        },
        index=pd.Index(["A", "B", "C"], name="municipality_code"),
    )


MEMBERS = pd.Index(["A", "B", "C"])


def test_score_is_mean_of_direction_adjusted_percentiles():
    scores = score_dimensions(_reference(), _catalogue(), MEMBERS)
    # e1: A 0, B 50, C 100. e2 (tie A=B): A 25, B 25, C 100. e3 lower better: A 100, B 50, C 0.
    assert scores.scores["economic"].to_dict() == pytest.approx(
        {"A": (0 + 25 + 100) / 3, "B": (50 + 25 + 50) / 3, "C": (100 + 100 + 0) / 3}
    )


def test_neutral_indicators_are_left_out_of_score_and_coverage():
    reference = _reference()
    changed = reference.assign(ctx=[-5.0, 1e6, np.nan])
    a = score_dimensions(reference, _catalogue(), MEMBERS)
    b = score_dimensions(changed, _catalogue(), MEMBERS)
    pd.testing.assert_frame_equal(a.scores, b.scores)
    assert a.totals["economic"] == 3
    assert "ctx" not in a.weights


def test_coverage_rule_sixty_percent_scores_forty_percent_does_not():
    scores = score_dimensions(_reference(), _catalogue(), MEMBERS)
    social = scores.scores["social"]
    # A has 3 of 5 (60 %): scored over s1, s2, s3 -> A is the lowest of each: 0.
    assert scores.coverage.loc["A", "social"] == pytest.approx(0.6)
    assert social["A"] == pytest.approx(0.0)
    # B has 2 of 5 (40 %): no score, though its percentiles exist.
    assert scores.available.loc["B", "social"] == 2
    assert pd.isna(social["B"])
    # C: s1, s2, s3 best (100 each); s4 and s5 only C has a value (50 each): 400 / 5.
    assert social["C"] == pytest.approx(80.0)
    assert scores.threshold == COVERAGE_THRESHOLD == 0.6


def test_all_missing_indicator_gives_no_score_for_anyone():
    scores = score_dimensions(_reference(), _catalogue(), MEMBERS)
    assert scores.scores["ecological"].isna().all()
    assert (scores.coverage["ecological"] == 0).all()


def test_an_all_missing_group_has_no_scores_and_no_rank():
    empty = _reference().iloc[:0]
    scores = score_dimensions(empty, _catalogue(), pd.Index(["X", "Y"]))
    assert scores.scores.isna().all().all()
    row = scores.for_municipality("X").set_index("dimension").loc["economic"]
    assert pd.isna(row["rank"]) and (row["of"], row["missing"]) == (0, 2)
    assert pd.isna(row["group_median"])


def test_a_one_member_group_scores_fifty_where_it_has_data():
    scores = score_dimensions(_reference(), _catalogue(), pd.Index(["A"]))
    assert scores.scores.loc["A", "economic"] == 50.0
    assert scores.scores.loc["A", "technological"] == 50.0
    assert pd.isna(scores.scores.loc["A", "ecological"])


def test_weights_change_the_mean_and_zero_removes_an_indicator():
    weighted = score_dimensions(_reference(), _catalogue(), MEMBERS, weights={"e1": 2.0})
    # A: (2*0 + 25 + 100) / 4
    assert weighted.scores.loc["A", "economic"] == pytest.approx(125 / 4)
    assert weighted.weights["e1"] == 2.0
    dropped = score_dimensions(_reference(), _catalogue(), MEMBERS, weights={"e3": 0.0})
    assert dropped.totals["economic"] == 2
    assert dropped.scores.loc["A", "economic"] == pytest.approx(12.5)


def test_a_merged_municipality_without_rows_counts_as_missing():
    members = pd.Index(["A", "B", "C", "M"])  # M: new code, no values yet
    scores = score_dimensions(_reference(), _catalogue(), members)
    assert scores.coverage.loc["M"].fillna(0).eq(0).all()
    assert scores.scores.loc["M"].isna().all()
    # The others are still ranked among themselves.
    assert scores.scores.loc["C", "technological"] == 100.0


def test_for_municipality_states_rank_coverage_and_group_median():
    scores = score_dimensions(_reference(), _catalogue(), MEMBERS)
    rows = scores.for_municipality("A").set_index("dimension")
    economic = rows.loc["economic"]
    assert (economic["rank"], economic["of"], economic["missing"]) == (2, 3, 0)
    assert economic["group_median"] == pytest.approx(125 / 3)
    assert (economic["available"], economic["total"]) == (3, 3)
    social = scores.for_municipality("B").set_index("dimension").loc["social"]
    assert pd.isna(social["rank"]) and (social["of"], social["missing"]) == (2, 1)


def test_ties_in_scores_share_the_best_rank():
    reference = pd.DataFrame({"t1": [1.0, 1.0, 0.0]}, index=["A", "B", "C"])
    scores = score_dimensions(reference, _catalogue(), MEMBERS)
    ranks = {
        c: scores.for_municipality(c).set_index("dimension").at["technological", "rank"]
        for c in "ABC"
    }
    assert ranks == {"A": 1, "B": 1, "C": 3}


def test_equal_scores_tie_whichever_way_the_group_was_scored(sample_snapshot):
    # Kuopio (297) and Kouvola (286) reach the same economic score by different sums (equal
    # but for the last bits of the floats); scored with the whole country partitioned or with
    # its group alone, both share the rank.
    from kuntadash.domain.groups import group_keys
    from kuntadash.domain.stats import latest_common_year, reference_table

    values = sample_snapshot.values
    wide = values.pivot(index=["municipality_code", "year"], columns="indicator_id", values="value")
    years = {i: latest_common_year(values, i) for i in values["indicator_id"].unique()}
    reference = reference_table(wide, years)
    keys = group_keys(sample_snapshot.municipalities, "municipality_type")
    together = score_dimensions(reference, sample_snapshot.catalogue, keys.index, groups=keys)
    members = keys.index[keys == keys["297"]]
    alone = score_dimensions(reference, sample_snapshot.catalogue, members)
    for frame in (together, alone):
        for code in ("297", "286"):
            assert frame.for_municipality(code).set_index("dimension").at["economic", "rank"] == 14


def test_scoring_every_group_at_once_equals_scoring_each_group_alone():
    reference = _reference()
    groups = pd.Series({"A": "g", "B": "g", "C": "h"})
    together = score_dimensions(reference, _catalogue(), MEMBERS, groups=groups)
    alone = score_dimensions(reference, _catalogue(), pd.Index(["A", "B"]))
    pd.testing.assert_frame_equal(together.scores.loc[["A", "B"]], alone.scores)
    pd.testing.assert_frame_equal(
        together.for_municipality("A"), alone.for_municipality("A"), check_dtype=False
    )
    assert list(together.members_of("C")) == ["C"]


def test_every_sample_municipality_gets_four_scores_in_every_group_kind(sample_snapshot):
    from kuntadash.domain.catalogue import DIMENSIONS
    from kuntadash.domain.groups import PARTITION_KINDS, group_keys
    from kuntadash.domain.population import population_history, population_in
    from kuntadash.domain.stats import latest_common_year, reference_table

    values = sample_snapshot.values
    wide = values.pivot(index=["municipality_code", "year"], columns="indicator_id", values="value")
    years = {i: latest_common_year(values, i) for i in values["indicator_id"].unique()}
    reference = reference_table(wide, years)
    municipalities = sample_snapshot.municipalities
    codes = pd.Index(municipalities["municipality_code"])
    population = population_in(population_history(values), codes).values
    for kind in (*PARTITION_KINDS, "country"):
        keys = group_keys(municipalities, kind, population)
        scores = score_dimensions(reference, sample_snapshot.catalogue, keys.index, groups=keys)
        assert list(scores.scores.columns) == list(DIMENSIONS)
        assert len(scores.scores) == len(municipalities) == 308
        # A score exactly where coverage reaches 60 %; the sample's missing cells leave at most
        # a few dimensions below it, never a whole municipality.
        scored = scores.scores.notna()
        assert scored.equals(scores.coverage >= COVERAGE_THRESHOLD), kind
        assert (~scored).sum().sum() <= 5
        assert scored.any(axis=1).all()
        assert scores.scores.min().min() >= 0 and scores.scores.max().max() <= 100
    # The rule is exercised: without most of its ecological figures, Helsinki is not scored there.
    catalogue = sample_snapshot.catalogue
    ecological = [
        i for i in catalogue.loc[catalogue["dimension"] == "ecological", "id"] if i in reference
    ]
    blanked = reference.copy()
    blanked.loc["091", ecological[1:]] = np.nan
    scores = score_dimensions(blanked, catalogue, codes)
    assert scores.coverage.loc["091", "ecological"] < COVERAGE_THRESHOLD
    assert np.isnan(scores.scores.loc["091", "ecological"])
    assert scores.scores.loc["091"].drop("ecological").notna().all()


def test_scores_figure_colours_by_position_against_the_group_median():
    from kuntadash.charts.scores import build_dimension_scores_figure
    from kuntadash.charts.theme import BETTER, MISSING_COLOUR, WORSE

    data = pd.DataFrame(
        {
            "label": ["E", "S", "G", "T"],
            "score": [70.0, 30.0, np.nan, 50.0],
            "group_median": [50.0, 50.0, 50.0, 50.0],
            "group_q1": [40.0, 40.0, 40.0, 40.0],
            "group_q3": [60.0, 60.0, 60.0, 60.0],
        }
    )
    figure = build_dimension_scores_figure(
        data,
        lang="fi",
        score_label="Pisteet",
        median_label="Mediaani",
        axis_title="0–100",
        missing_text="Ei pisteitä",
    )
    bars, medians = figure.data
    assert bars.type == "bar" and medians.type == "scatter"
    assert list(bars.marker.color[:3]) == [BETTER, WORSE, MISSING_COLOUR]
    assert list(bars.text) == ["70", "30", "Ei pisteitä", "50"]
    assert list(medians.error_x.array) == [10.0] * 4
    assert figure.layout.xaxis.range == (0, 108)


def _by_hand(scores, code: str) -> pd.DataFrame:
    """for_municipality's figures computed one member at a time, the way they are defined:
    the municipality's own group (alone without a key), its rank among the members with a
    score (ties share the best rank), the median and quartiles of the scores there."""
    from kuntadash.domain.catalogue import DIMENSIONS
    from kuntadash.domain.stats import rank_in_group

    key = None if scores.groups is None else scores.groups.get(code)
    if scores.groups is None:
        members = scores.scores.index
    elif key is None or pd.isna(key):
        members = pd.Index([code])
    else:
        members = scores.groups.index[scores.groups == key]
    rows = []
    for dimension in DIMENSIONS:
        column = scores.scores[dimension].reindex(members)
        present = column.dropna()
        rank = rank_in_group(column.round(9), members, code, "higher_better")
        rows.append(
            {
                "dimension": dimension,
                "score": column.get(code, np.nan),
                "coverage": scores.coverage[dimension].get(code, np.nan),
                "available": int(scores.available[dimension].get(code, 0)),
                "total": scores.totals[dimension],
                "group_median": present.median() if len(present) else np.nan,
                "group_q1": present.quantile(0.25) if len(present) else np.nan,
                "group_q3": present.quantile(0.75) if len(present) else np.nan,
                "rank": rank.rank,
                "of": rank.of,
                "missing": rank.missing,
            }
        )
    return pd.DataFrame(rows)


@pytest.mark.parametrize("seed", range(6))
def test_every_members_summary_equals_the_figures_computed_one_by_one(seed):
    # Random groups of random sizes, ties, members without a score and without a group key:
    # the summary computed for all members at once must be each member's own.
    rng = np.random.default_rng(seed)
    count = int(rng.integers(8, 40))
    codes = pd.Index([f"{i:03d}" for i in range(count)], name="municipality_code")
    ids = _catalogue()["id"]
    reference = pd.DataFrame(
        rng.integers(0, 5, size=(count, len(ids))).astype(float), index=codes, columns=ids
    )
    reference = reference.mask(rng.random(reference.shape) < 0.3)
    keys = pd.Series(rng.choice(["g", "h", "k", None], size=count), index=codes, dtype=object)
    for groups in (None, keys):
        scores = score_dimensions(reference, _catalogue(), codes, groups=groups)
        for code in codes:
            pd.testing.assert_frame_equal(
                scores.for_municipality(code), _by_hand(scores, code), check_dtype=False
            )


def test_a_code_that_was_not_scored_gets_no_score_and_no_rank():
    scores = score_dimensions(_reference(), _catalogue(), MEMBERS)
    outsider = scores.for_municipality("Z").set_index("dimension")
    assert outsider["score"].isna().all() and outsider["rank"].isna().all()
    assert (outsider["available"] == 0).all()
    # its figures are the group's, of which it is not a member
    assert outsider.at["economic", "of"] == 3 and outsider.at["economic", "missing"] == 0
    partitioned = score_dimensions(
        _reference(), _catalogue(), MEMBERS, groups=pd.Series({"A": "g", "B": "g", "C": "h"})
    )
    alone = partitioned.for_municipality("Z").set_index("dimension")
    assert (alone["of"] == 0).all() and alone["group_median"].isna().all()


def test_the_summary_is_a_new_frame_on_every_call():
    scores = score_dimensions(_reference(), _catalogue(), MEMBERS)
    first = scores.for_municipality("A")
    first.loc[0, "score"] = -1.0
    assert scores.for_municipality("A").loc[0, "score"] != -1.0
