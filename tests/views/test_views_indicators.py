"""The indicator catalogue's view model (kuntadash.views.indicators): the search, the dimension
and the goal filters, the years the snapshot holds, and each indicator's details (with the
Sustainable Development Goals it measures) in the reader's language."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from kuntadash.domain.catalogue import small_population_thresholds
from kuntadash.i18n import translate
from kuntadash.store import Snapshot
from kuntadash.views.indicators import (
    build_catalogue_view,
    dimension_options,
    goal_options,
    search_catalogue,
    year_spans,
)

SOURCES = {"statfi": {"name": {"fi": "Tilastokeskus", "sv": "Statistikcentralen", "en": "Stat"}}}


def _catalogue() -> pd.DataFrame:
    rows = [
        ("unemployment", "economic", "lower_better", "Työttömyys", "Arbetslöshet", "Jobless"),
        ("emissions", "ecological", "lower_better", "Päästöt", "Utsläpp", "Emissions"),
        ("area", "ecological", "neutral", "Pinta-ala", "Areal", "Area"),
    ]
    frame = pd.DataFrame(rows, columns=["id", "dimension", "direction", "fi", "sv", "en"])
    for lang in ("fi", "sv", "en"):
        frame[f"name_{lang}"] = frame[lang]
        frame[f"definition_{lang}"] = "Share of " + frame["en"].str.lower() + f" ({lang})"
        frame[f"interpretation_{lang}"] = [f"Read it ({lang})", None, ""]
        frame[f"unit_{lang}"] = ["%", "t", "km²"]
    frame["direction_note_en"] = [None, "A value choice.", None]
    frame["breaks"] = [
        json.dumps([{"year": 2023, "reason": {"fi": "Uudistus", "en": "A reform"}}]),
        None,
        None,
    ]
    frame["publisher"] = ["statfi", "statfi", "syke"]
    frame["table"] = ["tyokay", None, None]
    frame["code"] = ["M1", None, None]
    frame["licence"] = "CC BY 4.0"
    frame["cadence"] = "annual"
    return frame.drop(columns=["fi", "sv", "en"])


def _snapshot() -> Snapshot:
    values = pd.DataFrame(
        [
            ("001", "unemployment", 2020, 8.0),
            ("001", "unemployment", 2024, 7.0),
            ("001", "emissions", 2022, float("nan")),
            ("001", "emissions", 2023, 5.0),
        ],
        columns=["municipality_code", "indicator_id", "year", "value"],
    )
    return Snapshot(
        manifest={"division_year": 2025, "sample": False},
        municipalities=pd.DataFrame({"municipality_code": ["001"]}),
        boundaries=None,
        values=values,
        catalogue=_catalogue(),
    )


@pytest.fixture(scope="module")
def snapshot() -> Snapshot:
    return _snapshot()


@pytest.mark.parametrize(
    ("dimension", "query", "ids"),
    [
        ("", "", ["unemployment", "emissions", "area"]),
        ("ecological", "", ["emissions", "area"]),
        ("", "UTSLÄPP", ["emissions"]),  # any language, any case
        ("", "share of area", ["area"]),  # the definition too
        ("", "unemploy", ["unemployment"]),  # the id
        ("economic", "area", []),
    ],
)
def test_search_and_dimension_keep_the_matching_rows(snapshot, dimension, query, ids):
    assert list(search_catalogue(snapshot.catalogue, dimension, query)["id"]) == ids
    view = build_catalogue_view(snapshot, "en", dimension, query, sources=SOURCES)
    assert list(view.ids) == ids and len(view.listing) == len(ids) == len(view.entries)
    assert view.total == 3


def test_years_held_skip_missing_values():
    assert year_spans(_snapshot().values) == {"unemployment": "2020–2024", "emissions": "2023"}


def test_the_table_says_which_years_the_snapshot_holds(snapshot):
    view = build_catalogue_view(snapshot, "en", sources=SOURCES)
    years = view.listing["Figures for years"].tolist()
    assert years == ["2020–2024", "2023", "not in this data set yet"]


@pytest.mark.parametrize(
    ("lang", "direction", "publisher", "dimension"),
    [
        ("fi", "Pienempi on parempi", "Tilastokeskus", "Taloudellinen kestävyys"),
        ("en", "Lower is better", "Stat", "Economic sustainability"),
    ],
)
def test_entries_are_in_the_readers_language(snapshot, lang, direction, publisher, dimension):
    entry = build_catalogue_view(snapshot, lang, sources=SOURCES).entries[0]
    assert entry.direction == direction and entry.publisher == publisher
    assert entry.dimension == dimension
    assert entry.definition.endswith(f"({lang})") and entry.unit == "%"


def test_entry_details_keep_absent_fields_empty(snapshot):
    entries = {
        e.indicator_id: e for e in build_catalogue_view(snapshot, "en", sources=SOURCES).entries
    }
    assert entries["unemployment"].source == "tyokay M1"
    assert entries["unemployment"].breaks == ((2023, "A reform"),)
    assert entries["unemployment"].interpretation == "Read it (en)"
    assert entries["emissions"].interpretation == "" and entries["emissions"].source == ""
    assert entries["emissions"].direction_note == "A value choice."
    assert entries["area"].publisher == "syke", "a publisher without a name keeps its key"


def test_the_table_lists_breaks_and_source_ids(snapshot):
    listing = build_catalogue_view(snapshot, "en", sources=SOURCES).listing.set_index("Indicator")
    assert listing.at["Jobless", "Sustainability dimension"] == "Economic sustainability"
    assert listing.at["Jobless", "Direction"] == "Lower is better"
    columns = ["Series breaks", "Source table of an update"]
    assert listing.loc["Jobless", columns].tolist() == ["2023", "tyokay M1"]
    assert listing.loc["Emissions", columns].tolist() == ["", ""]


def test_the_table_names_where_the_figures_held_came_from():
    """The figures served may come from elsewhere than an update would read them: population
    is served from THL's Sotkanet (the official files) while the catalogue updates it from
    StatFin; the table says both, from the snapshot's own sources."""
    from kuntadash.store import read_snapshot
    from tests.conftest import OFFICIAL_DIR, SAMPLE_DIR

    official = read_snapshot(OFFICIAL_DIR)
    listing = build_catalogue_view(official, "en").listing.set_index("Indicator")
    served = listing.at["Population", "Figures in this data from"]
    assert "Sotkanet" in served and "127" in served, served
    assert "11ra" in listing.at["Population", "Source table of an update"]
    sample = build_catalogue_view(read_snapshot(SAMPLE_DIR), "fi").listing
    assert set(sample["Luvut tässä aineistossa"]) - {""} == {
        translate("profile.source_synthetic", "fi")
    }


