"""Change over time, read in the indicator's direction (domain layer, pure pandas).

- A change over k years is ``value(end) - value(end - k)`` in the indicator's own unit; it is
  missing when either year is missing: no interpolation, no nearest year. With data from 2015
  to 2024, a 10-year change to 2024 needs 2014 and is therefore missing ("where data allows").
- The verdict follows the direction: a rise is ``better`` for higher-is-better indicators and
  ``worse`` for lower-is-better ones; neutral indicators only go ``up`` or ``down``. A change that
  rounds to zero at the indicator's displayed decimals is ``unchanged``.
- The group's trend is the median of its members' changes over the same years (members with
  both values); the municipality's change is then ``ahead`` of, ``behind`` or ``level`` with
  it (in the better direction), and ``neutral`` for context indicators.
- A change across a known break in the series (the catalogue's ``breaks``: e.g. the municipal
  tax rate at the 2023 wellbeing services reform) is never better or worse: its verdict, and its
  comparison with the group, is ``break`` (not compared), and ``break_year`` says which break.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from kuntadash.domain.catalogue import BREAKS_COLUMN, SeriesBreak, crosses_break, series_breaks

PERIODS = (1, 5, 10)
VERDICTS = ("better", "worse", "unchanged", "up", "down", "missing", "break")
TREND_COLUMNS = (
    "indicator_id",
    "dimension",
    "direction",
    "period",
    "start_year",
    "end_year",
    "start_value",
    "end_value",
    "change",
    "verdict",
    "group_change",
    "group_n",
    "group_verdict",
    "versus_group",
    "break_year",
)


def indicator_history(wide: pd.DataFrame, indicator_id: str) -> pd.DataFrame:
    """One indicator as index municipality code, one column per year (from the wide table)."""
    if indicator_id not in wide.columns:
        return pd.DataFrame(dtype="float64")
    return wide[indicator_id].unstack("year")


def tolerance(decimals: int) -> float:
    """The largest change that still rounds to zero at ``decimals`` decimals."""
    return 0.5 * 10 ** (-int(decimals))


def compute_changes(history: pd.DataFrame, end_year: int, period: int) -> pd.Series:
    """Change over ``period`` years to ``end_year`` for every row of ``history`` (NaN if absent)."""
    start_year = end_year - period
    if end_year not in history.columns or start_year not in history.columns:
        return pd.Series(np.nan, index=history.index, dtype="float64")
    return (history[end_year] - history[start_year]).astype("float64")


def classify_change(
    change: float, direction: str, decimals: int, across_break: bool = False
) -> str:
    """``better`` / ``worse`` / ``unchanged`` (``up`` / ``down`` when neutral), ``missing``, or
    ``break`` when the change spans a break in the series (``across_break``): not compared."""
    if change is None or pd.isna(change):
        return "missing"
    if across_break:
        return "break"
    if abs(change) < tolerance(decimals):
        return "unchanged"
    rising = change > 0
    if direction == "neutral":
        return "up" if rising else "down"
    return "better" if rising == (direction == "higher_better") else "worse"


def compare_with_group(
    change: float,
    group_change: float,
    direction: str,
    decimals: int,
    across_break: bool = False,
) -> str:
    """``ahead`` / ``behind`` / ``level`` relative to the group's median change, in the better
    direction; ``neutral`` for context indicators, ``missing`` when either is missing, ``break``
    when the changes span a break in the series."""
    if pd.isna(change) or pd.isna(group_change):
        return "missing"
    if across_break:
        return "break"
    if direction == "neutral":
        return "neutral"
    gap = change - group_change
    if abs(gap) < tolerance(decimals):
        return "level"
    return "ahead" if (gap > 0) == (direction == "higher_better") else "behind"


@dataclass(frozen=True)
class GroupChanges:
    """What :func:`compute_trends` reads of one comparison group: every member's values and
    changes over each period, and the group's median change, the same for each member.

    A caller computing the trends of many members of one group (the baked pages) computes
    them once with :func:`group_changes` and passes them."""

    members: tuple[str, ...]
    periods: tuple[int, ...]
    ids: list[str]
    directions: list[str]
    dimensions: list[str]
    decimals: list[int]
    years: dict[str, int]
    crossed: dict[int, list[SeriesBreak | None]]  # period -> each indicator's break crossed
    rows: dict[str, int]  # code -> its row in the arrays below
    end: np.ndarray  # codes × ids: each indicator's value in its reference year
    start: dict[int, np.ndarray]  # period -> codes × ids: the value ``period`` years before
    change: dict[int, np.ndarray]  # period -> codes × ids: end - start
    group_median: dict[int, np.ndarray]  # period -> the members' median change per indicator
    group_n: dict[int, np.ndarray]  # period -> the members with a change per indicator


def group_changes(
    wide: pd.DataFrame,
    catalogue: pd.DataFrame,
    members: pd.Index,
    years: dict[str, int],
    periods: tuple[int, ...] = PERIODS,
    also: Iterable[str] = (),
) -> GroupChanges:
    """The figures of :func:`compute_trends` that do not depend on which municipality is
    looked at (see :class:`GroupChanges`), for ``members`` and the municipalities ``also``."""
    meta = catalogue.set_index("id")
    ids = [i for i in meta.index if i in wide.columns and i in years]
    codes = members.union(pd.Index(list(also)))
    subset = wide[wide.index.get_level_values("municipality_code").isin(codes)]
    texts = meta[BREAKS_COLUMN].reindex(ids) if BREAKS_COLUMN in meta.columns else [None] * len(ids)
    breaks = {
        ident: series_breaks({BREAKS_COLUMN: text})
        for ident, text in zip(ids, list(texts), strict=True)
    }
    end = _at_years(subset, {i: years[i] for i in ids}, codes)
    starts, changes, medians, counts, crossed = {}, {}, {}, {}, {}
    for period in periods:
        start = _at_years(subset, {i: years[i] - period for i in ids}, codes)
        change = end - start
        group = change.reindex(members)
        starts[period] = start.to_numpy()
        changes[period] = change.to_numpy()
        medians[period] = group.median().to_numpy()
        counts[period] = group.notna().sum().to_numpy()
        crossed[period] = [crosses_break(breaks[i], years[i] - period, years[i]) for i in ids]
    # Plain lists and arrays for compute_trends' loop: a pandas lookup per indicator and period
    # (meta.at, frame.at) cost more than the rest of the function together.
    return GroupChanges(
        members=tuple(map(str, members)),
        periods=tuple(periods),
        ids=ids,
        directions=meta["direction"].reindex(ids).tolist(),
        dimensions=meta["dimension"].reindex(ids).tolist(),
        decimals=[int(d) for d in meta["decimals"].reindex(ids)],
        years={i: years[i] for i in ids},
        crossed=crossed,
        rows={str(code): row for row, code in enumerate(codes)},
        end=end.to_numpy(),
        start=starts,
        change=changes,
        group_median=medians,
        group_n=counts,
    )


def compute_trends(
    wide: pd.DataFrame,
    catalogue: pd.DataFrame,
    code: str,
    members: pd.Index,
    years: dict[str, int],
    periods: tuple[int, ...] = PERIODS,
    changes: GroupChanges | None = None,
) -> pd.DataFrame:
    """One row per indicator and period for ``code``, with its group's median change.

    ``wide`` is indexed by (municipality_code, year), one column per indicator; ``years`` maps
    indicator id -> end year (the reference year). Columns: ``TREND_COLUMNS``. ``changes``:
    :func:`group_changes` of the same tables, ``members`` and periods, when the caller looks at
    several members of one group (computed here otherwise, as when it lacks ``code``).
    """
    if changes is not None and (
        changes.members != tuple(map(str, members)) or changes.periods != tuple(periods)
    ):
        raise ValueError("the group changes given are not those of these members and periods")
    if changes is None or str(code) not in changes.rows:
        changes = group_changes(wide, catalogue, members, years, periods, also=[code])
    at = changes.rows[str(code)]
    ids, directions, decimals = changes.ids, changes.directions, changes.decimals
    dimensions, ends = changes.dimensions, changes.years
    own_end = changes.end[at]
    rows = []
    for period in periods:
        group_median = changes.group_median[period]
        group_n = changes.group_n[period]
        own_start = changes.start[period][at]
        own_change = changes.change[period][at]
        crossings = changes.crossed[period]
        for k, ident in enumerate(ids):
            direction, places = directions[k], decimals[k]
            change, group_change = own_change[k], group_median[k]
            crossed = crossings[k]
            rows.append(
                {
                    "indicator_id": ident,
                    "dimension": dimensions[k],
                    "direction": direction,
                    "period": period,
                    "start_year": ends[ident] - period,
                    "end_year": ends[ident],
                    "start_value": own_start[k],
                    "end_value": own_end[k],
                    "change": change,
                    "verdict": classify_change(change, direction, places, bool(crossed)),
                    "group_change": group_change,
                    "group_n": int(group_n[k]),
                    "group_verdict": classify_change(
                        group_change, direction, places, bool(crossed)
                    ),
                    "versus_group": compare_with_group(
                        change, group_change, direction, places, bool(crossed)
                    ),
                    "break_year": crossed.year if crossed else None,
                }
            )
    # The columns are there even without a single indicator (a snapshot without values).
    table = pd.DataFrame(rows, columns=list(TREND_COLUMNS))
    table["break_year"] = table["break_year"].astype("Int64")
    return table


def _at_years(wide: pd.DataFrame, years: dict[str, int], codes: pd.Index) -> pd.DataFrame:
    """Each indicator's values in its own year (``years``), index ``codes``; NaN when absent."""
    ids = list(years)
    values = wide.reindex(columns=ids).to_numpy("float64")
    rows = codes.get_indexer(wide.index.get_level_values("municipality_code"))
    wanted = np.array([years[i] for i in ids], dtype="int64")
    # (row, column) pairs where the row's year is the one that column wants
    row, column = np.nonzero(
        (wide.index.get_level_values("year").to_numpy("int64")[:, None] == wanted[None, :])
        & (rows >= 0)[:, None]
    )
    result = np.full((len(codes), len(ids)), np.nan)
    result[rows[row], column] = values[row, column]
    return pd.DataFrame(result, index=codes, columns=ids)


