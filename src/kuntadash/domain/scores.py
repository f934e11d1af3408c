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

import numpy as np
import pandas as pd

from kuntadash.domain.catalogue import DIMENSIONS
from kuntadash.domain.stats import percentile_table, rank_in_group

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
        the scores, and the municipality's rank among the members with a score."""
        rows = []
        members = self.members_of(code)
        for dimension in DIMENSIONS:
            column = self.scores[dimension].reindex(members)
            present = column.dropna()
            # Equal scores reached by different sums differ in the last bits (1e-14); rounded,
            # they tie and share the rank, whichever way the group was scored.
            rank = rank_in_group(column.round(9), column.index, code, "higher_better")
            rows.append(
                {
                    "dimension": dimension,
                    "score": column.get(code, np.nan),
                    "coverage": self.coverage[dimension].get(code, np.nan),
                    "available": int(self.available[dimension].get(code, 0)),
                    "total": self.totals[dimension],
                    "group_median": present.median() if len(present) else np.nan,
                    "group_q1": present.quantile(0.25) if len(present) else np.nan,
                    "group_q3": present.quantile(0.75) if len(present) else np.nan,
                    "rank": rank.rank,
                    "of": rank.of,
                    "missing": rank.missing,
                }
            )
        return pd.DataFrame(rows)


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
