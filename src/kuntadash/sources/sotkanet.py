"""THL Sotkanet REST API 1.1: indicator data, regions (Sotkanet id -> municipality code) and
indicator metadata.

NOTE: ``region`` in data rows is Sotkanet's own id; ``/regions`` maps it to the municipality
code for category KUNTA (API_NOTES §4).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from kuntadash.i18n import LANGUAGES
from kuntadash.sources.checks import expected_titles, is_not_found, title_mismatch
from kuntadash.sources.errors import SourceError, SourceFormatError

SOURCE = "THL Sotkanet"
LICENCE = "CC BY 4.0"
BASE = "https://sotkanet.fi/rest/1.1/"


def parse_regions(doc: Any) -> dict[int, str]:
    """Sotkanet region id -> 3-digit municipality code (category KUNTA)."""
    if not isinstance(doc, list):
        raise SourceFormatError(
            SOURCE, "data.error.source_schema", table="regions", detail="expected a list"
        )
    mapping = {}
    for row in doc:
        if (
            isinstance(row, Mapping)
            and row.get("category") == "KUNTA"
            and isinstance(row.get("id"), int)
        ):
            code = str(row.get("code", "")).zfill(3)
            if code.isdigit() and len(code) == 3:
                mapping[int(row["id"])] = code
    if not mapping:
        raise SourceFormatError(
            SOURCE, "data.error.source_schema", table="regions", detail="no KUNTA regions"
        )
    return mapping


def parse_data(doc: Any, regions: Mapping[int, str], indicator: str) -> pd.DataFrame:
    """Tidy rows (municipality_code, year, value) for gender 'total' and municipal regions."""
    if not isinstance(doc, list):
        raise SourceFormatError(
            SOURCE,
            "data.error.source_schema",
            table=f"indicator {indicator}",
            detail="expected a list of data rows",
        )
    rows = []
    for row in doc:
        if not isinstance(row, Mapping) or not {"region", "year"} <= set(row):
            raise SourceFormatError(
                SOURCE,
                "data.error.source_schema",
                table=f"indicator {indicator}",
                detail="row without region/year",
            )
        if row.get("gender", "total") != "total":
            continue
        code = regions.get(row["region"])
        if code is None:
            continue
        value = row.get("value")
        number = (
            float(value)
            if isinstance(value, int | float) and not isinstance(value, bool)
            else float("nan")
        )
        rows.append((code, int(row["year"]), number))
    return pd.DataFrame(rows, columns=["municipality_code", "year", "value"])


def parse_indicator_metadata(doc: Any) -> dict[str, Any]:
    """Title (fi/sv/en), decimals, organisation and data-updated of an indicator."""
    if not isinstance(doc, Mapping) or "id" not in doc:
        raise SourceFormatError(
            SOURCE, "data.error.source_schema", table="indicator metadata", detail="no 'id'"
        )
    title = doc.get("title") if isinstance(doc.get("title"), Mapping) else {}
    organisation = doc.get("organization") if isinstance(doc.get("organization"), Mapping) else {}
    return {
        "id": doc["id"],
        "title": {lang: str(title.get(lang, "")) for lang in LANGUAGES},
        "decimals": doc.get("decimals"),
        "updated": doc.get("data-updated"),
        "organisation": (organisation.get("title") or {}).get("en")
        if isinstance(organisation.get("title"), Mapping)
        else None,
    }


def fetch_regions(fetcher: Any) -> dict[int, str]:
    return parse_regions(fetcher.get_json(SOURCE, BASE + "regions", licence=LICENCE))


def fetch_indicator(
    fetcher: Any, indicator: str, years: Sequence[int], regions: Mapping[int, str]
) -> pd.DataFrame:
    params: dict[str, Any] = {"indicator": indicator, "years": list(years), "genders": "total"}
    doc = fetcher.get_json(SOURCE, BASE + "json", params=params, licence=LICENCE)
    return parse_data(doc, regions, indicator)


def fetch_indicator_metadata(fetcher: Any, indicator: str) -> dict[str, Any]:
    return parse_indicator_metadata(
        fetcher.get_json(SOURCE, f"{BASE}indicators/{indicator}", licence=LICENCE)
    )


def _checked(context: Any, entry: dict[str, Any], years: list[int], regions: Any) -> Any:
    """(tidy values, data-updated) of one entry, or the reason it is skipped: its metadata or
    data answered 404, or its title is not the one the catalogue expects (``source.title``)."""
    from kuntadash.sources.step import skip

    code = str(entry["source"]["code"])
    try:
        meta = fetch_indicator_metadata(context.fetcher, code)
        mismatch = title_mismatch(expected_titles(entry), meta["title"])
        if mismatch:
            expected, found = mismatch
            return skip(entry, "title_mismatch", code=code, expected=expected, found=found)
        return fetch_indicator(context.fetcher, code, years, regions), meta["updated"]
    except SourceError as exc:
        if not is_not_found(exc):
            raise
        return skip(entry, "not_found", url=exc.params.get("url", ""), status=exc.params["status"])


def fetch_step(context: Any) -> Any:
    """The pipeline step of the ``sotkanet`` adapter: every catalogue entry's indicator for the
    last years. Each indicator's metadata is read first, to confirm the id still names the
    indicator (its title against the catalogue's ``source.title``; a mismatch or a 404 skips
    only that indicator) and to record when THL last updated its data (shown on the Data page)."""
    from kuntadash.sources.step import TIDY_COLUMNS, Skipped, StepResult, empty_values, skip

    chosen = [e for e in context.entries if e["source"].get("code")]
    skipped = [skip(e, "no_code") for e in context.entries if not e["source"].get("code")]
    if not chosen:
        return StepResult(SOURCE, empty_values(), skipped)
    context.report(SOURCE, 0.0)
    regions = fetch_regions(context.fetcher)
    latest = pd.Timestamp.now(tz="UTC").year - 1
    years = list(range(latest - context.last_years + 1, latest + 1))
    frames, updated = [], {}
    for position, entry in enumerate(chosen, start=1):
        outcome = _checked(context, entry, years, regions)
        context.report(SOURCE, position / len(chosen))
        if isinstance(outcome, Skipped):
            skipped.append(outcome)
            continue
        tidy, updated[str(entry["source"]["code"])] = outcome
        tidy["indicator_id"] = entry["id"]
        tidy["source_id"] = SOURCE
        frames.append(tidy[list(TIDY_COLUMNS)])
    values = pd.concat(frames, ignore_index=True) if frames else empty_values()
    return StepResult(SOURCE, values, skipped, {"data_updated": updated})
