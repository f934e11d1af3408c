"""Dimension scores: a transparent composite per sustainability dimension (domain layer).

Method (``METHOD``), shown in the app next to every score:

1. For each indicator with a better direction, each municipality's direction-adjusted percentile
   within the comparison group (0 = weakest in the group, 100 = best; ties averaged; see
   :func:`kuntadash.domain.stats.percentile_table`), in the indicator's reference year.
2. A dimension's score = the weighted mean of those percentiles over the dimension's indicators
   the municipality has data for (equal weights unless given).
3. Neutral (context) indicators are left out: they have no better direction.
4. Coverage rule: no score when the municipality has data for under ``COVERAGE_THRESHOLD``
   (60 %) of the dimension's non-neutral indicators. Indicators with weight 0 do not count.

A score is relative: 50 means "in the middle of this group", not "half sustainable". Scores
from different comparison groups are not comparable with each other.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from kuntadash.domain.catalogue import DIMENSIONS
from kuntadash.domain.stats import keys_or_own, percentile_table

METHOD = "mean_direction_adjusted_percentile"
COVERAGE_THRESHOLD = 0.6
_EPSILON = 1e-9


@dataclass(frozen=True)
class DimensionScores:
    """Scores of every member of one comparison group, with everything needed to explain them."""

    scores: pd.DataFrame  # index municipality code, one column per dimension (NaN = no score)
    coverage: pd.DataFrame  # share 0–1 of the dimension's indicators with data
    available: pd.DataFrame  # number of the dimension's indicators with data
    totals: dict[str, int]  # non-neutral indicators (weight > 0) per dimension
    weights: dict[str, float]  # weight of every indicator used
    indicators: dict[str, list[str]] = field(default_factory=dict)  # per dimension
    threshold: float = COVERAGE_THRESHOLD
    method: str = METHOD
    groups: pd.Series | None = None  # code -> group key when scored per group (partition)

    def members_of(self, code: str) -> pd.Index:
        """The municipalities ``code`` was scored with (its own group)."""
        if self.groups is None:
            return self.scores.index
        key = self.groups.get(code)
        if key is None or pd.isna(key):
            return pd.Index([code])
        return self.groups.index[self.groups == key]

    def for_municipality(self, code: str) -> pd.DataFrame:
        """One row per dimension: score, coverage, counts, the group's median and quartiles of
        the scores, and the municipality's rank among the members with a score (a new frame on
        every call: the rows of all members are computed once, see :attr:`_rows`)."""
        rows = self._rows.get(code)
        if rows is None:
            rows = _rows_for_outsider(self, code)
        return pd.DataFrame(rows, columns=_SUMMARY_COLUMNS)

    @cached_property
    def _rows(self) -> dict[str, list[tuple[Any, ...]]]:
        """:meth:`for_municipality`'s rows of every member, all groups at once.

        A profile asks for one municipality's rows in every grouping; cached partition scores
        answer each from here instead of ranking the municipality's group again."""
        index = self.scores.index
        # one group, or each member's own (a member without a key is scored alone)
        keys = (
            pd.Series("", index=index, dtype="object")
            if self.groups is None
            else keys_or_own(self.groups, index)
        )
        frame = self.scores.reindex(columns=list(DIMENSIONS)).astype("float64")
        by_group = frame.groupby(keys.to_numpy(), sort=False)
        present = by_group.count()
        figures = {
            "group_median": by_group.median(),
            "group_q1": by_group.quantile(0.25),
            "group_q3": by_group.quantile(0.75),
            "of": present,
            "missing": by_group.size().to_frame().to_numpy() - present,
        }
        # Equal scores reached by different sums differ in the last bits (1e-14); rounded,
        # they tie and share the rank, whichever way the group was scored.
        rank = (
            frame.round(9).groupby(keys.to_numpy(), sort=False).rank(method="min", ascending=False)
        )
        columns = {
            dimension: {
                "score": frame[dimension].to_numpy(),
                "coverage": self.coverage[dimension].reindex(index).to_numpy(),
                "available": self.available[dimension].reindex(index).fillna(0).to_numpy(),
                "rank": rank[dimension].to_numpy(),
                **{
                    name: table[dimension].reindex(keys).to_numpy()
                    for name, table in figures.items()
                },
            }
            for dimension in DIMENSIONS
        }
        rows: dict[str, list[tuple[Any, ...]]] = {}
        for position, code in enumerate(index):
            rows[str(code)] = [
                _summary_row(dimension, self.totals[dimension], columns[dimension], position)
                for dimension in DIMENSIONS
            ]
        return rows


