"""``kuntadash data update``: fetch every catalogue indicator from its official source, build and
validate a new snapshot, and switch to it atomically (orchestration; network code in sources/).

Stages (OWID-style): raw responses into the raw cache (URL, time, licence) -> tidy values per
source -> harmonised to the division -> validated -> written with ``write_snapshot`` (temporary
directory + rename under a lock). Any SourceError or failed validation leaves the current
snapshot byte-identical. Indicators without a machine-readable source (adapter ``import``) and
ones the adapters cannot query yet keep their values from the current snapshot, if it is an
official one.
"""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from kuntadash import resources
from kuntadash.assemble import build_municipality_table
from kuntadash.domain.catalogue import catalogue_from_document
from kuntadash.domain.harmonise import (
    detect_division,
    harmonise_boundaries,
    harmonise_values,
    merger_map,
    merger_years,
    read_division_changes,
)
from kuntadash.domain.population import POPULATION, population_history, population_in
from kuntadash.domain.tiles import compute_tile_layout
from kuntadash.errors import UserError
from kuntadash.importing.boundaries import simplify_boundaries
from kuntadash.provenance import register_sources
from kuntadash.sources import pxweb, sotkanet, statfi_classifications, statfi_wfs, syke
from kuntadash.sources.errors import SourceError, SourceFormatError
from kuntadash.sources.http import CACHE_ENV, Fetcher, RawCache
from kuntadash.store.errors import write_error
from kuntadash.store.locations import default_data_dir
from kuntadash.store.snapshot import (
    FORMAT_VERSION,
    MANIFEST,
    SOURCE_COLUMN,
    Snapshot,
    SnapshotError,
    now_iso,
    read_snapshot,
    snapshot_lock,
    write_snapshot,
)
from kuntadash.store.validate import validate_snapshot
from kuntadash.terminal import echo

CACHE_NAME = ".kuntadash-cache"
SUPPORTED_YEARS = (2025, 2026)
LAST_YEARS = 10
_NO_VALUES = pd.DataFrame(columns=["municipality_code", "indicator_id", "year", "value"])
_PUBLISHERS = {
    pxweb.STATFI_BASE: "Statistics Finland (PxWeb)",
}

Progress = Callable[[str, float], None]


class UpdateError(UserError):
    """The update failed; the current snapshot is unchanged."""


@dataclass
class UpdateResult:
    snapshot: Snapshot
    counts: dict[str, int] = field(default_factory=dict)  # source -> values fetched
    skipped: list[str] = field(default_factory=list)  # indicator ids not fetched
    cached: dict[str, int] = field(default_factory=dict)


def default_cache_dir(out: Path) -> Path:
    """``$KUNTADASH_CACHE_DIR``, else ``.kuntadash-cache`` beside the snapshot directory (never
    inside it: the snapshot directory is replaced as a whole on every write)."""
    configured = os.environ.get(CACHE_ENV)
    return (
        Path(configured).expanduser().resolve()
        if configured
        else Path(out).resolve().parent / CACHE_NAME
    )


def run_update(
    out: Path,
    year: int = 2025,
    fetcher: Fetcher | None = None,
    progress: Progress | None = None,
) -> UpdateResult:
    """Fetch, build, validate and write. Raises SourceError or UpdateError, writing nothing.

    Holds the snapshot's lock throughout (it carries values over from the current snapshot), so a
    second update or an import started meanwhile is refused with ``data.error.busy``."""
    if year not in SUPPORTED_YEARS:
        raise UpdateError(
            "data.error.division_year", year=year, supported=", ".join(map(str, SUPPORTED_YEARS))
        )
    folder = Path(out)
    try:
        # The store refuses, before anything is fetched, a target that is not a missing or
        # empty folder or a snapshot (it may hold someone's files), and a busy lock.
        with snapshot_lock(folder):
            return _run_update(folder, year, fetcher, progress)
    except SnapshotError as exc:
        raise UpdateError(exc.key, **exc.params) from exc
    except OSError as exc:  # e.g. the raw cache beside the snapshot on a full disk
        error = write_error(exc, f"update of {folder}")
        raise UpdateError(error.key, **error.params) from exc


