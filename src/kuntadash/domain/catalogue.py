"""The indicator catalogue as a flat table: domain layer, pure pandas.

The catalogue is data (``resources/indicators.yaml``); this module turns its nested document into
one row per indicator with one column per language, the form stored in every snapshot, and
answers the questions the app asks of it (labels, units, formatting).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from kuntadash.i18n import LANGUAGES

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
# Optional fields of an indicator, with the value a catalogue table without them gets (snapshots
# written before they existed read the same as an indicator that has none):
# - ``direction_note_<lang>``: why the direction is a value choice ("is a lower tax rate better?"),
#   shown next to the direction; "" when the direction needs no such note.
# - ``breaks``: the known breaks in the series as JSON text, ``[{"year": 2023, "reason": {"fi":
#   ..., "sv": ..., "en": ...}}]``; ``year`` is the first year of the new series.
BREAKS_COLUMN = "breaks"
OPTIONAL_CATALOGUE_COLUMNS: dict[str, str] = {
    **{f"direction_note_{lang}": "" for lang in LANGUAGES},
    BREAKS_COLUMN: "[]",
}


@dataclass(frozen=True)
class SeriesBreak:
    """A known break in an indicator's series: values from ``year`` on are not comparable with
    values before it (a reform moved a duty, a definition changed)."""

    year: int
    reason: Mapping[str, str]

    def reason_in(self, lang: str) -> str:
        return str(self.reason.get(lang) or self.reason.get("fi") or "")


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
        notes = entry.get("direction_note") or {}
        for lang in LANGUAGES:
            row[f"direction_note_{lang}"] = str(notes.get(lang, "") or "")
        try:
            row[BREAKS_COLUMN] = breaks_json(entry.get("breaks"))
        except (KeyError, TypeError, ValueError) as exc:
            raise CatalogueError(f"Indicator {ident}: malformed breaks ({exc})") from exc
        rows.append(row)
    table = pd.DataFrame(rows, columns=[*CATALOGUE_COLUMNS, *OPTIONAL_CATALOGUE_COLUMNS])
    table["decimals"] = table["decimals"].astype("int64")
    return table


def with_optional_columns(catalogue: pd.DataFrame) -> pd.DataFrame:
    """``catalogue`` with every optional column (:data:`OPTIONAL_CATALOGUE_COLUMNS`), missing
    ones added with their empty value and missing cells filled: a catalogue written before the
    columns existed reads as one whose indicators have no direction notes and no breaks."""
    missing = {c: d for c, d in OPTIONAL_CATALOGUE_COLUMNS.items() if c not in catalogue}
    present = {
        c: d
        for c, d in OPTIONAL_CATALOGUE_COLUMNS.items()
        if c in catalogue and catalogue[c].isna().any()
    }
    if not missing and not present:
        return catalogue
    out = catalogue.assign(**missing)
    for column, default in present.items():
        out[column] = out[column].fillna(default)
    return out


def breaks_json(breaks: Any) -> str:
    """A catalogue entry's ``breaks`` list as the catalogue table's JSON text (sorted by year,
    stable, so rebuilding a snapshot gives the same bytes). ValueError when malformed."""
    if breaks is None:
        return "[]"
    if not isinstance(breaks, list):
        raise ValueError("breaks must be a list")
    items = []
    for item in breaks:
        year = item["year"]
        if isinstance(year, bool) or not isinstance(year, int):
            raise ValueError(f"break year must be a whole number, not {year!r}")
        reason = item.get("reason") or {}
        if not isinstance(reason, Mapping):
            raise ValueError("a break's reason must be a mapping of languages to texts")
        items.append(
            {"year": year, "reason": {lang: str(reason.get(lang, "") or "") for lang in LANGUAGES}}
        )
    items.sort(key=lambda item: item["year"])
    return json.dumps(items, ensure_ascii=False, sort_keys=True)


def series_breaks(row: Mapping[str, Any]) -> tuple[SeriesBreak, ...]:
    """The known breaks of a catalogue row's series, earliest first (none when the row has no
    breaks column, as in a catalogue written before it existed)."""
    text = row.get(BREAKS_COLUMN) if hasattr(row, "get") else None
    if not isinstance(text, str) or not text.strip():
        return ()
    return tuple(
        SeriesBreak(int(item["year"]), dict(item.get("reason") or {})) for item in json.loads(text)
    )


def crosses_break(
    breaks: tuple[SeriesBreak, ...], start_year: int, end_year: int
) -> SeriesBreak | None:
    """The first break between ``start_year`` and ``end_year`` (a change from 2022 to 2023
    crosses a break of 2023), or None when both years are on the same side of every break."""
    low, high = sorted((int(start_year), int(end_year)))
    return next((item for item in breaks if low < item.year <= high), None)


def direction_note(row: Mapping[str, Any], lang: str) -> str:
    """Why the row's direction is a value choice, in ``lang`` ("" when it has no such note)."""
    value = row.get(f"direction_note_{lang}") if hasattr(row, "get") else None
    return value.strip() if isinstance(value, str) else ""


