"""``kuntadash data import``: build (or extend) a snapshot from local files (pipeline entry over
the readers of ``kuntadash.importing``).

Stages: classify each file -> read boundaries / tables / catalogue sidecars -> harmonise to the
target division -> merge into the existing snapshot (newer import wins, reported) -> validate
and write atomically (``pipeline.finish``). Any problem raises DataImportError before anything
is written, so an existing snapshot stays byte-identical.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from kuntadash.domain.catalogue import CatalogueError, catalogue_from_document
from kuntadash.errors import Message, message
from kuntadash.importing.boundaries import BoundaryImport, read_boundary_file, sniff_boundary_kind
from kuntadash.importing.context import SUPPORTED_DIVISION_YEARS, ImportContext, build_context
from kuntadash.importing.errors import DataImportError, examples
from kuntadash.importing.excel import Workbook, uncalculated_problems
from kuntadash.importing.limits import (
    check_parquet_metadata,
    check_yaml_size,
    load_json,
    load_yaml,
)
from kuntadash.importing.readers import catalogue, pxweb, sotkanet, syke, tidy, tyonv
from kuntadash.importing.readers.common import (
    MAX_YEAR,
    MIN_YEAR,
    RowTable,
    TableImport,
    range_problems,
)
from kuntadash.importing.text import MAX_FILE_BYTES, decode_text, read_file_bytes, read_rows
from kuntadash.pipeline.assemble import Batch, Target, assemble
from kuntadash.pipeline.finish import NotWrittenError, finish
from kuntadash.store.snapshot import (
    MANIFEST,
    Snapshot,
    SnapshotError,
    now_iso,
    read_snapshot,
    snapshot_lock,
)

_TABLE_SUFFIXES = {
    ".csv",
    ".txt",
    ".tsv",
    ".json",
    ".xlsx",  # not .xlsm: a macro workbook is refused here as on the upload form
    ".parquet",
    ".yaml",
    ".yml",
    ".geojson",
    ".gpkg",
    ".topojson",
}


@dataclass
class ImportReport:
    """What an import did: the written snapshot and notes (translatable) for the user."""

    snapshot: Snapshot
    notes: list[Message] = field(default_factory=list)
    values_added: int = 0
    values_replaced: int = 0
    harmonised: int = 0

    def render(self, lang: str) -> list[str]:
        return [note.render(lang) for note in self.notes]


@dataclass
class _Collected:
    boundaries: BoundaryImport | None = None
    values: list[pd.DataFrame] = field(default_factory=list)
    population: list[pd.DataFrame] = field(default_factory=list)
    sources: list[dict[str, Any]] = field(default_factory=list)
    notes: list[Message] = field(default_factory=list)
    new_entries: list[dict[str, Any]] = field(default_factory=list)


def import_files(
    files: Sequence[Path],
    out: Path,
    *,
    division_year: int = 2025,
    max_bytes: int = MAX_FILE_BYTES,
    display_names: Sequence[str] | None = None,
    figures_year: int | None = None,
    replace_indicators: Collection[str] = (),
    allow_blanking: bool = False,
) -> ImportReport:
    """Import ``files`` into the snapshot at ``out`` (created when absent); raises
    DataImportError (nothing written) on bad input or when the result does not validate.

    ``figures_year``: the year of the figures in tables whose column headers give none (older
    key-figure downloads). ``replace_indicators``: catalogue ids that a catalogue file of this
    import may redefine; any other redefinition is refused. ``allow_blanking``: a blank cell may
    replace a figure already in the snapshot (by default the figure is kept and a note says so).

    The snapshot's lock is held from reading the existing snapshot to writing the new one, so
    two imports (or an import and an update) cannot both merge into the same old version and
    silently drop each other's values; the second one waits briefly, then is refused.

    ``out`` must be missing, an empty folder or a snapshot (the store refuses anything else), and
    the store's errors (busy, disk full, no permission …) come as their path-free sentences."""
    try:
        with snapshot_lock(Path(out)):
            return _import_files(
                files,
                out,
                division_year,
                max_bytes,
                display_names,
                figures_year,
                frozenset(replace_indicators),
                allow_blanking,
            )
    except SnapshotError as exc:
        raise DataImportError(message(exc.key, **exc.params)) from exc


