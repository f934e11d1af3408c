"""Population as data: domain layer, pure pandas.

Population is the ``population`` indicator of the snapshot's own values (persons on 31 December),
never a register column: size classes, population density, similar municipalities, population-
weighted group means and harmonisation weights all read it for the year they need. When that
year has no figure for a municipality, the nearest year's figure is used (the earlier of two
equally near) and the result says so; with no figure at all the population is missing.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

POPULATION = "population"


def population_history(values: pd.DataFrame) -> pd.DataFrame:
    """Population wide by year: index municipality code, one column per year (NaN missing)."""
    rows = values[(values["indicator_id"] == POPULATION) & values["value"].notna()]
    if rows.empty:
        empty = pd.DataFrame(index=pd.Index([], name="municipality_code", dtype="object"))
        empty.columns = pd.Index([], name="year", dtype="int64")
        return empty
    wide = rows.pivot_table(
        index="municipality_code", columns="year", values="value", aggfunc="first"
    ).astype("float64")
    wide.index = wide.index.astype(str)
    wide.columns = wide.columns.astype("int64")
    return wide.sort_index(axis=1)


@dataclass(frozen=True)
class PopulationYear:
    """Population of every municipality for one requested year."""

    values: pd.Series  # municipality code -> persons (NaN: no figure in any year)
    year: int | None  # the requested year (None: the latest year with figures)
    years_used: tuple[int, ...]  # the years the figures come from

    @property
    def nearest(self) -> bool:
        """True when some figure comes from another year than the one requested."""
        return self.year is not None and any(y != self.year for y in self.years_used)

    @property
    def label_year(self) -> int | None:
        """The year to name in a caption: the requested one, else the latest used."""
        if self.year is not None:
            return self.year
        return max(self.years_used) if self.years_used else None


def population_in(
    history: pd.DataFrame, codes: pd.Index, year: int | None = None
) -> PopulationYear:
    """Population of ``codes`` in ``year`` (default: the latest year with figures), each missing
    figure taken from the municipality's nearest year with one."""
    if history.empty:
        return PopulationYear(pd.Series(np.nan, index=codes, dtype="float64"), year, ())
    years = [int(y) for y in history.columns]
    wanted = max(years) if year is None else int(year)
    table = history.reindex(codes)
    order = sorted(years, key=lambda y: (abs(y - wanted), y))
    result = pd.Series(np.nan, index=codes, dtype="float64")
    source_year = pd.Series(np.nan, index=codes, dtype="float64")
    for candidate in order:
        fill = result.isna() & table[candidate].notna()
        if fill.any():
            result[fill] = table.loc[fill, candidate]
            source_year[fill] = candidate
        if not result.isna().any():
            break
    used = tuple(sorted({int(y) for y in source_year.dropna()}))
    result.index.name = "municipality_code"
    return PopulationYear(result, year, used)


def population_by_year(history: pd.DataFrame, codes: pd.Index, years: list[int]) -> pd.DataFrame:
    """Weights for figures over several years: index code, one column per year in ``years``,
    each from :func:`population_in` (same year, else the nearest)."""
    frame = pd.DataFrame(
        {int(y): population_in(history, codes, int(y)).values for y in years}, index=codes
    )
    frame.columns.name = "year"
    return frame


def population_density(population: pd.Series, land_area_km2: pd.Series) -> pd.Series:
    """Residents per km² of land (missing when either is missing or the area is not positive)."""
    area = land_area_km2.astype("float64").reindex(population.index)
    return population.astype("float64") / area.where(area > 0)
