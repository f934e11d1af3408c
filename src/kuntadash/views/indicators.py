"""The indicator catalogue as a view model (views layer, no streamlit).

One :class:`CatalogueView` holds what the indicators page shows: the indicators a dimension, a
Sustainable Development Goal and a search keep, as one table (definition, unit, direction and its
value choice, the small-population limit, breaks in the series, the goals and targets it
measures, publisher, source ids, licence, cadence and the years the snapshot holds) and as one
detail entry each.
:func:`build_catalogue_view` builds it once per page run; the page only draws it. Every word
comes from the catalogue or the locale files; texts are plain (not markdown): whoever puts them
into markdown escapes them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from kuntadash import resources
from kuntadash.domain.catalogue import (
    DIMENSIONS,
    SdgTag,
    direction_note,
    goals_of,
    indicators_of_goal,
    sdg_tags,
    series_breaks,
    small_population_thresholds,
)
from kuntadash.i18n import LANGUAGES, translate
from kuntadash.provenance import sources_of, value_source_ids
from kuntadash.store import Snapshot
from kuntadash.views.memo import once_per_snapshot
from kuntadash.views.small import small_population_rule

NAME_FIELDS = ("name", "definition")  # what the search looks in, in every language


@dataclass(frozen=True)
class CatalogueEntry:
    """One indicator's details, as the reader opens them."""

    indicator_id: str
    name: str
    unit: str
    dimension: str  # the dimension's name
    definition: str
    interpretation: str  # "" when the catalogue has none
    direction: str  # "Higher is better"
    direction_note: str  # why the direction is a value choice ("" when it is not one)
    publisher: str
    licence: str
    breaks: tuple[tuple[int, str], ...]  # (year, reason) of each new series
    source: str  # the publisher's own table and code ("" when it has neither)
    goals: tuple[str, ...] = ()  # "8 Decent work and economic growth", each goal it measures
    targets: tuple[str, ...] = ()  # "8.5"; () when it maps to goals only
    sdg_source: str = ""  # where the goal mapping comes from ("" when it has none)


@dataclass(frozen=True)
class CatalogueView:
    """The indicators a dimension and a search keep, as a table and as entries."""

    lang: str
    dimension: str  # the chosen dimension ("" for all)
    query: str
    goal: str  # the chosen goal's number as text ("" for all)
    total: int  # indicators in the catalogue
    ids: tuple[str, ...]  # the indicators kept, in catalogue order
    listing: pd.DataFrame  # one row per indicator kept, headings translated
    # The listing as data, for its download: the years with figures as first and last year
    # (whole numbers, empty when none) instead of the span written out.
    listing_data: pd.DataFrame
    entries: list[CatalogueEntry]
    small_rule: tuple[str, str] = ("", "")  # the small-population rule: its title and text

    @property
    def download_parts(self) -> tuple[object, ...]:
        """Words for the download's file name."""
        goal = (f"sdg-{self.goal}",) if self.goal else ()
        return ("indicators", self.dimension, *goal, self.query.strip())


def dimension_options(lang: str) -> dict[str, str]:
    """The dimension filter's options: "" for all, then every dimension by its name."""
    all_label = {"": translate("common.all", lang)}
    return all_label | {d: translate(f"dimension.{d}", lang) for d in DIMENSIONS}


def goal_label(goal: int, lang: str) -> str:
    """'8 Decent work and economic growth': a goal's number and official short name."""
    return f"{goal} {translate(f'sdg.goal.{goal}', lang)}"


def goal_options(ids: Sequence[str], lang: str) -> dict[str, str]:
    """A goal filter's options: "" for all goals, then every goal at least one of ``ids`` is
    tagged with, by its number as text (the link's value) and shown as :func:`goal_label`."""
    options = {"": translate("sdg.all", lang)}
    return options | {str(goal): goal_label(goal, lang) for goal in goals_of(ids)}


def parse_goal(goal: str) -> int | None:
    """A goal filter's value as a goal number (None for all goals)."""
    return int(goal) if goal.strip().isdigit() else None


