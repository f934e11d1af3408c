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
    """One consolidation: from 1 January of ``year``, ``absorbed`` is part of ``into``.

    ``into_founded``: the consolidation founded ``into`` as a new municipality code, which did
    not exist before ``year`` (Vöyri 946 in 2011); otherwise ``into`` existed already.
    """

    year: int
    absorbed: str
    into: str
    name_fi: str = ""
    name_sv: str = ""
    into_name_fi: str = ""
    into_founded: bool = False
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
                into_name_fi=str(entry.get("into_name_fi", "")),
                into_founded=bool(entry.get("into_founded", False)),
                source=str(entry.get("source", "")),
            )
        )
    return sorted(changes, key=lambda c: (-c.year, c.absorbed))


def read_first_division_year(document: Mapping[str, Any]) -> int | None:
    """The year of the earliest division the changes are complete from (``complete_from``)."""
    value = document.get("complete_from")
    return None if value is None else int(value)


def merger_years(changes: Iterable[DivisionChange], target_year: int) -> dict[str, int]:
    """Old code -> year from which it no longer exists (its merger took effect)."""
    return {c.absorbed: c.year for c in changes if c.year <= target_year}


def founding_years(changes: Iterable[DivisionChange], target_year: int) -> dict[str, int]:
    """New code -> year it came into existence, for codes founded by a consolidation."""
    return {c.into: c.year for c in changes if c.into_founded and c.year <= target_year}


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
    """Codes of the division in force in ``year``, derived from the ``target_year`` one and the
    changes: codes absorbed since then come back, codes founded since then go."""
    codes = set(target_codes)
    later = [c for c in changes if year < c.year <= target_year]
    codes |= {c.absorbed for c in later}
    codes -= {c.into for c in later if c.into_founded}
    return codes


@dataclass(frozen=True)
class Division:
    """A municipal division: in force from 1 January of ``start`` to the end of ``end``.

    ``start`` is None for the earliest division when the list does not say when it began;
    ``end`` is None for the division in force in the target year.
    """

    start: int | None
    end: int | None
    codes: frozenset[str]

    @property
    def span(self) -> str:
        """The years in force as people write them: "2021–2024", "2020", "2025–"."""
        if self.start is not None and self.start == self.end:
            return str(self.start)
        first = "" if self.start is None else str(self.start)
        last = "" if self.end is None else str(self.end)
        return f"{first}–{last}"

    @property
    def current(self) -> bool:
        return self.end is None

    def in_force(self, year: int) -> bool:
        return (self.start is None or self.start <= year) and (self.end is None or year <= self.end)


def divisions(
    target_codes: Iterable[str],
    changes: Iterable[DivisionChange],
    target_year: int,
    first_year: int | None = None,
) -> list[Division]:
    """Every division from ``first_year`` (or the earliest the changes reach) to the one in force
    in ``target_year``, newest first, each named by the year it came into force."""
    target_codes, changes = set(target_codes), list(changes)
    starts = sorted({c.year for c in changes if c.year <= target_year}, reverse=True)
    out = []
    end: int | None = None
    for start in starts:
        codes = division_codes(target_codes, changes, target_year, start)
        out.append(Division(start, end, frozenset(codes)))
        end = start - 1
    if end is None:  # no change at all: one division
        return [Division(first_year, None, frozenset(target_codes))]
    earliest = first_year if first_year is not None and first_year <= end else None
    out.append(
        Division(earliest, end, frozenset(division_codes(target_codes, changes, target_year, end)))
    )
    return out


@dataclass(frozen=True)
class DivisionMatch:
    """Which division a set of codes belongs to, or the nearest one and how the set differs.

    ``division`` is the division whose codes equal the set (None when there is none);
    ``closest`` is that division, or else the one with the fewest codes differing. The other
    fields describe the set against ``closest``: ``unknown`` codes of no known division, ``gone``
    codes that no longer existed in it (merged before it came into force), ``not_yet`` codes that
    did not exist yet (founded after it), ``missing`` codes of it absent from the set.
    """

    division: Division | None
    closest: Division
    unknown: frozenset[str] = frozenset()
    gone: frozenset[str] = frozenset()
    not_yet: frozenset[str] = frozenset()
    missing: frozenset[str] = frozenset()

    @property
    def recognised(self) -> bool:
        return self.division is not None

    @property
    def current(self) -> bool:
        """The set is the division in force in the target year: nothing to harmonise."""
        return self.division is not None and self.division.current

    @property
    def year(self) -> int | None:
        """The year the matched division came into force (None when unmatched)."""
        return None if self.division is None else self.division.start