_SUMMARY_COLUMNS = (
    "dimension",
    "score",
    "coverage",
    "available",
    "total",
    "group_median",
    "group_q1",
    "group_q3",
    "rank",
    "of",
    "missing",
)


def _summary_row(
    dimension: str, total: int, column: dict[str, np.ndarray], at: int
) -> tuple[Any, ...]:
    rank = column["rank"][at]
    return (
        dimension,
        float(column["score"][at]),
        float(column["coverage"][at]),
        int(column["available"][at]),
        total,
        float(column["group_median"][at]),
        float(column["group_q1"][at]),
        float(column["group_q3"][at]),
        None if np.isnan(rank) else int(rank),
        int(column["of"][at]),
        int(column["missing"][at]),
    )


def _rows_for_outsider(scores: DimensionScores, code: str) -> list[tuple[Any, ...]]:
    """:meth:`DimensionScores.for_municipality` for a code that was not scored: no score and
    no rank; the group's figures are those of all members (one group) or none (partition)."""
    members = scores.members_of(code)
    rows = []
    for dimension in DIMENSIONS:
        present = scores.scores[dimension].reindex(members).dropna()
        figures = [present.median(), present.quantile(0.25), present.quantile(0.75)]
        rows.append(
            (
                dimension,
                np.nan,
                np.nan,
                0,
                scores.totals[dimension],
                *(float(f) if len(present) else np.nan for f in figures),
                None,
                len(present),
                int(scores.scores[dimension].reindex(members).isna().sum()),
            )
        )
    return rows


def score_dimensions(
    reference: pd.DataFrame,
    catalogue: pd.DataFrame,
    members: pd.Index,
    weights: Mapping[str, float] | None = None,
    threshold: float = COVERAGE_THRESHOLD,
    groups: pd.Series | None = None,
) -> DimensionScores:
    """Dimension scores of every municipality in ``members`` within that group.

    ``reference`` has one column per indicator (reference-year values), index municipality code;
    members absent from it count as having no data. ``weights`` maps indicator id -> weight
    (default 1 for every indicator; 0 leaves an indicator out). With ``groups`` (code -> group
    key, e.g. every municipality's type), each member is scored within its own group instead,
    all groups at once; a member without a key is scored alone.
    """
    group = reference.reindex(members)
    meta = catalogue.set_index("id")
    directions = meta["direction"]
    used: dict[str, float] = {}
    per_dimension: dict[str, list[str]] = {}
    for dimension in DIMENSIONS:
        ids = [
            ident
            for ident in meta.index[
                (meta["dimension"] == dimension) & (meta["direction"] != "neutral")
            ]
            if float((weights or {}).get(ident, 1.0)) > 0
        ]
        per_dimension[dimension] = ids
        used.update({ident: float((weights or {}).get(ident, 1.0)) for ident in ids})
    # Indicators of the catalogue missing from the table have no data for anyone.
    complete = group.reindex(columns=list(used)).astype("float64")
    if groups is not None:
        groups = groups.reindex(group.index)
    percentiles = percentile_table(complete, directions, groups).reindex(columns=list(used))

    scores, coverage, available = {}, {}, {}
    for dimension, ids in per_dimension.items():
        total = len(ids)
        if total == 0:
            scores[dimension] = pd.Series(np.nan, index=group.index)
            coverage[dimension] = pd.Series(np.nan, index=group.index)
            available[dimension] = pd.Series(0, index=group.index)
            continue
        part = percentiles[ids]
        w = pd.Series({ident: used[ident] for ident in ids})
        has = part.notna()
        weight_sum = has.mul(w, axis=1).sum(axis=1)
        mean = part.fillna(0.0).mul(w, axis=1).sum(axis=1) / weight_sum.where(weight_sum > 0)
        count = has.sum(axis=1)
        share = count / total
        scores[dimension] = mean.where(share >= threshold - _EPSILON)
        coverage[dimension] = share
        available[dimension] = count
    return DimensionScores(
        scores=pd.DataFrame(scores, index=group.index),
        coverage=pd.DataFrame(coverage, index=group.index),
        available=pd.DataFrame(available, index=group.index).astype("int64"),
        totals={d: len(ids) for d, ids in per_dimension.items()},
        weights=used,
        indicators=per_dimension,
        threshold=threshold,
        groups=groups,
    )
