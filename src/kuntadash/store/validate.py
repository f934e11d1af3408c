"""Snapshot validation: store layer. Every check a snapshot must pass before the app serves it.

``validate_snapshot`` returns the problems found (empty list = valid); each problem names the
table and what to do, so ``kuntadash data check`` can print it for a user to act on.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

import pandas as pd

from kuntadash.crs import WGS84
from kuntadash.domain.catalogue import (
    AGGREGATIONS,
    BREAKS_COLUMN,
    CADENCES,
    CATALOGUE_COLUMNS,
    DIMENSIONS,
    DIRECTIONS,
    TEXT_FIELDS,
)
from kuntadash.i18n import LANGUAGES
from kuntadash.store.snapshot import (
    FORMAT_VERSION,
    MUNICIPALITY_COLUMNS,
    SOURCE_COLUMN,
    VALUE_COLUMNS,
    Snapshot,
)

_CODE = re.compile(r"^\d{3}$")
_MANIFEST_KEYS = ("format_version", "created", "division_year", "sample", "sources")
_SOURCE_KEYS = ("publisher", "licence", "url", "accessed")
MIN_YEAR, MAX_YEAR = 1980, 2100
_SHOWN = 5


@dataclass(frozen=True)
class Problem:
    table: str
    message: str

    def __str__(self) -> str:
        return f"{self.table}: {self.message}"


def _examples(items: Any) -> str:
    items = sorted(map(str, items))
    more = f" … (+{len(items) - _SHOWN} more)" if len(items) > _SHOWN else ""
    return ", ".join(items[:_SHOWN]) + more


def _check_manifest(manifest: dict[str, Any]) -> list[Problem]:
    problems = [
        Problem("manifest.json", f"required key '{key}' is missing")
        for key in _MANIFEST_KEYS
        if key not in manifest
    ]
    if manifest.get("format_version") not in (None, FORMAT_VERSION):
        problems.append(Problem("manifest.json", "unsupported format_version"))
    if not isinstance(manifest.get("sample", False), bool):
        problems.append(Problem("manifest.json", "'sample' must be true or false"))
    year = manifest.get("division_year")
    if year is not None and not (isinstance(year, int) and MIN_YEAR <= year <= MAX_YEAR):
        problems.append(Problem("manifest.json", f"division_year {year!r} is not a year"))
    sources = manifest.get("sources", [])
    if not isinstance(sources, list):
        problems.append(Problem("manifest.json", "'sources' must be a list"))
        return problems
    for position, source in enumerate(sources, start=1):
        missing = [k for k in _SOURCE_KEYS if not (isinstance(source, dict) and source.get(k))]
        if missing:
            problems.append(
                Problem("manifest.json", f"source #{position} lacks {', '.join(missing)}")
            )
    return problems


def _check_columns(frame: pd.DataFrame, columns: Any, table: str) -> list[Problem]:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        return [Problem(table, f"missing columns: {', '.join(missing)}")]
    return []


def _check_codes(codes: pd.Series, table: str) -> list[Problem]:
    text = codes.astype("string")
    bad = text[~text.fillna("").str.fullmatch(_CODE)]
    if len(bad):
        return [
            Problem(
                table,
                f"{len(bad)} municipality codes are not 3-digit strings ({_examples(bad)}); "
                "codes keep their leading zeros, e.g. '091' for Helsinki",
            )
        ]
    return []


def _check_municipalities(municipalities: pd.DataFrame) -> list[Problem]:
    table = "municipalities.parquet"
    problems = _check_columns(municipalities, MUNICIPALITY_COLUMNS, table)
    if problems:
        return problems
    if municipalities.empty:
        return [Problem(table, "no municipalities; the snapshot needs its division's register")]
    problems += _check_codes(municipalities["municipality_code"], table)
    duplicated = municipalities["municipality_code"][
        municipalities["municipality_code"].duplicated()
    ]
    if len(duplicated):
        problems.append(Problem(table, f"duplicate municipality codes: {_examples(duplicated)}"))
    unnamed = municipalities.loc[municipalities["name_fi"].fillna("").eq(""), "municipality_code"]
    if len(unnamed):
        problems.append(
            Problem(table, f"municipalities without a Finnish name: {_examples(unnamed)}")
        )
    area = municipalities["land_area_km2"].dropna()
    if (area <= 0).any():
        problems.append(Problem(table, "land areas must be positive"))
    return problems


def _check_boundaries(snapshot: Snapshot, codes: set[str]) -> list[Problem]:
    table = "boundaries.parquet"
    boundaries = snapshot.boundaries
    problems = _check_columns(boundaries, ("municipality_code", "geometry"), table)
    if problems:
        return problems
    if boundaries.crs is None or boundaries.crs.to_epsg() != WGS84:
        problems.append(Problem(table, f"CRS must be EPSG:{WGS84}, found {boundaries.crs}"))
    shapes = set(boundaries["municipality_code"].astype(str))
    if shapes - codes:
        problems.append(
            Problem(
                table, f"boundaries for codes not in municipalities: {_examples(shapes - codes)}"
            )
        )
    if codes - shapes:
        problems.append(
            Problem(table, f"municipalities without a boundary: {_examples(codes - shapes)}")
        )
    invalid = boundaries.loc[~boundaries.geometry.is_valid | boundaries.geometry.is_empty]
    if len(invalid):
        problems.append(
            Problem(
                table, f"invalid or empty geometry for {_examples(invalid['municipality_code'])}"
            )
        )
    return problems


def _check_catalogue(catalogue: pd.DataFrame) -> list[Problem]:
    table = "catalogue.parquet"
    problems = _check_columns(catalogue, CATALOGUE_COLUMNS, table)
    if problems:
        return problems
    duplicated = catalogue["id"][catalogue["id"].duplicated()]
    if len(duplicated):
        problems.append(Problem(table, f"duplicate indicator ids: {_examples(duplicated)}"))
    # The app shows each of these through a translation (dimension.*, direction.*, cadence.*)
    # or computes with it (aggregation): a value outside the set cannot be rendered.
    for column, allowed in (
        ("dimension", DIMENSIONS),
        ("direction", DIRECTIONS),
        ("cadence", CADENCES),
        ("aggregation", AGGREGATIONS),
    ):
        wrong = catalogue.loc[~catalogue[column].isin(allowed), "id"]
        if len(wrong):
            problems.append(
                Problem(table, f"{column} must be one of {', '.join(allowed)}: {_examples(wrong)}")
            )
    decimals = pd.to_numeric(catalogue["decimals"], errors="coerce")
    bad_decimals = catalogue.loc[
        ~(decimals.notna() & decimals.eq(decimals.round()) & decimals.between(0, 6)), "id"
    ]
    if len(bad_decimals):
        problems.append(
            Problem(table, f"decimals must be a whole number 0–6: {_examples(bad_decimals)}")
        )
    problems += _check_catalogue_texts(catalogue)
    problems += _check_breaks(catalogue)
    inverted = catalogue.loc[catalogue["valid_min"] >= catalogue["valid_max"], "id"]
    if len(inverted):
        problems.append(Problem(table, f"valid_min is not below valid_max: {_examples(inverted)}"))
    return problems


def _check_breaks(catalogue: pd.DataFrame) -> list[Problem]:
    """The optional series breaks: JSON lists of {year, reason} with plausible years (the app
    marks them on charts and refuses to colour a change across them)."""
    if BREAKS_COLUMN not in catalogue:
        return []
    bad = []
    for ident, text in zip(catalogue["id"], catalogue[BREAKS_COLUMN], strict=True):
        if text is None or (isinstance(text, float) and pd.isna(text)):
            continue
        try:
            items = json.loads(text)
            ok = isinstance(items, list) and all(
                isinstance(item, dict)
                and isinstance(item.get("year"), int)
                and MIN_YEAR <= item["year"] <= MAX_YEAR
                and isinstance(item.get("reason"), dict)
                for item in items
            )
        except (TypeError, ValueError):
            ok = False
        if not ok:
            bad.append(ident)
    if not bad:
        return []
    return [
        Problem(
            "catalogue.parquet",
            f"breaks must be a JSON list of {{year, reason}}: {_examples(bad)}",
        )
    ]


def _check_catalogue_texts(catalogue: pd.DataFrame) -> list[Problem]:
    """Texts the app shows for every indicator: present (possibly empty) in every language, a
    name in every language, and a publisher and licence for the source line."""
    table = "catalogue.parquet"
    problems = []
    columns = [f"{field}_{lang}" for field in TEXT_FIELDS for lang in LANGUAGES]
    for column in columns:
        missing = catalogue.loc[~catalogue[column].map(lambda v: isinstance(v, str)), "id"]
        if len(missing):
            problems.append(
                Problem(
                    table,
                    f"{column} is missing for {_examples(missing)}; use an empty text where "
                    "there is nothing to say",
                )
            )
    required = [*(f"name_{lang}" for lang in LANGUAGES), "publisher", "licence"]
    for column in required:
        text = catalogue[column].map(lambda v: v.strip() if isinstance(v, str) else "")
        empty = catalogue.loc[text.eq(""), "id"]
        if len(empty):
            problems.append(Problem(table, f"{column} is empty for {_examples(empty)}"))
    return problems


def _check_values(snapshot: Snapshot, codes: set[str]) -> list[Problem]:
    table = "values.parquet"
    values = snapshot.values
    problems = _check_columns(values, VALUE_COLUMNS, table)
    if problems:
        return problems
    problems += _check_codes(values["municipality_code"], table)
    keys = ["municipality_code", "indicator_id", "year"]
    duplicated = values[values.duplicated(keys, keep=False)]
    if len(duplicated):
        sample = duplicated[keys].astype(str).agg("/".join, axis=1).unique()
        problems.append(
            Problem(
                table,
                f"{len(duplicated)} rows share a (municipality, indicator, year) key: "
                f"{_examples(sample)}",
            )
        )
    unknown = set(values["municipality_code"].astype(str).unique()) - codes
    if unknown:
        problems.append(
            Problem(
                table,
                f"values for codes not in this division "
                f"({snapshot.manifest.get('division_year')}): "
                f"{_examples(unknown)}; harmonise them to the current division or remove them",
            )
        )
    known_ids = set(snapshot.catalogue["id"]) if "id" in snapshot.catalogue else set()
    strangers = set(values["indicator_id"].astype(str).unique()) - known_ids
    if strangers:
        problems.append(
            Problem(table, f"indicators missing from the catalogue: {_examples(strangers)}")
        )
    years = values["year"]
    if len(years) and (years.min() < MIN_YEAR or years.max() > MAX_YEAR):
        problems.append(Problem(table, f"years outside {MIN_YEAR}–{MAX_YEAR}"))
    problems += _check_ranges(values, snapshot.catalogue)
    if SOURCE_COLUMN in values.columns:
        listed = {
            str(s.get("id")) for s in snapshot.manifest.get("sources") or [] if isinstance(s, dict)
        }
        unlisted = set(values[SOURCE_COLUMN].dropna().astype(str).unique()) - listed
        if unlisted:
            problems.append(
                Problem(
                    table, f"values from sources the manifest does not list: {_examples(unlisted)}"
                )
            )
    return problems


def _check_ranges(values: pd.DataFrame, catalogue: pd.DataFrame) -> list[Problem]:
    if not {"id", "valid_min", "valid_max"} <= set(catalogue.columns):
        return []
    bounds = catalogue.set_index("id")[["valid_min", "valid_max"]]
    joined = values.dropna(subset=["value"]).join(bounds, on="indicator_id", how="inner")
    outside = joined[
        (joined["value"] < joined["valid_min"]) | (joined["value"] > joined["valid_max"])
    ]
    problems = []
    for indicator_id, rows in outside.groupby("indicator_id"):
        first = rows.iloc[0]
        problems.append(
            Problem(
                "values.parquet",
                f"{len(rows)} values of {indicator_id} outside the plausible range "
                f"{first['valid_min']:g}–{first['valid_max']:g} (e.g. {first['value']:g} for "
                f"{first['municipality_code']} in {first['year']}); check the unit or the source",
            )
        )
    infinite = values["value"].isin([float("inf"), float("-inf")])
    if infinite.any():
        problems.append(Problem("values.parquet", f"{int(infinite.sum())} infinite values"))
    return problems


def validate_snapshot(snapshot: Snapshot) -> list[Problem]:
    """Every problem of ``snapshot``; an empty list means the app can serve it."""
    problems = _check_manifest(snapshot.manifest)
    problems += _check_municipalities(snapshot.municipalities)
    codes = (
        set(snapshot.municipalities["municipality_code"].astype(str))
        if "municipality_code" in snapshot.municipalities
        else set()
    )
    problems += _check_boundaries(snapshot, codes)
    problems += _check_catalogue(snapshot.catalogue)
    problems += _check_values(snapshot, codes)
    problems += _check_optional(snapshot, codes)
    return problems


def _check_optional(snapshot: Snapshot, codes: set[str]) -> list[Problem]:
    """The optional tables (harmonised.parquet, tiles.parquet), when present."""
    problems: list[Problem] = []
    harmonised = snapshot.harmonised
    if harmonised is not None:
        table = "harmonised.parquet"
        columns = ("municipality_code", "indicator_id", "year", "method", "members")
        problems += _check_columns(harmonised, columns, table)
        if not problems:
            strangers = set(harmonised["municipality_code"].astype(str)) - codes
            if strangers:
                problems.append(
                    Problem(table, f"codes not in this division: {_examples(strangers)}")
                )
    tiles = snapshot.tiles
    if tiles is not None:
        table = "tiles.parquet"
        found = _check_columns(tiles, ("municipality_code", "geometry"), table)
        problems += found
        if not found:
            if tiles.crs is None or tiles.crs.to_epsg() != WGS84:
                problems.append(Problem(table, f"CRS must be EPSG:{WGS84}, found {tiles.crs}"))
            if set(tiles["municipality_code"].astype(str)) != codes:
                problems.append(Problem(table, "tiles do not cover exactly the municipalities"))
    return problems


def summarise_snapshot(snapshot: Snapshot) -> dict[str, Any]:
    """The JSON summary printed by ``kuntadash data check --json``."""
    catalogue = snapshot.catalogue
    present = catalogue[catalogue["id"].isin(snapshot.values["indicator_id"].unique())]
    per_dimension = {dim: int((present["dimension"] == dim).sum()) for dim in DIMENSIONS}
    values = snapshot.values
    return {
        "municipalities": int(snapshot.municipalities["municipality_code"].nunique()),
        "indicators": int(present["id"].nunique()),
        "indicators_per_dimension": per_dimension,
        "years": sorted(int(y) for y in values["year"].unique()),
        "values": len(values),
        "missing_values": int(values["value"].isna().sum()),
        "sample": snapshot.is_sample,
        "division_year": snapshot.division_year,
        "created": snapshot.manifest.get("created"),
        "data_hash": snapshot.version,
        "sources": [s.get("publisher") for s in snapshot.manifest.get("sources", [])],
    }
