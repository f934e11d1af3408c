"""The shared tail of every snapshot build: harmonised → derived → merged → checked (pipeline).

``data update``, ``data import`` and ``data official`` all end here. They hand over a
:class:`Batch` (tidy values of any known division with the source each came from, the manifest
entries of those sources, boundaries already on the division if they brought any, extra
population weights) and a :class:`Target` (the division, its register and catalogue, the
snapshot being extended and how new values replace old ones). :func:`assemble` returns the new
snapshot, not written, with notes for the user; the caller validates and writes it.

No figure already in the snapshot turns into a missing one here unless the operator asked for
it (``Target.allow_blanking``: ``--allow-blanking`` on the command line, a checkbox on the Data
page): a blank or ``..`` cell keeps the figure, and the notes name each figure so kept (or, when
asked, blanked), with both values. Changed figures are counted and the largest changes named.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd

from kuntadash import resources
from kuntadash.crs import NATIONAL_GRID, WGS84
from kuntadash.domain.catalogue import CatalogueError, catalogue_from_document
from kuntadash.domain.harmonise import (
    DivisionChange,
    HarmonisedValues,
    founding_years,
    harmonise_values,
    merger_map,
    merger_years,
)
from kuntadash.domain.population import POPULATION
from kuntadash.domain.tiles import compute_tile_layout
from kuntadash.errors import Message, figure, message, municipality_name
from kuntadash.importing.errors import DataImportError
from kuntadash.pipeline.derive import Derived, derive, raw_aggregations
from kuntadash.provenance import register_sources
from kuntadash.store.snapshot import FORMAT_VERSION, Snapshot, coerce_municipalities, now_iso

KEY = ["municipality_code", "indicator_id", "year"]
# Figures named one by one in the notes (kept or blanked; the largest changes); the rest counted.
MAX_NAMED_FIGURES = 50
MAX_NAMED_CHANGES = 10


def build_municipality_table(
    register: pd.DataFrame, types_document: dict[str, Any]
) -> pd.DataFrame:
    """The snapshot's municipalities table: the official register with the municipality type."""
    table = register.copy()
    assignments = types_document.get("assignments") or {}
    table["municipality_type"] = table["municipality_code"].map(
        lambda code: (assignments.get(code) or {}).get("type")
    )
    table["municipality_type_uncertain"] = table["municipality_code"].map(
        lambda code: bool((assignments.get(code) or {}).get("uncertain", False))
    )
    return coerce_municipalities(table)


def municipality_points(places: pd.DataFrame) -> gpd.GeoSeries:
    """Approximate municipal centres (the sample register's lat / lon) as points."""
    return gpd.GeoSeries(gpd.points_from_xy(places["lon"], places["lat"]), crs=WGS84)


@dataclass
class Batch:
    """What one update or import brings."""

    values: pd.DataFrame  # tidy, with source_id; codes of any known division; raw measures ok
    sources: list[dict[str, Any]]  # manifest entries of the sources the values name
    boundaries: gpd.GeoDataFrame | None = None  # already on the target division
    weights: list[pd.DataFrame] = field(default_factory=list)  # extra population figures
    notes: list[Message] = field(default_factory=list)


@dataclass
class Target:
    """Where the batch goes."""

    division_year: int
    register: pd.DataFrame  # the division's official register
    changes: Sequence[DivisionChange]
    entries: Sequence[dict[str, Any]]  # catalogue document entries of the result
    existing: Snapshot | None = None  # the snapshot being extended (a sample is replaced)
    # "keys": a new value replaces the same (municipality, indicator, year) and everything else
    # stays (import); "indicators": only the ``keep`` indicators stay from the existing
    # snapshot, every other one is what the batch brings (update).
    replace: Literal["keys", "indicators"] = "keys"
    keep: frozenset[str] = frozenset()
    label: str = "-"  # the folder, as named in messages
    manifest: dict[str, Any] = field(default_factory=dict)  # title and other manifest fields
    # Whether a missing new value may replace an existing figure (else the figure is kept).
    allow_blanking: bool = False


@dataclass
class Assembled:
    snapshot: Snapshot
    notes: list[Message]
    values_added: int
    values_replaced: int
    harmonised: int


