"""Harmonisation to the current municipal division: domain layer, pure pandas (and geopandas).

Statistics published for an earlier division carry codes of municipalities that have since
merged (e.g. Pertunmaa 588, merged into Mäntyharju 507 on 1.1.2025). The merger table is data
(``resources/division_changes.yaml``). Rules, per (merged municipality, indicator, year):

- ``count`` indicators are summed over the municipalities that formed it;
- ``rate``, ``per_resident``, ``share`` and ``index`` indicators are averaged weighted by
  population: the data's own population of the same year (for a per-resident figure this is
  exactly numerator / denominator recomputed); when that year has no population figure for a
  member, the nearest year's is used and reported (``HarmonisedValues.nearest_weights``); with no
  population figure at all the value stays missing and is reported (``unweighted``), never
  weighted by a guess;
- when any member's value is missing the harmonised value is missing too: a sum or mean over part
  of the area would look like a real figure and is not one.

Harmonised keys are returned as a separate table so the store can record them without changing
the values table. Extra columns of ``values`` (e.g. ``source_id``) travel with each value; a
harmonised value takes the first member's.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

HARMONISED_COLUMNS = ("municipality_code", "indicator_id", "year", "method", "members")
_SUMMED = frozenset({"count"})


@dataclass(frozen=True)
class DivisionChange:
    """One merger: from 1 January of ``year``, ``absorbed`` is part of ``into``."""

    year: int
    absorbed: str
    into: str
    name_fi: str = ""
    name_sv: str = ""
    population: float | None = None
    source: str = ""


def read_division_changes(document: Mapping[str, Any]) -> list[DivisionChange]:
    """The changes listed in a division_changes.yaml document, newest first."""
    changes = []
    for entry in document.get("changes") or []:
        changes.append(
            DivisionChange(
                year=int(entry["year"]),
                absorbed=str(entry["absorbed"]).zfill(3),
                into=str(entry["into"]).zfill(3),
                name_fi=str(entry.get("name_fi", "")),
                name_sv=str(entry.get("name_sv", "")),
                population=None if entry.get("population") is None else float(entry["population"]),
                source=str(entry.get("source", "")),
            )
        )
    return sorted(changes, key=lambda c: (-c.year, c.absorbed))


def merger_years(changes: Iterable[DivisionChange], target_year: int) -> dict[str, int]:
    """Old code -> year from which it no longer exists (its merger took effect)."""
    return {c.absorbed: c.year for c in changes if c.year <= target_year}


def merger_map(changes: Iterable[DivisionChange], target_year: int) -> dict[str, str]:
    """Old code -> code in the ``target_year`` division, following chains of mergers."""
    direct = {c.absorbed: c.into for c in changes if c.year <= target_year}
    resolved = {}
    for code in direct:
        seen, current = {code}, direct[code]
        while current in direct and current not in seen:
            seen.add(current)
            current = direct[current]
        resolved[code] = current
    return resolved


def division_codes(
    target_codes: Iterable[str], changes: Iterable[DivisionChange], target_year: int, year: int
) -> set[str]:
    """Codes of the ``year`` division, derived from the ``target_year`` one and the changes."""
    codes = set(target_codes)
    for change in changes:
        if year < change.year <= target_year:
            codes.add(change.absorbed)
    return codes


@dataclass(frozen=True)
class DivisionMatch:
    """Which division a set of codes belongs to, and what could not be placed."""

    year: int | None
    unknown: frozenset[str]  # codes of no known division
    missing: frozenset[str]  # codes of the best matching division absent from the set

    @property
    def recognised(self) -> bool:
        return self.year is not None


def detect_division(
    codes: Iterable[str],
    target_codes: Iterable[str],
    changes: Iterable[DivisionChange],
    target_year: int,
) -> DivisionMatch:
    """The division whose code set equals ``codes`` (the target first, then earlier ones)."""
    codes, target_codes, changes = set(codes), set(target_codes), list(changes)
    earlier = sorted({c.year - 1 for c in changes if c.year <= target_year}, reverse=True)
    candidate_years = [target_year, *earlier]
    best: tuple[int, set[str]] | None = None
    for year in candidate_years:
        expected = division_codes(target_codes, changes, target_year, year)
        if codes == expected:
            return DivisionMatch(year, frozenset(), frozenset())
        if codes <= expected and (best is None or len(expected - codes) < len(best[1])):
            best = (year, expected - codes)
    known = division_codes(target_codes, changes, target_year, min(candidate_years))
    unknown = frozenset(codes - known)
    missing = frozenset(best[1]) if best else frozenset(target_codes - codes)
    return DivisionMatch(None, unknown, missing)


@dataclass(frozen=True)
class WeightNote:
    """A harmonised key whose weights were not the same year's population figures."""

    municipality_code: str  # the current municipality
    indicator_id: str
    year: int
    weight_years: tuple[int, ...]  # years of the population figures used (empty: none found)


@dataclass(frozen=True)
class HarmonisedValues:
    values: pd.DataFrame
    harmonised: pd.DataFrame  # HARMONISED_COLUMNS: one row per harmonised key
    nearest_weights: tuple[WeightNote, ...] = ()  # weighted with another year's population
    unweighted: tuple[WeightNote, ...] = ()  # no population figure at all: left missing


def empty_harmonised() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "municipality_code": pd.Series(dtype="string"),
            "indicator_id": pd.Series(dtype="string"),
            "year": pd.Series(dtype="int64"),
            "method": pd.Series(dtype="string"),
            "members": pd.Series(dtype="string"),
        }
    )


