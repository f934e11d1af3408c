"""PxWeb downloads -> tidy values (importing layer, pure pandas): the CSV or Excel table with
areas in the first column and one column per "label, year" (wide), the same with years in a
column (long), and the json-stat2 response saved to a file.

Columns are matched to the catalogue by label (sources.statfi_keyfigures); every column that is
not imported is named in the report with its reason.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from kuntadash.errors import Message, message
from kuntadash.importing.context import ImportContext
from kuntadash.importing.errors import DataImportError, examples, row
from kuntadash.importing.placement import value_problems
from kuntadash.importing.readers.common import (
    MAX_YEAR,
    MIN_YEAR,
    YEAR_HEADERS,
    Areas,
    Rows,
    RowTable,
    TableImport,
    aggregate_notes,
    cell,
    find_column,
    keep_few,
    number_cell,
    table_reader,
    tidy_frame,
    unused_columns_note,
    year_cell,
)
from kuntadash.importing.text import normalise_label
from kuntadash.sources.errors import SourceError
from kuntadash.sources.pxweb import dataset_roles, municipality_code, parse_jsonstat2
from kuntadash.sources.statfi_keyfigures import POPULATION_CODES, key_figure_code, label_key

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


def looks_pxweb_wide(table: RowTable, context: ImportContext) -> bool:
    """Areas in the first column and mostly "label, year" columns; or, for downloads whose
    headers carry no year, no year column and at least one column a known indicator's label."""
    header = table.header
    if len(header) < 2:
        return False
    labelled = [h for h in header[1:] if split_label_year(h)]
    if len(labelled) >= max(1, (len(header) - 1) // 2):
        return True
    if find_column(header, YEAR_HEADERS) is not None:
        return False
    return any(context.indicator_by_label(h) or key_figure_code(h) for h in header[1:])


def read_pxweb_wide(
    header: Sequence[str],
    rows: Rows,
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
    columns, notes = _wide_columns(header, file, context)
    used = [c for c in columns if c.reason is None]
    if not any(c.indicator for c in used):
        raise DataImportError(
            message("data.error.no_known_indicators", file=file, columns=examples(header[1:], 6))
        )
    areas = Areas(context, file)
    positions = first_rows if first_rows is not None else range(2, len(rows) + 2)
    by_column, seen = _read_wide_rows(rows, positions, used, areas, file, decimal_comma)
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
        tidy_frame(out), context, file, {(code, y): row(seen[code]) for code, _, y, _ in out}
    )
    if unplaced:
        raise DataImportError(unplaced)
    notes = aggregate_notes(file, areas.aggregates) + notes
    notes += _unused_columns_notes(file, [c for c in columns if c.reason is not None])
    weight_columns = [c.header for c in columns if c.population and c.reason is None]
    if weight_columns:
        notes.append(
            message("data.note.population_weights", file=file, columns="; ".join(weight_columns))
        )
    population = tidy_frame(weights)[["municipality_code", "year", "value"]] if weights else None
    return TableImport(tidy_frame(out), population, notes)


def _wide_columns(
    header: Sequence[str], file: str, context: ImportContext
) -> tuple[list[_WideColumn], list[Message]]:
    """Every column after the first, classified (indicator, year, population, or why not
    used); a year given for undated headers, and a repeated (indicator, year) marked."""
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
    return columns, notes


def _read_wide_rows(
    rows: Rows,
    positions: Sequence[int],
    used: list[_WideColumn],
    areas: Areas,
    file: str,
    decimal_comma: bool,
) -> tuple[dict[int, list[tuple[str, float]]], dict[str, int]]:
    """(column index -> [(code, value)], code -> its row); refused with every problem found."""
    problems = areas.problems
    by_column: dict[int, list[tuple[str, float]]] = {c.index: [] for c in used}
    seen: dict[str, int] = {}
    trimmed = 0
    for position, cells in zip(positions, rows, strict=True):
        trimmed += keep_few(problems)
        where = row(position)
        code = areas.name(cell(cells, 0), where)
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
                cell(cells, column.index), decimal_comma, file, where, column.header, problems
            )
            if value is not None:
                by_column[column.index].append((code, value))
    if problems:
        raise DataImportError(problems, more=trimmed)
    return by_column, seen


read_pxweb_wide_table = table_reader(read_pxweb_wide)


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
    return [unused_columns_note(file, reason, labels) for reason, labels in by_reason.values()]


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


def looks_pxweb_long(table: RowTable, context: ImportContext) -> bool:
    """A PxWeb CSV with an area column, a year column and one column per contents label."""
    year = find_column(table.header, YEAR_HEADERS)
    return year is not None and year != 0 and len(table.header) >= 3


def read_pxweb_long(table: RowTable, context: ImportContext) -> TableImport:
    """PxWeb CSV with years in a column ("Alue";"Vuosi";"Työttömien osuus työvoimasta, %"):
    rearranged to one column per "label, year" and read like the wide download."""
    header, rows, file, decimal_comma = table.header, table.rows, table.file, table.decimal_comma
    year_index = find_column(header, YEAR_HEADERS)
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
        trimmed += keep_few(problems)
        where = row(position)
        area = str(cell(cells, 0))
        year = year_cell(cell(cells, year_index), file, where, problems)
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
            raw = cell(cells, index)
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


def looks_jsonstat(doc: Any) -> bool:
    """A json-stat2 dataset (``"class": "dataset"``), as PxWeb saves it."""
    return isinstance(doc, dict) and doc.get("class") == "dataset"