def _import_files(
    files: Sequence[Path],
    out: Path,
    division_year: int,
    max_bytes: int,
    display_names: Sequence[str] | None,
    figures_year: int | None = None,
    replace_indicators: frozenset[str] = frozenset(),
    allow_blanking: bool = False,
) -> ImportReport:
    out = Path(out)
    snapshot, report = build_import(
        files,
        _existing(out),
        division_year=division_year,
        max_bytes=max_bytes,
        display_names=display_names,
        figures_year=figures_year,
        replace_indicators=replace_indicators,
        allow_blanking=allow_blanking,
        target=str(out),
    )
    try:
        report.snapshot = finish(snapshot, out, report.notes)
    except NotWrittenError as exc:
        if exc.problems:
            raise DataImportError(
                [message("data.error.validation", problem=str(p)) for p in exc.problems]
            ) from exc
        raise DataImportError(message(exc.key, **exc.params)) from exc
    return report


def build_import(
    files: Sequence[Path],
    existing: Snapshot | None,
    *,
    division_year: int = 2025,
    max_bytes: int = MAX_FILE_BYTES,
    display_names: Sequence[str] | None = None,
    figures_year: int | None = None,
    replace_indicators: frozenset[str] = frozenset(),
    register: pd.DataFrame | None = None,
    target: str = "-",
    allow_blanking: bool = False,
) -> tuple[Snapshot, ImportReport]:
    """The snapshot ``files`` make, merged into ``existing`` (None: a new one), not yet
    validated nor written (``pipeline.finish`` does both); raises DataImportError on bad input.

    ``figures_year`` and ``replace_indicators`` as for :func:`import_files`; ``register``
    replaces the bundled register of the division (the official build passes the one it reads
    from Statistics Finland's classification key); ``target`` names the folder in messages."""
    if division_year not in SUPPORTED_DIVISION_YEARS:
        raise DataImportError(
            message(
                "data.error.division_year",
                year=division_year,
                supported=", ".join(map(str, SUPPORTED_DIVISION_YEARS)),
            )
        )
    if not files:
        raise DataImportError(message("data.error.no_files"))
    if figures_year is not None and not MIN_YEAR <= figures_year <= MAX_YEAR:
        raise DataImportError(message("data.error.figures_year", year=figures_year))
    context = build_context(
        division_year,
        existing.catalogue if existing else None,
        existing.values if existing is not None and not existing.is_sample else None,
        register,
    )
    context.figures_year, context.replace_indicators = figures_year, replace_indicators
    context.allow_blanking = allow_blanking
    names = list(display_names) if display_names else [Path(f).name for f in files]
    loaded = [
        (Path(f), name, read_file_bytes(Path(f), max_bytes) if Path(f).exists() else None)
        for f, name in zip(files, names, strict=True)
    ]
    for _path, name, data in loaded:
        if data is None:
            raise DataImportError(
                message("data.error.file_unreadable", file=name, reason="no such file")
            )
    collected = _Collected()
    # Catalogue sidecars first: tables may use the indicators they define.
    for path, name, data in loaded:
        if path.suffix.lower() in (".yaml", ".yml"):
            entries = catalogue.parse_catalogue_entries(_yaml(data, name), name)
            _add_entries(context, collected, entries, name)
        elif path.suffix.lower() == ".xlsx":
            sheet = _excel_sheets(data, name).get("catalogue")
            if sheet is not None:
                _refuse_uncalculated(sheet, name)
                rows = catalogue.catalogue_rows_from_sheet(sheet)
                entries = catalogue.parse_catalogue_entries(rows, name)
                _add_entries(context, collected, entries, name)
    _check_replacements(context, collected)
    context.sotkanet_regions = _sotkanet_regions(loaded)
    problems: list[Message] = []
    for path, name, data in loaded:
        try:
            _read_one(path, name, data, context, collected)
        except DataImportError as exc:
            problems += exc.messages
    if problems:
        raise DataImportError(problems)
    if figures_year is not None and not context.figures_year_used:
        collected.notes.append(message("data.note.year_option_unused", year=figures_year))
    return _assemble(target, existing, context, collected)


def _existing(out: Path) -> Snapshot | None:
    # The lock has already refused anything but a missing or empty folder or a snapshot.
    if not (out / MANIFEST).exists():
        return None
    try:
        return read_snapshot(out)
    except SnapshotError as exc:
        reason = Message(exc.key, exc.params)
        raise DataImportError(
            message("data.error.existing_unreadable", dir=str(out), reason=reason)
        ) from exc