def assemble(batch: Batch, target: Target) -> Assembled:
    """The snapshot ``batch`` makes in ``target`` (see the module docstring)."""
    notes = list(batch.notes)
    existing = target.existing
    keep_existing = existing is not None and not existing.is_sample
    if existing is not None and existing.is_sample:
        notes.append(message("data.note.sample_replaced", dir=target.label))
    if (
        keep_existing
        and target.replace == "keys"
        and existing.division_year != target.division_year
    ):
        raise DataImportError(
            message(
                "data.error.division_mismatch",
                dir=target.label,
                existing=existing.division_year,
                year=target.division_year,
            )
        )
    current = existing if keep_existing else None
    harmonised = _harmonise(batch, target, current)
    notes += _weight_notes(harmonised)
    keys = harmonised.harmonised
    if len(keys):
        notes.append(
            message(
                "data.note.values_harmonised",
                count=len(keys),
                merges=", ".join(sorted(set(keys["members"]))),
                year=target.division_year,
            )
        )
    derived = derive(
        harmonised.values,
        target.entries,
        _population(current),
        current.values if current is not None else None,
    )
    if derived.without_population and target.replace == "keys":
        # an import: better refused with what to do than stored as empty figures
        indicator, codes = next(iter(derived.without_population.items()))
        raise DataImportError(
            message(
                "data.error.derive_no_population", indicator=indicator, codes=", ".join(codes[:8])
            )
        )
    notes += _derive_notes(derived)
    new_values, keys, kept, blanks = _keep_existing_figures(current, derived.values, keys, target)
    notes += blanks
    values, replaced, keys = _merge(current, new_values, keys, target, kept)
    if replaced:
        notes.append(message("data.note.values_replaced", count=replaced))
    boundaries, tiles, kind = _boundaries(batch, current, notes)
    snapshot = Snapshot(
        {
            "format_version": FORMAT_VERSION,
            "created": now_iso(),
            "division_year": target.division_year,
            "sample": False,
            "boundaries": kind,
            "sources": _sources(batch, current, values, target.division_year),
            **target.manifest,
        },
        build_municipality_table(target.register, resources.read_municipality_types_document()),
        boundaries,
        values,
        _catalogue(target.entries),
        harmonised=keys if len(keys) else None,
        tiles=tiles,
    )
    return Assembled(snapshot, notes, len(new_values), replaced, len(keys))


def _harmonise(batch: Batch, target: Target, current: Snapshot | None) -> HarmonisedValues:
    """The batch's values moved to the division, weighted with the data's own population."""
    aggregations = {str(e["id"]): str(e.get("aggregation")) for e in target.entries}
    aggregations |= raw_aggregations(target.entries)
    return harmonise_values(
        batch.values,
        aggregations,
        merger_map(target.changes, target.division_year),
        _weights(batch, current),
        merger_years(target.changes, target.division_year),
        founded_in=founding_years(target.changes, target.division_year),
    )


def _population(snapshot: Snapshot | None) -> pd.DataFrame | None:
    if snapshot is None:
        return None
    rows = snapshot.values[snapshot.values["indicator_id"] == POPULATION]
    return rows[["municipality_code", "year", "value"]] if len(rows) else None


def _weights(batch: Batch, current: Snapshot | None) -> pd.DataFrame | None:
    """Population weights: the population columns of imported tables first, then the batch's
    population indicator, then the population already in the snapshot (first per key)."""
    frames = list(batch.weights)
    frames.append(batch.values[batch.values["indicator_id"] == POPULATION])
    existing = _population(current)
    if existing is not None:
        frames.append(existing)
    frames = [f[["municipality_code", "year", "value"]] for f in frames if len(f)]
    if not frames:
        return None
    combined = pd.concat(frames, ignore_index=True).dropna(subset=["value"])
    combined["municipality_code"] = combined["municipality_code"].astype(str)
    return combined.drop_duplicates(["municipality_code", "year"], keep="first")


