"""Statistical tables from local files -> tidy values (importing layer, pure pandas).

Accepted: the tidy user table (CSV or Excel or Parquet: municipality code or name, indicator,
year, value), PxWeb downloads (json-stat2, and CSV with one column per "label, year"), Sotkanet
JSON (with the regions list) and CSV, SYKE emission CSVs, and catalogue sidecars (YAML, or an
Excel sheet named "catalogue") describing new indicators.

Every reader returns values keyed by municipality code, possibly of an earlier division (the
build step harmonises them); rows that match no municipality, or several, are problems, never
silently dropped. Area rows that are aggregates (whole country, regions) are skipped and counted.
"""

from __future__ import annotations

import math
import re
from array import array
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from kuntadash.domain.catalogue import AGGREGATIONS, DIMENSIONS, DIRECTIONS, LANGUAGES
from kuntadash.importing.context import ImportContext
from kuntadash.importing.errors import (
    MAX_MESSAGES,
    DataImportError,
    Message,
    examples,
    item,
    message,
    row,
)
from kuntadash.importing.limits import MAX_CATALOGUE_ENTRIES
from kuntadash.importing.placement import value_problems
from kuntadash.importing.text import is_missing, normalise_label, parse_number, parse_year
from kuntadash.sources.errors import SourceError
from kuntadash.sources.pxweb import dataset_roles, municipality_code, parse_jsonstat2
from kuntadash.sources.statfi_keyfigures import POPULATION_CODES, key_figure_code, label_key

MIN_YEAR, MAX_YEAR = 1980, 2100
_AGGREGATE = "__aggregate__"
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
_YEAR_HEADERS = ("year", "vuosi", "år", "ar", "time", "aika", "tid")
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
# "label, 2020", "label 2020", "label (2020)", "label – 2020", "2020 label", "2020: label".
_LABEL_YEAR = re.compile(
    r"^(?P<label>.*?\S)[\s,;:(\[–—-]+(?P<year>[0-9]{4})[)\]]?\s*$"
    r"|^[(\[]?(?P<year2>[0-9]{4})[)\]]?[\s,;:–—-]+(?P<label2>\S.*)$"
)
# Column labels of totals rather than of one indicator (aggregates, not figures to import).
_TOTAL_LABELS = frozenset(
    label_key(t)
    for t in ("yhteensä", "total", "totalt", "summa", "sum", "kaikki", "alla", "all", "sss")
)
_CODE_PREFIX = re.compile(r"^(?:KU)?(\d{3})\b\s*(.*)$")


@dataclass
class TableImport:
    """Values read from one file (codes may be of an earlier division)."""

    values: pd.DataFrame
    population: pd.DataFrame | None = None  # municipality_code, year, value (weights)
    notes: list[Message] = field(default_factory=list)


def _frame(rows: list[tuple[str, str, int, float]]) -> pd.DataFrame:
    return pd.DataFrame(
        rows, columns=["municipality_code", "indicator_id", "year", "value"]
    ).astype(
        {
            "municipality_code": "object",
            "indicator_id": "object",
            "year": "int64",
            "value": "float64",
        }
    )


class _Areas:
    """Resolves a code or name cell to a municipality code, collecting problems per row."""

    def __init__(self, context: ImportContext, file: str):
        self.context, self.file = context, file
        self.problems: list[Message] = []
        self.aggregates = 0

    def code(self, raw: object, where: str) -> str | None:
        text = raw
        if isinstance(text, float) and not math.isnan(text) and text.is_integer():
            text = int(text)
        text = str(text).strip()
        match = _CODE_PREFIX.match(text)
        if text.upper() == "SSS" or re.fullmatch(r"(MK|SK|HV)\d+.*", text.upper()):
            self.aggregates += 1
            return None
        if not match and text.isdigit() and len(text) < 3:
            match = _CODE_PREFIX.match(text.zfill(3))
        if not match and not any(ch.isdigit() for ch in text):
            return self.name(text, where)  # a name in the code column
        if not match:
            self.problems.append(
                message("data.error.bad_code", file=self.file, where=where, value=text[:40])
            )
            return None
        # Whether the code can be placed depends on the year of its value: the reader checks
        # that for all its rows at once (placement.value_problems), naming codes and years.
        return match.group(1)

    def name(self, raw: object, where: str) -> str | None:
        text = str(raw).strip()
        if re.fullmatch(r"(?:KU)?\d{1,3}", text, flags=re.IGNORECASE):
            return self.code(text.upper(), where)  # a code in the name column
        prefixed = _CODE_PREFIX.match(text)
        if prefixed and prefixed.group(2):  # "KU091 Helsinki" / "091 Helsinki"
            return self.code(prefixed.group(1), where)
        key = normalise_label(text)
        codes = self.context.names.get(key, set())
        if len(codes) == 1:
            return next(iter(codes))
        if len(codes) > 1:
            self.problems.append(
                message(
                    "data.error.ambiguous_name",
                    file=self.file,
                    where=where,
                    name=text[:60],
                    codes=", ".join(sorted(codes)),
                )
            )
            return None
        if key in self.context.aggregates:
            self.aggregates += 1
            return None
        self.problems.append(
            message("data.error.unknown_name", file=self.file, where=where, name=text[:60])
        )
        return None