def typical_changes(wide: pd.DataFrame, years: dict[str, int], period: int) -> pd.Series:
    """How much each indicator usually moves over ``period`` years: the standard deviation of
    every municipality's change to the indicator's reference year (``years``), NaN when fewer
    than two municipalities have both years.

    Changes of different indicators are in different units; divided by this they compare
    (a change of two typical changes is large for any indicator)."""
    spreads = {}
    for ident, end in years.items():
        history = indicator_history(wide, ident)
        changes = compute_changes(history, end, period).dropna()
        spreads[ident] = float(changes.std(ddof=0)) if len(changes) > 1 else np.nan
    return pd.Series(spreads, dtype="float64")


def trend_counts(trends: pd.DataFrame, period: int) -> dict[str, int]:
    """How many indicators got better, worse or stayed unchanged over ``period`` years."""
    rows = trends[(trends["period"] == period) & (trends["direction"] != "neutral")]
    counts = rows["verdict"].value_counts()
    return {verdict: int(counts.get(verdict, 0)) for verdict in ("better", "worse", "unchanged")}


def plotted_years(data: pd.DataFrame) -> list[int]:
    """The years at which some line of ``data`` (columns year, value) has a value, in order:
    what a trend chart's year axis spans and its caption names (a year with no value in any
    line draws nothing)."""
    present = data.loc[pd.to_numeric(data["value"], errors="coerce").notna(), "year"]
    return sorted({int(year) for year in present})
