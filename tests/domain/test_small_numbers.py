"""Figures resting on a small population: the flag and the one rule of ranked lists, on tiny
frames (domain.small_numbers), and the catalogue's thresholds."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from kuntadash.domain.catalogue import small_population_thresholds
from kuntadash.domain.population import population_history
from kuntadash.domain.small_numbers import (
    SMALL_POPULATION,
    every_population_in,
    small_population_flags,
    with_small_population,
    without_small_population,
)

THRESHOLDS = {"rate": 1000}


def _population(rows: list[tuple[str, int, float]]) -> pd.DataFrame:
    tidy = pd.DataFrame(rows, columns=["municipality_code", "year", "value"])
    return population_history(tidy.assign(indicator_id="population"))


def _figures(rows: list[tuple[str, str, object, float]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["municipality_code", "indicator_id", "year", "value"])


@pytest.mark.parametrize(
    ("residents", "small"), [(999, True), (1000, False), (1001, False), (100, True)]
)
def test_under_the_threshold_is_small_at_it_is_not(residents: int, small: bool) -> None:
    history = _population([("001", 2024, residents)])
    flags = small_population_flags(_figures([("001", "rate", 2024, 5.0)]), history, THRESHOLDS)
    assert flags.tolist() == [small]


def test_the_population_of_the_figures_own_year_is_tested() -> None:
    history = _population([("001", 2020, 900), ("001", 2024, 1200)])
    figures = _figures([("001", "rate", 2020, 5.0), ("001", "rate", 2024, 6.0)])
    assert small_population_flags(figures, history, THRESHOLDS).tolist() == [True, False]


def test_a_year_without_population_takes_the_nearest() -> None:
    history = _population([("001", 2020, 900), ("001", 2024, 1200)])
    figures = _figures([("001", "rate", 2021, 5.0), ("001", "rate", 2025, 6.0)])
    assert small_population_flags(figures, history, THRESHOLDS).tolist() == [True, False]


def test_missing_population_is_not_marked_and_does_not_fail() -> None:
    history = _population([("001", 2024, 500)])
    figures = _figures([("002", "rate", 2024, 5.0), ("001", "rate", 2024, 5.0)])
    assert small_population_flags(figures, history, THRESHOLDS).tolist() == [False, True]
    empty = _population([])
    assert not small_population_flags(figures, empty, THRESHOLDS).any()


def test_the_populations_kept_by_year_flag_as_those_looked_up_each_time() -> None:
    history = _population([("001", 2020, 900), ("001", 2024, 1200), ("002", 2024, 500)])
    figures = _figures(
        [("001", "rate", 2021, 5.0), ("002", "rate", 2020, 1.0), ("003", "rate", 2024, 2.0)]
    )
    kept = {}

    def population_of(year):
        return kept.setdefault(year, every_population_in(history, year))

    flags = small_population_flags(figures, history, THRESHOLDS, population_of)
    assert flags.tolist() == small_population_flags(figures, history, THRESHOLDS).tolist()
    assert flags.tolist() == [True, True, False] and set(kept) == {2020, 2021, 2024}


def test_a_missing_value_stays_missing_and_unmarked() -> None:
    history = _population([("001", 2024, 500)])
    figures = _figures([("001", "rate", 2024, np.nan)])
    flagged = with_small_population(figures, history, THRESHOLDS)
    assert flagged[SMALL_POPULATION].tolist() == [False]
    assert flagged["value"].isna().all()


def test_an_indicator_without_a_threshold_is_never_marked() -> None:
    history = _population([("001", 2024, 100)])
    figures = _figures([("001", "population", 2024, 100.0), ("001", "count", 2024, 3.0)])
    assert not small_population_flags(figures, history, THRESHOLDS).any()


def test_the_flag_leaves_every_figure_as_it_was() -> None:
    history = _population([("001", 2024, 100), ("002", 2024, 5000)])
    figures = _figures([("001", "rate", 2024, 4.0), ("002", "rate", 2024, 1.5)])
    flagged = with_small_population(figures, history, THRESHOLDS)
    pd.testing.assert_frame_equal(flagged.drop(columns=SMALL_POPULATION), figures)
    assert flagged[SMALL_POPULATION].dtype == bool


def test_a_figure_without_a_year_is_tested_against_the_latest_population() -> None:
    history = _population([("001", 2020, 2000), ("001", 2024, 800)])
    figures = _figures([("001", "rate", None, 4.0)])
    assert small_population_flags(figures, history, THRESHOLDS).tolist() == [True]


def test_lists_leave_out_small_population_figures_and_keep_the_rest() -> None:
    history = _population([("001", 2024, 100), ("002", 2024, 5000), ("003", 2024, 999)])
    figures = _figures(
        [("001", "rate", 2024, 4.0), ("002", "rate", 2024, 1.5), ("003", "rate", 2024, 2.0)]
    )
    kept = without_small_population(with_small_population(figures, history, THRESHOLDS))
    assert kept["municipality_code"].tolist() == ["002"]
    # A table that was never flagged is kept whole.
    assert without_small_population(figures).equals(figures)


def test_the_catalogue_marks_rates_but_not_counts_or_population() -> None:
    thresholds = small_population_thresholds()
    assert "population_change" in thresholds
    assert "population" not in thresholds
    assert all(value > 0 for value in thresholds.values())
