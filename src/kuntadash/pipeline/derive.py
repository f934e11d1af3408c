"""Derived indicators: a declared step of the pipeline (no streamlit, pure pandas).

Some sources deliver a raw measure, not the indicator shown: SYKE gives kt CO2e per sector, the
catalogue shows tonnes per resident and the change since 2005. A catalogue entry says how its
values are derived (``derive``) from the raw measure ``<adapter>:<code>`` of its source:

- ``per_resident: F``: measure × F / the population of the same year (F = 1000 turns kt into
  tonnes); ``absolute: true`` takes the size of a negative measure (wind-power credits);
- ``change_since: Y``: per cent change of the measure since year Y;
- ``share_of: C`` (with ``factor``, default 100): the measure as a share of a second raw
  measure ``<adapter>:C`` of the same source, municipality and year (unemployed job seekers of
  the labour force). Both are counts summed over merged municipalities first, so a merged
  figure is the ratio of the sums: the members' shares weighted by their own denominators;
- ``yearly_change: I``: per cent change of the catalogue indicator ``I`` (not a raw measure:
  e.g. ``population``) from the previous year. It fills only keys that have no value of their
  own, so a published figure of the same definition always wins over the computed one.

Derivation runs after harmonisation, on the current division: the raw measure is a count, so it
is summed over merged municipalities first, and the population is the data's own (same year;
else the nearest year, reported). Raw measures never reach the snapshot.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from kuntadash.domain.catalogue import RAW_SEPARATOR, denominator_of, measure_of
from kuntadash.domain.population import population_history, population_in


def is_raw(indicator_id: str) -> bool:
    return RAW_SEPARATOR in str(indicator_id)


def raw_aggregations(entries: Sequence[Mapping[str, Any]]) -> dict[str, str]:
    """Raw measures are counts (kt, persons …): summed when municipalities merge."""
    measures = {}
    for entry in entries:
        how = entry.get("derive") or {}
        if not how or "yearly_change" in how:
            continue
        measures[measure_of(entry)] = "count"
        denominator = denominator_of(entry)
        if denominator:
            measures[denominator] = "count"
    return measures


@dataclass
class Derived:
    values: pd.DataFrame
    nearest_population: dict[str, list[int]] = field(default_factory=dict)  # id -> years
    without_population: dict[str, list[str]] = field(default_factory=dict)  # id -> codes


def derive(
    values: pd.DataFrame,
    entries: Sequence[Mapping[str, Any]],
    population: pd.DataFrame | None = None,
    existing: pd.DataFrame | None = None,
) -> Derived:
    """``values`` with every derivable indicator added and the raw measures removed.

    ``population``: tidy population figures of the current division besides those in
    ``values`` (e.g. the snapshot being extended); the first figure per key wins.
    ``existing``: the values of the snapshot being extended; a yearly change it already holds
    is kept, never recomputed."""
    raw = values[values["indicator_id"].astype(str).str.contains(RAW_SEPARATOR, regex=False)]
    kept = values.drop(index=raw.index)
    changes = [
        _yearly_change(kept, e, existing)
        for e in entries
        if "yearly_change" in (e.get("derive") or {})
    ]
    kept = pd.concat([kept, *changes], ignore_index=True) if changes else kept
    if raw.empty:
        return Derived(kept.reset_index(drop=True))
    frames = [kept[kept["indicator_id"] == "population"]]
    if population is not None:
        frames.append(population.assign(indicator_id="population"))
    history = population_history(pd.concat(frames, ignore_index=True))
    result = Derived(kept)
    derived = []
    for entry in entries:
        how = entry.get("derive")
        if not how or "yearly_change" in how:
            continue
        measure = raw[raw["indicator_id"] == measure_of(entry)]
        if measure.empty:
            continue
        if "share_of" in how:
            denominator = raw[raw["indicator_id"] == denominator_of(entry)]
            derived.append(_share_of(measure, denominator, how, entry["id"]))
        elif "change_since" in how:
            derived.append(_change_since(measure, int(how["change_since"]), entry["id"]))
        elif "per_resident" in how:
            derived.append(_per_resident(measure, how, entry["id"], history, result))
    result.values = pd.concat([kept, *derived], ignore_index=True)
    return result


def _change_since(measure: pd.DataFrame, base_year: int, indicator_id: str) -> pd.DataFrame:
    base = measure[measure["year"] == base_year].set_index("municipality_code")["value"]
    later = measure[measure["year"] > base_year]
    reference = later["municipality_code"].map(base).astype("float64")
    change = (later["value"].astype("float64") / reference.where(reference != 0) - 1) * 100
    return later.assign(indicator_id=indicator_id, value=change.to_numpy())


def _share_of(
    measure: pd.DataFrame, denominator: pd.DataFrame, how: Mapping[str, Any], indicator_id: str
) -> pd.DataFrame:
    """measure / denominator × factor per (municipality, year); missing where either is
    missing or the denominator is not positive."""
    factor = float(how.get("factor", 100))
    key = ["municipality_code", "year"]
    base = denominator.set_index(key)["value"].astype("float64")
    below = base.reindex(pd.MultiIndex.from_frame(measure[key])).to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        value = (
            measure["value"].astype("float64").to_numpy()
            * factor
            / np.where(below > 0, below, np.nan)
        )
    return measure.assign(indicator_id=indicator_id, value=value)


def _yearly_change(
    values: pd.DataFrame, entry: Mapping[str, Any], existing: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Per cent change of ``derive.yearly_change`` from the previous year, for the keys of
    ``entry`` that ``values`` does not already hold (a published figure wins); a key that
    ``existing`` (the snapshot being extended) holds keeps that figure."""
    indicator_id = str(entry["id"])
    base = values[values["indicator_id"] == entry["derive"]["yearly_change"]]
    base = base.dropna(subset=["value"])
    previous = base.assign(year=base["year"] + 1).set_index(["municipality_code", "year"])
    before = previous["value"].astype("float64")
    reference = before.reindex(pd.MultiIndex.from_frame(base[["municipality_code", "year"]]))
    reference = reference.to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        change = (base["value"].astype("float64").to_numpy() / reference - 1) * 100
    out = base.assign(indicator_id=indicator_id, value=change)
    out = out[~np.isnan(reference)]
    own = values[values["indicator_id"] == indicator_id]
    taken = pd.MultiIndex.from_frame(own[["municipality_code", "year"]].astype({"year": "int64"}))
    out = out[~pd.MultiIndex.from_frame(out[["municipality_code", "year"]]).isin(taken)]
    if existing is None or existing.empty:
        return out
    # A figure the snapshot already holds (a published one, or one derived before) stays as it
    # is: a computed change never replaces it, in an import or an update alike.
    held = existing[(existing["indicator_id"] == indicator_id) & existing["value"].notna()]
    held_keys = pd.MultiIndex.from_frame(
        held[["municipality_code", "year"]].astype({"year": "int64"})
    )
    keys = pd.MultiIndex.from_frame(out[["municipality_code", "year"]])
    kept = held[held_keys.isin(keys)][list(out.columns.intersection(held.columns))]
    return pd.concat([out[~keys.isin(held_keys)], kept], ignore_index=True)


def _per_resident(
    measure: pd.DataFrame,
    how: Mapping[str, Any],
    indicator_id: str,
    history: pd.DataFrame,
    result: Derived,
) -> pd.DataFrame:
    factor = float(how["per_resident"])
    numbers = measure["value"].astype("float64")
    if how.get("absolute"):
        numbers = numbers.abs()
    rows = []
    nearest: set[int] = set()
    lacking: set[str] = set()
    for year, group in measure.assign(_v=numbers.to_numpy()).groupby("year"):
        codes = pd.Index(group["municipality_code"].astype(str))
        population = population_in(history, codes, int(year))
        pop = population.values.reindex(codes).to_numpy(dtype="float64")
        if population.nearest:
            nearest.add(int(year))
        lacking |= set(codes[np.isnan(pop)])
        with np.errstate(divide="ignore", invalid="ignore"):
            value = group["_v"].to_numpy() * factor / np.where(pop > 0, pop, np.nan)
        rows.append(group.drop(columns="_v").assign(indicator_id=indicator_id, value=value))
    if nearest:
        result.nearest_population[indicator_id] = sorted(nearest)
    if lacking:
        result.without_population[indicator_id] = sorted(lacking)
    return pd.concat(rows, ignore_index=True)
