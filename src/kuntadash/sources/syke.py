"""SYKE municipal greenhouse-gas emissions (ALas model, Hinku method): fetch and parse the CSVs.

One CSV per municipality, ``;`` separated with decimal commas, UTF-8; columns ``kt`` (kt CO2e),
``kt_tuuli``, ``GWh``, ``vuosi``, ``hinku_laskenta`` (true = counted in the Hinku method,
emissions trading excluded), ``päästökauppa`` and the sector levels ``taso_1`` … ``taso_5``.
NOTE (as read by Kausal's SYKE update script, see docs/DATA.md): the file of a municipality is
named by its number as an integer (``kunta_91.csv`` for 091); the municipalities with a file are
listed in ``asukasluvut_2025.csv`` (``kuntanro``, ``kunta_fi``, ``maakunta_fi``); ``NA`` and
``NULL`` mean missing; ``taso_3`` holds the main sectors as short codes (``Tie`` road transport,
``Kau`` district heating, ``Säh`` electric heating, ``Kul`` consumer electricity, ``Ölj`` oil
heating, ``Muu`` other heating, ``Teo`` industry, ``Työ`` machinery, ``Rai`` rail, ``Ves``
waterborne, ``Maa`` agriculture, ``Jät`` waste, ``F-k`` F-gases, ``Tuu`` wind-power credits);
``taso_1`` and ``taso_2`` are empty. The same short code may mean other things on other levels
(``MaL`` is ground heat on taso_4, passenger traffic on taso_5), so a code is matched on one level.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Sequence
from typing import Any

from kuntadash.sources.checks import is_not_found
from kuntadash.sources.errors import SourceError, SourceFormatError

DEFAULT_API = "https://paastot.hiilineutraalisuomi.fi/"
FILE_PATH = "Tulokset_taso_5/kunta_{number}.csv"
MUNICIPALITY_LIST = "asukasluvut_2025.csv"
SOURCE = "SYKE"
LICENCE = "CC BY 4.0"
TOTAL = "hinku"  # the Hinku-method total, wind-power credits excluded
CREDITS = "Tuu"  # wind-power credits: read from kt_tuuli (the catalogue's definition)
SECTOR_LEVEL = "taso_3"
REQUIRED = ("kt", "vuosi", "hinku_laskenta")
_TRUE = {"true", "1", "tosi", "kyllä", "yes"}
_MISSING = {"", "na", "null", "nan"}


def file_url(base: str, code: str) -> str:
    """The address of a municipality's file: the number without leading zeros (091 -> 91)."""
    return base + FILE_PATH.format(number=int(code))


def _number(text: Any) -> float:
    """A decimal-comma number; ``NA``, ``NULL`` and empty cells are missing (NaN)."""
    cleaned = str(text).strip().replace("\u00a0", "").replace(" ", "")
    if cleaned.casefold() in _MISSING:
        return math.nan
    return float(cleaned.replace(",", "."))


def _level_and_code(code: str) -> tuple[str, str]:
    """``Tie`` -> (taso_3, Tie); ``taso_4:MaL`` -> (taso_4, MaL)."""
    level, _, sector = code.rpartition(":")
    return (level or SECTOR_LEVEL).lower(), sector


def missing_columns(header: Sequence[str], codes: Sequence[str]) -> list[str]:
    """Columns the measures of ``codes`` need that the header lacks."""
    lowered = {str(h).strip().lstrip("\ufeff").lower() for h in header}
    needed = list(REQUIRED)
    for code in codes:
        if code == TOTAL:
            needed.append(SECTOR_LEVEL)
        else:
            needed.append(_level_and_code(code)[0])
            if code == CREDITS:
                needed.append("kt_tuuli")
    return [c for c in dict.fromkeys(needed) if c not in lowered]


def hinku_totals_from_rows(
    header: Sequence[str],
    rows: Sequence[Sequence[Any]],
    source: str = SOURCE,
    sector: str | None = None,
) -> dict[int, float]:
    """kt CO2e per year: the Hinku total (``sector`` None: rows counted in the Hinku method,
    credits excluded) or one sector (``Tie``, or ``taso_4:MaL`` for another level). A year
    whose rows are all missing is NaN, never 0."""
    code = sector or TOTAL
    lowered = [str(h).strip().lstrip("\ufeff").lower() for h in header]
    missing = missing_columns(header, [code])
    if missing:
        raise SourceFormatError(
            source,
            "data.error.source_schema",
            table=source,
            detail=f"missing columns {', '.join(missing)}",
        )
    kt, year, hinku = (lowered.index(c) for c in REQUIRED)
    level, wanted = _level_and_code(SECTOR_LEVEL + ":" + CREDITS if code == TOTAL else code)
    at = lowered.index(level)
    value_at = lowered.index("kt_tuuli") if code == CREDITS else kt
    totals: dict[int, float] = {}
    for row in rows:
        if len(row) <= max(kt, year, hinku, at, value_at):
            raise SourceFormatError(
                source,
                "data.error.source_schema",
                table=source,
                detail="a row has fewer cells than the header (truncated?)",
            )
        is_sector = str(row[at]).strip() == wanted
        if code == TOTAL:
            if is_sector or str(row[hinku]).strip().lower() not in _TRUE:
                continue
        elif not is_sector or (code != CREDITS and str(row[hinku]).strip().lower() not in _TRUE):
            continue
        try:
            number = _number(row[year])
            value = _number(row[value_at])
        except ValueError as exc:
            raise SourceFormatError(
                source, "data.error.source_schema", table=source, detail=f"not a number: {exc}"
            ) from exc
        if math.isnan(number):
            continue
        y = int(number)
        if math.isnan(value):
            totals.setdefault(y, math.nan)
        else:
            totals[y] = value if math.isnan(totals.get(y, math.nan)) else totals[y] + value
    return totals