def _run_update(
    out: Path, year: int, fetcher: Fetcher | None, progress: Progress | None
) -> UpdateResult:
    fetcher = fetcher or Fetcher(cache=RawCache(default_cache_dir(out)))
    report = progress or (lambda label, fraction: None)
    document = resources.read_indicator_catalogue_document()
    entries = list(document.get("indicators") or [])
    bundled = resources.read_municipality_register(year)
    changes = read_division_changes(resources.read_resource_yaml("division_changes.yaml"))

    report(statfi_classifications.SOURCE, 0.0)
    register = _with_land_area(statfi_classifications.fetch_register(fetcher, year), bundled)
    codes = list(register["municipality_code"])
    report(statfi_classifications.SOURCE, 1.0)

    report(statfi_wfs.SOURCE, 0.0)
    boundaries = statfi_wfs.parse_boundaries(statfi_wfs.fetch_boundaries(fetcher, year), year)
    boundaries = _boundaries_for_division(boundaries, codes, changes, year)
    report(statfi_wfs.SOURCE, 1.0)

    result_counts: dict[str, int] = {}
    frames: list[pd.DataFrame] = []
    skipped: list[str] = []
    frames += _fetch_pxweb(fetcher, entries, report, result_counts, skipped)
    details: dict[str, dict[str, Any]] = {}
    frames += _fetch_sotkanet(fetcher, entries, report, result_counts, details)
    population = _population_of(frames)
    frames += _fetch_syke(fetcher, entries, codes, population, report, result_counts)
    for entry in entries:
        if (
            entry["source"].get("adapter") in ("import", "traficom_pxweb")
            and entry["id"] not in skipped
        ):
            skipped.append(entry["id"])

    values = (
        pd.concat(frames, ignore_index=True)
        if frames
        else pd.DataFrame(
            columns=["municipality_code", "indicator_id", "year", "value", "source_id"]
        )
    )
    aggregations = {e["id"]: e.get("aggregation") for e in entries}
    mapping = merger_map(changes, year)
    merged_in = merger_years(changes, year)
    harmonised = harmonise_values(values, aggregations, mapping, population, merged_in)
    catalogue = catalogue_from_document(document)
    values, catalogue, carried_sources = _carry_over(out, harmonised.values, skipped, catalogue)

    municipalities = build_municipality_table(
        register, resources.read_municipality_types_document()
    )
    simplified = simplify_boundaries(boundaries)
    points = simplified.to_crs(3067).representative_point().reset_index(drop=True)
    tiles = compute_tile_layout(simplified["municipality_code"].reset_index(drop=True), points)
    manifest = {
        "format_version": FORMAT_VERSION,
        "created": now_iso(),
        "division_year": year,
        "sample": False,
        "boundaries": "official",
        "title": "kuntadash snapshot (official sources)",
        "sources": _manifest_sources(fetcher, year, details) + carried_sources,
        "last_update": now_iso(),
    }
    snapshot = Snapshot(
        manifest,
        municipalities,
        simplified,
        values,
        catalogue,
        harmonised=harmonised.harmonised if len(harmonised.harmonised) else None,
        tiles=tiles,
    )
    problems = validate_snapshot(snapshot)
    if problems:
        raise UpdateError("data.error.update_validation", problem="; ".join(map(str, problems[:5])))
    try:
        written = write_snapshot(snapshot, out)
    except SnapshotError as exc:
        raise UpdateError(exc.key, **exc.params) from exc
    return UpdateResult(written, result_counts, skipped, dict(fetcher.log.cached))


def _boundaries_for_division(
    boundaries: Any, codes: list[str], changes: list[Any], year: int
) -> Any:
    found = set(boundaries["municipality_code"])
    match = detect_division(found, codes, changes, year)
    if not match.recognised:
        raise SourceFormatError(
            statfi_wfs.SOURCE,
            "data.error.source_schema",
            table=f"kunta4500k_{year}",
            detail=f"codes that do not fit the {match.closest.span} division: "
            + ", ".join(
                sorted(match.unknown | match.gone | match.not_yet) or sorted(match.missing)[:10]
            ),
        )
    if not match.current:
        boundaries = harmonise_boundaries(boundaries, merger_map(changes, year))
    return boundaries


def _with_land_area(register: pd.DataFrame, bundled: pd.DataFrame) -> pd.DataFrame:
    """The fetched register with the bundled register's land areas (National Land Survey; not
    served by the classification API)."""
    areas = bundled.set_index("municipality_code")["land_area_km2"]
    return register.assign(land_area_km2=register["municipality_code"].map(areas))


def _population_of(frames: list[pd.DataFrame]) -> pd.DataFrame | None:
    """The fetched population figures (the weights of merged figures and the denominator of
    per-resident emissions)."""
    rows = [f[f["indicator_id"] == POPULATION] for f in frames]
    rows = [r for r in rows if len(r)]
    if not rows:
        return None
    combined = pd.concat(rows, ignore_index=True).dropna(subset=["value"])
    return combined.drop_duplicates(["municipality_code", "year"])