def search_catalogue(
    catalogue: pd.DataFrame, dimension: str = "", query: str = "", goal: str = ""
) -> pd.DataFrame:
    """The rows of ``dimension`` ("" for all) and of the Sustainable Development Goal ``goal``
    ("" for all) whose id, or name or definition in any language, holds ``query``
    (case-insensitive; "" keeps every row)."""
    shown = catalogue
    if dimension:
        shown = shown[shown["dimension"] == dimension]
    if parse_goal(goal) is not None:
        shown = shown[shown["id"].isin(indicators_of_goal(shown["id"], parse_goal(goal)))]
    if query:
        needle = query.casefold()
        columns = [f"{field}_{lang}" for field in NAME_FIELDS for lang in LANGUAGES]
        haystack = (
            shown[columns].fillna("").agg(" ".join, axis=1).str.casefold()
            + " "
            + shown["id"].str.casefold()
        )
        shown = shown[haystack.str.contains(needle, regex=False)]
    return shown


def build_catalogue_view(
    snapshot: Snapshot,
    lang: str,
    dimension: str = "",
    query: str = "",
    sources: Mapping[str, Any] | None = None,
    goal: str = "",
) -> CatalogueView:
    """The catalogue of ``snapshot`` kept by ``dimension``, ``query`` and the Sustainable
    Development Goal ``goal`` ("" for all; see :func:`goal_options`), in ``lang``; ``sources``
    is the publishers' document (resources' sources.yaml when not given)."""
    if sources is None:
        sources = resources.read_sources_document() or {}
    publishers = {key: (entry.get("name") or {}).get(lang, key) for key, entry in sources.items()}
    shown = search_catalogue(snapshot.catalogue, dimension, query, goal)
    rows = [row for _, row in shown.iterrows()]
    tags = sdg_tags()
    entries = [_entry(row, publishers, lang, tags.get(str(row["id"]))) for row in rows]
    served = served_sources(snapshot, lang)
    return CatalogueView(
        lang=lang,
        dimension=dimension,
        query=query,
        goal=goal,
        total=len(snapshot.catalogue),
        ids=tuple(shown["id"]),
        listing=_listing(shown, entries, year_spans(snapshot.values), served, lang),
        listing_data=_listing_data(
            _listing(shown, entries, {}, served, lang), shown["id"], snapshot.values, lang
        ),
        entries=entries,
        small_rule=(translate("small.rule_title", lang), small_population_rule(lang)),
    )


def served_sources(snapshot: Snapshot, lang: str) -> dict[str, str]:
    """Where the figures this snapshot holds came from, by indicator, in words of ``lang``
    ("THL: Sotkanet, indikaattori 127 (2000–2022)"; several joined by "; "). The catalogue's
    own source is where an update would read them, which need not be where these were read
    (population: served from Sotkanet, updated from StatFin). Once per snapshot read and
    language: a walk over every value's sources, not to be repeated on every rerun."""
    return dict(
        once_per_snapshot(snapshot, ("served_sources", lang), lambda: _served(snapshot, lang))
    )


def _served(snapshot: Snapshot, lang: str) -> dict[str, str]:
    by_key = value_source_ids(snapshot.values)
    result: dict[str, str] = {}
    for ident in dict.fromkeys(indicator for indicator, _ in by_key):
        words = []
        for line in sources_of(snapshot.manifest, by_key, ident, None, lang):
            if line.synthetic:
                words.append(translate("profile.source_synthetic", lang))
                continue
            text = line.publisher + (f": {line.title}" if line.title else "")
            words.append(text + (f" ({line.vintage})" if line.vintage else ""))
        result[ident] = "; ".join(dict.fromkeys(words))
    return result


def year_spans(values: pd.DataFrame) -> dict[str, str]:
    """'2015–2024' (or '2024') by indicator: the years the snapshot has figures for. The
    catalogue lists indicators a snapshot may not (yet) hold, and the reader should see that
    in the catalogue rather than find empty charts elsewhere."""
    present = _years_with_figures(values)
    return {
        ident: str(low) if low == high else f"{low}–{high}"
        for ident, low, high in zip(present.index, present["min"], present["max"], strict=True)
    }