def harmonise_values(
    values: pd.DataFrame,
    aggregations: Mapping[str, str],
    mapping: Mapping[str, str],
    population: pd.DataFrame | None = None,
    merged_in: Mapping[str, int] | None = None,
) -> HarmonisedValues:
    """``values`` (tidy) moved to the division of ``mapping`` (old code -> current code).

    ``aggregations``: indicator id -> catalogue aggregation. ``population``: tidy frame with
    municipality_code, year, value (the data's own population, on the old division) used as
    weights, same year first, else the nearest year. ``merged_in``:
    old code -> year its merger took effect; from that year on the current municipality's own
    figure already covers the old area, so the old code is not expected (a source such as
    Sotkanet lists Pertunmaa up to 2024 and Mäntyharju after). Without it every old code that
    appears for an indicator is expected in each of that indicator's years.
    """
    frame = values.copy()
    frame["municipality_code"] = frame["municipality_code"].astype(str)
    target = frame["municipality_code"].map(lambda code: mapping.get(code, code))
    moved = frame["municipality_code"] != target
    if not moved.any():
        return HarmonisedValues(values.reset_index(drop=True), empty_harmonised())
    frame["_target"] = target
    merged_in = merged_in or {}
    # Old codes present per (current code, indicator): the members a complete figure needs.
    olds = frame.loc[moved].groupby(["_target", "indicator_id"])["municipality_code"].agg(set)
    affected = frame.set_index(["_target", "indicator_id"]).index.isin(olds.index)
    untouched = frame.loc[~affected].drop(columns="_target")
    weights = _PopulationWeights(population)
    rows, keys, nearest, unweighted = [], [], [], []
    for (code, indicator, year), group in frame.loc[affected].groupby(
        ["_target", "indicator_id", "year"], sort=True
    ):
        expected = {code} | {
            old for old in olds[(code, indicator)] if int(year) < merged_in.get(old, 10_000)
        }
        present = set(group["municipality_code"])
        if present == {code} and expected == {code}:
            rows.append(group.drop(columns="_target").iloc[0].to_dict())  # already current
            continue
        members = sorted(expected | present)
        method = "sum" if aggregations.get(indicator) in _SUMMED else "population_weighted"
        value, weight_years = _combine(group, members, method, int(year), weights)
        if weight_years is not None and (weight_years != (int(year),) or np.isnan(value)):
            note = WeightNote(code, str(indicator), int(year), weight_years)
            (unweighted if np.isnan(value) else nearest).append(note)
        row = group.drop(columns="_target").iloc[0].to_dict()
        row |= {"municipality_code": code, "indicator_id": indicator, "year": year, "value": value}
        rows.append(row)
        keys.append(
            {
                "municipality_code": code,
                "indicator_id": indicator,
                "year": int(year),
                "method": method,
                "members": "+".join(members),
            }
        )
    combined = pd.concat([untouched, pd.DataFrame(rows)], ignore_index=True)
    combined = combined.astype({"year": "int64", "value": "float64"})
    harmonised = pd.DataFrame(keys, columns=list(HARMONISED_COLUMNS)).astype(
        {
            "municipality_code": "string",
            "indicator_id": "string",
            "year": "int64",
            "method": "string",
            "members": "string",
        }
    )
    return HarmonisedValues(combined, harmonised, tuple(nearest), tuple(unweighted))


class _PopulationWeights:
    """Population by (code, year) from the data, with the nearest year as the fallback."""

    def __init__(self, population: pd.DataFrame | None):
        self._by_code: dict[str, dict[int, float]] = {}
        if population is not None and len(population):
            clean = population.dropna(subset=["value"])
            clean = clean[clean["value"].astype("float64") > 0]
            for code, year, value in zip(
                clean["municipality_code"].astype(str), clean["year"], clean["value"], strict=True
            ):
                self._by_code.setdefault(code, {})[int(year)] = float(value)

    def get(self, code: str, year: int) -> tuple[float, int | None]:
        """(population, year it is from): the same year, else the nearest (the earlier of two
        equally near); (NaN, None) when the data has no population figure for ``code``."""
        years = self._by_code.get(code)
        if not years:
            return float("nan"), None
        if year in years:
            return years[year], year
        nearest = min(years, key=lambda y: (abs(y - year), y))
        return years[nearest], nearest


def _combine(
    group: pd.DataFrame,
    members: list[str],
    method: str,
    year: int,
    weights: _PopulationWeights,
) -> tuple[float, tuple[int, ...] | None]:
    """The harmonised value and the years of the population figures it was weighted with
    (None when no weights were needed; missing weights make the value missing)."""
    present = dict(zip(group["municipality_code"], group["value"], strict=True))
    if set(present) != set(members) or any(pd.isna(present[m]) for m in members):
        return float("nan"), None
    numbers = np.array([float(present[m]) for m in members])
    if method == "sum":
        return float(numbers.sum()), None
    found = [weights.get(m, year) for m in members]
    used = tuple(sorted({y for _, y in found if y is not None}))
    w = np.array([value for value, _ in found], dtype=float)
    if np.isnan(w).any():
        return float("nan"), used
    return float((numbers * w).sum() / w.sum()), used


def harmonise_boundaries(
    boundaries: gpd.GeoDataFrame, mapping: Mapping[str, str]
) -> gpd.GeoDataFrame:
    """Boundaries of an earlier division dissolved into the current one (old areas merged)."""
    frame = boundaries[["municipality_code", "geometry"]].copy()
    frame["municipality_code"] = frame["municipality_code"].map(lambda c: mapping.get(c, c))
    dissolved = frame.dissolve(by="municipality_code", as_index=False)
    return dissolved[["municipality_code", "geometry"]]
