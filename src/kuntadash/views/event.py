"""The event mode's slides as a view model (views layer, no streamlit).

The sequence of slides (a national map of one headline indicator per sustainability dimension,
then the chosen municipality's profile summary) and what the current slide shows: a map slide's
figures for every municipality, the chosen one's value and rank, the country median, the top
three and the table alternative; the profile slide's lead, scores and strongest indicators, taken
from the :class:`~kuntadash.views.profile.ProfileView` that the profile page and the brief draw.
A context (neutral) indicator has no better end: no ranks and no top three.

Texts are plain (not markdown): whoever puts names or values into markdown escapes them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from kuntadash.domain.catalogue import DIMENSIONS, headline_indicators, indicator_row
from kuntadash.domain.groups import DEFAULT_KIND, GROUP_KINDS
from kuntadash.domain.small_numbers import SMALL_POPULATION, without_small_population
from kuntadash.domain.stats import (
    latest_common_year,
    rank_values,
    strengths_and_weaknesses,
    values_for,
    years_with_data,
)
from kuntadash.i18n import translate
from kuntadash.store import Snapshot
from kuntadash.views.format import MISSING, Formatter
from kuntadash.views.profile import ProfileView, municipality_names
from kuntadash.views.small import SmallPopulation, with_hover

# One headline indicator per dimension, shown on the national map; a dimension whose indicator
# has no data falls back to its first indicator with data that has a better direction, and only
# then to a context (neutral) one, which a slide shows without ranks.
EVENT_INDICATORS = headline_indicators()  # the catalogue's `roles: [headline]`
TOP = 3  # municipalities in a map slide's top three; indicators among the strongest


@dataclass(frozen=True)
class Slide:
    kind: str  # "map" or "profile"
    dimension: str = ""
    indicator_id: str = ""


@dataclass(frozen=True)
class Placing:
    """One of a map slide's top three."""

    rank: int
    name: str
    value_text: str


@dataclass(frozen=True)
class MapSlide:
    """A national map of one indicator, with the chosen municipality's place on it."""

    dimension: str
    title: str  # the dimension's name
    indicator_id: str
    indicator_name: str
    year: int
    direction: str
    direction_text: str  # "Higher is better" and the like
    unit: str  # the catalogue's unit, for the map's legend
    # The map's data: municipality_code, name, value, value_text, rank_text, in_focus.
    table: pd.DataFrame
    chosen_name: str
    chosen_value: str
    position: str  # the chosen municipality's rank, or why there is none
    median_text: str  # the country median
    top: tuple[Placing, ...]  # empty for a context indicator
    figures: pd.DataFrame  # the table alternative: every municipality, headings translated
    chosen_rows: tuple[bool, ...]  # which row of ``figures`` is the chosen municipality
    figures_alt: str
    default_dimension: str  # the first dimension with data (left out of the slide's link)
    default_indicator: str  # the dimension's first indicator with data (likewise)
    # Under the table: what "†" means ("" when no figure shown rests on a small population);
    # under the top three: that such figures were left out of it ("" when none was).
    small_note: str = ""
    top_note: str = ""
    # Beside the chosen figure when it is marked itself ("" otherwise).
    chosen_note: str = ""

    @property
    def neutral(self) -> bool:
        return self.direction == "neutral"


@dataclass(frozen=True)
class Strength:
    name: str
    value_text: str
    percentile: int  # 0–100 in the comparison group


@dataclass(frozen=True)
class ProfileSlide:
    """The municipality's profile summary against its comparison group."""

    name: str
    population: str  # "320 000 (31.12.2024)" or the words for no figure
    region: str
    group_label: str
    group_size: int
    kind: str
    default_kind: str
    scores: pd.DataFrame  # ProfileView.score_frame: one row per dimension, with a ``label``
    cards: tuple[tuple[str, str], ...]  # (short dimension name, "75/100" or "–")
    scores_table: pd.DataFrame  # the scores as a table, headings translated
    scores_alt: str
    strongest: tuple[Strength, ...]
    strongest_note: str = ""  # small-population figures left out of the strongest ("" if none)


@dataclass(frozen=True)
class EventView:
    slides: tuple[Slide, ...]
    number: int  # the current slide, 1-based
    step: str  # "View 1 of 5"
    map: MapSlide | None  # the current slide's data: a map ...
    profile: ProfileSlide | None  # ... or the profile summary

    @property
    def slide(self) -> Slide:
        return self.slides[self.number - 1]