ROLES = ("headline", "structural")


def indicators_with_role(role: str) -> list[str]:
    """Ids of the bundled catalogue's indicators with ``role`` (``roles`` in indicators.yaml),
    in catalogue order: the one place that reads the roles."""
    from kuntadash import resources

    if role not in ROLES:
        raise ValueError(f"{role!r} is not a catalogue role ({', '.join(ROLES)})")
    entries = resources.read_indicator_catalogue_document()["indicators"]
    return [str(e["id"]) for e in entries if role in (e.get("roles") or ())]


def headline_indicators() -> dict[str, str]:
    """Dimension -> its headline indicator."""
    from kuntadash import resources

    entries = resources.read_indicator_catalogue_document()["indicators"]
    by_id = {str(e["id"]): str(e["dimension"]) for e in entries}
    return {by_id[i]: i for i in indicators_with_role("headline")}


# The UN Sustainable Development Goals, 1-17 (Agenda 2030). An indicator's ``sdg`` tag in
# indicators.yaml names the goals and targets it measures under the UN global indicator
# framework and the source of that mapping; an indicator without a sound mapping has none.
SDG_GOALS = tuple(range(1, 18))


@dataclass(frozen=True)
class SdgTag:
    """The goals and targets an indicator measures, and where the mapping comes from."""

    goals: tuple[int, ...]
    targets: tuple[str, ...]  # "8.5", "9.c"; () when it maps to goals only
    source: Mapping[str, str]  # the mapping's source by language

    def source_in(self, lang: str) -> str:
        return str(self.source.get(lang) or self.source.get("fi") or "")


def sdg_tags() -> dict[str, SdgTag]:
    """Indicator id -> its goal tag, for the bundled catalogue's indicators that have one
    (``sdg`` in indicators.yaml), in catalogue order: the one place that reads the tags. Like
    the roles, the tags describe the catalogue's indicators rather than a snapshot's values, so
    they are read from the catalogue by id (an indicator only an import brings has none)."""
    from kuntadash import resources

    entries = resources.read_indicator_catalogue_document()["indicators"]
    tags = {}
    for entry in entries:
        tag = entry.get("sdg")
        if not tag:
            continue
        tags[str(entry["id"])] = SdgTag(
            goals=tuple(int(goal) for goal in tag["goals"]),
            targets=tuple(str(target) for target in tag.get("targets") or ()),
            source={lang: str(text) for lang, text in (tag.get("source") or {}).items()},
        )
    return tags


def indicators_of_goal(ids: Iterable[str], goal: int | None) -> list[str]:
    """The ``ids`` tagged with ``goal`` (all of them when ``goal`` is None), in their order."""
    ids = list(ids)
    if goal is None:
        return ids
    tags = sdg_tags()
    return [ident for ident in ids if ident in tags and goal in tags[ident].goals]


def goals_of(ids: Iterable[str]) -> list[int]:
    """The goals at least one of ``ids`` is tagged with, in goal order."""
    tags = sdg_tags()
    present = {goal for ident in ids if ident in tags for goal in tags[ident].goals}
    return [goal for goal in SDG_GOALS if goal in present]


def small_population_thresholds() -> dict[str, int]:
    """Indicator id -> the population under which its figure rests on a small population
    (``small_population`` in indicators.yaml), for the bundled catalogue's indicators that have
    one: the one place that reads it. Read by id from the catalogue, as the roles and goal tags
    are (an indicator only an import brings has none, and is never marked)."""
    from kuntadash import resources

    entries = resources.read_indicator_catalogue_document()["indicators"]
    return {
        str(e["id"]): int(e["small_population"])
        for e in entries
        if e.get("small_population") is not None
    }


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


# A raw measure of a source, ``<adapter>:<code>``: what a derived indicator is computed from
# (pipeline.derive); the readers of imported files name theirs the same way.
RAW_SEPARATOR = ":"


def measure_of(entry: Mapping[str, Any]) -> str:
    """The raw measure a catalogue entry with ``derive`` is computed from."""
    source = entry.get("source") or {}
    return f"{source.get('adapter')}{RAW_SEPARATOR}{source.get('code') or 'hinku'}"


def denominator_of(entry: Mapping[str, Any]) -> str | None:
    """The second raw measure of a ``share_of`` derivation, else None."""
    how = entry.get("derive") or {}
    if "share_of" not in how:
        return None
    return f"{(entry.get('source') or {}).get('adapter')}{RAW_SEPARATOR}{how['share_of']}"
