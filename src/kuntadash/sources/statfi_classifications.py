"""Statistics Finland classification API: municipality -> region, wellbeing services county,
urban/semi-urban/rural group (kuntaryhmitys) and language status (kielisuhde).

NOTE: correspondence maps at ``/correspondenceTables/kunta_1_{date}%23{target}_1_{date}/maps``;
rows reference items by local ids whose last path segment is the code (API_NOTES §3).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kuntadash.sources.errors import SourceFormatError

SOURCE = "Statistics Finland classifications"
LICENCE = "CC BY 4.0"
BASE = "https://data.stat.fi/api/classifications/v2/correspondenceTables/"
TARGETS = ("maakunta", "hyvinvointialue", "kuntaryhmitys", "kielisuhde")


def correspondence_url(target: str, year: int) -> str:
    date = f"{year}0101"
    return f"{BASE}kunta_1_{date}%23{target}_1_{date}/maps"


def correspondence_params(lang: str = "fi") -> dict[str, str]:
    return {"content": "data", "meta": "min", "lang": lang, "format": "json"}


def _code(part: Any) -> str | None:
    if isinstance(part, str):
        return part.rstrip("/").rsplit("/", 1)[-1]
    if isinstance(part, Mapping):
        for key in ("localId", "code", "id"):
            if isinstance(part.get(key), str):
                return _code(part[key])
    return None


def parse_correspondence(doc: Any, target: str) -> dict[str, str]:
    """Municipality code -> target code from a correspondence 'maps' response."""
    if not isinstance(doc, list):
        raise SourceFormatError(
            SOURCE, "data.error.source_schema", table=target, detail="expected a list of maps"
        )
    mapping = {}
    for row in doc:
        if not isinstance(row, Mapping):
            continue
        source = _code(row.get("sourceLocalId") or row.get("source") or row.get("sourceItem"))
        dest = _code(row.get("targetLocalId") or row.get("target") or row.get("targetItem"))
        if source and dest and source.isdigit():
            mapping[source.zfill(3)] = dest
    if not mapping:
        raise SourceFormatError(
            SOURCE,
            "data.error.source_schema",
            table=target,
            detail="no municipality rows in the maps",
        )
    return mapping


def fetch_groupings(fetcher: Any, year: int) -> dict[str, dict[str, str]]:
    """Target -> (municipality code -> target code) for every target in TARGETS."""
    return {
        target: parse_correspondence(
            fetcher.get_json(
                SOURCE,
                correspondence_url(target, year),
                params=correspondence_params(),
                licence=LICENCE,
            ),
            target,
        )
        for target in TARGETS
    }