def read_jsonstat(doc: Any, file: str, context: ImportContext) -> TableImport:
    """A PxWeb json-stat2 response saved to a file."""
    frame, area_dim, time_dim, metric_dim = _jsonstat_frame(doc, file)
    metric_dim, by_code_only = _jsonstat_figures(frame, file, area_dim, time_dim, metric_dim)
    labels = _labels(doc, metric_dim)
    contents = sorted(frame[metric_dim].unique()) if metric_dim else []
    indicators, population_codes = _jsonstat_indicators(contents, labels, by_code_only, context)
    if metric_dim is None:
        raise DataImportError(message("data.error.jsonstat_roles_file", file=file))
    if not indicators:
        raise DataImportError(
            message("data.error.no_known_indicators", file=file, columns=examples(contents, 6))
        )
    codes = frame[area_dim].map(municipality_code)
    aggregates = int(codes.isna().sum())
    frame = frame.assign(municipality_code=codes).dropna(subset=["municipality_code"])
    frame = frame.assign(year=_jsonstat_years(frame, time_dim, file))
    unplaced = value_problems(
        frame[["municipality_code", "year"]].assign(indicator_id=frame[metric_dim]), context, file
    )
    if unplaced:
        raise DataImportError(unplaced)
    values, population = _jsonstat_tables(frame, metric_dim, indicators, population_codes)
    notes = aggregate_notes(file, aggregates)
    skipped = [c for c in contents if c not in indicators and c not in population_codes]
    if skipped:
        named = [f"{c} ({labels[c]})" if c in labels else c for c in skipped]
        notes.append(unused_columns_note(file, message("data.reason.column_not_indicator"), named))
    return TableImport(values, population, notes)


def _jsonstat_frame(doc: Any, file: str) -> tuple[pd.DataFrame, str, str, str | None]:
    """The dataset as a long frame, with its area, time and metric dimensions; refused with
    the parser's reason when it is not a json-stat2 dataset of that shape."""
    try:
        frame = parse_jsonstat2(doc, source=file)
        area_dim, time_dim, metric_dim = dataset_roles(doc, frame)
    except SourceError as exc:
        raise DataImportError(
            message("data.error.jsonstat_file", file=file, reason=exc.render("en"))
        ) from exc
    return frame, area_dim, time_dim, metric_dim


def _jsonstat_figures(
    frame: pd.DataFrame, file: str, area_dim: str, time_dim: str, metric_dim: str | None
) -> tuple[str | None, bool]:
    """The dimension that lists the figures, and whether its values are matched to the
    catalogue by code only; refused when another dimension holds more than one value."""
    dims = [c for c in frame.columns if c not in ("value", "status")]
    others = [d for d in dims if d not in (area_dim, time_dim, metric_dim)]
    figures_dim = _figures_dimension(frame, metric_dim, others)
    # In a key-figure dimension only the value codes the catalogue names are taken: its labels
    # repeat figures the catalogue takes from other tables ("Loan stock, EUR per capita" is
    # the key figures' M496), which would otherwise be read twice.
    by_code_only = figures_dim != metric_dim
    for dim in others:
        if dim != figures_dim and frame[dim].nunique() > 1:
            raise DataImportError(
                message("data.error.jsonstat_extra_dimension", file=file, dim=dim)
            )
    return figures_dim, by_code_only


def _jsonstat_indicators(
    contents: Sequence[str], labels: Mapping[str, str], by_code_only: bool, context: ImportContext
) -> tuple[dict[str, str], set[str]]:
    """(value code -> catalogue indicator, the value codes of population figures)."""
    indicators: dict[str, str] = {}
    population_codes = set()
    for code in contents:
        indicator = context.indicator_by_source_code(code)
        if indicator is None and not by_code_only:
            indicator = context.indicator_by_label(labels.get(code, code))
        if code.split("-")[-1] in POPULATION_CODES:
            population_codes.add(code)
        if indicator:
            indicators[code] = indicator
    return indicators, population_codes


def _jsonstat_years(frame: pd.DataFrame, time_dim: str, file: str) -> pd.Series:
    """The time dimension as whole years; refused when a period is not a year, or a year is
    outside the years a snapshot holds."""
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
    if ((years < MIN_YEAR) | (years > MAX_YEAR)).any():
        raise DataImportError(
            message("data.error.bad_year", file=file, where=time_dim, value=str(years.min()))
        )
    return years


def _jsonstat_tables(
    frame: pd.DataFrame, metric_dim: str, indicators: Mapping[str, str], population_codes: set[str]
) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """The tidy values of the indicators, and the population figures (None when none)."""
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
    return values, population


def _figures_dimension(
    frame: pd.DataFrame, metric_dim: str | None, others: list[str]
) -> str | None:
    """The dimension whose values are the figures: the metric-role one, unless that holds a
    single value and exactly one other dimension holds several, which then lists the figures.

    NOTE: Statistics Finland's municipal finance tables (Kuntien_talous_ja_toiminta, e.g.
    ``006_kta_19_2020.px``) put the key figures in a ``Tunnusluku`` dimension and give the
    metric role to a one-value ``ContentsCode`` ("Key figure or EUR 1,000")."""
    varied = [d for d in others if frame[d].nunique() > 1]
    single = metric_dim is None or frame[metric_dim].nunique() == 1
    if single and len(varied) == 1:
        return varied[0]
    return metric_dim


def _labels(doc: Any, dim: str | None) -> dict[str, str]:
    try:
        labels = doc["dimension"][dim]["category"].get("label") or {}
    except (KeyError, TypeError, AttributeError):
        return {}
    return {str(k): str(v) for k, v in labels.items()} if isinstance(labels, Mapping) else {}
