"""The profile's view model (kuntadash.views.profile): sentences, numbers and what counts as a
strength, on tiny hand-made frames, on the synthetic sample and on the sparse official data."""

from __future__ import annotations

import dataclasses
import re

import numpy as np
import pandas as pd
import pytest

from kuntadash.domain.groups import GROUP_KINDS
from kuntadash.i18n import translate
from kuntadash.store import Snapshot, read_snapshot
from kuntadash.views.profile import (
    HIGHLIGHTS,
    ProfileView,
    build_profile_view,
    default_group,
)
from tests.conftest import OFFICIAL_DIR

CODES = ["001", "002", "003", "004", "005"]
YEARS = list(range(2015, 2021))
_LEAK = re.compile(r"(?<![\w])(?:nan|NaN|None|NaT)(?![\w])|<NA>")


def _catalogue() -> pd.DataFrame:
    rows = [
        # id, dimension, direction, decimals, unit
        ("e_good", "economic", "higher_better", 1, "%"),
        ("e_bad", "economic", "lower_better", 0, "€"),
        ("e_ctx", "economic", "neutral", 1, "%"),
        ("s_good", "social", "higher_better", 1, "%"),
        ("population", "social", "neutral", 0, "asukasta"),
        ("g_ctx", "ecological", "neutral", 1, "%"),
        ("t_none", "technological", "higher_better", 1, "%"),
    ]
    frame = pd.DataFrame(rows, columns=["id", "dimension", "direction", "decimals", "unit"])
    for lang in ("fi", "sv", "en"):
        frame[f"name_{lang}"] = frame["id"].str.upper() + f" ({lang})"
        frame[f"unit_{lang}"] = frame["unit"]
    frame["publisher"] = "statistics_finland"
    frame["licence"] = "CC BY 4.0"
    return frame.drop(columns="unit")


def _values() -> pd.DataFrame:
    """001 is best in e_good and worst in e_bad; its e_good rose 5 points over 2015–2020 while
    the others rose 1; e_ctx (context) is highest for 001 and rises fastest of all."""
    rows = []
    for i, code in enumerate(CODES):
        for year in YEARS:
            step = year - 2015
            mine = code == "001"
            rows += [
                (
                    code,
                    "e_good",
                    year,
                    (20.0 if mine else 10.0 + i) + step * (1.0 if mine else 0.2),
                ),
                (code, "e_bad", year, (900.0 if mine else 500.0 + 10 * i)),
                (code, "e_ctx", year, (80.0 + 10 * step) if mine else 40.0 + i),
                (code, "s_good", year, 50.0 + i),
                (code, "population", year, 1000.0 * (i + 1) + 10 * step),
            ]
        rows.append((code, "g_ctx", 2020, 30.0 + i))
    return pd.DataFrame(rows, columns=["municipality_code", "indicator_id", "year", "value"])


def _municipalities(uncertain: bool = False) -> pd.DataFrame:
    frame = pd.DataFrame({"municipality_code": CODES})
    for lang in ("fi", "sv", "en"):
        frame[f"name_{lang}"] = [f"Kunta {c}" for c in CODES]
        frame[f"region_name_{lang}"] = "Maakunta"
        frame[f"subregion_name_{lang}"] = "Seutu"
        frame[f"wellbeing_county_name_{lang}"] = "Hyvinvointialue"
    frame["region_code"] = "01"
    frame["subregion_code"] = "011"
    frame["wellbeing_county_code"] = "01"
    frame["municipality_type"] = "small_rural"
    frame["municipality_type_uncertain"] = uncertain
    frame["urban_rural_group"] = 3
    frame["language_status"] = "fi"
    frame["land_area_km2"] = 100.0
    return frame


def _tiny(uncertain: bool = False) -> Snapshot:
    return Snapshot(
        manifest={"division_year": 2025, "sample": False, "created": "2026-01-02T00:00:00Z"},
        municipalities=_municipalities(uncertain),
        boundaries=None,  # the view draws no map
        values=_values(),
        catalogue=_catalogue(),
    )


