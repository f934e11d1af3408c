"""Snapshot directory format: store layer, reading and writing with pyarrow.

A snapshot is one directory::

    manifest.json          format version, created, division year, sample flag, sources, hash
    municipalities.parquet one row per municipality of the division (codes as 3-char strings)
    boundaries.parquet     GeoParquet, EPSG:4326, simplified for the web when the snapshot is built
    values.parquet         tidy: municipality_code, indicator_id, year, value (NaN = missing)
    catalogue.parquet      the indicator catalogue the values refer to (flat, one row each)

Optional tables (readers get ``None`` when absent; older snapshots simply lack them):

    harmonised.parquet     keys (municipality_code, indicator_id, year) whose value was moved from
                           an earlier municipal division to this one, with ``method`` (sum |
                           population_weighted) and ``members`` ("507+588"); see domain.harmonise
    tiles.parquet          GeoParquet, EPSG:4326: the equal-area tile layout computed from the real
                           boundaries' centroids, offered next to the real borders

Writes are atomic: everything goes to a sibling temporary directory which replaces the target by
rename only when complete, under a lock, so a reader never sees half a snapshot and a failed or
killed write leaves the previous snapshot as it was.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from filelock import FileLock, Timeout

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
MUNICIPALITIES = "municipalities.parquet"
BOUNDARIES = "boundaries.parquet"
VALUES = "values.parquet"
CATALOGUE = "catalogue.parquet"
DATA_FILES = (MUNICIPALITIES, BOUNDARIES, VALUES, CATALOGUE)
HARMONISED = "harmonised.parquet"
TILES = "tiles.parquet"
OPTIONAL_FILES = (HARMONISED, TILES)

MUNICIPALITY_COLUMNS: dict[str, str] = {
    "municipality_code": "string",
    "name_fi": "string",
    "name_sv": "string",
    "region_code": "string",
    "region_name_fi": "string",
    "region_name_sv": "string",
    "region_name_en": "string",
    "wellbeing_county_code": "string",
    "wellbeing_county_name_fi": "string",
    "wellbeing_county_name_sv": "string",
    "wellbeing_county_name_en": "string",
    "municipality_type": "string",
    "municipality_type_uncertain": "bool",
    "urban_rural_group": "Int64",
    "language_status": "string",
    "population": "Int64",
    "land_area_km2": "float64",
}
VALUE_COLUMNS: dict[str, str] = {
    "municipality_code": "string",
    "indicator_id": "string",
    "year": "int64",
    "value": "float64",
}
LOCK_TIMEOUT_S = 5.0


class SnapshotError(RuntimeError):
    """A snapshot cannot be read or written; the message says which file and what to do."""


@dataclass(frozen=True)
class Snapshot:
    """All tables of one snapshot, in memory."""

    manifest: dict[str, Any]
    municipalities: pd.DataFrame
    boundaries: gpd.GeoDataFrame
    values: pd.DataFrame
    catalogue: pd.DataFrame
    path: Path | None = field(default=None, compare=False)
    harmonised: pd.DataFrame | None = field(default=None, compare=False)
    tiles: gpd.GeoDataFrame | None = field(default=None, compare=False)

    @property
    def version(self) -> str:
        """Content hash of the data files: changes whenever the data changes (cache key)."""
        return str(self.manifest.get("data_hash", ""))

    @property
    def is_sample(self) -> bool:
        return bool(self.manifest.get("sample", False))

    @property
    def division_year(self) -> int:
        return int(self.manifest["division_year"])

    def with_manifest(self, **changes: Any) -> Snapshot:
        return replace(self, manifest={**self.manifest, **changes})


def now_iso() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def coerce_municipalities(frame: pd.DataFrame) -> pd.DataFrame:
    """The municipalities table with the columns and dtypes of the format, in code order."""
    out = frame.reindex(columns=list(MUNICIPALITY_COLUMNS))
    out["municipality_type_uncertain"] = out["municipality_type_uncertain"].fillna(False)
    out = out.astype(MUNICIPALITY_COLUMNS)
    return out.sort_values("municipality_code", ignore_index=True)


def coerce_values(frame: pd.DataFrame) -> pd.DataFrame:
    """The tidy values table with the format's dtypes; missing values stay NaN."""
    out = frame.reindex(columns=list(VALUE_COLUMNS))
    out["value"] = pd.to_numeric(out["value"], errors="coerce").astype("float64")
    out = out.astype(VALUE_COLUMNS)
    return out.sort_values(["indicator_id", "municipality_code", "year"], ignore_index=True)


def _write_table(frame: pd.DataFrame, path: Path) -> None:
    table = pa.Table.from_pandas(frame, preserve_index=False)
    # NOTE: drop the pandas metadata: it embeds library versions, which would make two builds of
    # the same data differ byte for byte.
    table = table.replace_schema_metadata(None)
    pq.write_table(table, path, compression="zstd")