def _yaml(data: bytes, name: str) -> Any:
    check_yaml_size(data, name)  # before the text is decoded or parsed
    return load_yaml(decode_text(data, name), name)


def _add_entries(
    context: ImportContext, collected: _Collected, entries: list[dict[str, Any]], file: str
) -> None:
    """Adds a catalogue file's indicators. One that is already in the catalogue (bundled, or
    added by an earlier import) and would change is refused unless ``--replace-indicator``
    names it: its values would otherwise be checked against the new range without anyone
    having asked for that. Repeating a definition unchanged changes nothing."""
    added = {e["id"] for e in collected.new_entries}
    for entry in entries:
        ident = entry["id"]
        if ident in added:
            raise DataImportError(message("data.error.indicator_twice", file=file, indicator=ident))
        current = context.catalogue.get(ident)
        if current is not None:
            changed = _changed_fields(current, entry)
            if not changed:
                # its column labels still help match wide tables (they are not stored)
                labels = [*(current.get("columns") or []), *entry["columns"]]
                context.add_catalogue_entry({**current, "columns": labels})
                collected.notes.append(
                    message("data.note.indicator_unchanged", file=file, indicator=ident)
                )
                continue
            if ident not in context.replace_indicators:
                raise DataImportError(
                    message(
                        "data.error.indicator_redefined",
                        file=file,
                        indicator=ident,
                        fields=", ".join(changed),
                    )
                )
            collected.notes.append(
                message(
                    "data.note.indicator_replaced",
                    file=file,
                    indicator=ident,
                    fields=", ".join(changed),
                )
            )
        else:
            collected.notes.append(message("data.note.indicator_added", indicator=ident))
        context.add_catalogue_entry(entry)
        collected.new_entries.append(entry)
        added.add(ident)


def _changed_fields(current: dict[str, Any], entry: dict[str, Any]) -> list[str]:
    """The catalogue columns in which ``entry`` differs from ``current`` (where its values
    come from, the adapter, aside: a catalogue file cannot set it)."""
    try:
        rows = catalogue_from_document(
            {"indicators": [_catalogue_doc_entry(current), _catalogue_doc_entry(entry)]}
        ).drop(columns=["adapter"])
    except CatalogueError:
        return ["-"]
    before, after = rows.iloc[0], rows.iloc[1]
    same = (before == after) | (before.isna() & after.isna())
    return [str(column) for column in rows.columns if not same[column]]


def _check_replacements(context: ImportContext, collected: _Collected) -> None:
    """``--replace-indicator`` ids that no catalogue file of this import redefined are refused:
    a mistyped id would otherwise go unnoticed."""
    redefined = {e["id"] for e in collected.new_entries}
    unused = sorted(context.replace_indicators - redefined)
    if unused:
        raise DataImportError(message("data.error.replace_unused", indicators=examples(unused)))


def _excel_sheets(data: bytes, name: str) -> Workbook:
    """The workbook's sheets by lower-cased name, each parsed only when asked for."""
    return Workbook(data, name)


def _refuse_uncalculated(sheet: pd.DataFrame, name: str) -> None:
    problems = uncalculated_problems(sheet, name)
    if problems:
        raise DataImportError(problems)


def _sotkanet_regions(loaded: list[tuple[Path, str, bytes]]) -> dict[int, str] | None:
    for path, _name, data in loaded:
        if path.suffix.lower() != ".json":
            continue
        doc = _json_or_none(data)
        if sotkanet.looks_sotkanet_regions(doc):
            return sotkanet.parse_sotkanet_regions(doc)
    return None


def _json_or_none(data: bytes) -> Any:
    """The JSON document, or None when it is no JSON within the limits (the file's own reader
    then refuses it, naming the problem)."""
    try:
        return load_json(data, "")
    except DataImportError:
        return None


def _source_id(name: str) -> str:
    return f"import:{name}"


def _source(name: str, publisher: str, licence: str) -> dict[str, Any]:
    return {
        "id": _source_id(name),
        "publisher": publisher,
        "licence": licence,
        "url": f"file:{name}",
        "accessed": now_iso(),
    }


