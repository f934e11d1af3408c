"""The groups page's view model (kuntadash.views.groups) on a tiny hand-made snapshot with known
answers: group statistics, ranks within groups, missing values kept missing, the lines over
time, and every heading and number in the reader's language."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from kuntadash.i18n import translate
from kuntadash.store import Snapshot
from kuntadash.views.groups import MAX_LINES, GroupsInputs, build_groups_view

CODES = ["001", "002", "003", "004", "005", "006"]
TYPES = ["large_city", "large_city", "large_city", "small_rural", "small_rural", "small_rural"]
# rate (lower is better): 003 has no figure in 2020, 006 none at all.
RATE = {
    2019: [4.0, 6.0, 8.0, 10.0, 12.0, np.nan],
    2020: [5.0, 7.0, np.nan, 9.0, 13.0, np.nan],
}
POPULATION = [300_000.0, 100_000.0, 50_000.0, 3_000.0, 1_000.0, 2_000.0]


def _catalogue() -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "id": ["rate", "population"],
            "dimension": ["economic", "social"],
            "direction": ["lower_better", "neutral"],
            "decimals": [1, 0],
        }
    )
    for lang in ("fi", "sv", "en"):
        frame[f"name_{lang}"] = ["Työttömyys", "Väkiluku"]
        frame[f"unit_{lang}"] = ["%", "asukasta"]
    return frame


def _values() -> pd.DataFrame:
    rows = []
    for year, rates in RATE.items():
        for code, rate, population in zip(CODES, rates, POPULATION, strict=True):
            rows += [(code, "rate", year, rate), (code, "population", year, population)]
    return pd.DataFrame(rows, columns=["municipality_code", "indicator_id", "year", "value"])


def _municipalities() -> pd.DataFrame:
    frame = pd.DataFrame({"municipality_code": CODES})
    for lang in ("fi", "sv", "en"):
        frame[f"name_{lang}"] = [f"Kunta {c}" for c in CODES]
        frame[f"region_name_{lang}"] = ["Uusimaa"] * 3 + ["Lappi"] * 3
    frame["region_code"] = ["01"] * 3 + ["19"] * 3
    frame["municipality_type"] = TYPES
    frame["municipality_type_uncertain"] = False
    frame["urban_rural_group"] = 1
    frame["language_status"] = "fi"
    frame["land_area_km2"] = 100.0
    return frame


def _snapshot(values: pd.DataFrame | None = None) -> Snapshot:
    return Snapshot(
        manifest={"division_year": 2025, "sample": False},
        municipalities=_municipalities(),
        boundaries=None,  # the view draws no map
        values=_values() if values is None else values,
        catalogue=_catalogue(),
    )


def _view(code="001", year=2020, groupby="municipality_type", statistic="median", lang="en", **kw):
    return build_groups_view(_snapshot(), code, "rate", year, groupby, statistic, lang, **kw)


def _row(view, group: str) -> pd.Series:
    table = view.statistics.set_index(translate("groups.col.group", view.lang))
    return table.loc[group]


def test_group_statistics_count_the_missing_apart():
    view = _view()
    assert view.group_names == ["Large cities", "Small and sparsely populated municipalities"]
    large = _row(view, "Large cities")
    assert large[translate("groups.col.n", "en")] == 2  # 003 has no 2020 figure
    assert large[translate("groups.col.missing", "en")] == 1
    assert large[translate("groups.stat.median", "en")] == 6.0
    assert large[translate("groups.stat.mean", "en")] == 6.0
    # weighted by the same year's population: (5 * 300 000 + 7 * 100 000) / 400 000
    assert large[translate("groups.stat.weighted_mean", "en")] == pytest.approx(5.5)
    small = _row(view, "Small and sparsely populated municipalities")
    assert small[translate("groups.col.n", "en")] == 2
    assert small[translate("groups.stat.median", "en")] == 11.0
    assert view.statistic_columns[0] == translate("groups.stat.median", "en")


def test_ranks_follow_the_direction_within_the_group_and_in_the_country():
    view = _view(code="002")  # lower is better: 5.0 and 7.0 in its group
    assert (view.rank.rank, view.rank.of, view.rank.missing) == (2, 2, 1)
    assert (view.country_rank.rank, view.country_rank.of, view.country_rank.missing) == (2, 4, 2)
    members = view.members
    rank = members[translate("comparison.col.rank", "en")]
    names = members[translate("common.municipality", "en")].tolist()
    assert names == ["Kunta 001", "Kunta 002", "Kunta 003", "Kunta 004", "Kunta 005", "Kunta 006"]
    assert rank.tolist()[:2] == [1, 2] and rank.tolist()[3:5] == [1, 2]
    assert rank.isna().tolist() == [False, False, True, False, False, True]


def test_a_missing_value_stays_missing():
    view = _view(code="003")
    assert view.value_text == "–"
    assert view.rank.rank is None and view.country_rank.rank is None
    highlighted = view.distribution[view.distribution["highlight"]]
    assert highlighted["name"].tolist() == ["Kunta 003"] and highlighted["value"].isna().all()
    value_column = view.members_value_column
    assert math.isnan(view.members.set_index(view.members.columns[1]).at["Kunta 003", value_column])
    own = view.trend[view.trend["series"] == "Kunta 003"]
    assert own["value"].tolist()[0] == 8.0 and math.isnan(own["value"].tolist()[1])  # no zero


@pytest.mark.parametrize(
    ("lang", "value", "country", "value_column"),
    [
        ("fi", "5,0 %", "Koko maa", "Arvo (%)"),
        ("sv", "5,0 %", "Hela landet", "Värde (%)"),
        ("en", "5.0%", "Whole country", "Value (%)"),
    ],
)
def test_numbers_and_headings_in_the_readers_language(lang, value, country, value_column):
    view = _view(lang=lang)
    assert view.value_text == value
    assert view.country_label == country
    assert view.members_value_column == value_column
    assert view.kind_label == translate("groups.kind.municipality_type", lang)
    assert view.statistic_label == translate("groups.stat.median", lang)
    assert view.over_time.columns[0] == translate("common.year", lang)
    assert (view.unit, view.decimals, view.indicator_name) == ("%", 1, "Työttömyys")


def test_the_statistic_over_time_per_group_and_for_the_country():
    view = _view(statistic="mean")
    assert list(dict.fromkeys(view.trend["series"])) == [
        "Kunta 001",  # the municipality's own line first
        "Large cities",
        "Small and sparsely populated municipalities",
        "Whole country",
    ]
    lines = view.trend.set_index(["series", "year"])["value"]
    assert lines["Large cities", 2019] == 6.0 and lines["Large cities", 2020] == 6.0
    assert lines["Whole country", 2019] == 8.0
    assert lines["Whole country", 2020] == pytest.approx(8.5)
    assert view.years == [2019, 2020]
    assert not view.statistic_missing and not view.many_groups
    data = view.over_time_data
    assert set(data.loc[data["series"] == "Kunta 001", "statistic"]) == {""}
    assert set(data.loc[data["series"] == "Large cities", "statistic"]) == {"Mean (unweighted)"}


def test_a_weighted_mean_without_population_figures_is_said_to_be_missing():
    values = _values()
    snapshot = _snapshot(values[values["indicator_id"] != "population"])
    view = build_groups_view(
        snapshot, "001", "rate", 2020, "municipality_type", "weighted_mean", "en"
    )
    assert view.statistic_missing
    assert _row(view, "Large cities")[translate("groups.stat.weighted_mean", "en")] != 0
    assert math.isnan(_row(view, "Large cities")[translate("groups.stat.weighted_mean", "en")])


def test_no_grouping_without_its_basis():
    values = _values()
    snapshot = _snapshot(values[values["indicator_id"] != "population"])
    assert build_groups_view(snapshot, "001", "rate", 2020, "size_class", "median", "en") is None


def test_the_inputs_the_app_holds_give_the_same_view():
    computed = _view(statistic="weighted_mean")
    given = _view(
        statistic="weighted_mean",
        inputs=GroupsInputs(
            keys=pd.Series(TYPES, index=pd.Index(CODES, name="municipality_code")),
            group=computed.group,
        ),
    )
    pd.testing.assert_frame_equal(given.statistics, computed.statistics)
    pd.testing.assert_frame_equal(given.trend, computed.trend)


def test_many_groups_draw_only_the_own_one(monkeypatch):
    monkeypatch.setattr("kuntadash.views.groups.MAX_LINES", 1)
    view = _view(groupby="region")
    assert view.many_groups and MAX_LINES == 8
    assert list(dict.fromkeys(view.trend["series"])) == ["Kunta 001", "Uusimaa", "Whole country"]
    assert len(view.over_time.columns) == 1 + 2 + 2  # the table keeps every group
