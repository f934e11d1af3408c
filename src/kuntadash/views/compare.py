"""The compare page as view models (views layer, no streamlit).

:func:`compare_choices` answers whom to compare with before anything is chosen: the municipality's
most similar municipalities, those of its type (most similar first) and the default comparison.
:class:`CompareView` holds what the page shows of 2–10 chosen municipalities for one indicator
and year: the bars with the comparison group's and the whole country's medians, the lines over
time and their table, and the changes over 1 / 5 / 10 years with the group's median change.
Every change is written by :class:`kuntadash.views.format.Formatter`; headings and notes are in
the reader's language and plain (whoever puts them into markdown escapes them). A figure or change
resting on a small population is marked "†" where it is shown (a bar's label and hover, a
column of the table, a change), with the note that says what the mark means
(:class:`kuntadash.views.small.SmallPopulation`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from kuntadash.domain.catalogue import crosses_break, indicator_row, series_breaks
from kuntadash.domain.groups import ComparisonGroup
from kuntadash.domain.peers import order_by_similarity
from kuntadash.domain.stats import values_for
from kuntadash.domain.trends import (
    PERIODS,
    classify_change,
    compute_changes,
    indicator_history,
    plotted_years,
)
from kuntadash.i18n import translate
from kuntadash.store import Snapshot
from kuntadash.views.format import Formatter
from kuntadash.views.profile import change_text, municipality_names
from kuntadash.views.small import SmallPopulation, marked

MAX_MUNICIPALITIES = 10
# The default comparison: the municipality and this many of its most similar municipalities.
DEFAULT_COMPANIONS = 4


@dataclass(frozen=True)
class CompareChoices:
    """Whom the municipality is compared with unless the reader says otherwise."""

    similar: list[str]  # its most similar municipalities (the profile's list)
    same_type: list[str]  # the others of its type, the most similar first
    own_type: str | None  # its municipality type (None when unknown)
    default: list[str]  # the municipality and DEFAULT_COMPANIONS others


def compare_choices(
    municipalities: pd.DataFrame,
    code: str,
    similar: Sequence[str],
    structure: pd.DataFrame,
    weights: Mapping[str, float],
    population: pd.Series,
) -> CompareChoices:
    """``similar``: the similar municipalities in use; ``structure``: the standardised structural
    table and ``weights`` its weights in use (the defaults when all are zero); ``population``:
    the latest population figures, by code. Without similar municipalities the default is the
    municipality's type, and without either the largest municipalities."""
    table = municipalities.set_index("municipality_code")
    similar = [c for c in similar if c in table.index]
    own_type = table.at[code, "municipality_type"]
    same_type = []
    if pd.notna(own_type):
        members = table.index[table["municipality_type"].eq(own_type).fillna(False).astype(bool)]
        same_type = order_by_similarity(structure, code, list(members), weights)
    largest = population.reindex(table.index).sort_values(ascending=False, na_position="last")
    companions = similar or same_type or [c for c in largest.index if c != code]
    return CompareChoices(
        similar=similar,
        same_type=same_type,
        own_type=str(own_type) if pd.notna(own_type) else None,
        default=[code, *companions[:DEFAULT_COMPANIONS]],
    )


@dataclass(frozen=True)
class CompareView:
    """Everything the compare page shows of the chosen municipalities."""

    code: str
    lang: str
    chosen: list[str]
    indicator_id: str
    indicator_name: str
    year: int
    group: ComparisonGroup
    direction: str
    unit: str
    decimals: int
    has_values: bool  # False when none of the chosen has a figure in any year
    bars: pd.DataFrame  # name, value, highlight, mark, hover: best first, missing last
    references: dict[str, float]  # the group's and the whole country's medians by label
    history: pd.DataFrame  # series, year, value: one line per chosen municipality, in order
    table: pd.DataFrame  # the lines as a table: the municipality, one column per year, any mark
    table_data: pd.DataFrame  # the same as its download holds it: the mark a true/false column
    changes: pd.DataFrame  # the changes over each period as text, the group's median last
    unavailable: list[str]  # one sentence per period the data do not reach back to
    small_note: str = ""  # what "†" means, when a figure shown rests on a small population

    @property
    def years(self) -> list[int]:
        """The years with a value in some line (what the chart plots)."""
        return plotted_years(self.history)

    @property
    def year_span(self) -> str:
        """'2015-2024' (for file names) of the lines' years."""
        return f"{min(self.years)}-{max(self.years)}"


