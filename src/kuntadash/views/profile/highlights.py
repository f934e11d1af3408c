"""The first screen's strengths, weak spots and largest changes, and the trend summary lines
(views layer)."""

from __future__ import annotations

import pandas as pd

from kuntadash.domain.small_numbers import SMALL_POPULATION, without_small_population
from kuntadash.domain.trends import PERIODS, trend_counts, typical_changes
from kuntadash.views.format import MISSING, Formatter
from kuntadash.views.profile.model import CHANGE_PERIOD, HIGHLIGHTS, Change, Highlight
from kuntadash.views.profile.words import _point_rank


def _highlight(row: pd.Series, fmt: Formatter, tr) -> Highlight:
    ident = row["indicator_id"]
    rank = _point_rank(row)
    value, median = fmt.value(ident, row["value"]), fmt.value(ident, row["group_median"])
    return Highlight(
        indicator_id=ident,
        name=fmt.name(ident),
        value_text=value,
        median_text=median,
        rank=rank,
        year=int(row["year"]),
        percentile=float(row["percentile"]),
        text=tr(
            "profile.highlight",
            value=value,
            year=int(row["year"]),
            median=median,
            rank=rank.rank if rank.rank is not None else MISSING,
            of=rank.of,
        ),
    )


def _changed_most(
    trends, wide, years, flag_small, code, typical: pd.Series | None = None
) -> tuple[pd.DataFrame, int, list[str]]:
    """The indicators that moved over CHANGE_PERIOD years, largest move first (each change
    against how much the indicator usually moves), how many indicators have a known change at
    all, and the indicators whose change was left out as resting on a small population: the
    figures of the largest changes, the same in every language. The list follows the one rule
    of top lists (``domain.small_numbers.without_small_population``), a change flagged as its
    later figure is (``flag_small``, by the population of its end year). ``typical``:
    ``domain.trends.typical_changes`` of (at least) these indicators, when the caller keeps
    them."""
    period = trends[trends["period"] == CHANGE_PERIOD]
    moved = period[period["verdict"].isin(("better", "worse", "up", "down"))]
    known = int((period["verdict"] != "missing").sum())
    flags = flag_small(
        moved.assign(municipality_code=code, year=moved["end_year"], value=moved["change"])
    ).to_numpy(dtype=bool)
    rows = without_small_population(moved.assign(**{SMALL_POPULATION: flags}))
    left_out = list(moved.loc[flags, "indicator_id"])
    if rows.empty:
        return rows, known, left_out
    if typical is None:
        wanted = {i: years[i] for i in rows["indicator_id"]}
        typical = typical_changes(wide, wanted, CHANGE_PERIOD)
    size = (rows["change"].abs() / rows["indicator_id"].map(typical)).fillna(0.0)
    chosen = rows.assign(size=size.to_numpy()).sort_values(
        ["size", "indicator_id"], ascending=[False, True]
    )
    return chosen.head(HIGHLIGHTS), known, left_out


def _largest_changes(
    chosen: pd.DataFrame, known: int, left_out: list[str], fmt, tr
) -> tuple[list[Change], str]:
    """The largest changes in words (:func:`_changed_most`'s figures), or why there are none."""
    if chosen.empty and left_out:
        return [], tr("profile.changes_all_small")
    if chosen.empty:
        key = "profile.changes_none_moved" if known else "profile.changes_none"
        return [], tr(key, years=CHANGE_PERIOD)
    changes = []
    for _, row in chosen.iterrows():
        ident = row["indicator_id"]
        changes.append(
            Change(
                indicator_id=ident,
                name=fmt.name(ident),
                verdict=row["verdict"],
                start_year=int(row["start_year"]),
                end_year=int(row["end_year"]),
                text=tr(
                    "profile.change_line",
                    # The unit once, after the later figure: "30 614 → 33 307 €/asukas".
                    start=fmt.value(ident, row["start_value"], with_unit=False),
                    end=fmt.value(ident, row["end_value"]),
                    years=f"{int(row['start_year'])}–{int(row['end_year'])}",
                    verdict=tr(f"profile.change_verdict.{row['verdict']}"),
                ),
            )
        )
    return changes, ""


def _trend_lines(trends: pd.DataFrame, tr) -> list[str]:
    lines = []
    for period in PERIODS:
        label = (
            tr("comparison.period_label_one")
            if period == 1
            else tr("comparison.period_label", n=period)
        )
        # Counted are the indicators with a better direction; a context figure's change (the
        # population's, say) does not make the count of better and worse ones meaningful.
        rows = trends[(trends["period"] == period) & (trends["direction"] != "neutral")]
        if rows["change"].notna().any():
            counts = trend_counts(trends, period)
            missing = int(rows["verdict"].eq("missing").sum())
            lines.append(tr("profile.trend_summary", period=label, missing=missing, **counts))
        elif trends.loc[trends["period"] == period, "change"].notna().any():
            # Only context figures changed (the tables show them): not "cannot be computed".
            lines.append(tr("profile.trend_context_only", period=label))
        else:
            lines.append(tr("profile.trend_unavailable", period=label))
    return lines
