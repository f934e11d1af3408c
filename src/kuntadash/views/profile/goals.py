"""The profile's strengths and weak spots grouped by the Sustainable Development Goals their
indicators measure (views layer).

Each goal lists the municipality's indicators tagged with it (the catalogue's ``sdg`` tags) where
it stands above its group's middle (a strength) or below it (a weak spot), by the same rule as
the strengths and weak spots on the first screen: context figures have no better end and figures
resting on a small population are left out (domain.small_numbers.without_small_population).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from kuntadash.domain.catalogue import sdg_tags
from kuntadash.domain.small_numbers import without_small_population
from kuntadash.i18n import translate
from kuntadash.views.format import Formatter
from kuntadash.views.indicators import goal_label
from kuntadash.views.profile.model import MIDDLE


@dataclass(frozen=True)
class GoalStanding:
    """One goal: the indicators measuring it where the municipality is ahead of its group, and
    those where it is behind, each "Name (better than 80 % of the group)", best first."""

    goal: int
    label: str  # "8 Ihmisarvoista työtä ja talouskasvua"
    strengths: tuple[str, ...]
    weaknesses: tuple[str, ...]


def goal_standings(profile: pd.DataFrame, fmt: Formatter) -> list[GoalStanding]:
    """The goals in their order with at least one strength or weak spot of ``profile``."""
    tags = sdg_tags()
    ranked = without_small_population(profile).dropna(subset=["percentile"])
    ranked = ranked.sort_values(["percentile", "indicator_id"], ascending=[False, True])
    ahead: dict[int, list[str]] = {}
    behind: dict[int, list[str]] = {}
    for ident, percentile in zip(ranked["indicator_id"], ranked["percentile"], strict=True):
        tag = tags.get(str(ident))
        if tag is None or percentile == MIDDLE:
            continue
        text = translate(
            "profile.goal_item",
            fmt.lang,
            name=fmt.name(ident),
            percentile=fmt.number(percentile, 0, "%"),
        )
        for goal in tag.goals:
            (ahead if percentile > MIDDLE else behind).setdefault(goal, []).append(text)
    goals = sorted(set(ahead) | set(behind))
    return [
        GoalStanding(
            goal,
            goal_label(goal, fmt.lang),
            tuple(ahead.get(goal, ())),
            tuple(behind.get(goal, ()))[::-1],  # the weakest first
        )
        for goal in goals
    ]
