"""The profile's strengths and weak spots by Sustainable Development Goal
(kuntadash.views.profile.goals), on a hand-made profile of real catalogue ids and their goals."""

from __future__ import annotations

import math

import pandas as pd

from kuntadash.domain.small_numbers import SMALL_POPULATION
from kuntadash.views.format import Formatter
from kuntadash.views.indicators import goal_label
from kuntadash.views.profile.goals import goal_standings


def _profile(rows):
    return pd.DataFrame(rows, columns=["indicator_id", "percentile", SMALL_POPULATION])


def test_goals_list_where_the_municipality_is_ahead_and_behind(sample_snapshot):
    fmt = Formatter.from_catalogue(sample_snapshot.catalogue, "en")
    profile = _profile(
        [
            ("unemployment_rate", 80.0, False),  # goal 8, ahead
            ("employment_rate", 30.0, False),  # goal 8, behind
            ("youth_not_in_education_17_24", 10.0, False),  # goals 4 and 8, behind
            ("low_income_rate", 90.0, True),  # goals 1, 10: a small population, left out
            ("tertiary_education_share", 50.0, False),  # goal 4, at the middle: neither
            ("population_change", math.nan, False),  # no position: context
        ]
    )
    standings = {s.goal: s for s in goal_standings(profile, fmt)}
    assert set(standings) == {4, 8}
    eight = standings[8]
    assert eight.label == goal_label(8, "en")
    assert len(eight.strengths) == 1 and eight.strengths[0].startswith(
        fmt.name("unemployment_rate")
    )
    assert fmt.number(80.0, 0, "%") in eight.strengths[0]
    # the weakest first
    weakest, next_weakest = eight.weaknesses
    assert weakest.startswith(fmt.name("youth_not_in_education_17_24"))
    assert next_weakest.startswith(fmt.name("employment_rate"))
    assert standings[4].strengths == () and len(standings[4].weaknesses) == 1


def test_a_profile_of_the_sample_has_its_goals_built_when_read(sample_snapshot):
    from kuntadash.views.profile import build_profile_view

    view = build_profile_view(sample_snapshot, "091", "fi")
    goals = view.goals
    assert goals, "the sample's tagged indicators give goals"
    assert all(s.strengths or s.weaknesses for s in goals)
    assert [s.goal for s in goals] == sorted(s.goal for s in goals)
