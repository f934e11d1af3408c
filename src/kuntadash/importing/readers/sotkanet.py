"""THL Sotkanet files -> tidy values (importing layer, pure pandas): the ``/json`` response or
its CSV (``indicator;region;year;gender;value``), imported together with the regions list
(``/rest/1.1/regions``) that maps Sotkanet's region ids to municipality codes; and a table
exported by name (``year, region, population, education_level``: municipalities by Finnish
name, one column per indicator) as data-frame exports of Sotkanet data are written.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from kuntadash.errors import Message, message
from kuntadash.importing.context import ImportContext
from kuntadash.importing.errors import DataImportError, examples, item, row
from kuntadash.importing.placement import value_problems
from kuntadash.importing.readers.common import (
    Areas,
    RowTable,
    TableImport,
    aggregate_notes,
    keep_few,
    number_cell,
    tidy_frame,
    unused_columns_note,
    year_cell,
)

_CSV_COLUMNS = {"indicator", "region", "year", "value"}


def _records_with(doc: Any, key: str) -> bool:
    return isinstance(doc, list) and bool(doc) and isinstance(doc[0], dict) and key in doc[0]


def looks_sotkanet_regions(doc: Any) -> bool:
    """The regions list (``/rest/1.1/regions``): records with a ``category``."""
    return _records_with(doc, "category")


def looks_sotkanet_json(doc: Any) -> bool:
    """The ``/json`` data response: records with an ``indicator``."""
    return _records_with(doc, "indicator")


def looks_sotkanet_csv(table: RowTable, context: ImportContext) -> bool:
    """A Sotkanet CSV, when the import has a regions list to place its rows with (without one
    such a file is read as a tidy table, which refuses its region ids by name)."""
    return (
        table.delimited
        and _CSV_COLUMNS.issubset(table.lowered)
        and context.sotkanet_regions is not None
    )


def parse_sotkanet_regions(rows: Sequence[Any]) -> dict[int, str]:
    """Sotkanet region id -> 3-digit municipality code, for category KUNTA."""
    mapping = {}
    for region in rows:
        if isinstance(region, Mapping) and region.get("category") == "KUNTA":
            code = str(region.get("code", "")).zfill(3)
            if re.fullmatch(r"\d{3}", code) and isinstance(region.get("id"), int):
                mapping[int(region["id"])] = code
    return mapping


def read_sotkanet_regions(doc: Any, file: str, context: ImportContext) -> None:
    """Nothing: the regions list holds no values; the import has read it into
    ``context.sotkanet_regions`` for the data file."""
    return None


def read_sotkanet_csv(table: RowTable, context: ImportContext) -> TableImport:
    """The CSV's rows as the JSON response's records: numbers as text, the region its id."""
    records = [dict(zip(table.lowered, cells, strict=False)) for cells in table.rows]
    for record in records:
        record["region"] = int(record["region"]) if record["region"].isdigit() else None
    return read_sotkanet_json(records, table.file, context)


def read_sotkanet_json(rows: Sequence[Any], file: str, context: ImportContext) -> TableImport:
    """Sotkanet /json data rows, placed with the import's regions list."""
    regions = context.sotkanet_regions
    if regions is None:
        raise DataImportError(message("data.error.sotkanet_regions_needed", file=file))
    out: list[tuple[str, str, int, float]] = []
    problems: list[Message] = []
    unknown_indicators: set[str] = set()
    skipped_regions = 0
    seen: dict[tuple[str, str, int], int] = {}
    first_items: dict[tuple[str, int], Message] = {}  # (code, year) -> its first item
    for position, record in enumerate(rows, start=1):
        where = item(position)
        if not isinstance(record, Mapping):
            problems.append(message("data.error.sotkanet_row", file=file, where=where))
            continue
        if str(record.get("gender", "total")) != "total":
            continue
        indicator = context.indicator_by_source_code(str(record.get("indicator")), ("sotkanet",))
        if indicator is None:
            unknown_indicators.add(str(record.get("indicator")))
            continue
        region = record.get("region")
        code = regions.get(region) if isinstance(region, int) else None
        if code is None:
            skipped_regions += 1
            continue
        year = year_cell(record.get("year"), file, where, problems)
        value = number_cell(record.get("value"), True, file, where, "value", problems)
        if year is None or value is None:
            continue
        if (code, indicator, year) in seen:
            problems.append(
                message(
                    "data.error.duplicate_key",
                    file=file,
                    where=where,
                    first=seen[(code, indicator, year)],
                    code=code,
                    indicator=indicator,
                    year=year,
                )
            )
            continue
        seen[(code, indicator, year)] = position
        first_items.setdefault((code, year), where)
        out.append((code, indicator, year, value))
    problems += value_problems(tidy_frame(out), context, file, first_items)
    if problems:
        raise DataImportError(problems)
    if not out:
        raise DataImportError(
            message(
                "data.error.no_known_indicators",
                file=file,
                columns=examples(sorted(unknown_indicators)),
            )
        )
    notes = aggregate_notes(file, skipped_regions)
    if unknown_indicators:
        reason = message("data.reason.column_not_indicator")
        notes.append(unused_columns_note(file, reason, sorted(unknown_indicators)))
    return TableImport(tidy_frame(out), notes=notes)