def _in_wgs84(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """``frame`` in EPSG:4326; no transformation when it already is (a no-op to_crs can move
    coordinates in the last bits, depending on the PROJ database loaded)."""
    if frame.crs is not None and frame.crs.to_epsg() == 4326:
        return frame.set_crs(4326, allow_override=True)
    return frame.to_crs(4326)


def _hash_files(folder: Path) -> str:
    """Hash of the tables' contents (not their bytes): the snapshot version and cache key.

    NOTE: file metadata is left out on purpose: the GeoParquet CRS is serialised as PROJJSON,
    whose form depends on which PROJ database the process loaded first (pyogrio ships its own),
    so the same data can be written as different bytes.
    """
    digest = hashlib.sha256()
    for name in (*DATA_FILES, *OPTIONAL_FILES):
        if not (folder / name).exists():
            continue
        table = pq.read_table(folder / name)
        table = table.cast(pa.schema([column.remove_metadata() for column in table.schema]))
        sink = pa.BufferOutputStream()
        with pa.ipc.new_stream(sink, table.schema) as stream:
            stream.write_table(table)
        digest.update(name.encode())
        digest.update(sink.getvalue().to_pybytes())
    return digest.hexdigest()[:16]


def _lock_for(target: Path) -> FileLock:
    return FileLock(str(target.parent / f".{target.name}.lock"), timeout=LOCK_TIMEOUT_S)


def write_snapshot(snapshot: Snapshot, target: Path) -> Snapshot:
    """Write ``snapshot`` to ``target`` atomically and return it with its final manifest.

    Raises SnapshotError when another write holds the lock.
    """
    target = Path(target).resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        with _lock_for(target):
            return _write_unlocked(snapshot, target)
    except Timeout as exc:
        raise SnapshotError(
            f"Another update or import is writing {target}; wait for it to finish and try again."
        ) from exc


def _write_unlocked(snapshot: Snapshot, target: Path) -> Snapshot:
    staging = Path(tempfile.mkdtemp(prefix=f".tmp-{target.name}-", dir=target.parent))
    try:
        _write_table(coerce_municipalities(snapshot.municipalities), staging / MUNICIPALITIES)
        boundaries = _in_wgs84(snapshot.boundaries)[["municipality_code", "geometry"]]
        boundaries = boundaries.sort_values("municipality_code", ignore_index=True)
        boundaries.to_parquet(staging / BOUNDARIES, compression="zstd", write_covering_bbox=False)
        _write_table(coerce_values(snapshot.values), staging / VALUES)
        _write_table(snapshot.catalogue.reset_index(drop=True), staging / CATALOGUE)
        _write_optional(snapshot, staging)
        manifest = {
            **snapshot.manifest,
            "format_version": FORMAT_VERSION,
            "data_hash": _hash_files(staging),
        }
        (staging / MANIFEST).write_text(
            json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True) + "\n",
            encoding="utf-8",
        )
        _swap_into_place(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return read_snapshot(target)


def _write_optional(snapshot: Snapshot, staging: Path) -> None:
    if snapshot.harmonised is not None and len(snapshot.harmonised):
        harmonised = snapshot.harmonised.sort_values(
            ["indicator_id", "municipality_code", "year"], ignore_index=True
        )
        _write_table(harmonised, staging / HARMONISED)
    if snapshot.tiles is not None and len(snapshot.tiles):
        tiles = snapshot.tiles.to_crs(4326)[["municipality_code", "geometry"]]
        tiles = tiles.sort_values("municipality_code", ignore_index=True)
        tiles.to_parquet(staging / TILES, compression="zstd", write_covering_bbox=False)


def _swap_into_place(staging: Path, target: Path) -> None:
    """Replace ``target`` by ``staging`` with renames; the old one survives until the new is in."""
    if not target.exists():
        os.replace(staging, target)
        return
    retired = target.parent / f".tmp-{target.name}-old-{os.getpid()}"
    os.replace(target, retired)
    try:
        os.replace(staging, target)
    except OSError:
        os.replace(retired, target)
        raise
    shutil.rmtree(retired, ignore_errors=True)


def read_manifest(folder: Path) -> dict[str, Any]:
    path = Path(folder) / MANIFEST
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise SnapshotError(
            f"{folder} is not a snapshot: {MANIFEST} is missing. Build one with "
            "`kuntadash data sample --out DIR` or `kuntadash data import --out DIR FILE...`."
        ) from exc
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise SnapshotError(f"{path} is not valid JSON ({exc}); rebuild the snapshot.") from exc
    if not isinstance(manifest, dict):
        raise SnapshotError(f"{path} must hold a JSON object.")
    version = manifest.get("format_version")
    if version != FORMAT_VERSION:
        raise SnapshotError(
            f"{path}: format version {version!r} is not supported (this kuntadash reads "
            f"version {FORMAT_VERSION}); rebuild the snapshot with this version."
        )
    return manifest


def read_snapshot(folder: Path) -> Snapshot:
    """Read every table of the snapshot in ``folder``; SnapshotError names a broken file."""
    folder = Path(folder)
    manifest = read_manifest(folder)
    try:
        municipalities = pd.read_parquet(folder / MUNICIPALITIES)
        municipalities = municipalities.astype(
            {c: t for c, t in MUNICIPALITY_COLUMNS.items() if c in municipalities}
        )
        boundaries = gpd.read_parquet(folder / BOUNDARIES)
        values = pd.read_parquet(folder / VALUES).astype(VALUE_COLUMNS)
        catalogue = pd.read_parquet(folder / CATALOGUE)
        harmonised = (
            pd.read_parquet(folder / HARMONISED) if (folder / HARMONISED).exists() else None
        )
        tiles = gpd.read_parquet(folder / TILES) if (folder / TILES).exists() else None
    except FileNotFoundError as exc:
        raise SnapshotError(
            f"{folder}: {Path(exc.filename or '?').name} is missing; rebuild the snapshot."
        ) from exc
    except (OSError, ValueError, KeyError, pa.ArrowException) as exc:
        raise SnapshotError(
            f"{folder}: a table cannot be read ({exc}); the snapshot is damaged, rebuild it."
        ) from exc
    return Snapshot(
        manifest, municipalities, boundaries, values, catalogue, path=folder,
        harmonised=harmonised, tiles=tiles,
    )
