"""``kuntadash data update``: fetch every catalogue indicator from its official source, build and
validate a new snapshot, and switch to it atomically (pipeline entry; network code in sources/).

Stages (OWID-style): raw responses into the raw cache (URL, time, licence) -> tidy values per
source -> harmonised to the division -> validated and written by ``pipeline.finish`` (temporary
directory + rename under a lock). Any SourceError or failed validation leaves the current
snapshot byte-identical. A failure that concerns one indicator only (a renamed code, a 404, a
title that no longer matches) is not an error: the step skips that indicator with its reason
(``sources.step.Skipped``) and the rest is written. Skipped indicators, those without a
machine-readable source (adapter ``import``) and ones the adapters cannot query yet keep their
values from the current snapshot, if it is an official one; the report names each and why.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from kuntadash import resources
from kuntadash.domain.harmonise import (
    detect_division,
    harmonise_boundaries,
    merger_map,
    read_division_changes,
)
from kuntadash.errors import UserError
from kuntadash.importing.boundaries import simplify_boundaries
from kuntadash.importing.context import entry_from_catalogue_row
from kuntadash.pipeline.assemble import Batch, Target, assemble
from kuntadash.pipeline.finish import NotWrittenError, finish
from kuntadash.pipeline.steps import run_steps
from kuntadash.provenance import register_sources
from kuntadash.sources import pxweb, statfi_classifications, statfi_wfs
from kuntadash.sources.errors import SourceError, SourceFormatError
from kuntadash.sources.http import (
    CACHE_ENV,
    RECORD_SOURCE,
    Fetcher,
    RawCache,
    Recorder,
    ReplaySource,
)
from kuntadash.sources.step import Skipped, StepResult, empty_values
from kuntadash.store.errors import write_error
from kuntadash.store.locations import default_data_dir
from kuntadash.store.snapshot import (
    MANIFEST,
    Snapshot,
    SnapshotError,
    now_iso,
    read_snapshot,
    snapshot_lock,
)
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
    skipped: list[Skipped] = field(default_factory=list)  # indicators not fetched, and why
    cached: dict[str, int] = field(default_factory=dict)
    notes: list[Any] = field(default_factory=list)  # translatable notes of the pipeline


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
    allow_blanking: bool = False,
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
            return _run_update(folder, year, fetcher, progress, allow_blanking)
    except SnapshotError as exc:
        raise UpdateError(exc.key, **exc.params) from exc
    except OSError as exc:  # e.g. the raw cache beside the snapshot on a full disk
        error = write_error(exc, f"update of {folder}")
        raise UpdateError(error.key, **error.params) from exc


def _run_update(
    out: Path,
    year: int,
    fetcher: Fetcher | None,
    progress: Progress | None,
    allow_blanking: bool = False,
) -> UpdateResult:
    """The stages, each a function of the pipeline: register and boundaries of the division,
    every registered source step over its catalogue entries, then the shared tail."""
    fetcher = fetcher or Fetcher(cache=RawCache(default_cache_dir(out)))
    report = progress or (lambda label, fraction: None)
    document = resources.read_indicator_catalogue_document()
    entries = list(document.get("indicators") or [])
    changes = read_division_changes(resources.read_resource_yaml("division_changes.yaml"))

    report(statfi_classifications.SOURCE, 0.0)
    register = _with_land_area(
        statfi_classifications.fetch_register(fetcher, year),
        resources.read_municipality_register(year),
    )
    codes = list(register["municipality_code"])
    report(statfi_classifications.SOURCE, 1.0)

    report(statfi_wfs.SOURCE, 0.0)
    boundaries = statfi_wfs.parse_boundaries(statfi_wfs.fetch_boundaries(fetcher, year), year)
    boundaries = simplify_boundaries(_boundaries_for_division(boundaries, codes, changes, year))
    report(statfi_wfs.SOURCE, 1.0)

    results, skipped = run_steps(fetcher, year, codes, entries, report, LAST_YEARS)
    values = pd.concat([r.values for r in results], ignore_index=True) if results else None
    current = _current(out)
    entries = entries + _user_entries(current, entries)
    assembled = assemble(
        Batch(
            values if values is not None else empty_values(),
            _manifest_sources(fetcher, year, results),
            boundaries,
        ),
        Target(
            year,
            register,
            changes,
            entries,
            current,
            replace="indicators",
            # kept from the current official snapshot: what no step fetched (import-only or
            # not yet queryable indicators) and indicators a user imported with their own entry
            keep=frozenset(s.indicator_id for s in skipped)
            | frozenset(e["id"] for e in _user_entries(current, [])),
            label=str(out),
            manifest={
                "title": "kuntadash snapshot (official sources)",
                "last_update": now_iso(),
            },
            allow_blanking=allow_blanking,
        ),
    )
    after_write: list[Any] = []
    try:
        written = finish(assembled.snapshot, out, after_write)
    except NotWrittenError as exc:
        if exc.problems:
            raise UpdateError("data.error.update_validation", **exc.params) from exc
        raise UpdateError(exc.key, **exc.params) from exc
    counts = {r.source_id: len(r.values) for r in results}
    notes = [note for r in results for note in r.notes] + list(assembled.notes)
    notes += after_write
    return UpdateResult(written, counts, skipped, dict(fetcher.log.cached), notes)


def _current(out: Path) -> Snapshot | None:
    """The official snapshot being updated (None when there is none, or only the sample)."""
    if not (out / MANIFEST).exists():
        return None
    try:
        current = read_snapshot(out)
    except SnapshotError:
        return None
    return None if current.is_sample else current


def _user_entries(current: Snapshot | None, bundled: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Catalogue entries of indicators a user imported (not in the bundled catalogue)."""
    if current is None:
        return []
    known = {str(e["id"]) for e in bundled} | {
        str(e["id"]) for e in resources.read_indicator_catalogue_document()["indicators"]
    }
    rows = current.catalogue[~current.catalogue["id"].isin(known)]
    return [entry_from_catalogue_row(row) for row in rows.to_dict("records")]


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


