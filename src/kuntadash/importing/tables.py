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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from kuntadash.domain.catalogue import AGGREGATIONS, CADENCES, DIMENSIONS, DIRECTIONS, LANGUAGES
from kuntadash.domain.population import population_in
from kuntadash.importing.context import ImportContext
from kuntadash.importing.errors import DataImportError, Message, examples, item, message, row
from kuntadash.importing.placement import value_problems
from kuntadash.importing.text import is_missing, normalise_label, parse_number
from kuntadash.sources.errors import SourceError
from kuntadash.sources.pxweb import dataset_roles, municipality_code, parse_jsonstat2
from kuntadash.sources.statfi_keyfigures import KEY_FIGURE_CODES, POPULATION_CODES

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
_LABEL_YEAR = re.compile(
    r"^(?P<label>.+?),?\s+(?P<year>\d{4})$|^(?P<year2>\d{4})\s+(?P<label2>.+)$"
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
    if isinstance(raw, bool):
        raise ValueError(raw)
    number = float(raw) if isinstance(raw, int | float) else float(str(raw).strip())
    if not number.is_integer() or not MIN_YEAR <= number <= MAX_YEAR:
        raise ValueError(raw)
    return int(number)


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
    out: list[tuple[str, str, int, float]] = []
    seen: dict[tuple[str, str, int], int] = {}
    first_rows: dict[tuple[str, int], Message] = {}  # (code, year) -> its first row
    unknown_indicators: dict[str, int] = {}
    for position, cells in enumerate(rows, start=2):
        where = row(position)
        code_raw = _cell(cells, columns["code"]) if columns["code"] is not None else ""
        if not is_missing(code_raw):
            code = areas.code(code_raw, where)
        elif columns["name"] is not None and not is_missing(_cell(cells, columns["name"])):
            code = areas.name(_cell(cells, columns["name"]), where)
        else:
            problems.append(message("data.error.no_area", file=file, where=where))
            continue
        if gender is not None and normalise_label(_cell(cells, gender)) not in _TOTALS:
            continue
        indicator = str(_cell(cells, columns["indicator"])).strip()
        if indicator not in context.catalogue:
            # a source's own code (M162, Sotkanet 5641) or a catalogue name in any language
            indicator = (
                context.indicator_by_source_code(indicator)
                or context.indicator_by_label(indicator)
                or indicator
            )
        if indicator not in context.catalogue:
            unknown_indicators.setdefault(indicator, position)
            continue
        try:
            year = _year(_cell(cells, columns["year"]))
        except (TypeError, ValueError):
            problems.append(
                message(
                    "data.error.bad_year",
                    file=file,
                    where=where,
                    value=str(_cell(cells, columns["year"]))[:20],
                )
            )
            continue
        raw_value = _cell(cells, columns["value"])
        try:
            value = parse_number(raw_value, decimal_comma)
        except (TypeError, ValueError):
            problems.append(
                message(
                    "data.error.bad_number",
                    file=file,
                    where=where,
                    column=header[columns["value"]],
                    value=str(raw_value)[:30],
                )
            )
            continue
        if code is None:
            continue
        outside = range_problem(context, indicator, value, file, where)
        if outside is not None:
            problems.append(outside)
            continue
        key = (code, indicator, year)
        if key in seen:
            problems.append(
                message(
                    "data.error.duplicate_key",
                    file=file,
                    where=where,
                    first=seen[key],
                    code=code,
                    indicator=indicator,
                    year=year,
                )
            )
            continue
        seen[key] = position
        first_rows.setdefault((code, year), where)
        out.append((code, indicator, year, value))
    for indicator, position in unknown_indicators.items():
        problems.append(
            message(
                "data.error.unknown_indicator",
                file=file,
                where=row(position),
                indicator=indicator[:60],
            )
        )
    problems += value_problems(_frame(out), context, file, first_rows)
    if problems:
        raise DataImportError(problems)
    notes = _aggregate_note(areas, file)
    return TableImport(_frame(out), notes=notes)


def range_problem(
    context: ImportContext, indicator: str, value: float, file: str, where: Any
) -> Message | None:
    """A message naming the file and row (or area and year) when ``value`` lies outside the
    indicator's plausible range in the catalogue; None when it is inside or missing."""
    try:
        low, high = (float(v) for v in context.catalogue[indicator]["valid_range"])
    except (KeyError, TypeError, ValueError):
        return None
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
    problems = []
    for code, indicator, year, value in values[
        ["municipality_code", "indicator_id", "year", "value"]
    ].itertuples(index=False):
        found = range_problem(context, str(indicator), float(value), file, f"{code}, {year}")
        if found is not None:
            problems.append(found)
    return problems


def _aggregate_note(areas: _Areas, file: str) -> list[Message]:
    if areas.aggregates:
        return [message("data.note.aggregates_skipped", file=file, count=areas.aggregates)]
    return []


def read_pxweb_wide(
    header: Sequence[str],
    rows: Sequence[Sequence[Any]],
    file: str,
    context: ImportContext,
    decimal_comma: bool,
) -> TableImport:
    """A PxWeb CSV download with areas in the first column and one column per "label, year"."""
    if not rows:
        raise DataImportError(message("data.error.no_rows", file=file))
    targets: dict[int, tuple[str | None, int, str]] = {}  # column -> (indicator, year, label)
    skipped: list[str] = []
    population_columns: dict[int, int] = {}
    for index, column in enumerate(header[1:], start=1):
        parsed = split_label_year(column)
        if parsed is None:
            skipped.append(column)
            continue
        label, year = parsed
        code = KEY_FIGURE_CODES.get(normalise_label(label))
        indicator = context.indicator_by_label(label) or context.indicator_by_label(
            _strip_unit(label)
        )
        if indicator is None and code:
            indicator = context.indicator_by_source_code(code, ("pxweb",))
        if code in POPULATION_CODES:
            population_columns[index] = year
        if indicator is None:
            if code not in POPULATION_CODES:
                skipped.append(column)
            continue
        targets[index] = (indicator, year, column)
    if not targets:
        raise DataImportError(
            message("data.error.no_known_indicators", file=file, columns=examples(header[1:], 6))
        )
    areas = _Areas(context, file)
    problems = areas.problems
    out: list[tuple[str, str, int, float]] = []
    weights: list[tuple[str, str, int, float]] = []
    seen: dict[str, int] = {}
    first_rows: dict[tuple[str, int], Message] = {}  # (code, year) -> its row
    for position, cells in enumerate(rows, start=2):
        where = row(position)
        area = _cell(cells, 0)
        code = areas.name(area, where)
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
        for index, (indicator, year, column) in targets.items():
            raw = _cell(cells, index)
            try:
                value = parse_number(raw, decimal_comma)
            except (TypeError, ValueError):
                problems.append(
                    message(
                        "data.error.bad_number",
                        file=file,
                        where=where,
                        column=column[:60],
                        value=str(raw)[:30],
                    )
                )
                continue
            out.append((code, str(indicator), year, value))
            first_rows.setdefault((code, year), where)
        for index, year in population_columns.items():
            try:
                weights.append(
                    (code, "population", year, parse_number(_cell(cells, index), decimal_comma))
                )
            except (TypeError, ValueError):
                continue
    problems += value_problems(_frame(out), context, file, first_rows)
    if problems:
        raise DataImportError(problems)
    notes = _aggregate_note(areas, file)
    if skipped:
        notes.append(
            message(
                "data.note.columns_skipped",
                file=file,
                count=len(skipped),
                columns=examples(skipped, 4),
            )
        )
    population = _frame(weights)[["municipality_code", "year", "value"]] if weights else None
    return TableImport(_frame(out), population, notes)


def split_label_year(column: str) -> tuple[str, int] | None:
    match = _LABEL_YEAR.match(column.strip())
    if not match:
        return None
    label = match.group("label") or match.group("label2")
    year = int(match.group("year") or match.group("year2"))
    if not MIN_YEAR <= year <= MAX_YEAR:
        return None
    return label.strip().rstrip(","), year


def _strip_unit(label: str) -> str:
    return label.rsplit(",", 1)[0] if "," in label else label


def looks_pxweb_wide(header: Sequence[str]) -> bool:
    labelled = [h for h in header[1:] if split_label_year(h)]
    return len(header) >= 2 and len(labelled) >= max(1, (len(header) - 1) // 2)


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
    wide: dict[str, dict[str, Any]] = {}
    order: list[str] = []
    columns: list[str] = []
    problems: list[Message] = []
    for position, cells in enumerate(rows, start=2):
        area = str(_cell(cells, 0))
        try:
            year = _year(_cell(cells, year_index))
        except (TypeError, ValueError):
            problems.append(
                message(
                    "data.error.bad_year",
                    file=file,
                    where=row(position),
                    value=str(_cell(cells, year_index))[:20],
                )
            )
            continue
        if area not in wide:
            wide[area] = {}
            order.append(area)
        for index, label in labels:
            column = f"{label}, {year}"
            if column not in columns:
                columns.append(column)
            wide[area][column] = _cell(cells, index)
    if problems:
        raise DataImportError(problems)
    wide_rows = [[area, *(wide[area].get(c, "") for c in columns)] for area in order]
    return read_pxweb_wide([header[0], *columns], wide_rows, file, context, decimal_comma)


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
                "data.note.columns_skipped",
                file=file,
                count=len(skipped),
                columns=examples(skipped, 4),
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
    seen: set[tuple[str, str, int]] = set()
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
        try:
            year = _year(record.get("year"))
            value = parse_number(record.get("value"), True)
        except (TypeError, ValueError):
            problems.append(message("data.error.sotkanet_row", file=file, where=where))
            continue
        if (code, indicator, year) in seen:
            problems.append(
                message(
                    "data.error.duplicate_key",
                    file=file,
                    where=where,
                    first="?",
                    code=code,
                    indicator=indicator,
                    year=year,
                )
            )
            continue
        seen.add((code, indicator, year))
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
    """A SYKE ALas municipal emission CSV (kunta_NNN.csv): Hinku-method totals per year, kt."""
    from kuntadash.sources.syke import hinku_totals_from_rows

    match = re.search(r"(\d{3})", file)
    code_index = _find(header, ("kunta", "kuntanro", "kuntanumero", "kunta_id"))
    try:
        totals = hinku_totals_from_rows(header, rows, source=file)
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
    unplaced = value_problems(
        pd.DataFrame({"municipality_code": code, "year": sorted(totals)}), context, file
    )
    if unplaced:
        raise DataImportError(unplaced)
    indicator = context.indicator_by_source_code("hinku", ("syke",))
    if indicator is None:
        raise DataImportError(message("data.error.no_known_indicators", file=file, columns="hinku"))
    rows_out, nearest = [], set()
    for year, kt in totals.items():
        population = population_in(context.population, pd.Index([code]), int(year))
        pop = population.values.get(code)
        if pop is None or pd.isna(pop) or pop <= 0:
            raise DataImportError(message("data.error.syke_no_population", file=file, code=code))
        if population.nearest:
            nearest.add(int(year))
        rows_out.append((code, indicator, int(year), kt * 1000.0 / float(pop)))
    notes = [message("data.note.syke_population", file=file)]
    if nearest:
        notes.append(
            message(
                "data.note.syke_population_nearest",
                file=file,
                years=", ".join(map(str, sorted(nearest))),
            )
        )
    return TableImport(_frame(rows_out), notes=notes)


def parse_catalogue_entries(entries: Any, file: str) -> list[dict[str, Any]]:
    """New indicators from a catalogue sidecar (YAML list or Excel sheet), validated."""
    if isinstance(entries, Mapping):
        entries = entries.get("indicators")
    if not isinstance(entries, list) or not entries:
        raise DataImportError(message("data.error.catalogue_empty", file=file))
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
    # A sidecar that does not say how often its source updates: no fixed schedule is known.
    cadence = str(raw.get("cadence") or "irregular")
    if cadence not in CADENCES:
        issues.append(("cadence", message("data.reason.one_of", options=", ".join(CADENCES))))
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
        "cadence": cadence,
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