# Columns of a Sotkanet table written by name that are not figures: the row index a data frame
# export adds (an empty header), the area and the year.
_NAMED_KEYS = {"", "region", "alue", "year", "vuosi"}
_NAMED_POPULATION = {"population", "väestö", "väkiluku"}
# NOTE: Sotkanet titles Koski Tl (284) "Koski" in its exports by name (THL's region list gives the
# code 284); no other municipality of any division since 1990 was called Koski alone.
_NAMED_ALIASES = {"koski": "Koski Tl"}


def looks_sotkanet_named_csv(table: RowTable, context: ImportContext) -> bool:
    """A Sotkanet table exported by name: ``region`` (a municipality's Finnish name) and
    ``year`` columns, and one column per indicator named by a catalogue label of a Sotkanet
    indicator (``education_level``), optionally with the data's own ``population``."""
    lowered = table.lowered
    if not (table.delimited and {"region", "year"} <= set(lowered)):
        return False
    return any(_named_indicator(h, context) for h in table.header)


def _named_indicator(header: str, context: ImportContext) -> str | None:
    if header.strip().lower() in _NAMED_KEYS | _NAMED_POPULATION:
        return None
    ident = context.indicator_by_label(header)
    if ident is None:
        return None
    adapter = (context.catalogue[ident].get("source") or {}).get("adapter")
    return ident if adapter == "sotkanet" else None


def read_sotkanet_named_csv(table: RowTable, context: ImportContext) -> TableImport:
    """The table's indicator columns as values and its population column as the weights that
    merged municipalities are harmonised with (rates weighted by the data's own population)."""
    file, lowered = table.file, table.lowered
    region, year_index = lowered.index("region"), lowered.index("year")
    indicators = {
        i: ident for i, h in enumerate(table.header) if (ident := _named_indicator(h, context))
    }
    population = next((i for i, h in enumerate(lowered) if h in _NAMED_POPULATION), None)
    areas = Areas(context, file)
    problems = areas.problems
    out: list[tuple[str, str, int, float]] = []
    weights: list[tuple[str, str, int, float]] = []
    codes: dict[str, str | None] = {}
    seen: dict[tuple[str, int], int] = {}
    trimmed = 0
    for position, cells in enumerate(table.rows, start=2):
        trimmed += keep_few(problems)
        where = row(position)
        name = str(cells[region]).strip()
        if name not in codes:
            codes[name] = areas.name(_NAMED_ALIASES.get(name.casefold(), name), where)
        code = codes[name]
        year = year_cell(cells[year_index], file, where, problems)
        if code is None or year is None:
            continue
        if (code, year) in seen:
            problems.append(
                message(
                    "data.error.duplicate_area_year", file=file, where=where, area=name, year=year
                )
            )
            continue
        seen[(code, year)] = position
        for index, ident in indicators.items():
            value = number_cell(cells[index], table.decimal_comma, file, where, ident, problems)
            if value is not None:
                out.append((code, ident, year, value))
        if population is not None:
            value = number_cell(
                cells[population], table.decimal_comma, file, where, "population", problems
            )
            if value is not None:
                weights.append((code, "population", year, value))
    if problems:
        raise DataImportError(problems, more=trimmed)
    values = tidy_frame(out)
    unplaced = value_problems(values, context, file)
    if unplaced:
        raise DataImportError(unplaced)
    notes = aggregate_notes(file, areas.aggregates)
    weight_frame = None
    if weights:
        weight_frame = tidy_frame(weights)[["municipality_code", "year", "value"]]
        notes.append(
            message(
                "data.note.population_weights_only",
                file=file,
                columns=table.header[population],
            )
        )
    return TableImport(values, weight_frame, notes)