def _manifest_sources(
    fetcher: Fetcher, year: int, results: list[StepResult]
) -> list[dict[str, Any]]:
    """One manifest entry per source called: publisher and licence from sources.yaml, the
    address and time of the calls from the fetcher's log, and what each step recorded."""
    publishers = resources.read_sources_document() or {}
    keys = {
        statfi_wfs.SOURCE: "statistics_finland",
        statfi_classifications.SOURCE: "statistics_finland",
    }
    keys |= {r.source_id: r.publisher_key for r in results}
    details = {r.source_id: r.details for r in results}
    sources = []
    for source, accessed in sorted(fetcher.log.accessed.items()):
        publisher = publishers.get(keys.get(source, ""), {})
        sources.append(
            {
                "id": source,
                "publisher": str((publisher.get("name") or {}).get("en") or source),
                "publisher_key": keys.get(source, ""),
                "licence": str(publisher.get("licence") or "CC BY 4.0"),
                "url": fetcher.log.urls.get(source, ""),
                "accessed": accessed,
                "calls": fetcher.log.calls.get(source, 0),
                "cached": fetcher.log.cached.get(source, 0),
                **details.get(source, {}),
            }
        )
    sources += [s for s in register_sources(year) if s["id"].startswith("nls_")]
    return sources


def skipped_report(skipped: list[Skipped], lang: str) -> list[str]:
    """A heading, then one line per indicator the update did not fetch, naming it and why
    (empty when every indicator was fetched). The CLI and the Data page show the same lines."""
    from kuntadash.i18n import translate

    if not skipped:
        return []
    header = translate("data.note.update_skipped", lang, count=len(skipped))
    return [header, *(s.render(lang) for s in skipped)]


def _cli_fetcher(args: argparse.Namespace, out: Path) -> Fetcher:
    """The fetcher of ``data update``: against the network (``--record DIR``: saving every
    request and answer into DIR), or answering from a recording only (``--replay DIR``: no
    network client, no raw cache, no throttling)."""
    if args.replay:
        return Fetcher(replay=ReplaySource(Path(args.replay), label=args.replay))
    cache = Path(args.cache_dir) if args.cache_dir else default_cache_dir(out)
    if not args.record:
        return Fetcher(cache=RawCache(cache))
    record, target = Path(args.record).resolve(), out.resolve()
    if record == target or target in record.parents or record in target.parents:
        raise SourceError(
            RECORD_SOURCE, "data.error.record_overlaps", folder=args.record, out=str(out)
        )
    return Fetcher(cache=RawCache(cache), recorder=Recorder(Path(args.record), label=args.record))


def run_update_cli(args: argparse.Namespace) -> int:
    from kuntadash.i18n import translate

    out = Path(args.out) if args.out else default_data_dir()
    if args.record and args.replay:
        echo(f"error: {translate('data.error.record_and_replay', args.lang)}", err=True)
        return 2
    try:
        fetcher = _cli_fetcher(args, out)
    except SourceError as exc:
        echo(f"error: {exc.render(args.lang)}", err=True)
        echo(translate("data.cli.nothing_written", args.lang, dir=str(out)), err=True)
        return 1
    last: dict[str, int] = {}

    def progress(label: str, fraction: float) -> None:
        percent = int(fraction * 100)
        if last.get(label) != percent and (
            percent in (0, 100) or percent - last.get(label, 0) >= 10
        ):
            last[label] = percent
            echo(f"{label}: {percent} %", err=True)

    try:
        result = run_update(out, args.year, fetcher, progress, args.allow_blanking)
    except (SourceError, UpdateError) as exc:
        echo(f"error: {exc.render(args.lang)}", err=True)
        echo(translate("data.cli.nothing_written", args.lang, dir=str(out)), err=True)
        return 1
    for source, count in sorted(result.counts.items()):
        echo(translate("data.note.update_source", args.lang, source=source, count=count))
    for source in sorted(result.cached):
        echo(translate("data.note.update_cached", args.lang, source=source))
    for position, line in enumerate(skipped_report(result.skipped, args.lang)):
        echo(line if position == 0 else f"  - {line}")
    for note in result.notes:
        echo(note.render(args.lang))
    echo(f"OK: {out} (data hash {result.snapshot.version}).")
    return 0