def _read_one(
    path: Path,
    name: str,
    data: bytes,
    context: ImportContext,
    collected: _Collected,
) -> None:
    suffix = path.suffix.lower()
    if suffix not in _TABLE_SUFFIXES:
        raise DataImportError(
            message(
                "data.error.unsupported_type",
                file=name,
                suffix=suffix or "-",
                accepted=", ".join(sorted(_TABLE_SUFFIXES)),
            )
        )
    if suffix in (".yaml", ".yml"):
        return
    kind = sniff_boundary_kind(data, suffix)
    if kind is not None:
        if collected.boundaries is not None:
            raise DataImportError(message("data.error.two_boundary_files", file=name))
        collected.boundaries = read_boundary_file(path, kind, context, data=data, name=name)
        collected.notes += collected.boundaries.notes
        collected.sources.append(_source(name, "boundary file (user import)", "see file"))
        return
    if suffix in (".geojson", ".gpkg", ".topojson"):
        raise DataImportError(
            message(
                "data.error.corrupt_file",
                file=name,
                kind=suffix,
                reason="not a GeoJSON, TopoJSON or GeoPackage document",
            )
        )
    result = _read_table(path, name, data, context)
    if result is None:
        return
    # Implausible values are refused here, naming the file (and the row in tidy tables), rather
    # than later by the snapshot validation, which can only name values.parquet.
    outside = range_problems(result.values, context, name)
    if outside:
        raise DataImportError(outside)
    collected.values.append(result.values.assign(source_id=_source_id(name)))
    if result.population is not None:
        collected.population.append(result.population)
    collected.notes += result.notes
    collected.notes.append(message("data.note.file_read", file=name, count=len(result.values)))
    collected.sources.append(_source(name, *_publisher_of(result.values, context)))


def _publisher_of(values: pd.DataFrame, context: ImportContext) -> tuple[str, str]:
    publishers, licences = set(), set()
    adapters = {str(i).split(":", 1)[0] for i in values["indicator_id"].unique() if ":" in str(i)}
    raw_sources = [
        e.get("source") or {}
        for e in context.catalogue.values()
        if (e.get("source") or {}).get("adapter") in adapters
    ]
    for source in raw_sources:
        publishers.add(str(source.get("publisher") or "user import"))
        licences.add(str(source.get("licence") or "see source"))
    for indicator in values["indicator_id"].unique():
        if ":" in str(indicator):
            continue
        source = context.catalogue.get(indicator, {}).get("source") or {}
        publishers.add(str(source.get("publisher") or "user import"))
        licences.add(str(source.get("licence") or "see source"))
    return ", ".join(sorted(publishers)) or "user import", ", ".join(
        sorted(licences)
    ) or "see source"


# The formats of statistical tables, each a (recognise, read) pair from its reader module, tried
# in order: the first that recognises a file reads it. A JSON document is recognised by its
# content; a row table (delimited text, an Excel data sheet, Parquet) by its header. A read that
# returns None found nothing to import (the Sotkanet regions list, used by the data file).
_DocumentFormat = tuple[
    Callable[[Any], bool], Callable[[Any, str, ImportContext], TableImport | None]
]
_RowFormat = tuple[
    Callable[[RowTable, ImportContext], bool], Callable[[RowTable, ImportContext], TableImport]
]
_DOCUMENT_FORMATS: tuple[_DocumentFormat, ...] = (
    (pxweb.looks_jsonstat, pxweb.read_jsonstat),
    (sotkanet.looks_sotkanet_regions, sotkanet.read_sotkanet_regions),
    (sotkanet.looks_sotkanet_json, sotkanet.read_sotkanet_json),
)
_ROW_FORMATS: tuple[_RowFormat, ...] = (
    (sotkanet.looks_sotkanet_csv, sotkanet.read_sotkanet_csv),
    (syke.looks_syke_csv, syke.read_syke_csv),
    (tyonv.looks_tyonv_monthly, tyonv.read_tyonv_monthly),
    (sotkanet.looks_sotkanet_named_csv, sotkanet.read_sotkanet_named_csv),
    (tidy.looks_tidy, tidy.read_tidy_table),
    (pxweb.looks_pxweb_wide, pxweb.read_pxweb_wide_table),
    (pxweb.looks_pxweb_long, pxweb.read_pxweb_long),
)