def texts(view: ProfileView) -> list[str]:
    """Every text the view hands to a page or the brief (frames' cells included)."""
    found: list[str] = []

    def walk(value: object) -> None:
        if isinstance(value, str):
            found.append(value)
        elif isinstance(value, pd.DataFrame):
            found.extend(str(c) for c in value.columns)
            found.extend(str(c) for c in value.astype(str).to_numpy().ravel())
        elif dataclasses.is_dataclass(value) and not isinstance(value, type):
            names = [item.name for item in dataclasses.fields(value)]
            for name in [*names, *getattr(value, "LATER", ())]:  # and the parts built later
                if name not in ("profile", "trends", "scores", "score_frame", "_wide", "_later"):
                    walk(getattr(value, name))
        elif isinstance(value, list | tuple):
            for item in value:
                walk(item)
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)

    walk(view)
    return found


@pytest.fixture(scope="module")
def tiny_view() -> ProfileView:
    return build_profile_view(_tiny(uncertain=True), "001", "fi")


def test_each_dimension_says_where_it_stands_or_why_it_cannot(tiny_view):
    by_dimension = {d.dimension: d for d in tiny_view.dimensions}
    economic = by_dimension["economic"]
    assert economic.status == "scored"
    # First in one indicator, last in the other: 50, like everyone else here, so all share rank 1.
    assert economic.score_text == "50 / 100"
    assert economic.reading == "Sija 1/5 – ryhmän keskikohdassa."
    assert by_dimension["social"].reading.startswith("Sija 5/5")
    assert by_dimension["ecological"].status == "context_only"
    assert "G_CTX (fi)" in by_dimension["ecological"].reading
    technological = by_dimension["technological"]
    assert technological.status == "missing"
    assert technological.score_text == translate("profile.no_data_yet", "fi")
    # what is missing, and what an update brings from whom (the dimension's publishers)
    assert technological.reading == translate("profile.reading_missing", "fi")
    assert "T_NONE (fi) (Tilastokeskus)" in technological.arriving
    assert technological.reading_in_full.startswith(technological.reading)
    assert technological.reading_in_full.endswith(technological.arriving)
    assert technological.trend_text == ""


def test_strengths_and_weak_spots_carry_their_numbers_and_never_context(tiny_view):
    assert [h.indicator_id for h in tiny_view.strengths] == ["e_good"]
    assert sorted(h.indicator_id for h in tiny_view.weaknesses) == ["e_bad", "s_good"]
    strength = tiny_view.strengths[0]
    assert strength.text == "25,0 % (2020); ryhmän mediaani 14,0 %; sija 1/5."
    assert all(h.indicator_id not in ("e_ctx", "population", "g_ctx") for h in tiny_view.weaknesses)


def test_only_indicators_with_a_direction_change_for_better_or_worse(tiny_view):
    verdicts = {c.indicator_id: c.verdict for c in tiny_view.changes}
    # e_ctx moved most (10 a year) but is context: it rose, no better or worse about it.
    assert verdicts["e_ctx"] == "up"
    assert verdicts["e_good"] == "better"
    context = next(c for c in tiny_view.changes if c.indicator_id == "e_ctx")
    assert context.text == "80,0 → 130,0 % (2015–2020), kasvoi."
    assert len(tiny_view.changes) <= HIGHLIGHTS
    economic = tiny_view.dimensions[0]
    assert economic.trend == "better" and economic.trend_label == "5 v: pääosin parempaan"
    assert economic.trend_text == (
        "Vuosina 2015–2020 indikaattoreista 1 kehittyi parempaan, 0 huonompaan ja 1 pysyi "
        "ennallaan."
    )


def test_facts_name_the_population_year_and_explain_an_uncertain_type(tiny_view):
    facts = {f.label: f.value for f in tiny_view.facts}
    assert facts["Asukasluku"] == "1\u202f050 (31.12.2020)"
    assert facts["Seutukunta"] == "Seutu"
    assert "epävarma" in facts["Kuntatyyppi"]
    assert tiny_view.type_note.startswith("Kuntatyyppi (Pienet ja harvaan asutut kunnat)")
    certain = build_profile_view(_tiny(uncertain=False), "001", "fi")
    assert certain.type_note == ""


def test_no_text_of_the_view_shows_a_missing_value_as_nan(tiny_view):
    values = _values()
    values.loc[values["municipality_code"] == "001", "value"] = np.nan
    gappy = dataclasses.replace(_tiny(), values=values)
    for view in (tiny_view, build_profile_view(gappy, "001", "en")):
        leaks = [text for text in texts(view) if _LEAK.search(text)]
        assert not leaks, leaks[:5]