def detect_division(
    codes: Iterable[str],
    target_codes: Iterable[str],
    changes: Iterable[DivisionChange],
    target_year: int,
    first_year: int | None = None,
) -> DivisionMatch:
    """The division whose code set equals ``codes``, else the nearest one and the differences."""
    codes = set(codes)
    history = divisions(target_codes, changes, target_year, first_year)
    for division in history:
        if codes == division.codes:
            return DivisionMatch(division, division)
    # Nearest by the number of codes that differ; on a tie the newer division (listed first).
    closest = min(history, key=lambda d: len(codes ^ d.codes))
    known = frozenset().union(*(d.codes for d in history))
    extra = codes - closest.codes
    later = frozenset().union(*(d.codes for d in history[: history.index(closest)]))
    unknown = frozenset(extra - known)
    not_yet = frozenset(c for c in extra & known if c in later)
    gone = frozenset(extra & known) - not_yet
    return DivisionMatch(None, closest, unknown, gone, not_yet, frozenset(closest.codes - codes))


@dataclass(frozen=True)
class Unplaced:
    """Values under ``code`` that cannot be placed in the years ``years``, and why.

    ``reason``: "unknown" (the code belongs to no known division), "gone" (the municipality no
    longer existed: merged by ``change``), "not_yet" (the municipality did not exist yet: founded
    by ``change``, and the same data holds values of the municipalities it was formed from, so
    the area would count twice).
    """

    code: str
    reason: str
    years: tuple[int, ...]
    change: DivisionChange | None = None


def unplaced_values(
    values: pd.DataFrame,
    target_codes: Iterable[str],
    changes: Iterable[DivisionChange],
    target_year: int,
) -> list[Unplaced]:
    """The codes of ``values`` (municipality_code, year, optionally indicator_id) that cannot be
    placed in the year of their value, by code.

    A code of an earlier division is fine in the years it existed (it is harmonised later). A
    current code is fine in any year, also before its municipality was formed: publishers give
    long series on the current division. Only when the same indicator and year also have values
    under the codes it was formed from is such a value refused (it would be counted twice).
    """
    changes = [c for c in changes if c.year <= target_year]
    target_codes = set(target_codes)
    absorbed = {c.absorbed: c for c in changes}
    founded = {c.into: c for c in changes if c.into_founded}
    parts: dict[str, set[str]] = {}
    for change in changes:
        if change.into_founded:
            parts.setdefault(change.into, set()).add(change.absorbed)
    frame = values.assign(municipality_code=values["municipality_code"].astype(str))
    frame = frame.assign(year=frame["year"].astype(int))
    keys = ["indicator_id", "year"] if "indicator_id" in frame.columns else ["year"]
    present = set(zip(frame["municipality_code"], *(frame[k] for k in keys), strict=True))
    found: dict[tuple[str, str], set[int]] = {}
    for row in present:
        code, year = row[0], int(row[-1])
        if code not in target_codes and code not in absorbed:
            found.setdefault((code, "unknown"), set()).add(year)
        elif code in absorbed and year >= absorbed[code].year:
            found.setdefault((code, "gone"), set()).add(year)
        elif (
            code in founded
            and year < founded[code].year
            and any((part, *row[1:]) in present for part in parts[code])
        ):
            found.setdefault((code, "not_yet"), set()).add(year)
    out = []
    for (code, reason), years in sorted(found.items()):
        change = {"gone": absorbed, "not_yet": founded}.get(reason, {}).get(code)
        out.append(Unplaced(code, reason, tuple(sorted(years)), change))
    return out


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
    founded_in: Mapping[str, int] | None = None,
) -> HarmonisedValues:
    """``values`` (tidy) moved to the division of ``mapping`` (old code -> current code).

    ``aggregations``: indicator id -> catalogue aggregation. ``population``: tidy frame with
    municipality_code, year, value (the data's own population, on the old division) used as
    weights, same year first, else the nearest year. ``merged_in``:
    old code -> year its merger took effect; from that year on the current municipality's own
    figure already covers the old area, so the old code is not expected (a source such as
    Sotkanet lists Pertunmaa up to 2024 and Mäntyharju after). Without it every old code that
    appears for an indicator is expected in each of that indicator's years. ``founded_in``: new
    code -> year a consolidation founded it; before that year only the codes it was formed from
    make up its area (Vöyri 946 from 2011, Oravainen 559 and Vöyri-Maksamaa 945 before).
    """
    frame = values.copy()
    frame["municipality_code"] = frame["municipality_code"].astype(str)
    target = frame["municipality_code"].map(lambda code: mapping.get(code, code))
    moved = frame["municipality_code"] != target
    if not moved.any():
        return HarmonisedValues(values.reset_index(drop=True), empty_harmonised())
    frame["_target"] = target
    merged_in, founded_in = merged_in or {}, founded_in or {}
    # Old codes present per (current code, indicator): the members a complete figure needs.
    olds = frame.loc[moved].groupby(["_target", "indicator_id"])["municipality_code"].agg(set)
    affected = frame.set_index(["_target", "indicator_id"]).index.isin(olds.index)
    untouched = frame.loc[~affected].drop(columns="_target")
    weights = _PopulationWeights(population)
    rows, keys, nearest, unweighted = [], [], [], []
    for (code, indicator, year), group in frame.loc[affected].groupby(
        ["_target", "indicator_id", "year"], sort=True
    ):
        own = {code} if int(year) >= founded_in.get(code, 0) else set()
        expected = own | {
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
