"""The language-free part of a municipality profile: scores, the indicator table, the trends and
the ranks in every grouping (views layer).

Everything here is numbers, the same in Finnish, Swedish and English: a profile in three
languages (the baked pages, a visitor switching language) computes it once and words it three
times. :func:`kuntadash.views.profile.build_profile_view` computes it itself when it is not
given, so there is one way to compute each figure.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from kuntadash.domain.catalogue import DIMENSIONS
from kuntadash.domain.groups import ComparisonGroup
from kuntadash.domain.scores import DimensionScores
from kuntadash.domain.small_numbers import SMALL_POPULATION
from kuntadash.domain.stats import group_figures, profile_from_table, strengths_and_weaknesses
from kuntadash.domain.trends import compute_trends, group_changes, typical_changes
from kuntadash.views.profile.dimensions import trend_figures
from kuntadash.views.profile.highlights import _changed_most
from kuntadash.views.profile.inputs import kept
from kuntadash.views.profile.model import CHANGE_PERIOD, HIGHLIGHTS, MIDDLE


@dataclass
class ProfileNumbers:
    """The figures of ``code``'s profile against one comparison group (``kind``, ``members``).

    Shared between the languages' views: never mutate the frames."""

    code: str
    kind: str
    members: tuple[str, ...]
    scores: DimensionScores
    summary: pd.DataFrame  # scores.for_municipality(code)
    profile: pd.DataFrame  # profile_from_table(): one row per indicator
    trends: pd.DataFrame  # compute_trends(): one row per indicator and period
    strongest: pd.DataFrame
    weakest: pd.DataFrame
    changed: pd.DataFrame  # the largest changes, largest first (highlights._changed_most)
    known_changes: int  # indicators with a known change over CHANGE_PERIOD years
    changes_left_out: list[str]  # whose change rests on a small population (left out)
    dimension_trends: dict[str, tuple[str, str, dict[str, int]] | None]  # trend_figures
    _score_of: Callable[[str, pd.Index], DimensionScores] = field(repr=False)
    _ranks: dict[str, pd.DataFrame] = field(repr=False, default_factory=dict)

    def fits(self, code: str, group: ComparisonGroup) -> bool:
        """Whether these are the figures of ``code`` against ``group``."""
        return (
            self.code == code
            and self.kind == group.kind
            and self.members == tuple(map(str, group.members))
        )

    def summary_in(self, kind: str, members: pd.Index) -> pd.DataFrame:
        """``code``'s dimension rows (:meth:`DimensionScores.for_municipality`) in its group of
        ``kind`` with ``members``, indexed by dimension; computed once per kind."""
        if kind not in self._ranks:
            scores = self.scores if kind == self.kind else self._score_of(kind, members)
            self._ranks[kind] = scores.for_municipality(self.code).set_index("dimension")
        return self._ranks[kind]


def compute_profile_numbers(
    code: str,
    group: ComparisonGroup,
    catalogue: pd.DataFrame,
    wide: pd.DataFrame,
    reference: pd.DataFrame,
    years: dict[str, int],
    score_of: Callable[[str, pd.Index], DimensionScores],
    flag_small: Callable[[pd.DataFrame], pd.Series],
    memo: dict[Hashable, Any] | None = None,
) -> ProfileNumbers:
    """The figures of ``code``'s profile against ``group`` (its label's language is ignored).
    ``flag_small`` flags the rows (``municipality_code``, ``indicator_id``, ``year``,
    ``value``) resting on a small population (views.small.SmallPopulation.flags): they are
    marked, and never a strength or a weak spot. ``memo``: :attr:`ProfileInputs.memo`, where
    the group's own figures are kept for its other members."""
    members = group.members
    within = ("group", tuple(map(str, members)))
    scores = score_of(group.kind, members)
    figures = kept(
        memo, (*within, "figures"), lambda: group_figures(reference, catalogue, members, years)
    )
    profile = profile_from_table(reference, catalogue, code, members, years, figures)
    flags = flag_small(profile.assign(municipality_code=code))
    profile = profile.assign(**{SMALL_POPULATION: flags.to_numpy()})
    strongest, weakest = strengths_and_weaknesses(profile, count=HIGHLIGHTS, middle=MIDDLE)
    changes = kept(
        memo,
        (*within, "changes"),
        lambda: group_changes(wide, catalogue, members, years, also=[code]),
    )
    trends = compute_trends(wide, catalogue, code, members, years, changes=changes)
    # each indicator's typical change: over every municipality, the same for every profile
    typical = (
        None
        if memo is None
        else kept(memo, "typical_changes", lambda: typical_changes(wide, years, CHANGE_PERIOD))
    )
    changed, known_changes, changes_left_out = _changed_most(
        trends, wide, years, flag_small, code, typical
    )
    return ProfileNumbers(
        code=code,
        kind=group.kind,
        members=tuple(map(str, group.members)),
        scores=scores,
        summary=scores.for_municipality(code),
        profile=profile,
        trends=trends,
        strongest=strongest,
        weakest=weakest,
        changed=changed,
        known_changes=known_changes,
        changes_left_out=changes_left_out,
        dimension_trends={d: trend_figures(d, trends) for d in DIMENSIONS},
        _score_of=score_of,
    )