def _fetch_pxweb(
    fetcher: Fetcher,
    entries: list[dict[str, Any]],
    report: Progress,
    counts: dict[str, int],
    skipped: list[str],
) -> list[pd.DataFrame]:
    """PxWeb indicators, one batch of queries per (table, fixed selections).

    An entry is fetched when its contents code says which cells it is: entries without a code,
    with a combined code ("39+44") or sharing a code with another entry of the same query (they
    differ by a variable the catalogue does not name yet) are skipped and listed; they need a
    ``query:`` block in indicators.yaml.
    """
    groups: dict[tuple[str, str], dict[str, list[str]]] = {}
    for entry in entries:
        source = entry["source"]
        if source.get("adapter") != "pxweb":
            continue
        query = entry.get("query") or {}
        code = query.get("contents") or source.get("code")
        if not source.get("table") or not code or "+" in str(code):
            skipped.append(entry["id"])
            continue
        fixed = json.dumps(query.get("fixed") or {}, sort_keys=True)
        key = (str(query.get("table") or source["table"]), fixed)
        groups.setdefault(key, {}).setdefault(str(code), []).append(entry["id"])
    frames = []
    label = "Statistics Finland (PxWeb)"
    for position, ((table, fixed), codes) in enumerate(sorted(groups.items())):
        report(label, position / max(1, len(groups)))
        contents = {}
        for code, ids in codes.items():
            if len(ids) == 1:
                contents[code] = ids[0]
            else:
                skipped.extend(ids)
        if not contents:
            continue
        url = pxweb.STATFI_BASE + table
        tidy = pxweb.fetch_table_values(
            fetcher, label, url, table, list(contents), LAST_YEARS, json.loads(fixed)
        )
        tidy["indicator_id"] = tidy["contents"].map(contents)
        tidy["source_id"] = label
        frames.append(tidy[["municipality_code", "indicator_id", "year", "value", "source_id"]])
        counts[label] = counts.get(label, 0) + len(tidy)
    report(label, 1.0)
    return frames


def _fetch_sotkanet(
    fetcher: Fetcher,
    entries: list[dict[str, Any]],
    report: Progress,
    counts: dict[str, int],
    details: dict[str, dict[str, Any]],
) -> list[pd.DataFrame]:
    """Sotkanet indicators; each indicator's metadata is read too, to confirm the id still names
    the indicator and to record when THL last updated its data (shown on the Data page)."""
    chosen = [
        e for e in entries if e["source"].get("adapter") == "sotkanet" and e["source"].get("code")
    ]
    if not chosen:
        return []
    report(sotkanet.SOURCE, 0.0)
    regions = sotkanet.fetch_regions(fetcher)
    latest = pd.Timestamp.now(tz="UTC").year - 1
    years = list(range(latest - LAST_YEARS + 1, latest + 1))
    frames = []
    for position, entry in enumerate(chosen, start=1):
        code = str(entry["source"]["code"])
        meta = sotkanet.fetch_indicator_metadata(fetcher, code)
        details.setdefault(sotkanet.SOURCE, {}).setdefault("data_updated", {})[code] = meta[
            "updated"
        ]
        tidy = sotkanet.fetch_indicator(fetcher, code, years, regions)
        tidy["indicator_id"] = entry["id"]
        tidy["source_id"] = sotkanet.SOURCE
        frames.append(tidy[["municipality_code", "indicator_id", "year", "value", "source_id"]])
        counts[sotkanet.SOURCE] = counts.get(sotkanet.SOURCE, 0) + len(tidy)
        report(sotkanet.SOURCE, position / len(chosen))
    return frames


def _fetch_syke(
    fetcher: Fetcher,
    entries: list[dict[str, Any]],
    codes: list[str],
    population: pd.DataFrame | None,
    report: Progress,
    counts: dict[str, int],
) -> list[pd.DataFrame]:
    """SYKE emissions; per-resident figures divided by the fetched population of the same
    year (the nearest year's when that year has none; none at all: left out)."""
    chosen = [e for e in entries if e["source"].get("adapter") == "syke"]
    if not chosen:
        return []
    report(syke.SOURCE, 0.0)
    texts = syke.fetch_emissions(
        fetcher, codes, lambda done, total: report(syke.SOURCE, done / total)
    )
    history = population_history(
        population.assign(indicator_id=POPULATION) if population is not None else _NO_VALUES
    )
    rows = []
    for code, text in texts.items():
        totals = syke.parse_syke_csv(text, syke.SOURCE)
        for entry in chosen:
            ident, sector = entry["id"], str(entry["source"].get("code") or "hinku")
            if ident.startswith("ghg_change"):
                base = totals.get(2005)
                series = {y: (v / base - 1) * 100 for y, v in totals.items() if base and y > 2005}
            else:
                kt = totals if sector == "hinku" else syke.parse_syke_csv(text, syke.SOURCE, sector)
                series = {}
                for y, v in kt.items():
                    pop = population_in(history, pd.Index([code]), int(y)).values.get(code)
                    if pop is not None and pop > 0:
                        series[y] = abs(v) * 1000 / pop
            rows += [(code, ident, int(y), float(v)) for y, v in series.items()]
    frame = pd.DataFrame(rows, columns=["municipality_code", "indicator_id", "year", "value"])
    frame["source_id"] = syke.SOURCE
    counts[syke.SOURCE] = len(frame)
    return [frame]


