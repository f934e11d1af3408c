"""The tidy user table -> tidy values (importing layer, pure pandas): CSV, Excel or Parquet with
one row per municipality (code or name), indicator and year, column names in fi / sv / en.
"""

from __future__ import annotations

from array import array
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from kuntadash.errors import message
from kuntadash.importing.context import ImportContext
from kuntadash.importing.errors import DataImportError, examples, row
from kuntadash.importing.placement import value_problems
from kuntadash.importing.readers.common import (
    YEAR_HEADERS,
    Areas,
    Ranges,
    Rows,
    RowTable,
    TableImport,
    aggregate_notes,
    cell,
    duplicate_problems,
    find_column,
    first_rows,
    keep_few,
    number_cell,
    table_reader,
    year_cell,
)
from kuntadash.importing.text import is_missing, normalise_label

_CODE_HEADERS = (
    "municipality_code",
    "kuntanumero",
    "kuntakoodi",
    "kunta_code",
    "kuntanro",
    "kommunnummer",
    "kommunkod",
    "code",
    "koodi",
    "kod",
    "area_code",
    "aluekoodi",
)
_NAME_HEADERS = (
    "municipality",
    "municipality_name",
    "name",
    "nimi",
    "kunta",
    "kunnan nimi",
    "kommun",
    "namn",
    "area",
    "alue",
    "region",
    "område",
)
_INDICATOR_HEADERS = (
    "indicator_id",
    "indicator",
    "indikaattori",
    "tunnusluku",
    "muuttuja",
    "variable",
    "indikator",
)
_VALUE_HEADERS = ("value", "arvo", "värde", "varde", "luku")
# Values of a sex / gender column that mean "both sexes" (other rows are left out).
_TOTALS = frozenset(
    {
        "",
        "total",
        "yhteensä",
        "sukupuolet yhteensä",
        "molemmat sukupuolet",
        "totalt",
        "båda könen",
        "both sexes",
        "sss",
    }
)


def looks_tidy(table: RowTable, context: ImportContext) -> bool:
    """An indicator column means a tidy table: ``read_tidy`` names any other missing column."""
    return find_column(table.header, _INDICATOR_HEADERS) is not None


def read_tidy(
    header: Sequence[str], rows: Rows, file: str, context: ImportContext, decimal_comma: bool
) -> TableImport:
    """The tidy user table: one row per municipality, indicator and year."""
    columns = _tidy_columns(header, file)
    if not rows:
        raise DataImportError(message("data.error.no_rows", file=file))
    areas = Areas(context, file)
    problems = areas.problems
    gender = find_column(header, ("gender", "sukupuoli", "kön", "sex"))
    value_column = header[columns["value"]]
    # Columns of the result, kept compact (a million rows are read in well under a minute and
    # in a few hundred MB); duplicate keys are found over the whole table at the end.
    codes: list[str] = []
    ids: list[str] = []
    years = array("q")
    values = array("d")
    positions = array("q")
    unknown_indicators: dict[str, int] = {}
    # Every lookup below is a dictionary hit after its first row, so the reader is linear in
    # rows: a table repeats the same few hundred areas and few dozen indicators.
    known_areas: dict[tuple[int, Any], str] = {}
    indicators: dict[str, str] = {}
    ranges = Ranges(context)
    trimmed = 0
    for position, cells in enumerate(rows, start=2):
        trimmed += keep_few(problems)
        where = row(position)
        code_raw = cell(cells, columns["code"]) if columns["code"] is not None else ""
        if not is_missing(code_raw):
            code = _resolve(areas, known_areas, 0, code_raw, where)
        elif columns["name"] is not None and not is_missing(cell(cells, columns["name"])):
            code = _resolve(areas, known_areas, 1, cell(cells, columns["name"]), where)
        else:
            problems.append(message("data.error.no_area", file=file, where=where))
            continue
        if gender is not None and normalise_label(cell(cells, gender)) not in _TOTALS:
            continue
        indicator = _indicator(str(cell(cells, columns["indicator"])).strip(), context, indicators)
        if indicator not in context.catalogue:
            unknown_indicators.setdefault(indicator, position)
            continue
        year = year_cell(cell(cells, columns["year"]), file, where, problems)
        if year is None:
            continue
        value = number_cell(
            cell(cells, columns["value"]), decimal_comma, file, where, value_column, problems
        )
        if value is None or code is None:
            continue
        outside = ranges.problem(indicator, value, file, where)
        if outside is not None:
            problems.append(outside)
            continue
        codes.append(code)
        ids.append(indicator)
        years.append(year)
        values.append(value)
        positions.append(position)
    for indicator, position in unknown_indicators.items():
        problems.append(
            message(
                "data.error.unknown_indicator",
                file=file,
                where=row(position),
                indicator=indicator[:60],
            )
        )
    frame = _columns_frame(codes, ids, years, values)
    duplicates, more = duplicate_problems(frame, positions, file)
    problems += duplicates
    problems += value_problems(frame, context, file, first_rows(frame, positions))
    if problems:
        raise DataImportError(problems, more=trimmed + more)
    notes = aggregate_notes(file, areas.aggregates)
    return TableImport(frame, notes=notes)


read_tidy_table = table_reader(read_tidy)


def _tidy_columns(header: Sequence[str], file: str) -> dict[str, int | None]:
    """Where each column of a tidy table is; refused, naming what is missing, when a required
    one is not there."""
    columns = {
        "code": find_column(header, _CODE_HEADERS),
        "name": find_column(header, _NAME_HEADERS),
        "indicator": find_column(header, _INDICATOR_HEADERS),
        "year": find_column(header, YEAR_HEADERS),
        "value": find_column(header, _VALUE_HEADERS),
    }
    missing = [k for k in ("indicator", "year", "value") if columns[k] is None]
    if columns["code"] is None and columns["name"] is None:
        missing.insert(0, "municipality_code / municipality")
    if missing:
        raise DataImportError(
            message(
                "data.error.missing_columns",
                file=file,
                columns=", ".join(missing),
                found=examples(header, 8),
            )
        )
    return columns


def _indicator(text: str, context: ImportContext, seen: dict[str, str]) -> str:
    """The catalogue id a cell names: an id, a source's own code (M162, Sotkanet 5641) or a
    catalogue name in any language; the text itself when it names none (remembered per text,
    so each distinct cell is looked up once)."""
    indicator = seen.get(text)
    if indicator is None:
        indicator = text
        if text not in context.catalogue:
            indicator = (
                context.indicator_by_source_code(text) or context.indicator_by_label(text) or text
            )
        seen[text] = indicator
    return indicator


def _columns_frame(
    codes: list[str], ids: list[str], years: Sequence[int], values: Sequence[float]
) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "municipality_code": pd.Series(codes, dtype=object),
            "indicator_id": pd.Series(ids, dtype=object),
            "year": np.asarray(years, dtype="int64"),
            "value": np.asarray(values, dtype="float64"),
        }
    )


def _resolve(
    areas: Areas, known: dict[tuple[int, Any], str], kind: int, raw: Any, where: Any
) -> str | None:
    """``areas.code`` / ``areas.name`` of a cell, remembered when it resolved cleanly (no problem,
    not an aggregate), so a repeated cell costs one dictionary lookup."""
    key = (kind, raw)
    code = known.get(key)
    if code is not None:
        return code
    problems, aggregates = len(areas.problems), areas.aggregates
    code = areas.code(raw, where) if kind == 0 else areas.name(raw, where)
    if code is not None and len(areas.problems) == problems and areas.aggregates == aggregates:
        known[key] = code
    return code