def _merge(
    current: Snapshot | None,
    new: pd.DataFrame,
    keys: pd.DataFrame,
    target: Target,
    kept: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, int, pd.DataFrame]:
    """The existing values that stay (``kept``: keys that stay whatever the mode), and the new
    ones; the harmonised keys of both."""
    if current is None or current.values.empty:
        return new, 0, keys
    old = current.values.astype({"municipality_code": object, "indicator_id": object})
    new = new.astype({"municipality_code": object, "indicator_id": object})
    if target.replace == "indicators":
        stays = old["indicator_id"].isin(target.keep).to_numpy()
        replaced = 0
    else:
        stays = old.merge(new[KEY], on=KEY, how="left", indicator=True)["_merge"] != "both"
        stays = stays.to_numpy()
        replaced = int((~stays).sum())
    if kept is not None and len(kept):
        marked = old[KEY].merge(kept[KEY], on=KEY, how="left", indicator=True)["_merge"]
        stays = stays | (marked == "both").to_numpy()
    values = pd.concat([old[stays], new], ignore_index=True)
    if current.harmonised is not None and len(current.harmonised):
        kept = current.harmonised.merge(
            old[stays][KEY].astype({"municipality_code": "string", "indicator_id": "string"}),
            on=KEY,
            how="inner",
        )
        keys = pd.concat([kept, keys], ignore_index=True) if len(keys) else kept
    return values, replaced, keys


def _keep_existing_figures(
    current: Snapshot | None, new: pd.DataFrame, keys: pd.DataFrame, target: Target
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame | None, list[Message]]:
    """The new values without those that would blank an existing figure (unless the target
    allows it), the harmonised keys of what is left, the keys of the figures kept, and notes
    naming the figures kept or blanked and the largest changes of the others."""
    if current is None or current.values.empty or new.empty:
        return new, keys, None, []
    old = current.values[[*KEY, "value"]].astype(
        {"municipality_code": object, "indicator_id": object}
    )
    typed = new.astype({"municipality_code": object, "indicator_id": object})
    both = typed.reset_index().merge(old, on=KEY, how="inner", suffixes=("", "_old"))
    had = both["value_old"].notna()
    blank = both[had & both["value"].isna()]
    notes = _figure_notes(blank, target, kept=not target.allow_blanking)
    notes += _change_notes(both[had & both["value"].notna()], target)
    if target.allow_blanking or blank.empty:
        return new, keys, None, notes
    new = new.drop(index=blank["index"]).reset_index(drop=True)
    if len(keys):
        dropped = blank[KEY].astype({"municipality_code": str, "indicator_id": str})
        marked = keys.astype({"municipality_code": str, "indicator_id": str}).merge(
            dropped, on=KEY, how="left", indicator=True
        )
        keys = keys[(marked["_merge"] == "left_only").to_numpy()].reset_index(drop=True)
    return new, keys, blank[KEY], notes


def _figure_notes(rows: pd.DataFrame, target: Target, *, kept: bool) -> list[Message]:
    if rows.empty:
        return []
    names = _names(target)
    ordered = rows.sort_values(KEY)
    items = [
        message(
            "data.note.figure_kept" if kept else "data.note.figure_blanked",
            code=r.municipality_code,
            name=_name(names, r.municipality_code),
            indicator=r.indicator_id,
            year=int(r.year),
            old=figure(r.value_old),
        )
        for r in ordered.head(MAX_NAMED_FIGURES).itertuples()
    ]
    head = "data.note.figures_kept" if kept else "data.note.figures_blanked"
    notes = [message(head, count=len(rows)), *items]
    if len(rows) > MAX_NAMED_FIGURES:
        notes.append(message("data.note.figures_more", count=len(rows) - MAX_NAMED_FIGURES))
    return notes


def _change_notes(rows: pd.DataFrame, target: Target) -> list[Message]:
    """How many existing figures the new values change, and the largest relative changes."""
    new, old = rows["value"].to_numpy(float), rows["value_old"].to_numpy(float)
    changed = ~np.isclose(new, old, rtol=1e-9, atol=0.0)
    if not changed.any():
        return []
    rows = rows[changed].copy()
    with np.errstate(divide="ignore", invalid="ignore"):
        rows["relative"] = (rows["value"] - rows["value_old"]) / rows["value_old"].abs()
    rows["size"] = rows["relative"].abs().fillna(math.inf)
    largest = rows.sort_values(["size", *KEY], ascending=[False, True, True, True])
    names = _names(target)
    notes = [message("data.note.values_changed", count=len(rows), shown=min(len(rows), 10))]
    for r in largest.head(MAX_NAMED_CHANGES).itertuples():
        notes.append(
            message(
                "data.note.value_changed",
                code=r.municipality_code,
                name=_name(names, r.municipality_code),
                indicator=r.indicator_id,
                year=int(r.year),
                old=figure(r.value_old),
                new=figure(r.value),
                change=figure(r.relative * 100 if math.isfinite(r.relative) else math.nan, 1),
            )
        )
    return notes


