"""What every table reader shares (importing layer, pure pandas): the result type, the table a
row reader is given, area codes and names resolved to municipality codes, column finding, the
one parser of number and year cells (with the Excel formula check), range checks, duplicate and
first-row bookkeeping, and the notes and problem lists every reader reports with.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from kuntadash.errors import Message, message
from kuntadash.importing.context import ImportContext
from kuntadash.importing.errors import MAX_MESSAGES, row
from kuntadash.importing.text import normalise_label, parse_number, parse_year

MIN_YEAR, MAX_YEAR = 1980, 2100
YEAR_HEADERS = ("year", "vuosi", "år", "ar", "time", "aika", "tid")
_CODE_PREFIX = re.compile(r"^(?:KU)?(\d{3})\b\s*(.*)$")


@dataclass
class TableImport:
    """Values read from one file (codes may be of an earlier division)."""

    values: pd.DataFrame
    population: pd.DataFrame | None = None  # municipality_code, year, value (weights)
    notes: list[Message] = field(default_factory=list)


# The cells below a table's header, as every row reader takes them.
Rows = Sequence[Sequence[Any]]


@dataclass(frozen=True)
class RowTable:
    """A file's table as the row readers are given it, whatever file it came from."""

    file: str
    header: list[str]
    rows: Rows
    decimal_comma: bool
    delimited: bool  # read from a delimited text file (CSV, TSV, TXT), not a sheet or Parquet

    @property
    def lowered(self) -> list[str]:
        """The column names stripped and lower-cased, as the publishers' formats are sniffed."""
        return [h.strip().lower() for h in self.header]


def table_reader(
    read: Callable[[Sequence[str], Rows, str, ImportContext, bool], TableImport],
) -> Callable[[RowTable, ImportContext], TableImport]:
    """A reader called as ``read(header, rows, file, context, decimal_comma)`` as a format's
    ``read(table, context)``."""

    def read_table(table: RowTable, context: ImportContext) -> TableImport:
        return read(table.header, table.rows, table.file, context, table.decimal_comma)

    return read_table


def tidy_frame(rows: list[tuple[str, str, int, float]]) -> pd.DataFrame:
    """(code, indicator, year, value) rows as the tidy values table."""
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


class Areas:
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


def find_column(header: Sequence[str], names: Sequence[str]) -> int | None:
    """The index of the first of ``names`` among the column names (compared normalised)."""
    lowered = [normalise_label(h) for h in header]
    for name in names:
        if name in lowered:
            return lowered.index(name)
    return None


def cell(cells: Sequence[Any], index: int) -> Any:
    """The row's cell in column ``index``; empty when the row is shorter."""
    return cells[index] if index < len(cells) else ""


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


def first_rows(frame: pd.DataFrame, positions: Sequence[int]) -> dict[tuple[str, int], Message]:
    """(code, year) -> the first row holding it, for messages about codes of some years."""
    if frame.empty:
        return {}
    first = (
        frame.assign(_row=np.asarray(positions, dtype="int64"))
        .groupby(["municipality_code", "year"], sort=False)["_row"]
        .min()
    )
    return {(str(code), int(year)): row(int(r)) for (code, year), r in first.items()}


def duplicate_problems(
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


def keep_few(problems: list[Message]) -> int:
    """Called before each row: once ``problems`` holds more than a few, drops all but the
    first MAX_MESSAGES; returns how many were dropped (for the report's "and N more")."""
    return _trim(problems) if len(problems) > _KEPT_PROBLEMS else 0


def _trim(problems: list[Message]) -> int:
    """Drops all but the first MAX_MESSAGES problems; returns how many were dropped."""
    dropped = len(problems) - MAX_MESSAGES
    del problems[MAX_MESSAGES:]
    return dropped


class Ranges:
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
        return _range_problem(self.context, indicator, value, file, where)


def _valid_range(context: ImportContext, indicator: str) -> tuple[float, float] | None:
    try:
        low, high = (float(v) for v in context.catalogue[indicator]["valid_range"])
    except (KeyError, TypeError, ValueError):
        return None
    return low, high


def _range_problem(
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
        found = _range_problem(context, str(indicator), float(value), file, f"{code}, {year}")
        if found is not None:
            problems.append(found)
    if len(named) > MAX_MESSAGES:  # the report shows no more than these, and counts the rest
        problems.append(message("data.error.more_problems", count=len(named) - MAX_MESSAGES))
    return problems


def aggregate_notes(file: str, count: int) -> list[Message]:
    """The note that ``count`` aggregate rows (whole country, regions) were skipped, if any."""
    if count:
        return [message("data.note.aggregates_skipped", file=file, count=count)]
    return []


def unused_columns_note(file: str, reason: Message, columns: Sequence[str]) -> Message:
    """The note naming every column (or contents code) not imported for ``reason``."""
    return message(
        "data.note.columns_unused",
        file=file,
        count=len(columns),
        reason=reason,
        columns="; ".join(columns),
    )
