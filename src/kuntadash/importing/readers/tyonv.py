"""Employment service statistics by month -> annual raw measures (importing layer, pure pandas).

The layout is Statistics Finland's table ``StatFin/tyonv/statfin_tyonv_pxt_1001.px`` (Employment
Service Statistics of the Ministry of Economic Affairs and Employment) as ``pxweb_get`` exports
it: one row per municipality and month, the municipality by its Finnish name (``kunta``), the
month in ``time`` (``2019-12-01`` or ``2019M12``) and one column per contents code
(``Tyottomat`` unemployed job seekers at the end of the month, ``Tyovoima`` the labour force).

A catalogue entry that derives a share from two of these columns (``derive: {share_of: ...}``,
see pipeline.derive) says which are read; each becomes a raw measure per municipality and
year: the mean of the year's month-end figures. A year with a suppressed month (a small count
the publisher leaves out) is missing, never a mean of the other months. The share itself is
computed after harmonisation, so a merged municipality's figure is the ratio of the summed
counts: the members' shares weighted by their own labour force.
"""

from __future__ import annotations

import math
import re
from typing import Any

import numpy as np
import pandas as pd

from kuntadash.domain.catalogue import denominator_of, measure_of
from kuntadash.errors import Message, message
from kuntadash.importing.context import ImportContext
from kuntadash.importing.errors import DataImportError, row
from kuntadash.importing.placement import value_problems
from kuntadash.importing.readers.common import (
    Areas,
    RowTable,
    TableImport,
    keep_few,
    number_cell,
    tidy_frame,
)
from kuntadash.importing.text import normalise_label

_MONTH = re.compile(r"^\s*(?P<year>\d{4})(?:-(?P<m1>\d{1,2})-\d{1,2}|M(?P<m2>\d{1,2}))\s*$")
# NOTE: PxWeb labels a bilingual municipality's area as "fi - sv" in some tables
# ("Maarianhamina - Mariehamn" in tyonv 1001); either part is its name.
_BILINGUAL = " - "


def _columns(context: ImportContext) -> dict[str, str]:
    """Contents column (lower case) -> raw measure id, from the catalogue's share derivations."""
    wanted: dict[str, str] = {}
    for entry in context.catalogue.values():
        denominator = denominator_of(entry)
        if denominator is None:
            continue
        for measure in (measure_of(entry), denominator):
            wanted[measure.split(":", 1)[1].lower()] = measure
    return wanted


def looks_tyonv_monthly(table: RowTable, context: ImportContext) -> bool:
    """A delimited table with ``kunta`` and ``time`` and the contents columns of a catalogue
    share derivation (``Tyottomat`` and ``Tyovoima``)."""
    lowered = set(table.lowered)
    wanted = _columns(context)
    return (
        table.delimited and {"kunta", "time"} <= lowered and bool(wanted) and set(wanted) <= lowered
    )


def read_tyonv_monthly(table: RowTable, context: ImportContext) -> TableImport:
    """The annual means of the monthly figures as raw measures (see the module docstring)."""
    file, lowered = table.file, table.lowered
    wanted = _columns(context)
    area_index, time_index = lowered.index("kunta"), lowered.index("time")
    value_columns = {lowered.index(name): measure for name, measure in wanted.items()}
    areas = Areas(context, file)
    codes: dict[str, str | None] = {}
    problems: list[Message] = areas.problems
    records: list[tuple[str, int, int, str, float]] = []
    trimmed = 0
    for position, cells in enumerate(table.rows, start=2):
        trimmed += keep_few(problems)
        where = row(position)
        name = str(cells[area_index]).strip()
        if name not in codes:
            codes[name] = areas.name(_known_form(name, context), where)
        code = codes[name]
        if code is None:
            continue
        match = _MONTH.match(str(cells[time_index]))
        if match is None:
            problems.append(
                message(
                    "data.error.not_annual",
                    file=file,
                    dim="time",
                    value=str(cells[time_index])[:20],
                )
            )
            continue
        year, month = int(match.group("year")), int(match.group("m1") or match.group("m2"))
        for index, measure in value_columns.items():
            value = number_cell(cells[index], table.decimal_comma, file, where, measure, problems)
            if value is not None:
                records.append((code, year, month, measure, value))
    if problems:
        raise DataImportError(problems, more=trimmed)
    if not records:
        raise DataImportError(message("data.error.no_rows", file=file))
    values = tidy_frame(_annual_means(records))
    unplaced = value_problems(values, context, file)
    if unplaced:
        raise DataImportError(unplaced)
    months = pd.DataFrame(records, columns=["code", "year", "month", "measure", "value"])
    partial = sorted(int(y) for y, m in months.groupby("year")["month"].nunique().items() if m < 12)
    notes = [message("data.note.monthly_means", file=file, years=_years_text(partial))]
    return TableImport(values, notes=notes)


def _known_form(name: str, context: ImportContext) -> str:
    """``name``, or the part of a bilingual "fi - sv" label that names a municipality."""
    if normalise_label(name) in context.names or _BILINGUAL not in name:
        return name
    for part in name.split(_BILINGUAL):
        if normalise_label(part) in context.names:
            return part
    return name


def _annual_means(
    records: list[tuple[str, int, int, str, float]],
) -> list[tuple[str, str, int, float]]:
    """(code, measure, year, mean of the year's months); missing when any month is missing."""
    frame = pd.DataFrame(records, columns=["code", "year", "month", "measure", "value"])
    grouped = frame.groupby(["code", "measure", "year"], sort=True)["value"]
    means = grouped.mean()
    gaps = grouped.apply(lambda v: bool(np.isnan(v.to_numpy()).any()))
    out = []
    for (code, measure, year), mean in means.items():
        value = math.nan if gaps[(code, measure, year)] else float(mean)
        out.append((str(code), str(measure), int(year), value))
    return out


def _years_text(years: list[int]) -> Any:
    return ", ".join(map(str, years)) if years else "-"