def test_without_any_history_the_changes_say_why(tiny_view):
    values = _values()
    single = dataclasses.replace(_tiny(), values=values[values["year"] == 2020])
    view = build_profile_view(single, "001", "sv")
    assert view.changes == []
    assert view.changes_note == translate("profile.changes_none", "sv", years=5)
    assert view.dimensions[0].trend == "unknown"
    assert view.dimensions[0].trend_text == translate("profile.trend_unknown", "sv", years=5)


def test_when_only_context_figures_have_a_history_the_trend_lines_say_why():
    # The population (a context figure) goes back five years, the figures with a better
    # direction do not: no count of better and worse ones ("0 better, 0 worse"), but the reason,
    # and never "cannot be computed" beside a table that shows the population's change.
    values = _values()
    directed = values["indicator_id"].isin(["e_good", "e_bad", "s_good"])
    only_context = dataclasses.replace(_tiny(), values=values[~directed | (values["year"] == 2020)])
    view = build_profile_view(only_context, "001", "en")
    assert view.trends.loc[view.trends["indicator_id"] == "population", "change"].notna().any()
    labels = ["1 year", "5 years", "10 years"]
    assert view.trend_lines == [
        translate("profile.trend_context_only", "en", period=labels[0]),
        translate("profile.trend_context_only", "en", period=labels[1]),
        translate("profile.trend_unavailable", "en", period=labels[2]),  # no population change
    ]
    with_history = build_profile_view(_tiny(), "001", "en")
    assert with_history.trend_lines[1].startswith("5 years: 1 indicator got better")


# --- on the sample and the official data ------------------------------------------------------


@pytest.mark.parametrize(("code", "lang"), [("091", "fi"), ("837", "sv"), ("312", "en")])
def test_sample_view_in_sentences(sample_snapshot, code, lang):
    view = build_profile_view(sample_snapshot, code, lang)
    assert not [text for text in texts(view) if _LEAK.search(text)]
    assert [d.dimension for d in view.dimensions] == [
        "economic",
        "social",
        "ecological",
        "technological",
    ]
    directions = sample_snapshot.catalogue.set_index("id")["direction"]
    for items, above in ((view.strengths, True), (view.weaknesses, False)):
        assert 1 <= len(items) <= HIGHLIGHTS
        for item in items:
            assert directions[item.indicator_id] != "neutral"
            assert (item.percentile > 50) if above else (item.percentile < 50)
    for change in view.changes:
        neutral = directions[change.indicator_id] == "neutral"
        assert change.verdict in (("up", "down") if neutral else ("better", "worse"))
    assert len(view.ranks) == len(GROUP_KINDS) and len(view.indicator_tables) == 4
    assert len(view.peers) == 10 and all(p.reasons for p in view.peers)


def test_sample_view_agrees_with_the_domain(sample_snapshot):
    from kuntadash.domain.scores import score_dimensions
    from kuntadash.domain.stats import reference_table
    from kuntadash.views.profile import reference_years, wide_values

    view = build_profile_view(sample_snapshot, "091", "en")
    group = default_group(sample_snapshot, "091", "en")
    reference = reference_table(wide_values(sample_snapshot), reference_years(sample_snapshot))
    expected = score_dimensions(reference, sample_snapshot.catalogue, group.members)
    summary = expected.for_municipality("091").set_index("dimension")
    for dimension in view.dimensions:
        assert dimension.score == pytest.approx(summary.at[dimension.dimension, "score"])
        assert dimension.rank.rank == summary.at[dimension.dimension, "rank"]