def _years_with_figures(values: pd.DataFrame) -> pd.DataFrame:
    """The first (``min``) and last (``max``) year with a figure, by indicator."""
    return values.dropna(subset=["value"]).groupby("indicator_id")["year"].agg(["min", "max"])


def _text(value: object) -> str:
    """An optional catalogue field as text ("" when missing)."""
    return "" if value is None or pd.isna(value) else str(value)


def _entry(
    row: pd.Series, publishers: Mapping[str, str], lang: str, tag: SdgTag | None = None
) -> CatalogueEntry:
    return CatalogueEntry(
        indicator_id=str(row["id"]),
        name=_text(row[f"name_{lang}"]),
        unit=_text(row[f"unit_{lang}"]),
        dimension=translate(f"dimension.{row['dimension']}", lang),
        definition=_text(row[f"definition_{lang}"]),
        interpretation=_text(row.get(f"interpretation_{lang}")),
        direction=translate(f"direction.{row['direction']}", lang),
        direction_note=direction_note(row, lang),
        publisher=str(publishers.get(row["publisher"], row["publisher"])),
        licence=_text(row["licence"]),
        breaks=tuple((item.year, item.reason_in(lang)) for item in series_breaks(row)),
        # The publisher's own table and code, to find the figures at the source.
        source=" ".join(_text(row[k]) for k in ("table", "code") if _text(row[k])),
        goals=tuple(goal_label(goal, lang) for goal in tag.goals) if tag else (),
        targets=tag.targets if tag else (),
        sdg_source=tag.source_in(lang) if tag else "",
    )


def _listing_data(
    listing: pd.DataFrame, ids: pd.Series, values: pd.DataFrame, lang: str
) -> pd.DataFrame:
    """``listing`` with its years column as the first and last year with figures."""
    first_last = _years_with_figures(values).reindex(ids.to_numpy())
    return listing.drop(columns=translate("coverage.years_column", lang)).assign(
        **{
            translate("share.col.start_year", lang): first_last["min"].astype("Int64").to_numpy(),
            translate("share.col.end_year", lang): first_last["max"].astype("Int64").to_numpy(),
        }
    )


def _listing(
    shown: pd.DataFrame,
    entries: list[CatalogueEntry],
    spans: Mapping[str, str],
    served: Mapping[str, str],
    lang: str,
) -> pd.DataFrame:
    """One row per indicator kept, the catalogue's fields under translated headings."""

    def tr(key: str) -> str:
        return translate(key, lang)

    limits = small_population_thresholds()
    return pd.DataFrame(
        {
            tr("common.indicator"): shown[f"name_{lang}"],
            tr("common.dimension"): [entry.dimension for entry in entries],
            tr("catalogue.definition"): shown[f"definition_{lang}"],
            tr("common.unit"): shown[f"unit_{lang}"],
            tr("catalogue.direction"): [entry.direction for entry in entries],
            tr("catalogue.direction_note"): [entry.direction_note for entry in entries],
            # Beside the direction: the population under which a figure is marked (the rule is
            # stated under the table), empty for counts and context figures.
            tr("small.limit"): pd.array([limits.get(str(i)) for i in shown["id"]], dtype="Int64"),
            tr("catalogue.breaks"): [
                ", ".join(str(year) for year, _ in entry.breaks) for entry in entries
            ],
            tr("sdg.goals_column"): ["; ".join(entry.goals) for entry in entries],
            tr("sdg.targets"): [", ".join(entry.targets) for entry in entries],
            tr("catalogue.publisher"): [entry.publisher for entry in entries],
            tr("catalogue.source_id"): (
                shown["table"].fillna("") + " " + shown["code"].fillna("")
            ).str.strip(),
            tr("catalogue.served_from"): [served.get(str(i), "") for i in shown["id"]],
            tr("catalogue.licence"): shown["licence"],
            tr("catalogue.cadence"): shown["cadence"].map(lambda c: tr(f"cadence.{c}")),
            tr("coverage.years_column"): shown["id"].map(
                lambda i: spans.get(i, tr("coverage.not_yet"))
            ),
        }
    )