def _find(header: Sequence[str], names: Sequence[str]) -> int | None:
    lowered = [normalise_label(h) for h in header]
    for name in names:
        if name in lowered:
            return lowered.index(name)
    return None


def _cell(row: Sequence[Any], index: int) -> Any:
    return row[index] if index < len(row) else ""


def _year(raw: Any) -> int:
    year = parse_year(raw)
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValueError(raw)
    return year


class UncalculatedFormula:
    """An Excel formula cell whose result was never saved in the file (openpyxl reads None)."""

    def __init__(self, cell: str, formula: str):
        self.cell, self.formula = cell, formula

    def __str__(self) -> str:
        return f"={self.formula}" if not self.formula.startswith("=") else self.formula


def _formula_problem(raw: UncalculatedFormula, file: str, where: Any) -> Message:
    return message(
        "data.error.formula_without_value",
        file=file,
        where=where,
        cell=raw.cell,
        formula=str(raw)[:60],
    )


def number_cell(
    raw: Any, decimal_comma: bool, file: str, where: Any, column: str, problems: list[Message]
) -> float | None:
    """The cell as a number (NaN for a suppression symbol), or None after adding the problem
    (naming file, row and column) to ``problems``: the one way every reader parses a value."""
    if isinstance(raw, UncalculatedFormula):
        problems.append(_formula_problem(raw, file, where))
        return None
    try:
        return parse_number(raw, decimal_comma)
    except (TypeError, ValueError):
        problems.append(
            message(
                "data.error.bad_number",
                file=file,
                where=where,
                column=str(column)[:60],
                value=str(raw)[:30],
            )
        )
        return None


def year_cell(raw: Any, file: str, where: Any, problems: list[Message]) -> int | None:
    """The cell as a year in 1980-2100, or None after adding the problem to ``problems``."""
    if isinstance(raw, UncalculatedFormula):
        problems.append(_formula_problem(raw, file, where))
        return None
    try:
        return _year(raw)
    except (TypeError, ValueError):
        problems.append(message("data.error.bad_year", file=file, where=where, value=str(raw)[:20]))
        return None


def has_indicator_column(header: Sequence[str]) -> bool:
    return _find(header, _INDICATOR_HEADERS) is not None


def looks_tidy(header: Sequence[str]) -> bool:
    return (
        _find(header, _INDICATOR_HEADERS) is not None
        and _find(header, _YEAR_HEADERS) is not None
        and _find(header, _VALUE_HEADERS) is not None
        and (_find(header, _CODE_HEADERS) is not None or _find(header, _NAME_HEADERS) is not None)
    )