def build_slides(indicators_with_data: pd.DataFrame) -> list[Slide]:
    """A national map per dimension that has data, then the municipality's profile summary.

    ``indicators_with_data`` is the catalogue restricted to indicators with values.
    """
    slides = []
    for dimension in DIMENSIONS:
        rows = indicators_with_data[indicators_with_data["dimension"] == dimension]
        ids = rows["id"].tolist()
        if not ids:
            continue
        wanted = EVENT_INDICATORS.get(dimension)
        if wanted not in ids and "direction" in rows.columns:
            directional = rows.loc[rows["direction"] != "neutral", "id"].tolist()
            wanted = (directional or ids)[0]
        slides.append(Slide("map", dimension, wanted if wanted in ids else ids[0]))
    slides.append(Slide("profile"))
    return slides


def slide_group_kind(kind: object) -> str:
    """The comparison group of the profile slide: the visitor's choice, except the similar
    municipalities (their settings are not part of the slide's link), else the default."""
    if kind in GROUP_KINDS and kind != "similar":
        return str(kind)
    return DEFAULT_KIND


def build_event_view(
    snapshot: Snapshot,
    code: str,
    lang: str,
    number: int,
    *,
    available: pd.DataFrame | None = None,
    formatter: Formatter | None = None,
    group_kind: object = None,
    profile: Callable[[str], ProfileView] | None = None,
) -> EventView:
    """Slide ``number`` (1-based) of the show for municipality ``code`` in ``lang``.

    ``available`` is the catalogue of the indicators with values (computed when absent);
    ``group_kind`` the comparison group the visitor chose (see :func:`slide_group_kind`);
    ``profile(kind)`` returns the municipality's ProfileView against its group of that kind,
    called only on the profile slide (without it, a profile slide has no data)."""

    def tr(key: str, **values: object) -> str:
        return translate(key, lang, **values)

    if available is None:
        present = snapshot.values.loc[snapshot.values["value"].notna(), "indicator_id"]
        available = snapshot.catalogue[snapshot.catalogue["id"].isin(set(present))]
    slides = tuple(build_slides(available))
    slide = slides[number - 1]
    fmt = formatter or Formatter.from_catalogue(snapshot.catalogue, lang)
    map_slide = profile_slide = None
    if slide.kind == "map":
        map_slide = _map_slide(snapshot, slide, code, available, fmt, tr)
    elif profile is not None:
        profile_slide = _profile_slide(profile(slide_group_kind(group_kind)), tr)
    step = tr("event.step", index=number, count=len(slides))
    return EventView(slides, number, step, map_slide, profile_slide)


# --- the map slide -------------------------------------------------------------------------------