def _read_table(path: Path, name: str, data: bytes, context: ImportContext) -> TableImport | None:
    suffix = path.suffix.lower()
    if suffix == ".json":
        doc = load_json(data, name)
        for recognise, read_document in _DOCUMENT_FORMATS:
            if recognise(doc):
                return read_document(doc, name, context)
        raise DataImportError(message("data.error.unknown_format", file=name))
    table = _ROW_FILES.get(suffix, _text_table)(data, name)
    for recognise, read in _ROW_FORMATS:
        if recognise(table, context):
            return read(table, context)
    raise DataImportError(
        message("data.error.unknown_layout", file=name, columns=", ".join(table.header[:6]))
    )


def _text_table(data: bytes, name: str) -> RowTable:
    header, rows, delimiter = read_rows(data, name)
    return RowTable(name, header, rows, decimal_comma=delimiter != ",", delimited=True)


def _excel_table(data: bytes, name: str) -> RowTable:
    """The workbook's data sheet: one named data, values, arvot or värden, else the first that
    is not the catalogue."""
    sheets = _excel_sheets(data, name)
    sheet = next((sheets[k] for k in ("data", "values", "arvot", "värden") if k in sheets), None)
    if sheet is None:
        sheet = next((v for k, v in sheets.items() if k != "catalogue"), None)
    if sheet is None or sheet.empty:
        raise DataImportError(message("data.error.no_rows", file=name))
    _refuse_uncalculated(sheet, name)
    header = [str(c) for c in sheet.columns]
    rows = sheet.where(sheet.notna(), "").to_numpy().tolist()
    return RowTable(name, header, rows, decimal_comma=True, delimited=False)


def _parquet_table(data: bytes, name: str) -> RowTable:
    try:
        check_parquet_metadata(pq.read_metadata(pa.BufferReader(data)), name)
        table = pq.read_table(pa.BufferReader(data))
    except (pa.ArrowException, OSError, ValueError) as exc:
        raise DataImportError(
            message("data.error.corrupt_file", file=name, kind="Parquet", reason=str(exc)[:200])
        ) from exc
    frame = table.to_pandas()
    header = [str(c) for c in frame.columns]
    rows = frame.astype(object).where(frame.notna(), "").to_numpy().tolist()
    return RowTable(name, header, rows, decimal_comma=False, delimited=False)


# How a table file becomes rows, by suffix; the other table suffixes are delimited text.
_ROW_FILES: dict[str, Callable[[bytes, str], RowTable]] = {
    ".xlsx": _excel_table,
    ".parquet": _parquet_table,
}


def _assemble(
    out: str, existing: Snapshot | None, context: ImportContext, collected: _Collected
) -> tuple[Snapshot, ImportReport]:
    """The shared pipeline tail over what the files brought (pipeline.assemble)."""
    notes = list(collected.notes)
    batch = Batch(
        _combine_files(collected.values, notes),
        collected.sources,
        collected.boundaries.boundaries if collected.boundaries is not None else None,
        list(collected.population),
        notes,
    )
    target = Target(
        context.division_year,
        context.register,
        context.changes,
        list(context.catalogue.values()),
        existing,
        replace="keys",
        label=str(out),
        allow_blanking=context.allow_blanking,
        manifest={"title": "kuntadash snapshot (imported files)", "last_import": now_iso()},
    )
    result = assemble(batch, target)
    report = ImportReport(
        result.snapshot,
        result.notes,
        values_added=result.values_added,
        values_replaced=result.values_replaced,
        harmonised=result.harmonised,
    )
    return result.snapshot, report


def _catalogue_doc_entry(entry: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in entry.items() if k != "columns"}


def _combine_files(frames: list[pd.DataFrame], notes: list[Message]) -> pd.DataFrame:
    if not frames:
        return pd.DataFrame(
            {
                "municipality_code": pd.Series(dtype=object),
                "indicator_id": pd.Series(dtype=object),
                "year": pd.Series(dtype="int64"),
                "value": pd.Series(dtype="float64"),
            }
        )
    combined = pd.concat(frames, ignore_index=True)
    key = ["municipality_code", "indicator_id", "year"]
    duplicated = combined.duplicated(key, keep="last")
    if duplicated.any():
        notes.append(message("data.note.files_overlap", count=int(duplicated.sum())))
    return combined[~duplicated].reset_index(drop=True)
