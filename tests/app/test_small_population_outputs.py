"""Figures resting on a small population, in every output: marked where shown, explained where
marked, never in a top or bottom list, and a true/false column in downloads. Run on the bundled
sample and on the default official snapshot, for the smallest municipality of each. That every
page's tables mark such figures and explain the mark is a property over every page in
tests/app/test_output_properties.py."""

from __future__ import annotations

import pandas as pd
import pytest

from kuntadash.charts.series import build_bar_figure
from kuntadash.domain.catalogue import small_population_thresholds
from kuntadash.domain.groups import describe_group
from kuntadash.domain.population import population_history, population_in
from kuntadash.domain.small_numbers import SMALL_POPULATION
from kuntadash.i18n import translate
from kuntadash.store import Snapshot, read_snapshot
from kuntadash.views.compare import build_compare_view
from kuntadash.views.event import build_event_view
from kuntadash.views.exports import export_table
from kuntadash.views.groups import build_groups_view
from kuntadash.views.overview import OverviewChoice, build_overview_view
from kuntadash.views.profile import build_profile_view, municipality_names
from kuntadash.views.profile.model import CHANGE_PERIOD
from tests.conftest import OFFICIAL_DIR, SAMPLE_DIR

SNAPSHOTS = {"sample": SAMPLE_DIR, "official": OFFICIAL_DIR}


@pytest.fixture(scope="module", params=sorted(SNAPSHOTS))
def snapshot(request) -> Snapshot:
    return read_snapshot(SNAPSHOTS[request.param])


def _smallest(snapshot: Snapshot) -> str:
    """The snapshot's municipality with the fewest residents (found, not named)."""
    codes = pd.Index(snapshot.municipalities["municipality_code"])
    population = population_in(population_history(snapshot.values), codes).values
    smallest = population.idxmin()
    assert population[smallest] < min(small_population_thresholds().values())
    return str(smallest)


def _marked_indicator(snapshot: Snapshot, code: str) -> str:
    """A catalogue indicator with a threshold that ``code`` has a figure of."""
    present = snapshot.values.dropna(subset=["value"])
    held = set(present.loc[present["municipality_code"] == code, "indicator_id"])
    return next(i for i in small_population_thresholds() if i in held)


def test_the_event_slides_best_three_never_rest_on_a_small_population(snapshot):
    code = _smallest(snapshot)
    mark = translate("small.mark", "fi")
    number = 1
    while True:
        view = build_event_view(snapshot, code, "fi", number)
        if view.map is None:
            break
        assert all(mark not in place.value_text for place in view.map.top)
        if view.map.chosen_value != "–" and view.map.indicator_id in small_population_thresholds():
            assert view.map.chosen_value.endswith(mark) and view.map.small_note
        number += 1
    assert number > 1, "the show has map slides"


def test_the_profile_marks_its_figures_and_names_none_as_a_strength(snapshot):
    code = _smallest(snapshot)
    view = build_profile_view(snapshot, code, "fi")
    flagged = set(view.profile.loc[view.profile[SMALL_POPULATION], "indicator_id"])
    assert flagged, "the smallest municipality has figures resting on a small population"
    named = {h.indicator_id for h in [*view.strengths, *view.weaknesses]}
    assert not named & flagged
    assert view.small_note
    mark = translate("small.mark", "fi")
    for table in view.indicator_tables:
        values = table.frame.iloc[:, 1]
        for ident, text in zip(table.ids, values, strict=True):
            assert text.endswith(mark) == (ident in flagged), (ident, text)


def test_the_profiles_largest_changes_leave_out_changes_resting_on_a_small_population(snapshot):
    """The same rule as the strengths: a change whose later figure rests on a small population
    (the municipality's population in its end year under the indicator's threshold) is not
    listed, and the note under the lists says the largest changes were left short of it."""
    code = _smallest(snapshot)
    view = build_profile_view(snapshot, code, "fi")
    thresholds = small_population_thresholds()
    history = population_history(snapshot.values)
    moved = view.trends[
        (view.trends["period"] == CHANGE_PERIOD)
        & view.trends["verdict"].isin(("better", "worse", "up", "down"))
    ]
    small = {
        row.indicator_id
        for row in moved.itertuples()
        if row.indicator_id in thresholds
        and population_in(history, pd.Index([code]), int(row.end_year)).values[code]
        < thresholds[row.indicator_id]
    }
    assert small, "the smallest municipality has changes resting on a small population"
    assert not {c.indicator_id for c in view.changes} & small
    threshold = translate("small.left_out_lists", "fi", threshold="X").split("X")[-1]
    assert view.highlights_note.endswith(threshold)
    if not view.changes:
        assert view.changes_note == translate("profile.changes_all_small", "fi")


