"""The event mode's view model (kuntadash.views.event): the slides of a tiny hand-made snapshot,
a map slide's figures, ranks and top three for either direction and for a context indicator,
and the profile slide taken from the sample's ProfileView."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from kuntadash.domain.groups import DEFAULT_KIND
from kuntadash.i18n import translate
from kuntadash.store import Snapshot
from kuntadash.views.event import (
    Placing,
    Slide,
    build_event_view,
    slide_group_kind,
)
from kuntadash.views.profile import build_profile_view

CODES = ["101", "102", "103", "104", "105"]


def _snapshot() -> Snapshot:
    """jobs (higher better): 2023 for four of five, 2024 for one only; density (context, no
    unit) and waste (lower better) for everyone in 2024."""
    catalogue = pd.DataFrame(
        [
            ("jobs", "economic", "higher_better", 1, "%"),
            ("density", "social", "neutral", 1, ""),
            ("waste", "ecological", "lower_better", 0, "kg"),
        ],
        columns=["id", "dimension", "direction", "decimals", "unit_en"],
    )
    for lang in ("fi", "sv", "en"):
        catalogue[f"name_{lang}"] = catalogue["id"].str.title()
        catalogue[f"unit_{lang}"] = catalogue["unit_en"]
    rows = [(c, "jobs", 2023, v) for c, v in zip(CODES, [60, 70, 50, None, 65], strict=True)]
    rows += [(c, "jobs", 2024, 99.0 if c == "101" else None) for c in CODES]
    rows += [(c, "density", 2024, v) for c, v in zip(CODES, [10, 30, 20, 40, 5], strict=True)]
    rows += [(c, "waste", 2024, v) for c, v in zip(CODES, [300, 200, 400, 250, 350], strict=True)]
    values = pd.DataFrame(rows, columns=["municipality_code", "indicator_id", "year", "value"])
    values = values.astype({"value": float})  # a missing value stays, as NaN
    municipalities = pd.DataFrame({"municipality_code": CODES})
    municipalities["name_fi"] = [f"Kunta {c}" for c in CODES]
    municipalities["name_sv"] = [f"Kommun {c}" for c in CODES]
    return Snapshot(
        manifest={"division_year": 2025, "sample": False},
        municipalities=municipalities,
        boundaries=None,  # a slide's view holds no geometry
        values=values,
        catalogue=catalogue,
    )


@pytest.fixture(scope="module")
def tiny() -> Snapshot:
    return _snapshot()


def _en(key: str, **values: object) -> str:
    return translate(key, "en", **values)


def test_one_map_per_dimension_with_data_then_the_profile(tiny):
    calls = []
    view = build_event_view(tiny, "101", "en", 1, profile=calls.append)
    assert view.slides == (
        Slide("map", "economic", "jobs"),
        Slide("map", "social", "density"),
        Slide("map", "ecological", "waste"),
        Slide("profile"),
    )
    assert view.slide == view.slides[0]
    assert view.step == "View 1 of 4"
    assert view.map is not None and view.profile is None
    assert calls == [], "a map slide never builds the profile"


def test_a_directional_map_ranks_the_year_half_the_municipalities_report(tiny):
    slide = build_event_view(tiny, "101", "en", 1).map
    assert slide.year == 2023  # 2024 has one municipality of five
    assert (slide.title, slide.indicator_name, slide.unit) == (
        _en("dimension.economic"),
        "Jobs",
        "%",
    )
    assert slide.table["municipality_code"].tolist() == CODES
    ranks = dict(zip(slide.table["municipality_code"], slide.table["rank_text"], strict=True))
    assert ranks["102"] == _en("common.rank_text", rank=1, of=4)
    assert ranks["104"] == _en("common.no_data")
    assert slide.position == _en("common.rank_text", rank=3, of=4)
    assert (slide.chosen_name, slide.chosen_value) == ("Kunta 101", "60.0%")
    assert slide.median_text == "62.5%"
    assert slide.top == (
        Placing(1, "Kunta 102", "70.0%"),
        Placing(2, "Kunta 105", "65.0%"),
        Placing(3, "Kunta 101", "60.0%"),
    )
    assert (slide.default_dimension, slide.default_indicator) == ("economic", "jobs")


def test_the_table_alternative_is_best_first_with_the_chosen_row_flagged(tiny):
    slide = build_event_view(tiny, "101", "en", 1).map
    figures = slide.figures
    assert list(figures.columns) == ["Rank", "Municipality", "Value (%)"]
    order = ["102", "105", "101", "103", "104"]  # the one without a value last
    assert figures["Municipality"].tolist() == [f"Kunta {c}" for c in order]
    assert figures["Rank"].tolist()[:4] == [1, 2, 3, 4]
    assert slide.chosen_rows == (False, False, True, False, False)
    assert slide.figures_alt == _en("event.table_alt", indicator="Jobs", year=2023)


def test_lower_is_better_puts_the_smallest_value_first(tiny):
    slide = build_event_view(tiny, "103", "en", 3).map
    assert [p.name for p in slide.top] == ["Kunta 102", "Kunta 104", "Kunta 101"]
    assert slide.position == _en("common.rank_text", rank=5, of=5)
    assert slide.direction_text == _en("direction.lower_better")


def test_a_context_indicator_has_no_ranks_and_no_top_three(tiny):
    slide = build_event_view(tiny, "101", "en", 2).map
    assert slide.neutral
    assert set(slide.table["rank_text"]) == {""}
    assert slide.top == ()
    assert slide.position == _en("event.context_note")
    # in order of its values, largest first; no unit, so none in the heading
    assert list(slide.figures.columns) == ["Municipality", "Value"]
    assert slide.figures["Municipality"].tolist() == [
        "Kunta 104",
        "Kunta 102",
        "Kunta 103",
        "Kunta 101",
        "Kunta 105",
    ]


def test_a_municipality_without_a_value_reads_no_data(tiny):
    slide = build_event_view(tiny, "104", "en", 1).map
    assert slide.chosen_value == "–"
    assert slide.position == _en("common.no_data")
    assert slide.chosen_rows[-1], "its row comes last"


def test_swedish_names_on_a_swedish_slide(tiny):
    slide = build_event_view(tiny, "101", "sv", 1).map
    assert slide.chosen_name == "Kommun 101"
    assert build_event_view(tiny, "101", "sv", 1).step == "Vy 1/4"


@pytest.mark.parametrize(
    ("chosen", "used"),
    [
        (None, DEFAULT_KIND),
        ("similar", DEFAULT_KIND),
        ("nonsense", DEFAULT_KIND),
        ("region", "region"),
    ],
)
def test_the_profile_slide_compares_with_a_group_its_link_can_carry(chosen, used):
    assert slide_group_kind(chosen) == used


@pytest.fixture(scope="module")
def espoo(sample_snapshot):
    return build_profile_view(sample_snapshot, "049", "en")


def _profile_slide(snapshot, view, group_kind=None):
    kinds = []

    def profile(kind):
        kinds.append(kind)
        return view

    last = len(build_event_view(snapshot, "049", "en", 1).slides)
    event = build_event_view(snapshot, "049", "en", last, group_kind=group_kind, profile=profile)
    assert event.map is None
    return event.profile, kinds


def test_the_profile_slide_is_the_profile_views_summary(sample_snapshot, espoo):
    slide, kinds = _profile_slide(sample_snapshot, espoo, "similar")
    assert kinds == [DEFAULT_KIND]
    facts = {fact.label: fact.value for fact in espoo.facts}
    assert slide.name == "Espoo"
    assert slide.population == facts[_en("common.population")]
    assert slide.region == "Uusimaa"
    assert (slide.group_label, slide.group_size) == (espoo.group.label, len(espoo.group.members))
    assert [label for label, _ in slide.cards] == [
        _en(f"brief.dim_short.{d}") for d in espoo.score_frame["dimension"]
    ]
    assert all(text.endswith("/100") for _, text in slide.cards)
    assert list(slide.scores_table.columns) == [_en("common.dimension"), "Espoo"]
    assert slide.scores_table["Espoo"].tolist() == [text for _, text in slide.cards]


def test_the_strongest_are_the_three_best_placed_directional_indicators(sample_snapshot, espoo):
    slide, _ = _profile_slide(sample_snapshot, espoo)
    directions = sample_snapshot.catalogue.set_index("id")["direction"]
    names = {espoo.formatter.name(i): i for i in directions.index}
    assert len(slide.strongest) == 3
    assert all(directions[names[s.name]] != "neutral" for s in slide.strongest)
    percentiles = [s.percentile for s in slide.strongest]
    assert percentiles == sorted(percentiles, reverse=True)
    assert percentiles[-1] >= espoo.profile["percentile"].dropna().nlargest(3).min().round()


def test_the_strongest_are_named_even_below_the_groups_middle(sample_snapshot, espoo):
    """Unlike the profile page's strengths, the slide names the best three wherever they stand."""
    profile = espoo.profile.copy()
    ranked = profile["percentile"].notna()
    profile.loc[ranked, "percentile"] = [40.0 - i for i in range(int(ranked.sum()))]
    slide, _ = _profile_slide(sample_snapshot, dataclasses.replace(espoo, profile=profile))
    assert [s.percentile for s in slide.strongest] == [40, 39, 38]


def test_without_any_values_the_show_is_the_profile_alone(tiny):
    empty = dataclasses.replace(tiny, values=tiny.values.iloc[:0])
    view = build_event_view(empty, "101", "en", 1)
    assert view.slides == (Slide("profile"),)
    assert view.map is None and view.profile is None  # no profile to draw it from
