"""The overview's view model (kuntadash.views.overview) on a tiny hand-made snapshot: ranks by
the indicator's direction, the highlight filters, the median of the municipalities shown, the
chosen municipality's figure, missing values kept missing, and numbers in each language."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from kuntadash.store import Snapshot
from kuntadash.views.format import MISSING, Formatter
from kuntadash.views.indicators import goal_options
from kuntadash.views.overview import (
    OverviewChoice,
    build_overview_view,
    filter_labels,
    indicators_for_goal,
    rank_excerpt,
)

YEAR = 2024
# code, type, region, value of "rate" (higher is better), of "cost" (lower is better)
ROWS = [
    ("001", "large_city", "01", 12.0, 300.0),
    ("002", "large_city", "02", 8.5, 100.0),
    ("003", "small_rural", "01", float("nan"), 200.0),
    ("004", "small_rural", "02", 8.5, 100.0),
    ("005", None, None, 4.25, 1_500.0),  # the register gives it no type or region
]
CODES = [row[0] for row in ROWS]
# The columns of a table's download (ui.downloads.EXPORT_COLUMNS keys, without importing the UI).
EXPORT_KEYS = {"municipality_code", "municipality", "municipality_type", "region", "year"}
EXPORT_KEYS |= {"value", "small_population", "rank", "ranked"}


def _catalogue() -> pd.DataFrame:
    rows = [
        ("rate", "higher_better", 1, "%"),
        ("cost", "lower_better", 0, "€"),
        ("size", "neutral", 0, "km²"),
    ]
    frame = pd.DataFrame(rows, columns=["id", "direction", "decimals", "unit"])
    for lang in ("fi", "sv", "en"):
        frame[f"name_{lang}"] = frame["id"].str.title() + f" ({lang})"
        frame[f"unit_{lang}"] = frame["unit"]
    frame["dimension"] = "economic"
    return frame.drop(columns="unit")


def _snapshot() -> Snapshot:
    municipalities = pd.DataFrame(
        {
            "municipality_code": CODES,
            "name_fi": ["Aalto", "Berg", "Cedri", "Dala", "Eno"],
            "name_sv": ["Aaltoby", None, None, None, None],
            "municipality_type": [row[1] for row in ROWS],
            "region_code": [row[2] for row in ROWS],
        }
    )
    regions = {"01": "Ykkösmaa", "02": "Kakkosmaa"}
    for lang in ("fi", "sv", "en"):
        municipalities[f"region_name_{lang}"] = municipalities["region_code"].map(regions)
    values = [
        (code, ident, year, value)
        for code, _, _, rate, cost in ROWS
        for ident, value in (("rate", rate), ("cost", cost), ("size", float(len(code))))
        for year in (YEAR - 1, YEAR)
    ]
    return Snapshot(
        manifest={"division_year": 2025, "sample": False},
        municipalities=municipalities,
        boundaries=None,  # the view draws the map from codes, not outlines
        values=pd.DataFrame(values, columns=["municipality_code", "indicator_id", "year", "value"]),
        catalogue=_catalogue(),
    )


@pytest.fixture(scope="module")
def snapshot() -> Snapshot:
    return _snapshot()


def _view(snapshot: Snapshot, lang: str = "en", **choice: object):
    choice = {"indicator_id": "rate", "year": YEAR, **choice}
    return build_overview_view(snapshot, OverviewChoice(**choice), lang)


def _column(view, column: str) -> dict[str, object]:
    return dict(zip(view.table["municipality_code"], view.table[column], strict=True))


def test_higher_better_ranks_the_largest_first_and_ties_share_the_better_rank(snapshot):
    view = _view(snapshot)
    assert view.ranks.dropna().to_dict() == {"001": 1, "002": 2, "004": 2, "005": 4}
    assert pd.isna(view.ranks["003"])
    assert view.ranked == 4


def test_lower_better_ranks_the_smallest_first(snapshot):
    view = _view(snapshot, indicator_id="cost")
    assert view.ranks.to_dict() == {"001": 4, "002": 1, "003": 3, "004": 1, "005": 5}
    assert view.ranked == 5


def test_a_missing_value_stays_missing_and_unranked(snapshot):
    view = _view(snapshot)
    assert math.isnan(_column(view, "value")["003"])
    assert _column(view, "value_text")["003"] == MISSING
    assert _column(view, "rank_text")["003"] == "No data"
    data = view.listing_data.set_index("municipality_code")
    assert math.isnan(data.at["003", "value"]) and pd.isna(data.at["003", "rank"])
    assert view.listing_data["municipality_code"].iloc[-1] == "003", "missing goes last"


def test_a_municipality_without_the_indicators_year_is_missing_not_zero(snapshot):
    view = _view(snapshot, year=YEAR - 5)
    assert view.ranked == 0 and view.table["value"].isna().all()
    assert math.isnan(view.median) and view.median_text == MISSING
    assert view.with_data_text == "0 / 5"


def test_rank_texts_and_the_table_follow_the_ranks(snapshot):
    view = _view(snapshot)
    assert _column(view, "rank_text")["002"] == "Rank 2 of 4"
    data = view.listing_data
    assert list(data["municipality_code"]) == ["001", "002", "004", "005", "003"]
    assert list(data["rank"].astype("object").fillna(0)) == [1, 2, 2, 4, 0]
    assert set(data["ranked"]) == {4} and set(data["year"]) == {YEAR}
    assert set(data.columns) <= EXPORT_KEYS


def test_the_median_is_of_the_municipalities_shown(snapshot):
    everyone = _view(snapshot)
    assert everyone.median == pytest.approx(8.5)  # of 12, 8.5, 8.5, 4.25 (no NaN)
    assert everyone.with_data_text == "4 / 5"
    cities = _view(snapshot, type_filter="large_city")
    assert cities.median == pytest.approx((12.0 + 8.5) / 2)
    assert cities.with_data_text == "2 / 2"


@pytest.mark.parametrize(
    ("filters", "kept"),
    [
        ({}, {"001", "002", "003", "004", "005"}),
        ({"type_filter": "small_rural"}, {"003", "004"}),
        ({"region_filter": "02"}, {"002", "004"}),
        ({"type_filter": "large_city", "region_filter": "01"}, {"001"}),
        ({"type_filter": "frame"}, set()),
    ],
)
def test_filters_keep_the_matching_municipalities_in_focus(snapshot, filters, kept):
    view = _view(snapshot, **filters)
    focus = _column(view, "in_focus")
    assert {code for code, yes in focus.items() if yes} == kept
    assert set(view.listing_data["municipality_code"]) == kept
    # Ranks stay national: a filter highlights, it does not re-rank.
    assert view.ranks.to_dict() == _view(snapshot).ranks.to_dict()


def test_a_municipality_without_type_or_region_is_outside_every_filter(snapshot):
    for filters in ({"type_filter": "large_city"}, {"region_filter": "01"}):
        assert not _column(_view(snapshot, **filters), "in_focus")["005"]


@pytest.mark.parametrize(
    ("lang", "value", "median", "rank"),
    [
        ("fi", "12,0 %", "8,5 %", "Sija 1/4"),
        ("sv", "12,0 %", "8,5 %", "Placering 1/4"),
        ("en", "12.0%", "8.5%", "Rank 1 of 4"),
    ],
)
def test_numbers_and_words_in_each_language(snapshot, lang, value, median, rank):
    view = _view(snapshot, lang, selected="001")
    assert _column(view, "value_text")["001"] == value
    assert view.median_text == median
    assert view.chosen.value_text == value and view.chosen.rank_text == rank
    assert list(view.listing.columns)[:3] == [
        {"fi": "Sija", "sv": "Placering", "en": "Rank"}[lang],
        {"fi": "Kunta", "sv": "Kommun", "en": "Municipality"}[lang],
        {"fi": "Arvo (%)", "sv": "Värde (%)", "en": "Value (%)"}[lang],
    ]


def test_thousands_are_grouped_in_the_readers_notation(snapshot):
    fi = _view(snapshot, "fi", indicator_id="cost")
    en = _view(snapshot, "en", indicator_id="cost")
    assert _column(fi, "value_text")["005"] == "1\u202f500 €"
    assert _column(en, "value_text")["005"] == "1,500 €"


def test_names_are_in_the_readers_language(snapshot):
    assert _column(_view(snapshot, "sv"), "name")["001"] == "Aaltoby"
    assert _column(_view(snapshot, "sv"), "name")["002"] == "Berg", "Finnish when no Swedish"
    assert _column(_view(snapshot, "fi"), "name")["001"] == "Aalto"


def test_the_given_formatter_is_the_one_used(snapshot):
    catalogue = _catalogue().assign(decimals=3)
    formatter = Formatter.from_catalogue(catalogue, "en")
    view = build_overview_view(snapshot, OverviewChoice("rate", YEAR), "en", formatter=formatter)
    assert _column(view, "value_text")["001"] == "12.000%"


def test_the_chosen_municipality_has_its_figure_and_rank(snapshot):
    chosen = _view(snapshot, selected="002").chosen
    assert (chosen.name, chosen.rank, chosen.of) == ("Berg", 2, 4)
    assert chosen.key == "overview.chosen_rank" and chosen.in_focus


def test_the_chosen_municipality_without_a_value_has_no_rank(snapshot):
    chosen = _view(snapshot, selected="003").chosen
    assert chosen.rank is None and chosen.value_text == MISSING
    assert chosen.key == "overview.chosen_missing" and chosen.rank_text == "No data"


def test_a_context_indicator_is_put_in_order_not_ranked(snapshot):
    assert _view(snapshot, indicator_id="size", selected="001").chosen.key == (
        "overview.chosen_order"
    )


def test_a_filtered_out_choice_keeps_its_figure_but_no_row(snapshot):
    view = _view(snapshot, selected="001", type_filter="small_rural")
    assert view.chosen.rank == 1 and not view.chosen.in_focus
    assert not any(view.listing_chosen)


def test_the_chosen_row_is_flagged_in_the_table(snapshot):
    view = _view(snapshot, selected="004")
    assert view.listing_chosen == [code == "004" for code in view.listing_data["municipality_code"]]


@pytest.mark.parametrize("selected", [None, "999"])
def test_no_choice_or_an_unknown_code_gives_no_chosen_figure(snapshot, selected):
    view = _view(snapshot, selected=selected)
    assert view.chosen is None and view.map["selected"] is None
    assert not any(view.listing_chosen)


def test_the_map_gets_one_colour_per_municipality_in_its_order(snapshot):
    codes = ("005", "004", "003", "002", "001")
    view = build_overview_view(
        snapshot,
        OverviewChoice("rate", YEAR, type_filter="large_city", selected="002"),
        "fi",
        map_codes=codes,
        map_geometry="app/static/map/x.json",
    )
    data = view.map
    assert len(data["fill"]) == len(codes) and data["selected"] == "002"
    assert data["geometry"] == "app/static/map/x.json" and data["lang"] == "fi"
    assert data["legend"]["missing"] == "Ei tietoa" and data["legend"]["has_muted"]
    assert data["labels"]["map"].startswith("Kartta: Rate (fi), 2024")
    assert data["file"] == "kuntadash-map-rate-2024"


def test_the_heading_and_download_name_say_what_is_shown(snapshot):
    view = _view(snapshot, "en", region_filter="02")
    assert view.title == "Rate (en), 2024"
    assert view.direction_text.startswith("Higher is better. ")
    assert view.download_parts == ("rate", YEAR, "", "Kakkosmaa")


def test_filter_labels_name_the_types_and_regions(snapshot):
    types, regions = filter_labels(snapshot, "en")
    assert types["large_city"] == "Large cities"
    assert regions == {"01": "Ykkösmaa", "02": "Kakkosmaa"}


def test_the_goal_filter_offers_the_goals_of_the_indicators_with_data():
    present = ["population", "unemployment_rate", "ghg_emissions_per_resident"]
    options = goal_options(present, "fi")
    assert list(options) == ["", "8", "13"]
    assert options["8"] == "8 Ihmisarvoista työtä ja talouskasvua"
    assert options[""] == "Kaikki tavoitteet"


@pytest.mark.parametrize(
    ("goal", "kept"),
    [
        ("", ["population", "unemployment_rate", "ghg_emissions_per_resident"]),
        ("13", ["ghg_emissions_per_resident"]),
        ("8", ["unemployment_rate"]),
        ("1", ["population", "unemployment_rate", "ghg_emissions_per_resident"]),
    ],
)
def test_the_goal_narrows_the_indicators_and_never_to_none(goal, kept):
    present = ["population", "unemployment_rate", "ghg_emissions_per_resident"]
    assert indicators_for_goal(present, goal) == kept


def _excerpt(view, **sizes: int) -> list[tuple[object, str, str, bool]]:
    return [(r.rank, r.name, r.value_text, r.chosen) for r in rank_excerpt(view, **sizes)]


def test_the_ranked_list_shows_the_ends_and_the_chosen_one_with_gaps_between(snapshot):
    view = _view(snapshot, selected="002")
    text = _column(view, "value_text")
    assert _excerpt(view, head=1, around=0, tail=1) == [
        (1, "Aalto", text["001"], False),
        (2, "Berg", text["002"], True),
        (None, "", "", False),  # Dala (rank 2 too) left out
        (4, "Eno", text["005"], False),
    ]
    assert [r.gap for r in rank_excerpt(view, head=1, around=0, tail=1)] == [0, 0, 1, 0]


def test_the_ranked_list_leaves_out_the_missing_and_needs_no_choice(snapshot):
    """A municipality without a value is not put last: it is not listed; without a chosen
    municipality the list is the two ends."""
    for selected in (None, "003"):
        rows = rank_excerpt(_view(snapshot, selected=selected), head=2, around=1, tail=1)
        assert [r.name for r in rows] == ["Aalto", "Berg", "", "Eno"]
        assert not any(r.chosen for r in rows)


def test_the_ranked_list_follows_the_filters_but_keeps_the_chosen_one(snapshot):
    view = _view(snapshot, selected="001", type_filter="small_rural")
    text = _column(view, "value_text")
    assert _excerpt(view) == [(1, "Aalto", text["001"], True), (2, "Dala", text["004"], False)]
    cost = _view(snapshot, indicator_id="cost", selected="005")  # lower is better
    assert [r.rank for r in rank_excerpt(cost)] == [1, 1, 3, 4, 5]
    assert rank_excerpt(cost)[-1].chosen