def _carry_over(
    out: Path, values: pd.DataFrame, skipped: list[str], catalogue: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame, list[dict[str, Any]]]:
    """Values this update did not fetch, carried over from the current official snapshot: the
    catalogue's import-only or not-yet-queryable indicators, and indicators a user imported with
    their own catalogue entry (kept with that entry). Also returns the current manifest's
    sources of the carried values, so they keep naming where they came from."""
    if not (out / MANIFEST).exists():
        return values, catalogue, []
    try:
        current = read_snapshot(out)
    except SnapshotError:
        return values, catalogue, []
    if current.is_sample:
        return values, catalogue, []
    user_defined = current.catalogue[~current.catalogue["id"].isin(catalogue["id"])]
    keep_ids = set(skipped) | set(user_defined["id"])
    kept = current.values[current.values["indicator_id"].isin(keep_ids)]
    values = pd.concat(
        [values, kept.astype({"municipality_code": object, "indicator_id": object})],
        ignore_index=True,
    )
    if len(user_defined):
        catalogue = pd.concat([catalogue, user_defined[catalogue.columns]], ignore_index=True)
    used = set(kept[SOURCE_COLUMN].dropna()) if SOURCE_COLUMN in kept.columns else set()
    sources = [s for s in current.manifest.get("sources") or [] if s.get("id") in used]
    return values, catalogue, sources


def _manifest_sources(
    fetcher: Fetcher, year: int, details: dict[str, dict[str, Any]] | None = None
) -> list[dict[str, Any]]:
    publishers = {
        statfi_wfs.SOURCE: "Statistics Finland (WFS municipal boundaries)",
        statfi_classifications.SOURCE: "Statistics Finland (classifications)",
        "Statistics Finland (PxWeb)": "Statistics Finland (PxWeb tables)",
        sotkanet.SOURCE: "THL (Sotkanet)",
        syke.SOURCE: "Finnish Environment Institute Syke (municipal GHG emissions, ALas)",
    }
    sources = []
    for source, accessed in sorted(fetcher.log.accessed.items()):
        sources.append(
            {
                "id": source,
                "publisher": publishers.get(source, source),
                "licence": "CC BY 4.0",
                "url": fetcher.log.urls.get(source, ""),
                "accessed": accessed,
                "calls": fetcher.log.calls.get(source, 0),
                "cached": fetcher.log.cached.get(source, 0),
                **(details or {}).get(source, {}),
            }
        )
    sources += [s for s in register_sources(year) if s["id"].startswith("nls_")]
    return sources


def run_update_cli(args: argparse.Namespace) -> int:
    out = Path(args.out) if args.out else default_data_dir()
    cache = Path(args.cache_dir) if args.cache_dir else default_cache_dir(out)
    fetcher = Fetcher(cache=RawCache(cache))
    last: dict[str, int] = {}

    def progress(label: str, fraction: float) -> None:
        percent = int(fraction * 100)
        if last.get(label) != percent and (
            percent in (0, 100) or percent - last.get(label, 0) >= 10
        ):
            last[label] = percent
            echo(f"{label}: {percent} %", err=True)

    from kuntadash.i18n import translate

    try:
        result = run_update(out, args.year, fetcher, progress)
    except (SourceError, UpdateError) as exc:
        echo(f"error: {exc.render(args.lang)}", err=True)
        echo(translate("data.cli.nothing_written", args.lang, dir=str(out)), err=True)
        return 1
    for source, count in sorted(result.counts.items()):
        echo(translate("data.note.update_source", args.lang, source=source, count=count))
    for source in sorted(result.cached):
        echo(translate("data.note.update_cached", args.lang, source=source))
    if result.skipped:
        echo(translate("data.note.update_skipped", args.lang, ids=", ".join(result.skipped)))
    echo(f"OK: {out} (data hash {result.snapshot.version}).")
    return 0
