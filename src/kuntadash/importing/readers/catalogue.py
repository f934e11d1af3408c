"""Catalogue sidecars -> new indicator entries (importing layer): a YAML file with an
``indicators`` list, or an Excel sheet named ``catalogue`` (one row per indicator, a column per
language), validated field by field before any table of the import is read.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

import pandas as pd

from kuntadash.domain.catalogue import AGGREGATIONS, DIMENSIONS, DIRECTIONS
from kuntadash.errors import Message, message
from kuntadash.i18n import LANGUAGES
from kuntadash.importing.errors import DataImportError
from kuntadash.importing.limits import MAX_CATALOGUE_ENTRIES
from kuntadash.importing.text import is_missing


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
