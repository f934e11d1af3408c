"""The indicator catalogue as a flat table: domain layer, pure pandas.

The catalogue is data (``resources/indicators.yaml``); this module turns its nested document into
one row per indicator with one column per language, the form stored in every snapshot, and
answers the questions the app asks of it (labels, units, formatting).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import pandas as pd

LANGUAGES = ("fi", "sv", "en")
DIMENSIONS = ("economic", "social", "ecological", "technological")
DIRECTIONS = ("higher_better", "lower_better", "neutral")
AGGREGATIONS = ("count", "rate", "per_resident", "index", "share")
# How often the source updates. ``irregular``: no fixed schedule is known, e.g. an indicator the
# user imported from a file whose catalogue sidecar did not say (each value has a translation,
# ``cadence.<value>`` in the locale files, which the Indicators page shows).
CADENCES = ("annual", "quarterly", "monthly", "every_4_years", "irregular")
# Texts every indicator must have in every language (may be empty except the name).
TEXT_FIELDS = ("name", "definition", "interpretation", "unit")

_TEXT_FIELDS = TEXT_FIELDS
_SCALAR_FIELDS = ("id", "dimension", "decimals", "direction", "aggregation", "cadence")
_SOURCE_FIELDS = ("publisher", "adapter", "table", "code", "licence")

CATALOGUE_COLUMNS: tuple[str, ...] = (
    *_SCALAR_FIELDS,
    *(f"{field}_{lang}" for field in _TEXT_FIELDS for lang in LANGUAGES),
    *_SOURCE_FIELDS,
    "valid_min",
    "valid_max",
)


class CatalogueError(ValueError):
    """The indicator catalogue is malformed; the message names the indicator and field."""


def catalogue_from_document(document: Mapping[str, Any]) -> pd.DataFrame:
    """Flatten the catalogue document (``indicators.yaml``) into the snapshot's catalogue table."""
    rows = []
    for position, entry in enumerate(document.get("indicators") or []):
        ident = entry.get("id", f"#{position + 1}")
        try:
            row: dict[str, Any] = {field: entry[field] for field in _SCALAR_FIELDS}
            for field in _TEXT_FIELDS:
                texts = entry.get(field) or {}
                for lang in LANGUAGES:
                    row[f"{field}_{lang}"] = str(texts.get(lang, "") or "")
            source = entry["source"]
            for field in _SOURCE_FIELDS:
                value = source.get(field)
                row[field] = None if value is None else str(value)
            low, high = entry["valid_range"]
        except (KeyError, TypeError, ValueError) as exc:
            raise CatalogueError(f"Indicator {ident}: missing or malformed field ({exc})") from exc
        row["valid_min"], row["valid_max"] = float(low), float(high)
        rows.append(row)
    table = pd.DataFrame(rows, columns=list(CATALOGUE_COLUMNS))
    table["decimals"] = table["decimals"].astype("int64")
    return table


def dimension_labels(document: Mapping[str, Any], lang: str) -> dict[str, str]:
    """Display names of the four dimensions in ``lang``, in display order."""
    dims = document.get("dimensions") or {}
    return {dim: str((dims.get(dim) or {}).get(lang, dim)) for dim in DIMENSIONS}


def indicator_row(catalogue: pd.DataFrame, indicator_id: str) -> pd.Series:
    match = catalogue.loc[catalogue["id"] == indicator_id]
    if match.empty:
        raise KeyError(indicator_id)
    return match.iloc[0]


def source_ident(row: Mapping[str, Any]) -> str:
    """The source's own table and code of a catalogue row ("" when the source has neither, as
    for an imported file)."""
    parts = (row.get("table"), row.get("code"))
    return " ".join(str(part) for part in parts if _present(part) and str(part).strip())


def _present(value: Any) -> bool:
    return value is not None and not (isinstance(value, float) and math.isnan(value))


def format_value(value: float | None, decimals: int, lang: str, unit: str = "") -> str:
    """A number as a reader in ``lang`` expects it: thin-space thousands, decimal comma in fi/sv.

    Missing stays visibly missing ("–"), never 0.
    """
    if value is None or (isinstance(value, float) and math.isnan(value)) or pd.isna(value):
        return "–"
    text = f"{float(value):,.{int(decimals)}f}"
    if lang in ("fi", "sv"):
        text = text.replace(",", "\u202f").replace(".", ",").replace("-", "−")
    unit = unit.strip()
    if not unit:
        return text
    return f"{text}{unit}" if unit == "%" and lang == "en" else f"{text} {unit}"