def _largest(snapshot: Snapshot) -> str:
    codes = pd.Index(snapshot.municipalities["municipality_code"])
    return str(population_in(population_history(snapshot.values), codes).values.idxmax())


def test_the_compare_page_marks_bars_table_and_changes_of_a_small_population(snapshot):
    code, large = _smallest(snapshot), _largest(snapshot)
    ident = _marked_indicator(snapshot, code)
    held = snapshot.values[(snapshot.values["indicator_id"] == ident)].dropna(subset=["value"])
    year = int(held.loc[held["municipality_code"] == code, "year"].max())
    group = describe_group(snapshot.municipalities, code, "municipality_type", "fi")
    view = build_compare_view(snapshot, code, [code, large], ident, year, group, "fi")
    mark = translate("small.mark", "fi")
    names = municipality_names(snapshot, "fi")
    bars = view.bars.set_index("name")
    assert bars.at[names[code], "mark"] == mark and bars.at[names[large], "mark"] == ""
    figure = build_bar_figure(view.bars, unit="%", lang="fi", decimals=1)
    labels = dict(zip(figure.data[0].y, figure.data[0].text, strict=True))
    assert labels[names[code]].endswith(mark) and not labels[names[large]].endswith(mark)
    assert mark in figure.data[0].customdata[list(figure.data[0].y).index(names[code])]
    table = view.table.set_index(translate("common.municipality", "fi"))
    assert table.at[names[code], translate("small.column", "fi")] == mark
    assert table.at[names[large], translate("small.column", "fi")] == ""
    data = view.table_data.set_index(translate("common.municipality", "fi"))
    assert data[translate("share.col.small_population", "fi")].to_dict() == {
        names[code]: True,
        names[large]: False,
    }
    changes = view.changes.set_index(translate("common.municipality", "fi"))
    assert not any(text.endswith(mark) for text in changes.loc[names[large]])
    assert all(text.endswith(mark) for text in changes.loc[names[code]] if text != "–")
    assert view.small_note.startswith(mark)


def test_the_groups_page_marks_the_members_of_a_small_population(snapshot):
    code = _smallest(snapshot)
    ident = _marked_indicator(snapshot, code)
    held = snapshot.values[(snapshot.values["indicator_id"] == ident)].dropna(subset=["value"])
    year = int(held.loc[held["municipality_code"] == code, "year"].max())
    view = build_groups_view(snapshot, code, ident, year, "region", "median", "fi")
    mark = translate("small.mark", "fi")
    members = view.members.set_index(translate("common.municipality", "fi"))
    column = members[translate("small.column", "fi")]
    assert column[view.name] == mark and view.value_text.endswith(mark)
    history = population_history(snapshot.values)
    names = municipality_names(snapshot, "fi")
    population = population_in(history, pd.Index(names.keys()), year).values
    limit = small_population_thresholds()[ident]
    values = snapshot.values[
        (snapshot.values["indicator_id"] == ident) & (snapshot.values["year"] == year)
    ].set_index("municipality_code")["value"]
    for municipality, name in names.items():
        if name in column.index:
            small = population.get(municipality, limit) < limit and pd.notna(
                values.get(municipality)
            )
            assert (column[name] == mark) == small, name
    assert view.small_note.startswith(mark)


def test_the_overview_marks_the_map_the_table_and_the_download(snapshot):
    code = _smallest(snapshot)
    ident = _marked_indicator(snapshot, code)
    values = snapshot.values
    held = (values["indicator_id"] == ident) & values["value"].notna()
    year = int(values.loc[held, "year"].max())
    view = build_overview_view(snapshot, OverviewChoice(ident, year, selected=code), "fi")
    row = view.table.set_index("municipality_code").loc[code]
    if pd.isna(row["value"]):
        pytest.skip("no figure of the smallest municipality in the latest year")
    mark = translate("small.mark", "fi")
    assert row["value_text"].endswith(mark) and mark in row["rank_text"]
    assert view.small_note and view.chosen.value_text.endswith(mark)
    # The map's hover: the row's position among the map's codes, the mark and line said once.
    map_codes = sorted(snapshot.municipalities["municipality_code"])
    assert map_codes.index(code) in view.map["small"]
    assert view.map["labels"]["small_mark"] == mark
    assert view.map["labels"]["small_hover"].startswith(mark)
    exported = export_table(view.listing_data, snapshot, "fi", [ident])
    flags = exported[translate("share.col.small_population", "fi")]
    assert flags.dtype == bool
    codes = exported[translate("share.col.municipality_code", "fi")]
    assert bool(flags[codes == code].iloc[0])
    # The value stays the official figure, a number.
    assert exported[translate("share.col.value", "fi")].dtype == "float64"
