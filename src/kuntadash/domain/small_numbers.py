"""Figures resting on a small population: domain layer, pure pandas.

A rate, share or per-resident figure of a municipality with a hundred residents jumps from year
to year: one family moving in is +4 % population change in Sottunga. The catalogue names, per
indicator where it matters, the population under which a figure rests on a small population
(``small_population`` in indicators.yaml, read by
:func:`kuntadash.domain.catalogue.small_population_thresholds`); counts and context figures have
none. The population tested is the municipality's own in the figure's year, the nearest year's
where that year has none (:func:`kuntadash.domain.population.population_in`); a municipality
without any population figure is not marked. A figure is never changed or hidden where it is
shown: it is marked.

The rule for lists, applied in one place (:func:`without_small_population`): top and bottom
lists (the best three, the strengths and weak spots, ranked lists) leave such figures out.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np
import pandas as pd

from kuntadash.domain.population import population_in

SMALL_POPULATION = "small_population"  # the flag column


def small_population_flags(
    rows: pd.DataFrame,
    history: pd.DataFrame,
    thresholds: Mapping[str, int],
    population_of: Callable[[int | None], pd.Series] | None = None,
) -> pd.Series:
    """True for each row (``municipality_code``, ``indicator_id``, ``year``, ``value``) whose
    figure rests on a small population: the indicator has a threshold, the value is present and
    the municipality's population in that year is under the threshold. ``history`` is
    :func:`kuntadash.domain.population.population_history`. Bool, on ``rows``' index.

    ``population_of(year)``: :func:`every_population_in` of ``history`` and ``year``, when the
    caller keeps them for flagging many tables (computed here otherwise)."""
    flags = pd.Series(False, index=rows.index, dtype=bool)
    if rows.empty or history.empty or not thresholds:
        return flags
    limit = rows["indicator_id"].astype(str).map(thresholds).astype("float64")
    candidates = rows[limit.notna() & rows["value"].notna()]
    if candidates.empty:
        return flags
    population = pd.Series(np.nan, index=candidates.index, dtype="float64")
    codes = candidates["municipality_code"].astype(str)
    years = pd.to_numeric(candidates["year"], errors="coerce")
    for year, index in codes.groupby(years.fillna(-1)).groups.items():
        wanted = None if year == -1 else int(year)  # no year: the latest population
        if population_of is None:
            found = population_in(history, pd.Index(codes[index].unique()), wanted).values
        else:
            found = population_of(wanted)
        population[index] = codes[index].map(found).to_numpy()
    flags[candidates.index] = (population < limit[candidates.index]).fillna(False).to_numpy()
    return flags


def every_population_in(history: pd.DataFrame, year: int | None) -> pd.Series:
    """The population of every municipality of ``history`` that :func:`small_population_flags`
    tests a figure of ``year`` against (:func:`kuntadash.domain.population.population_in`:
    each municipality's own, the nearest year's where that year has none)."""
    return population_in(history, history.index, year).values


def with_small_population(
    rows: pd.DataFrame, history: pd.DataFrame, thresholds: Mapping[str, int]
) -> pd.DataFrame:
    """``rows`` with the flag column :data:`SMALL_POPULATION` (see
    :func:`small_population_flags`)."""
    return rows.assign(**{SMALL_POPULATION: small_population_flags(rows, history, thresholds)})


def without_small_population(rows: pd.DataFrame) -> pd.DataFrame:
    """The rows a top or bottom list may name: those not resting on a small population.

    The one rule of every ranked list (the event slides' best three, a profile's strengths and
    weak spots, a ranked list of municipalities): a figure flagged :data:`SMALL_POPULATION` is
    left out; rows without the flag column are all kept."""
    if SMALL_POPULATION not in rows:
        return rows
    return rows[~rows[SMALL_POPULATION].fillna(False).astype(bool)]