def _name(names: dict[str, Message], code: str) -> Message:
    return names.get(code) or municipality_name(code, code)


def _names(target: Target) -> dict[str, Message]:
    register = target.register
    if not {"municipality_code", "name_fi", "name_sv"} <= set(register.columns):
        return {}
    columns = register[["municipality_code", "name_fi", "name_sv"]]
    return {
        str(code): municipality_name(str(fi), str(sv))
        for code, fi, sv in columns.itertuples(index=False)
    }


def _catalogue(entries: Sequence[dict[str, Any]]) -> pd.DataFrame:
    document = {"indicators": [{k: v for k, v in e.items() if k != "columns"} for e in entries]}
    try:
        return catalogue_from_document(document)
    except CatalogueError as exc:
        raise DataImportError(
            message(
                "data.error.catalogue_entry",
                file="catalogue",
                where="-",
                field="-",
                reason=str(exc),
            )
        ) from exc


def _boundaries(
    batch: Batch, current: Snapshot | None, notes: list[Message]
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame | None, str]:
    """The batch's boundaries, else the existing snapshot's real ones, else tiles."""
    if batch.boundaries is not None:
        return batch.boundaries, _tiles_for(batch.boundaries), "official"
    if current is not None and current.manifest.get("boundaries") == "official":
        notes.append(message("data.note.boundaries_kept"))
        tiles = current.tiles if current.tiles is not None else _tiles_for(current.boundaries)
        return current.boundaries, tiles, "official"
    notes.append(message("data.note.tiles_computed"))
    return _register_tiles().copy(), None, "tiles"


@cache
def _register_tiles() -> gpd.GeoDataFrame:
    """Tiles placed at the sample register's approximate municipal centres (deterministic, so
    computed once): the map of a snapshot that has no boundaries."""
    places = resources.read_sample_register()
    return compute_tile_layout(places["municipality_code"], municipality_points(places))


def _tiles_for(boundaries: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    points = boundaries.to_crs(NATIONAL_GRID).representative_point()
    return compute_tile_layout(
        boundaries["municipality_code"].reset_index(drop=True), points.reset_index(drop=True)
    )


def _sources(
    batch: Batch, current: Snapshot | None, values: pd.DataFrame, division_year: int
) -> list[dict[str, Any]]:
    """The batch's sources, the existing ones its values still name, and the register's."""
    new = {s.get("id") for s in batch.sources}
    used = set(values["source_id"].dropna()) if "source_id" in values.columns else set()
    old = [
        s
        for s in (current.manifest.get("sources") or [] if current is not None else [])
        if s.get("id") not in new and (s.get("id") in used or "source_id" not in values.columns)
    ]
    sources = old + list(batch.sources)
    listed = {s.get("id") for s in sources}
    return sources + [s for s in register_sources(division_year) if s["id"] not in listed]


def _weight_notes(result: HarmonisedValues) -> list[Message]:
    """Say which merged figures were weighted with another year's population, and which stay
    missing for want of any population figure."""
    notes = []
    for key, found in (
        ("data.note.weights_nearest", result.nearest_weights),
        ("data.note.weights_missing", result.unweighted),
    ):
        if found:
            items = sorted({(n.municipality_code, n.indicator_id, n.year) for n in found})
            shown = ", ".join(f"{code} {indicator} {year}" for code, indicator, year in items[:8])
            more = len(items) - 8
            notes.append(
                message(key, count=len(items), items=shown + (f" (+{more})" if more > 0 else ""))
            )
    return notes


def _derive_notes(derived: Derived) -> list[Message]:
    notes = []
    for indicator, years in derived.nearest_population.items():
        notes.append(
            message(
                "data.note.derived_population_nearest",
                indicator=indicator,
                years=", ".join(map(str, years)),
            )
        )
    for indicator, codes in derived.without_population.items():
        shown = ", ".join(codes[:8]) + (f" (+{len(codes) - 8})" if len(codes) > 8 else "")
        notes.append(
            message("data.note.derived_population_missing", indicator=indicator, codes=shown)
        )
    return notes