def read_tidy(
    header: Sequence[str],
    rows: Sequence[Sequence[Any]],
    file: str,
    context: ImportContext,
    decimal_comma: bool,
) -> TableImport:
    """The tidy user table: one row per municipality, indicator and year."""
    columns = {
        "code": _find(header, _CODE_HEADERS),
        "name": _find(header, _NAME_HEADERS),
        "indicator": _find(header, _INDICATOR_HEADERS),
        "year": _find(header, _YEAR_HEADERS),
        "value": _find(header, _VALUE_HEADERS),
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
    if not rows:
        raise DataImportError(message("data.error.no_rows", file=file))
    areas = _Areas(context, file)
    problems = areas.problems
    gender = _find(header, ("gender", "sukupuoli", "kön", "sex"))
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
    ranges = _Ranges(context)
    trimmed = 0
    for position, cells in enumerate(rows, start=2):
        if len(problems) > _KEPT_PROBLEMS:
            trimmed += _trim(problems)
        where = row(position)
        code_raw = _cell(cells, columns["code"]) if columns["code"] is not None else ""
        if not is_missing(code_raw):
            code = _resolve(areas, known_areas, 0, code_raw, where)
        elif columns["name"] is not None and not is_missing(_cell(cells, columns["name"])):
            code = _resolve(areas, known_areas, 1, _cell(cells, columns["name"]), where)
        else:
            problems.append(message("data.error.no_area", file=file, where=where))
            continue
        if gender is not None and normalise_label(_cell(cells, gender)) not in _TOTALS:
            continue
        text = str(_cell(cells, columns["indicator"])).strip()
        indicator = indicators.get(text)
        if indicator is None:
            # a source's own code (M162, Sotkanet 5641) or a catalogue name in any language
            indicator = text
            if text not in context.catalogue:
                indicator = (
                    context.indicator_by_source_code(text)
                    or context.indicator_by_label(text)
                    or text
                )
            indicators[text] = indicator
        if indicator not in context.catalogue:
            unknown_indicators.setdefault(indicator, position)
            continue
        year = year_cell(_cell(cells, columns["year"]), file, where, problems)
        if year is None:
            continue
        value = number_cell(
            _cell(cells, columns["value"]), decimal_comma, file, where, value_column, problems
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
    duplicates, more = _duplicate_problems(frame, positions, file)
    problems += duplicates
    problems += value_problems(frame, context, file, _first_rows(frame, positions))
    if problems:
        raise DataImportError(problems, more=trimmed + more)
    notes = _aggregate_note(areas, file)
    return TableImport(frame, notes=notes)


def _first_rows(frame: pd.DataFrame, positions: Sequence[int]) -> dict[tuple[str, int], Message]:
    """(code, year) -> the first row holding it, for messages about codes of some years."""
    if frame.empty:
        return {}
    first = (
        frame.assign(_row=np.asarray(positions, dtype="int64"))
        .groupby(["municipality_code", "year"], sort=False)["_row"]
        .min()
    )
    return {(str(code), int(year)): row(int(r)) for (code, year), r in first.items()}


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


def _duplicate_problems(
    frame: pd.DataFrame, positions: Sequence[int], file: str
) -> tuple[list[Message], int]:
    """A message for each row whose (municipality, indicator, year) an earlier row already
    had, naming both rows (the first MAX_MESSAGES of them), and how many more there were."""
    key = ["municipality_code", "indicator_id", "year"]
    later = frame.duplicated(key, keep="first").to_numpy()
    if not later.any():
        return [], 0
    rows = np.asarray(positions, dtype="int64")
    first = frame.assign(_row=rows).groupby(key, sort=False)["_row"].transform("first").to_numpy()
    problems = []
    for index in np.flatnonzero(later)[:MAX_MESSAGES]:
        code, indicator, year = frame.iloc[index][key]
        problems.append(
            message(
                "data.error.duplicate_key",
                file=file,
                where=row(int(rows[index])),
                first=int(first[index]),
                code=code,
                indicator=indicator,
                year=int(year),
            )
        )
    return problems, int(later.sum()) - len(problems)


# A file with a bad cell in every row would otherwise hold a message per row in memory; the
# report shows the first MAX_MESSAGES and counts the rest.
_KEPT_PROBLEMS = 4 * MAX_MESSAGES


def _trim(problems: list[Message]) -> int:
    """Drops all but the first MAX_MESSAGES problems; returns how many were dropped."""
    dropped = len(problems) - MAX_MESSAGES
    del problems[MAX_MESSAGES:]
    return dropped


def _resolve(
    areas: _Areas, known: dict[tuple[int, Any], str], kind: int, raw: Any, where: Any
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


class _Ranges:
    """Each indicator's plausible range from the catalogue, looked up once per indicator."""

    def __init__(self, context: ImportContext):
        self.context = context
        self.known: dict[str, tuple[float, float] | None] = {}

    def problem(self, indicator: str, value: float, file: str, where: Any) -> Message | None:
        if indicator not in self.known:
            self.known[indicator] = _valid_range(self.context, indicator)
        bounds = self.known[indicator]
        if bounds is None or math.isnan(value) or bounds[0] <= value <= bounds[1]:
            return None
        return range_problem(self.context, indicator, value, file, where)


def _valid_range(context: ImportContext, indicator: str) -> tuple[float, float] | None:
    try:
        low, high = (float(v) for v in context.catalogue[indicator]["valid_range"])
    except (KeyError, TypeError, ValueError):
        return None
    return low, high


def range_problem(
    context: ImportContext, indicator: str, value: float, file: str, where: Any
) -> Message | None:
    """A message naming the file and row (or area and year) when ``value`` lies outside the
    indicator's plausible range in the catalogue; None when it is inside or missing."""
    bounds = _valid_range(context, indicator)
    if bounds is None:
        return None
    low, high = bounds
    if math.isnan(value) or low <= value <= high:
        return None
    return message(
        "data.error.out_of_range",
        file=file,
        where=where,
        indicator=indicator,
        value=f"{value:g}",
        low=f"{low:g}",
        high=f"{high:g}",
    )


def range_problems(values: pd.DataFrame, context: ImportContext, file: str) -> list[Message]:
    """Out-of-range values of a table read from any format, named by area and year."""
    problems: list[Message] = []
    if values.empty:
        return problems
    # raw measures (``adapter:code``) have no range of their own; what is derived from them is
    # checked by the snapshot's validation
    bounds = {
        i: None if ":" in str(i) else _valid_range(context, str(i))
        for i in values["indicator_id"].unique()
    }
    low = values["indicator_id"].map({i: b[0] if b else -math.inf for i, b in bounds.items()})
    high = values["indicator_id"].map({i: b[1] if b else math.inf for i, b in bounds.items()})
    outside = (values["value"] < low.astype(float)) | (values["value"] > high.astype(float))
    named = values.loc[outside.to_numpy(), ["municipality_code", "indicator_id", "year", "value"]]
    for code, indicator, year, value in named.head(MAX_MESSAGES).itertuples(index=False):
        found = range_problem(context, str(indicator), float(value), file, f"{code}, {year}")
        if found is not None:
            problems.append(found)
    if len(named) > MAX_MESSAGES:  # the report shows no more than these, and counts the rest
        problems.append(message("data.error.more_problems", count=len(named) - MAX_MESSAGES))
    return problems


def _aggregate_note(areas: _Areas, file: str) -> list[Message]:
    if areas.aggregates:
        return [message("data.note.aggregates_skipped", file=file, count=areas.aggregates)]
    return []


@dataclass
class _WideColumn:
    """One column of a wide table: what it holds, or why it is not used."""

    index: int
    header: str
    label: str
    year: int | None
    indicator: str | None = None
    population: bool = False
    reason: Message | None = None  # set when the column is not used
    repeats: str | None = None  # the header of the earlier column with its indicator and year


def read_pxweb_wide(
    header: Sequence[str],
    rows: Sequence[Sequence[Any]],
    file: str,
    context: ImportContext,
    decimal_comma: bool,
    first_rows: Sequence[int] | None = None,
) -> TableImport:
    """A PxWeb CSV download with areas in the first column and one column per "label, year".

    Older key-figure downloads name their columns by label only ("Työllisyysaste, %"): their
    year comes from the import's ``--year`` option, else from the file name
    (avainluvut_2019.csv), and a note says which; with neither, the file is refused with a
    sentence saying how to give it. Every column that is not imported is listed in the report
    with its reason. ``first_rows``: the file row of each row of ``rows`` when they were
    rearranged from another layout (for messages)."""
    if not rows:
        raise DataImportError(message("data.error.no_rows", file=file))
    columns = [_classify_column(i, h, context) for i, h in enumerate(header) if i > 0]
    notes: list[Message] = []
    undated = [c for c in columns if c.reason is None and c.year is None]
    if undated:
        year, note = _figures_year(file, context, [c.header for c in undated])
        notes.append(note)
        for column in undated:
            column.year = year
    claimed: dict[tuple[str, int], _WideColumn] = {}
    for column in columns:
        if column.reason is not None or column.year is None:
            continue
        key = ("population" if column.population else str(column.indicator), column.year)
        if key in claimed:
            column.reason = message("data.reason.column_duplicates")
            column.repeats = claimed[key].header
        else:
            claimed[key] = column
    used = [c for c in columns if c.reason is None]
    if not any(c.indicator for c in used):
        raise DataImportError(
            message("data.error.no_known_indicators", file=file, columns=examples(header[1:], 6))
        )
    areas = _Areas(context, file)
    problems = areas.problems
    by_column: dict[int, list[tuple[str, float]]] = {c.index: [] for c in used}
    seen: dict[str, int] = {}
    trimmed = 0
    positions = first_rows if first_rows is not None else range(2, len(rows) + 2)
    for position, cells in zip(positions, rows, strict=True):
        if len(problems) > _KEPT_PROBLEMS:
            trimmed += _trim(problems)
        where = row(position)
        code = areas.name(_cell(cells, 0), where)
        if code is None:
            continue
        if code in seen:
            problems.append(
                message(
                    "data.error.duplicate_area", file=file, where=where, first=seen[code], code=code
                )
            )
            continue
        seen[code] = position
        for column in used:
            value = number_cell(
                _cell(cells, column.index), decimal_comma, file, where, column.header, problems
            )
            if value is not None:
                by_column[column.index].append((code, value))
    if problems:
        raise DataImportError(problems, more=trimmed)
    out: list[tuple[str, str, int, float]] = []
    weights: list[tuple[str, str, int, float]] = []
    for column in used:
        cells = by_column[column.index]
        if not any(not math.isnan(value) for _, value in cells):
            # a column of nothing but missing values would overwrite figures already in the
            # snapshot with blanks for every municipality
            column.reason = message("data.reason.column_empty")
            continue
        assert column.year is not None
        if column.indicator:
            out += [(code, column.indicator, column.year, value) for code, value in cells]
        if column.population:
            weights += [(code, "population", column.year, value) for code, value in cells]
    unplaced = value_problems(
        _frame(out), context, file, {(code, y): row(seen[code]) for code, _, y, _ in out}
    )
    if unplaced:
        raise DataImportError(unplaced)
    notes = _aggregate_note(areas, file) + notes
    notes += _unused_columns_notes(file, [c for c in columns if c.reason is not None])
    weight_columns = [c.header for c in columns if c.population and c.reason is None]
    if weight_columns:
        notes.append(
            message("data.note.population_weights", file=file, columns="; ".join(weight_columns))
        )
    population = _frame(weights)[["municipality_code", "year", "value"]] if weights else None
    return TableImport(_frame(out), population, notes)


def _classify_column(index: int, header: str, context: ImportContext) -> _WideColumn:
    label, year = label_and_year(header)
    column = _WideColumn(index, header, label, year)
    code = key_figure_code(label)
    column.indicator = context.indicator_by_label(label)
    if column.indicator is None and code:
        column.indicator = context.indicator_by_source_code(code, ("pxweb",))
    column.population = code in POPULATION_CODES
    if year is not None and not MIN_YEAR <= year <= MAX_YEAR:
        column.reason = message("data.reason.column_years")
    elif column.indicator is None and not column.population:
        key = label_key(label)
        aggregate = key in _TOTAL_LABELS or normalise_label(label) in context.aggregates
        column.reason = message(
            "data.reason.column_aggregate" if aggregate else "data.reason.column_not_indicator"
        )
    return column


def _figures_year(file: str, context: ImportContext, undated: list[str]) -> tuple[int, Message]:
    """The year of figures whose column headers give none: the ``--year`` option, else the one
    year in the file name; refused (saying how to give it) when neither gives one."""
    if context.figures_year is not None:
        context.figures_year_used = True
        return context.figures_year, message(
            "data.note.year_from_option", file=file, year=context.figures_year
        )
    named = year_in_file_name(file)
    if named is not None:
        return named, message("data.note.year_from_file_name", file=file, year=named)
    raise DataImportError(message("data.error.no_year", file=file, columns=examples(undated, 4)))


_FILE_NAME_YEAR = re.compile(r"(?<![0-9])(19[89][0-9]|20[0-9][0-9]|2100)(?![0-9])")


def year_in_file_name(file: str) -> int | None:
    """The year written in a file name ("avainluvut_2019.csv"); None when there is none, or
    more than one, so that "avainluvut_2019_2020.csv" is never guessed."""
    stem = re.sub(r"\.[A-Za-z0-9]{1,8}$", "", file)
    years = set(_FILE_NAME_YEAR.findall(stem))
    return int(years.pop()) if len(years) == 1 else None


def _unused_columns_notes(file: str, columns: list[_WideColumn]) -> list[Message]:
    """One note per reason, naming every column with it (never "and N more")."""
    by_reason: dict[str, tuple[Message, list[str]]] = {}
    for column in columns:
        assert column.reason is not None
        label = f"{column.header} (= {column.repeats})" if column.repeats else column.header
        by_reason.setdefault(column.reason.key, (column.reason, []))[1].append(label)
    return [
        message(
            "data.note.columns_unused",
            file=file,
            count=len(labels),
            reason=reason,
            columns="; ".join(labels),
        )
        for reason, labels in by_reason.values()
    ]


def label_and_year(column: str) -> tuple[str, int | None]:
    """A wide column header split into its label and year ("Employment rate, %, 2020" ->
    ("Employment rate, %", 2020)); the year is None when the header has none. A year outside
    1980-2100 is returned as it is, for the caller to refuse."""
    text = str(column).strip()
    match = _LABEL_YEAR.match(text)
    if not match:
        return text, None
    label = match.group("label") or match.group("label2")
    year = int(match.group("year") or match.group("year2"))
    return label.strip().rstrip(",;:–—- ").strip(), year


def split_label_year(column: str) -> tuple[str, int] | None:
    """(label, year) of a header that carries a year in 1980-2100, else None."""
    label, year = label_and_year(column)
    if year is None or not MIN_YEAR <= year <= MAX_YEAR:
        return None
    return label, year


def looks_pxweb_wide(header: Sequence[str], context: ImportContext | None = None) -> bool:
    """Areas in the first column and mostly "label, year" columns; or, for downloads whose
    headers carry no year, no year column and at least one column a known indicator's label."""
    if len(header) < 2:
        return False
    labelled = [h for h in header[1:] if split_label_year(h)]
    if len(labelled) >= max(1, (len(header) - 1) // 2):
        return True
    if context is None or _find(header, _YEAR_HEADERS) is not None:
        return False
    return any(context.indicator_by_label(h) or key_figure_code(h) for h in header[1:])


def looks_pxweb_long(header: Sequence[str]) -> bool:
    """A PxWeb CSV with an area column, a year column and one column per contents label."""
    year = _find(header, _YEAR_HEADERS)
    return year is not None and year != 0 and len(header) >= 3


def read_pxweb_long(
    header: Sequence[str],
    rows: Sequence[Sequence[Any]],
    file: str,
    context: ImportContext,
    decimal_comma: bool,
) -> TableImport:
    """PxWeb CSV with years in a column ("Alue";"Vuosi";"Työttömien osuus työvoimasta, %"):
    rearranged to one column per "label, year" and read like the wide download."""
    year_index = _find(header, _YEAR_HEADERS)
    assert year_index is not None
    labels = [(i, h) for i, h in enumerate(header) if i not in (0, year_index)]
    # Cells of columns the wide reader will use are parsed here, where their file row is known.
    parsed = {
        i for i, h in labels if _classify_column(i, f"{h}, {MIN_YEAR}", context).reason is None
    }
    wide: dict[str, dict[str, Any]] = {}
    first_rows: dict[str, int] = {}
    columns: dict[str, None] = {}  # in order of appearance
    problems: list[Message] = []
    trimmed = 0
    for position, cells in enumerate(rows, start=2):
        if len(problems) > _KEPT_PROBLEMS:
            trimmed += _trim(problems)
        where = row(position)
        area = str(_cell(cells, 0))
        year = year_cell(_cell(cells, year_index), file, where, problems)
        if year is None:
            continue
        if area not in wide:
            wide[area] = {}
            first_rows[area] = position
        for index, label in labels:
            column = f"{label}, {year}"
            columns.setdefault(column)
            if column in wide[area]:
                problems.append(
                    message(
                        "data.error.duplicate_area_year",
                        file=file,
                        where=where,
                        area=area[:60],
                        year=year,
                    )
                )
                break
            raw = _cell(cells, index)
            if index in parsed:
                raw = number_cell(raw, decimal_comma, file, where, label, problems)
            wide[area][column] = raw
    if problems:
        raise DataImportError(problems, more=trimmed)
    wide_rows = [[area, *(wide[area].get(c, "") for c in columns)] for area in wide]
    return read_pxweb_wide(
        [header[0], *columns],
        wide_rows,
        file,
        context,
        decimal_comma,
        first_rows=list(first_rows.values()),
    )


def read_jsonstat(doc: Any, file: str, context: ImportContext) -> TableImport:
    """A PxWeb json-stat2 response saved to a file."""
    try:
        frame = parse_jsonstat2(doc, source=file)
        area_dim, time_dim, metric_dim = dataset_roles(doc, frame)
    except SourceError as exc:
        raise DataImportError(
            message("data.error.jsonstat_file", file=file, reason=exc.render("en"))
        ) from exc
    dims = [c for c in frame.columns if c not in ("value", "status")]
    others = [d for d in dims if d not in (area_dim, time_dim, metric_dim)]
    for dim in others:
        if frame[dim].nunique() > 1:
            raise DataImportError(
                message("data.error.jsonstat_extra_dimension", file=file, dim=dim)
            )
    contents = sorted(frame[metric_dim].unique()) if metric_dim else []
    indicators: dict[str, str] = {}
    population_codes = set()
    labels = _labels(doc, metric_dim)
    for code in contents:
        indicator = context.indicator_by_source_code(code) or context.indicator_by_label(
            labels.get(code, code)
        )
        if code.split("-")[-1] in POPULATION_CODES:
            population_codes.add(code)
        if indicator:
            indicators[code] = indicator
    if metric_dim is None:
        raise DataImportError(message("data.error.jsonstat_roles_file", file=file))
    if not indicators:
        raise DataImportError(
            message("data.error.no_known_indicators", file=file, columns=examples(contents, 6))
        )
    codes = frame[area_dim].map(municipality_code)
    aggregates = int(codes.isna().sum())
    frame = frame.assign(municipality_code=codes).dropna(subset=["municipality_code"])
    periods = frame[time_dim].astype(str)
    not_annual = periods[~periods.str.fullmatch(r"\d{4}")]
    if len(not_annual):
        raise DataImportError(
            message("data.error.not_annual", file=file, dim=time_dim, value=not_annual.iloc[0][:20])
        )
    try:
        years = periods.astype(int)
    except ValueError as exc:
        raise DataImportError(
            message(
                "data.error.bad_year",
                file=file,
                where=time_dim,
                value=str(frame[time_dim].iloc[0])[:20],
            )
        ) from exc
    frame = frame.assign(year=years)
    if ((frame["year"] < MIN_YEAR) | (frame["year"] > MAX_YEAR)).any():
        raise DataImportError(
            message(
                "data.error.bad_year", file=file, where=time_dim, value=str(frame["year"].min())
            )
        )
    unplaced = value_problems(
        frame[["municipality_code", "year"]].assign(indicator_id=frame[metric_dim]), context, file
    )
    if unplaced:
        raise DataImportError(unplaced)
    chosen = frame[frame[metric_dim].isin(indicators)]
    values = pd.DataFrame(
        {
            "municipality_code": chosen["municipality_code"].astype(object),
            "indicator_id": chosen[metric_dim].map(indicators).astype(object),
            "year": chosen["year"].astype("int64"),
            "value": chosen["value"].astype("float64"),
        }
    ).reset_index(drop=True)
    pop = frame[frame[metric_dim].isin(population_codes)]
    population = (
        pd.DataFrame(
            {
                "municipality_code": pop["municipality_code"],
                "year": pop["year"],
                "value": pop["value"],
            }
        ).reset_index(drop=True)
        if len(pop)
        else None
    )
    notes = []
    if aggregates:
        notes.append(message("data.note.aggregates_skipped", file=file, count=aggregates))
    skipped = [c for c in contents if c not in indicators and c not in population_codes]
    if skipped:
        notes.append(
            message(
                "data.note.columns_unused",
                file=file,
                count=len(skipped),
                reason=message("data.reason.column_not_indicator"),
                columns="; ".join(f"{c} ({labels[c]})" if c in labels else c for c in skipped),
            )
        )
    return TableImport(values, population, notes)


def _labels(doc: Any, dim: str | None) -> dict[str, str]:
    try:
        labels = doc["dimension"][dim]["category"].get("label") or {}
    except (KeyError, TypeError, AttributeError):
        return {}
    return {str(k): str(v) for k, v in labels.items()} if isinstance(labels, Mapping) else {}


def read_sotkanet_json(
    rows: Sequence[Any], regions: Mapping[int, str] | None, file: str, context: ImportContext
) -> TableImport:
    """Sotkanet /json data rows; ``regions`` maps Sotkanet region ids to municipality codes."""
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
    problems += value_problems(_frame(out), context, file, first_items)
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
    notes = []
    if skipped_regions:
        notes.append(message("data.note.aggregates_skipped", file=file, count=skipped_regions))
    if unknown_indicators:
        notes.append(
            message(
                "data.note.columns_unused",
                file=file,
                count=len(unknown_indicators),
                reason=message("data.reason.column_not_indicator"),
                columns="; ".join(sorted(unknown_indicators)),
            )
        )
    return TableImport(_frame(out), notes=notes)


def parse_sotkanet_regions(rows: Sequence[Any]) -> dict[int, str]:
    """Sotkanet region id -> 3-digit municipality code, for category KUNTA."""
    mapping = {}
    for region in rows:
        if isinstance(region, Mapping) and region.get("category") == "KUNTA":
            code = str(region.get("code", "")).zfill(3)
            if re.fullmatch(r"\d{3}", code) and isinstance(region.get("id"), int):
                mapping[int(region["id"])] = code
    return mapping


def read_syke_csv(
    header: Sequence[str], rows: Sequence[Sequence[Any]], file: str, context: ImportContext
) -> TableImport:
    """A SYKE ALas municipal emission CSV (kunta_NNN.csv): the raw measures (kt CO2e per year of
    every sector the catalogue's SYKE indicators use); the indicators themselves are derived in
    the pipeline with the data's population of the same year (pipeline.derive)."""
    from kuntadash.sources.syke import measure_id, measures_from_rows

    match = re.search(r"(\d{3})", file)
    code_index = _find(header, ("kunta", "kuntanro", "kuntanumero", "kunta_id"))
    sectors = [
        str((entry.get("source") or {}).get("code") or "hinku")
        for entry in context.catalogue.values()
        if (entry.get("source") or {}).get("adapter") == "syke" and entry.get("derive")
    ]
    if not sectors:
        raise DataImportError(message("data.error.no_known_indicators", file=file, columns="hinku"))
    try:
        measures = measures_from_rows(header, rows, sectors, file)
    except SourceError as exc:
        raise DataImportError(
            message("data.error.syke_file", file=file, reason=exc.render("en"))
        ) from exc
    if code_index is not None and rows:
        code = str(rows[0][code_index]).strip().zfill(3)
    elif match:
        code = match.group(1)
    else:
        raise DataImportError(message("data.error.syke_no_code", file=file))
    years = sorted({year for totals in measures.values() for year in totals})
    located = pd.DataFrame({"municipality_code": code, "year": years})
    unplaced = value_problems(located, context, file)
    if unplaced:
        raise DataImportError(unplaced)
    rows_out = [
        (code, measure_id(sector), int(year), float(kt))
        for sector, totals in measures.items()
        for year, kt in totals.items()
    ]
    return TableImport(_frame(rows_out), notes=[message("data.note.syke_population", file=file)])


def parse_catalogue_entries(entries: Any, file: str) -> list[dict[str, Any]]:
    """New indicators from a catalogue sidecar (YAML list or Excel sheet), validated."""
    if isinstance(entries, Mapping):
        entries = entries.get("indicators")
    if not isinstance(entries, list) or not entries:
        raise DataImportError(message("data.error.catalogue_empty", file=file))
    if len(entries) > MAX_CATALOGUE_ENTRIES:
        raise DataImportError(
            message(
                "data.error.limit_exceeded",
                file=file,
                what=message("data.limit.catalogue_entries"),
                found=len(entries),
                limit=MAX_CATALOGUE_ENTRIES,
            )
        )
    out, problems = [], []
    for position, raw in enumerate(entries, start=1):
        where = f"#{position}"
        if not isinstance(raw, Mapping):
            problems.append(
                message(
                    "data.error.catalogue_entry",
                    file=file,
                    where=where,
                    field="-",
                    reason=message("data.reason.not_mapping"),
                )
            )
            continue
        entry, issues = _catalogue_entry(raw)
        for field_name, reason in issues:
            problems.append(
                message(
                    "data.error.catalogue_entry",
                    file=file,
                    where=str(raw.get("id", where)),
                    field=field_name,
                    reason=reason,
                )
            )
        if not issues:
            out.append(entry)
    if problems:
        raise DataImportError(problems)
    return out


def _texts(raw: Any) -> dict[str, str]:
    if isinstance(raw, Mapping):
        texts = {lang: str(raw.get(lang) or "").strip() for lang in LANGUAGES}
    else:
        texts = dict.fromkeys(LANGUAGES, "" if raw is None else str(raw).strip())
    first = next((t for t in texts.values() if t), "")
    return {lang: texts[lang] or first for lang in LANGUAGES}


def _catalogue_entry(raw: Mapping[str, Any]) -> tuple[dict[str, Any], list[tuple[str, Message]]]:
    issues: list[tuple[str, Message]] = []
    ident = str(raw.get("id") or "").strip()
    if not re.fullmatch(r"[a-z][a-z0-9_]{1,63}", ident):
        issues.append(("id", message("data.reason.id")))
    dimension = str(raw.get("dimension") or "")
    if dimension not in DIMENSIONS:
        issues.append(("dimension", message("data.reason.one_of", options=", ".join(DIMENSIONS))))
    direction = str(raw.get("direction") or "neutral")
    if direction not in DIRECTIONS:
        issues.append(("direction", message("data.reason.one_of", options=", ".join(DIRECTIONS))))
    aggregation = str(raw.get("aggregation") or "rate")
    if aggregation not in AGGREGATIONS:
        issues.append(
            ("aggregation", message("data.reason.one_of", options=", ".join(AGGREGATIONS)))
        )
    name = _texts(raw.get("name"))
    if not name["fi"]:
        issues.append(("name", message("data.reason.name")))
    valid_range = raw.get("valid_range")
    if valid_range is None and raw.get("valid_min") is not None:
        valid_range = [raw.get("valid_min"), raw.get("valid_max")]
    try:
        low, high = (float(v) for v in valid_range)  # type: ignore[union-attr]
        if not (math.isfinite(low) and math.isfinite(high) and low < high):
            raise ValueError
    except (TypeError, ValueError):
        issues.append(("valid_range", message("data.reason.valid_range")))
        low, high = 0.0, 1.0
    try:
        decimals = int(raw.get("decimals", 1))
        if not 0 <= decimals <= 6:
            raise ValueError
    except (TypeError, ValueError):
        issues.append(("decimals", message("data.reason.decimals")))
        decimals = 1
    source = raw.get("source") if isinstance(raw.get("source"), Mapping) else {}
    entry = {
        "id": ident,
        "dimension": dimension,
        "direction": direction,
        "aggregation": aggregation,
        "decimals": decimals,
        "cadence": str(raw.get("cadence") or "irregular"),
        "name": name,
        "definition": _texts(raw.get("definition")),
        "interpretation": _texts(raw.get("interpretation")),
        "unit": _texts(raw.get("unit")),
        "valid_range": [low, high],
        "source": {
            "publisher": str(source.get("publisher") or raw.get("publisher") or "user import"),
            "adapter": "import",
            "table": source.get("table") or raw.get("table"),
            "code": source.get("code") or raw.get("code"),
            "licence": str(source.get("licence") or raw.get("licence") or "see source"),
        },
        "columns": [str(c) for c in (raw.get("columns") or [])],
    }
    return entry, issues


def catalogue_rows_from_sheet(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Excel 'catalogue' sheet rows (columns id, dimension, name_fi, ..., valid_min, valid_max)."""
    entries = []
    for record in frame.to_dict("records"):
        clean = {str(k).strip().lower(): v for k, v in record.items() if not is_missing(v)}
        entry: dict[str, Any] = {
            k: v for k, v in clean.items() if "_" not in k or k in ("valid_min", "valid_max")
        }
        for field_name in ("name", "definition", "interpretation", "unit"):
            texts = {lang: clean.get(f"{field_name}_{lang}") for lang in LANGUAGES}
            if any(texts.values()):
                entry[field_name] = texts
            elif field_name in clean:
                entry[field_name] = clean[field_name]
        entries.append(entry)
    return entries