def build_compare_view(
    snapshot: Snapshot,
    code: str,
    chosen: Sequence[str],
    indicator_id: str,
    year: int,
    group: ComparisonGroup,
    lang: str,
    wide: pd.DataFrame | None = None,
) -> CompareView:
    """``chosen`` compared in ``indicator_id`` and ``year``, ``code`` marked, against ``group``
    (``wide``: the values with one column per indicator, as the app holds them)."""

    def tr(key: str, **values: object) -> str:
        return translate(key, lang, **values)

    chosen = list(chosen)
    fmt = Formatter.from_catalogue(snapshot.catalogue, lang)
    names = municipality_names(snapshot, lang)
    meta = indicator_row(snapshot.catalogue, indicator_id)
    direction = str(meta["direction"])
    values = snapshot.values
    history = values[
        (values["indicator_id"] == indicator_id) & values["municipality_code"].isin(chosen)
    ].assign(series=lambda frame: frame["municipality_code"].map(names))
    history["series"] = pd.Categorical(history["series"], [names[c] for c in chosen])
    history = history.sort_values(["series", "year"])
    series = values_for(values, indicator_id, year)
    small = SmallPopulation.of(snapshot, lang)
    flags = small.flags_of(indicator_id, year, series.reindex(chosen))
    bars = pd.DataFrame(
        {
            "name": [names[c] for c in chosen],
            "value": [series.get(c, float("nan")) for c in chosen],
            "highlight": [c == code for c in chosen],
            "mark": [marked("", f, lang).strip() for f in flags],
            "hover": [small.hover(indicator_id, f) for f in flags],
        }
    ).sort_values("value", ascending=direction == "lower_better", na_position="last")
    # A line rests on a small population when one of its figures does (the year's population).
    line_flags = small.flags(history).groupby(history["municipality_code"]).any()
    line_flags = line_flags.reindex(chosen, fill_value=False)
    table, table_data = _table(history, line_flags, names, chosen, tr, lang)
    if wide is None:
        wide = values.pivot(
            index=["municipality_code", "year"], columns="indicator_id", values="value"
        )
    changes, unavailable = _changes(
        indicator_history(wide, indicator_id), meta, (chosen, flags), names, year, group, fmt, tr
    )
    return CompareView(
        code=code,
        lang=lang,
        chosen=chosen,
        indicator_id=indicator_id,
        indicator_name=fmt.name(indicator_id),
        year=int(year),
        group=group,
        direction=direction,
        unit=fmt.unit(indicator_id),
        decimals=fmt.decimals.get(indicator_id, 1),
        has_values=not history["value"].isna().all(),
        bars=bars,
        references={
            tr("common.median_of", group=group.label): series.reindex(group.members).median(),
            tr("common.median_of", group=tr("common.whole_country")): series.median(),
        },
        history=history[["series", "year", "value"]],
        table=table,
        table_data=table_data,
        changes=changes,
        unavailable=unavailable,
        small_note=small.note([indicator_id], [*flags, *line_flags]),
    )


def _table(history, flags, names, chosen, tr, lang) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The lines as a table (the municipality, one column per year, "†" where a line rests on a
    small population, when one does) and as its download holds it (a true/false column)."""
    table = history.pivot(index="series", columns="year", values="value").reset_index()
    table.columns = [tr("common.municipality"), *[str(y) for y in table.columns[1:]]]
    by_name = pd.Series(flags.to_numpy(), index=[names[c] for c in chosen])
    small = by_name.reindex(table[tr("common.municipality")]).fillna(False).astype(bool)
    data = table.assign(**{tr("share.col.small_population"): small.to_numpy()})
    if not small.any():  # no column of blanks on screen; the download keeps its column
        return table, data
    shown = table.assign(**{tr("small.column"): [marked("", f, lang).strip() for f in small]})
    return shown, data


def _changes(history, meta, chosen, names, year, group, fmt, tr) -> tuple[pd.DataFrame, list[str]]:
    """Each chosen municipality's change over 1 / 5 / 10 years to ``year``, direction-aware, and
    the group's median change; a change across a break in the series is not judged, its cell
    says why. ``chosen``: the codes and their small-population flags in ``year``: a change is
    flagged as its later figure is, and marked "†". Also one sentence per period the data do
    not reach back to."""
    chosen, flags = chosen
    marks = [*flags.reindex(chosen).fillna(False).astype(bool), False]  # the median: never
    indicator_id = str(meta["id"])
    direction, decimals = str(meta["direction"]), fmt.decimals.get(indicator_id, 1)
    breaks = series_breaks(meta)
    columns = {}
    for period in PERIODS:
        changes = compute_changes(history, year, period)
        group_change = changes.reindex(group.members).median()
        crossed = crosses_break(breaks, year - period, year)
        broken, break_year = crossed is not None, crossed.year if crossed else None
        verdicts = [
            (c, classify_change(c, direction, decimals, broken))
            for c in [*changes.reindex(chosen), group_change]
        ]
        columns[tr("comparison.col.change", n=period)] = [
            marked(
                _change_text(fmt, indicator_id, c, verdict, break_year),
                small and pd.notna(c) and verdict != "break",
                fmt.lang,
            )
            for (c, verdict), small in zip(verdicts, marks, strict=True)
        ]
    frame = pd.DataFrame(
        {
            tr("common.municipality"): [
                *[names[c] for c in chosen],
                tr("common.median_of", group=group.label),
            ],
            **columns,
        }
    )
    unavailable = [
        tr("comparison.trend_unavailable", period=tr("comparison.period_label", n=p), years=p)
        for p in PERIODS
        if year - p not in history.columns
    ]
    return frame, unavailable


def _change_text(
    fmt: Formatter, indicator_id: str, change: float, verdict: str, break_year: int | None
) -> str:
    """The profile's change text, or for a change across a break in the series only why it is
    not given: '– (series break 2023: not comparable)'."""
    if verdict == "break" and pd.notna(change):
        if break_year is None:
            return translate("comparison.change_break_unknown", fmt.lang)
        return translate("comparison.change_break", fmt.lang, year=int(break_year))
    return change_text(fmt, indicator_id, change, verdict)  # "–" when missing
