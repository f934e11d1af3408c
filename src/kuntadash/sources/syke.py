"""SYKE municipal greenhouse-gas emissions (ALas model, Hinku method): fetch and parse the CSVs.

One CSV per municipality (``Tulokset_taso_5/kunta_{code}.csv``), ``;`` separated with decimal
commas; rows per year and sector with ``kt`` (kt CO2e) and ``hinku_laskenta`` (true = counted
in the Hinku method, emissions trading excluded). NOTE: format as documented in API_NOTES §5.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from typing import Any

from kuntadash.sources.errors import SourceFormatError

BASE_URL = "https://paastot.hiilineutraalisuomi.fi/Tulokset_taso_5/kunta_{code}.csv"
SOURCE = "SYKE"
LICENCE = "CC BY 4.0"
_TRUE = {"true", "1", "tosi", "kyllä", "yes"}


def _number(text: str) -> float:
    return float(str(text).strip().replace("\u00a0", "").replace(" ", "").replace(",", "."))


def hinku_totals_from_rows(
    header: Sequence[str],
    rows: Sequence[Sequence[Any]],
    source: str = SOURCE,
    sector: str | None = None,
) -> dict[int, float]:
    """kt CO2e per year over the rows counted in the Hinku method (optionally one sector)."""
    lowered = [str(h).strip().lstrip("\ufeff").lower() for h in header]
    needed = ("kt", "vuosi", "hinku_laskenta")
    missing = [c for c in needed if c not in lowered]
    if missing:
        raise SourceFormatError(
            source,
            "data.error.source_schema",
            table=source,
            detail=f"missing columns {', '.join(missing)}",
        )
    kt, year, hinku = (lowered.index(c) for c in needed)
    sector_columns = [lowered.index(c) for c in ("taso_5", "taso_4", "taso_3") if c in lowered]
    totals: dict[int, float] = {}
    for row in rows:
        if len(row) <= max(kt, year, hinku):
            raise SourceFormatError(
                source,
                "data.error.source_schema",
                table=source,
                detail="a row has fewer cells than the header (truncated?)",
            )
        if str(row[hinku]).strip().lower() not in _TRUE:
            continue
        if sector and not any(str(row[i]).strip() == sector for i in sector_columns):
            continue
        try:
            y = int(float(str(row[year]).strip()))
            value = _number(row[kt]) if str(row[kt]).strip() else 0.0
        except ValueError as exc:
            raise SourceFormatError(
                source, "data.error.source_schema", table=source, detail=f"not a number: {exc}"
            ) from exc
        totals[y] = totals.get(y, 0.0) + value
    return totals


def parse_syke_csv(text: str, source: str = SOURCE, sector: str | None = None) -> dict[int, float]:
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    rows = [r for r in rows if any(c.strip() for c in r)]
    if not rows:
        raise SourceFormatError(
            source, "data.error.source_schema", table=source, detail="empty file"
        )
    return hinku_totals_from_rows(rows[0], rows[1:], source, sector)


def fetch_emissions(
    fetcher: Any, codes: Sequence[str], progress: Callable[[int, int], None] | None = None
) -> dict[str, str]:
    """Raw CSV text per municipality code (through the fetcher's throttle and cache)."""
    texts = {}
    for position, code in enumerate(codes, start=1):
        texts[code] = fetcher.get_text(SOURCE, BASE_URL.format(code=code), licence=LICENCE)
        if progress:
            progress(position, len(codes))
    return texts


def measure_id(code: str) -> str:
    """The raw measure a SYKE catalogue entry derives from: kt CO2e of its sector ("hinku":
    every row counted in the Hinku method)."""
    return f"syke:{code}"


def measures_from_rows(
    header: Sequence[str], rows: Sequence[Sequence[Any]], codes: Sequence[str], source: str
) -> dict[str, dict[int, float]]:
    """kt CO2e per year of each sector code in ``codes`` ("hinku" = all Hinku rows)."""
    return {
        code: hinku_totals_from_rows(header, rows, source, None if code == "hinku" else code)
        for code in dict.fromkeys(codes)
    }


def fetch_step(context: Any) -> Any:
    """The pipeline step of the ``syke`` adapter: each municipality's emission CSV, as raw
    measures (kt CO2e per year and sector, ``syke:<code>``); the indicators (per resident,
    change since a base year) are derived from them in the pipeline, after harmonisation, with
    the population of the same year (catalogue ``derive``)."""
    import pandas as pd

    from kuntadash.pipeline.steps import StepResult, empty_values

    codes = [str(e["source"].get("code") or "hinku") for e in context.entries]
    if not codes:
        return StepResult(SOURCE, empty_values())
    base = str(context.publisher.get("api") or "https://paastot.hiilineutraalisuomi.fi/")
    url = base + "Tulokset_taso_5/kunta_{code}.csv"
    context.report(SOURCE, 0.0)
    rows = []
    for position, municipality in enumerate(context.codes, start=1):
        text = context.fetcher.get_text(SOURCE, url.format(code=municipality), licence=LICENCE)
        table = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
        table = [r for r in table if any(c.strip() for c in r)]
        if not table:
            raise SourceFormatError(
                SOURCE, "data.error.source_schema", table=SOURCE, detail="empty file"
            )
        for code, totals in measures_from_rows(table[0], table[1:], codes, SOURCE).items():
            rows += [(municipality, measure_id(code), int(y), float(v)) for y, v in totals.items()]
        context.report(SOURCE, position / len(context.codes))
    frame = pd.DataFrame(rows, columns=["municipality_code", "indicator_id", "year", "value"])
    frame["source_id"] = SOURCE
    return StepResult(SOURCE, frame)