def read_rows(text: str, source: str = SOURCE) -> list[list[str]]:
    """The non-empty rows of a SYKE CSV, header first."""
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    rows = [r for r in rows if any(c.strip() for c in r)]
    if not rows:
        raise SourceFormatError(
            source, "data.error.source_schema", table=source, detail="empty file"
        )
    return rows


def parse_syke_csv(text: str, source: str = SOURCE, sector: str | None = None) -> dict[int, float]:
    rows = read_rows(text, source)
    return hinku_totals_from_rows(rows[0], rows[1:], source, sector)


def parse_municipality_list(text: str) -> list[str]:
    """3-character codes of the municipalities SYKE calculates (``kuntanro`` of
    ``asukasluvut_2025.csv``, written as integers there)."""
    rows = read_rows(text, MUNICIPALITY_LIST)
    header = [h.strip().lstrip("\ufeff").lower() for h in rows[0]]
    if "kuntanro" not in header:
        raise SourceFormatError(
            SOURCE, "data.error.source_schema", table=MUNICIPALITY_LIST, detail="no kuntanro"
        )
    at = header.index("kuntanro")
    codes = [r[at].strip() for r in rows[1:] if len(r) > at]
    return [str(int(float(c))).zfill(3) for c in codes if c and c.casefold() not in _MISSING]


def measure_id(code: str) -> str:
    """The raw measure a SYKE catalogue entry derives from: kt CO2e of its sector ("hinku":
    the Hinku total)."""
    return f"syke:{code}"


def measures_from_rows(
    header: Sequence[str], rows: Sequence[Sequence[Any]], codes: Sequence[str], source: str
) -> dict[str, dict[int, float]]:
    """kt CO2e per year of each code in ``codes`` ("hinku" = the Hinku total)."""
    return {
        code: hinku_totals_from_rows(header, rows, source, None if code == TOTAL else code)
        for code in dict.fromkeys(codes)
    }


def _municipalities(context: Any, base: str) -> list[str]:
    """The division's municipalities SYKE has a file for (all of them if the list is gone)."""
    try:
        text = context.fetcher.get_text(SOURCE, base + MUNICIPALITY_LIST, licence=LICENCE)
    except SourceError as exc:
        if not is_not_found(exc):
            raise
        return list(context.codes)
    listed = set(parse_municipality_list(text))
    return [c for c in context.codes if c in listed]


def fetch_step(context: Any) -> Any:
    """The pipeline step of the ``syke`` adapter: each municipality's emission CSV, as raw
    measures (kt CO2e per year and sector, ``syke:<code>``); the indicators (per resident,
    change since a base year) are derived from them in the pipeline, after harmonisation, with
    the population of the same year (catalogue ``derive``).

    A municipality without a file (not in SYKE's list, or answered 404) has no values and is
    named in a note; a measure whose column is missing skips its entries."""
    import pandas as pd

    from kuntadash.sources.step import Note, StepResult, empty_values, skip

    by_code: dict[str, list[dict[str, Any]]] = {}
    for entry in context.entries:
        by_code.setdefault(str(entry["source"].get("code") or TOTAL), []).append(entry)
    if not by_code:
        return StepResult(SOURCE, empty_values())
    base = str(context.publisher.get("api") or DEFAULT_API)
    context.report(SOURCE, 0.0)
    chosen = _municipalities(context, base)
    skipped: dict[str, Any] = {}
    without_file = [c for c in context.codes if c not in set(chosen)]
    rows, read = [], 0
    for position, municipality in enumerate(chosen, start=1):
        url = file_url(base, municipality)
        try:
            text = context.fetcher.get_text(SOURCE, url, licence=LICENCE)
        except SourceError as exc:
            if not is_not_found(exc):
                raise
            without_file.append(municipality)
            continue
        read += 1
        table = read_rows(text)
        codes = [c for c in by_code if c not in skipped]
        for code in codes:
            missing = missing_columns(table[0], [code])
            if missing:
                skipped[code] = [skip(e, "no_column", column=missing[0]) for e in by_code[code]]
        codes = [c for c in codes if c not in skipped]
        for code, totals in measures_from_rows(table[0], table[1:], codes, SOURCE).items():
            rows += [(municipality, measure_id(code), int(y), float(v)) for y, v in totals.items()]
        context.report(SOURCE, position / max(1, len(chosen)))
    if not read:  # not one file: the files have moved, which concerns every SYKE indicator
        url = file_url(base, chosen[0] if chosen else context.codes[0])
        skipped = {
            c: [skip(e, "not_found", url=url, status=404) for e in by_code[c]] for c in by_code
        }
        return StepResult(SOURCE, empty_values(), [s for g in skipped.values() for s in g])
    frame = pd.DataFrame(rows, columns=["municipality_code", "indicator_id", "year", "value"])
    frame = frame[~frame["indicator_id"].isin([measure_id(c) for c in skipped])]
    frame["source_id"] = SOURCE
    notes = []
    if without_file:
        codes_text = ", ".join(sorted(without_file))
        notes.append(Note("data.note.syke_without_file", {"codes": codes_text}))
    return StepResult(
        SOURCE,
        frame.reset_index(drop=True),
        [s for group in skipped.values() for s in group],
        {"without_file": sorted(without_file)} if without_file else {},
        notes,
    )