def _map_slide(snapshot, slide, code, available, fmt, tr) -> MapSlide:
    indicator_id, dimension = slide.indicator_id, slide.dimension
    meta = indicator_row(snapshot.catalogue, indicator_id)
    direction = str(meta["direction"])
    neutral = direction == "neutral"
    # The overview's default year: the latest with data for half the municipalities, else the
    # latest with any data (an indicator only some municipalities report).
    year = (
        latest_common_year(snapshot.values, indicator_id)
        or years_with_data(snapshot.values, indicator_id)[-1]
    )
    codes = pd.Index(snapshot.municipalities["municipality_code"])
    names = municipality_names(snapshot, fmt.lang)
    series = values_for(snapshot.values, indicator_id, year).reindex(codes)
    ranks = rank_values(series, direction)
    with_data = int(series.notna().sum())
    small = SmallPopulation.of(snapshot, fmt.lang)
    flags = small.flags_of(indicator_id, year, series)

    def rank_line(rank: object) -> str:
        if pd.isna(rank):
            return tr("common.no_data")
        return tr("common.rank_text", rank=int(rank), of=with_data)

    table = pd.DataFrame(
        {
            "municipality_code": codes,
            "name": [names.get(c, c) for c in codes],
            "value": series.to_numpy(),
            "value_text": [
                small.mark(fmt.value(indicator_id, v), f)
                for v, f in zip(series, flags, strict=True)
            ],
            # A context indicator has no better end: no rank in the hover either.
            "rank_text": [
                with_hover("" if neutral else rank_line(r), small.hover(indicator_id, f))
                for r, f in zip(ranks, flags, strict=True)
            ],
            "in_focus": True,
        }
    )
    ranked = table.assign(rank=ranks.to_numpy(), **{SMALL_POPULATION: flags.to_numpy()})
    best = without_small_population(ranked).dropna(subset=["rank"]).nsmallest(TOP, "rank")
    passed = ranked[ranked[SMALL_POPULATION] & (ranked["rank"] < best["rank"].max())]
    figures, chosen_rows = _figures(ranked, neutral, fmt.unit(indicator_id), code, tr)
    name = str(meta[f"name_{fmt.lang}"])
    return MapSlide(
        indicator_id=indicator_id,
        indicator_name=name,
        year=year,
        dimension=dimension,
        title=tr(f"dimension.{dimension}"),
        direction=direction,
        direction_text=tr(f"direction.{direction}"),
        unit=str(meta[f"unit_{fmt.lang}"]),
        table=table,
        chosen_name=names.get(code, code),
        chosen_value=small.mark(fmt.value(indicator_id, series.get(code)), flags.get(code)),
        position=tr("event.context_note") if neutral else rank_line(ranks.get(code)),
        median_text=fmt.value(indicator_id, series.median()),
        top=()
        if neutral
        else tuple(
            Placing(int(r), n, v)
            for r, n, v in zip(best["rank"], best["name"], best["value_text"], strict=True)
        ),
        figures=figures,
        chosen_rows=chosen_rows,
        figures_alt=tr("event.table_alt", indicator=name, year=year),
        default_dimension=next(d for d in DIMENSIONS if d in set(available["dimension"])),
        default_indicator=str(available.loc[available["dimension"] == dimension, "id"].iloc[0]),
        small_note=small.note([indicator_id], flags),
        chosen_note=small.note([indicator_id], [flags.get(code)]),
        top_note="" if neutral else small.left_out([indicator_id], passed[SMALL_POPULATION]),
    )


def _figures(ranked: pd.DataFrame, neutral: bool, unit: str, code: str, tr):
    """The map's figures as a table (every municipality; ranks only for a directional
    indicator, best first; a context indicator in order of its values, largest first), and
    which of its rows is ``code``."""
    frame = ranked.sort_values(
        ["value", "name"] if neutral else ["rank", "name"],
        ascending=[not neutral, True],
        na_position="last",
    )
    value = f"{tr('common.value')} ({unit})" if unit else tr("common.value")
    columns = {tr("common.municipality"): frame["name"], value: frame["value_text"]}
    if not neutral:
        columns = {tr("common.rank"): frame["rank"], **columns}
    return pd.DataFrame(columns), tuple(frame["municipality_code"] == code)


# --- the profile slide ---------------------------------------------------------------------------


def _profile_slide(view: ProfileView, tr) -> ProfileSlide:
    fmt = view.formatter
    facts = {fact.label: fact.value for fact in view.facts}
    scores = view.score_frame
    texts = [MISSING if pd.isna(s) else f"{fmt.number(s)}/100" for s in scores["score"]]
    # Context indicators have no percentile: they are never among the strongest. The slide
    # names the three best placed whether or not they stand above the group's middle.
    strongest, _ = strengths_and_weaknesses(view.profile, count=TOP)
    return ProfileSlide(
        name=view.name,
        population=facts.get(tr("common.population"), MISSING),
        region=facts.get(tr("common.region"), MISSING),
        group_label=view.group.label,
        group_size=len(view.group.members),
        kind=view.group.kind,
        default_kind=DEFAULT_KIND,
        scores=scores,
        cards=tuple(
            (tr(f"brief.dim_short.{d}"), text)
            for d, text in zip(scores["dimension"], texts, strict=True)
        ),
        scores_table=pd.DataFrame(
            {tr("common.dimension"): scores["label"].tolist(), view.name: texts}
        ),
        scores_alt=tr("event.scores_table_alt", name=view.name),
        strongest_note=view.highlights_note,
        strongest=tuple(
            Strength(fmt.name(i), fmt.value(i, v), round(p))
            for i, v, p in zip(
                strongest["indicator_id"], strongest["value"], strongest["percentile"], strict=True
            )
        ),
    )