def test_dimension_options_start_with_all():
    options = dimension_options("en")
    assert next(iter(options)) == "" and options[""] == "All"
    assert set(options) == {"", "economic", "social", "ecological", "technological"}


def test_download_name_says_what_was_kept(snapshot):
    view = build_catalogue_view(snapshot, "fi", "ecological", " päästö ", sources=SOURCES)
    assert view.download_parts == ("indicators", "ecological", "päästö")


def _tagged_snapshot() -> Snapshot:
    """Three of the bundled catalogue's indicators: the goal tags are read from it by id."""
    ids = ["unemployment_rate", "ghg_emissions_per_resident", "population"]
    catalogue = _catalogue().assign(id=ids)
    values = pd.DataFrame(
        [("001", "unemployment_rate", 2024, 7.0)],
        columns=["municipality_code", "indicator_id", "year", "value"],
    )
    return Snapshot(
        manifest={"division_year": 2025, "sample": False},
        municipalities=pd.DataFrame({"municipality_code": ["001"]}),
        boundaries=None,
        values=values,
        catalogue=catalogue,
    )


@pytest.mark.parametrize(
    ("lang", "label"),
    [
        ("fi", "8 Ihmisarvoista työtä ja talouskasvua"),
        ("sv", "8 Anständiga arbetsvillkor och ekonomisk tillväxt"),
        ("en", "8 Decent work and economic growth"),
    ],
)
def test_goal_options_are_the_goals_of_the_indicators_by_number_and_name(lang, label):
    options = goal_options(["population", "unemployment_rate", "ghg_emissions_per_resident"], lang)
    assert list(options) == ["", "8", "13"]
    assert options["8"] == label
    assert goal_options(["population"], lang) == {"": options[""]}


@pytest.mark.parametrize(
    ("goal", "ids"),
    [
        ("", ["unemployment_rate", "ghg_emissions_per_resident", "population"]),
        ("8", ["unemployment_rate"]),
        ("13", ["ghg_emissions_per_resident"]),
        ("1", []),
    ],
)
def test_the_goal_keeps_the_indicators_that_measure_it(goal, ids):
    view = build_catalogue_view(_tagged_snapshot(), "en", goal=goal, sources=SOURCES)
    assert list(view.ids) == ids and view.goal == goal
    assert ("sdg-" + goal in view.download_parts) is bool(goal)


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_entries_show_goals_targets_and_the_mappings_source(lang):
    view = build_catalogue_view(_tagged_snapshot(), lang, sources=SOURCES)
    entries = {entry.indicator_id: entry for entry in view.entries}
    jobless = entries["unemployment_rate"]
    assert jobless.goals == (goal_options(["unemployment_rate"], lang)["8"],)
    assert jobless.targets == ("8.5",) and "8.5.2" in jobless.sdg_source
    population = entries["population"]
    assert population.goals == () and population.targets == () and population.sdg_source == ""
    names = {"fi": "YK:n globaali", "sv": "FN:s globala", "en": "UN global"}
    assert jobless.sdg_source.startswith(names[lang])


def test_the_table_lists_goals_and_targets():
    view = build_catalogue_view(_tagged_snapshot(), "en", sources=SOURCES)
    listing = view.listing.set_index("Indicator")
    columns = ["Agenda 2030 goals", "Targets"]
    assert listing.loc["Jobless", columns].tolist() == ["8 Decent work and economic growth", "8.5"]
    assert listing.loc["Area", columns].tolist() == ["", ""]


@pytest.mark.parametrize(
    ("lang", "heading"),
    [
        ("fi", "Pienen väestön raja"),
        ("sv", "Gräns för liten befolkning"),
        ("en", "Small-population limit"),
    ],
)
def test_the_table_gives_each_indicators_small_population_limit(lang, heading):
    """The catalogue's threshold beside the direction, a whole number; empty for an indicator
    without one (the population itself), and the rule under the table names the column."""
    view = build_catalogue_view(_tagged_snapshot(), lang, sources=SOURCES)
    limits = view.listing[heading]
    assert limits.dtype == "Int64"
    assert limits.iloc[0] == small_population_thresholds()["unemployment_rate"]
    assert pd.isna(limits.iloc[2])  # the population
    assert heading in view.small_rule[1]
    columns = list(view.listing.columns)
    assert columns.index(heading) == columns.index(translate("catalogue.direction", lang)) + 2