def test_official_view_reads_well_with_sparse_dimensions():
    official = read_snapshot(OFFICIAL_DIR)
    view = build_profile_view(official, "837", "fi")
    status = {d.dimension: d.status for d in view.dimensions}
    assert status == {
        "economic": "scored",
        "social": "low_coverage",
        "ecological": "context_only",
        "technological": "missing",
    }
    assert not [text for text in texts(view) if _LEAK.search(text)]
    # The series of the default snapshot (job seekers 2006–2020, education level 2008–2017,
    # population change 2001–2022) give the scored dimensions a five-year direction.
    trends = {d.dimension: d.trend for d in view.dimensions}
    assert trends["economic"] != "unknown" and trends["social"] != "unknown"
    assert trends["ecological"] == trends["technological"] == "unknown"
    changed = {c.indicator_id for c in view.changes}
    assert "population" in changed and changed & {
        "unemployed_jobseekers_share",
        "education_level_measure",
        "population_change",
    }
    assert view.strengths and view.weaknesses
    technological = next(d for d in view.dimensions if d.dimension == "technological")
    assert "Traficom" in technological.arriving  # who brings the missing figures
    # A dimension without a score says whose figures would give it one, naming only what the
    # snapshot lacks: SYKE's emissions for the ecological, THL's figures for the social one.
    readings = {d.dimension: d.arriving for d in view.dimensions}
    assert "Syke" in readings["ecological"] and "THL" in readings["social"]
    official = read_snapshot(OFFICIAL_DIR)
    held = set(official.values["indicator_id"])
    names = set(official.catalogue.loc[official.catalogue["id"].isin(held), "name_en"])
    for reading in readings.values():
        brought = reading.partition("brings:")[2]
        assert not [n for n in names if n in brought], brought


@pytest.mark.parametrize("code", ["091", "297"])
def test_official_profile_shows_real_change(code):
    """Helsinki and Kuopio on the default snapshot: five- and ten-year changes where the series
    reach back, trend lines that count them, charts with at least three years, and no leaked
    NaN anywhere."""
    view = build_profile_view(read_snapshot(OFFICIAL_DIR), code, "en")
    assert not [text for text in texts(view) if _LEAK.search(text)]
    for period in (5, 10):
        rows = view.trends[view.trends["period"] == period].set_index("indicator_id")
        for ident in ("unemployed_jobseekers_share", "population_change", "population"):
            assert rows.at[ident, "verdict"] != "missing", (period, ident)
            assert np.isfinite(rows.at[ident, "change"])
    five = view.trends[view.trends["period"] == 5].set_index("indicator_id")
    assert five.at["education_level_measure", "verdict"] in ("better", "worse", "unchanged")
    assert len(view.trend_lines) == 3
    assert all("0 indicators got better, 0 worse" not in line for line in view.trend_lines)
    table, verdicts, _versus = view.trend_table(5)
    assert len(table) and {"better", "worse"} & set(verdicts)
    assert len(view.chart_ids()) >= 3
    series = view.trend_series("unemployed_jobseekers_share")
    own = series[series["series"] == view.name].dropna(subset=["value"])
    assert (own["year"].min(), own["year"].max(), len(own)) == (2006, 2020, 15)


def test_with_the_whole_country_as_the_group_its_median_is_one_line(sample_snapshot):
    """The group median and the national median are then the same line: drawn once, so the
    chart's table can be built (it failed with duplicate entries)."""
    from kuntadash.domain.groups import describe_group

    group = describe_group(sample_snapshot.municipalities, "091", "country", "fi")
    view = build_profile_view(sample_snapshot, "091", "fi", group=group)
    series = view.trend_series("unemployment_rate")
    assert not series.duplicated(["series", "year"]).any()
    assert series["series"].nunique() == 2  # Helsinki and the (one) country median
    table = series.pivot(index="year", columns="series", values="value")
    assert len(table.columns) == 2


def test_the_parts_below_the_first_screen_are_built_when_first_read(sample_snapshot):
    # A shared view serves visitors who only read the first screen: the ranks in every other
    # grouping are scored when first asked for, once, not while the view is built.
    from kuntadash.domain.scores import score_dimensions
    from kuntadash.domain.stats import reference_table
    from kuntadash.views.profile import ProfileInputs, reference_years, wide_values

    reference = reference_table(wide_values(sample_snapshot), reference_years(sample_snapshot))
    asked: list[str] = []

    def scores(kind, members):
        asked.append(kind)
        return score_dimensions(reference, sample_snapshot.catalogue, members)

    view = build_profile_view(sample_snapshot, "091", "fi", inputs=ProfileInputs(scores=scores))
    assert asked == ["municipality_type"]
    ranks = view.ranks
    assert sorted(asked) == sorted(GROUP_KINDS) and len(ranks) == len(GROUP_KINDS)
    assert view.ranks is ranks and len(asked) == len(GROUP_KINDS), "built once"
    assert view.indicator_tables and view.trend_lines and view.sources
