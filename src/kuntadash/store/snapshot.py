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

import contextlib
import ctypes
import errno
import hashlib
import json
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Iterator
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
    "name_en": "string",
    "region_code": "string",
    "region_name_fi": "string",
    "region_name_sv": "string",
    "region_name_en": "string",
    "subregion_code": "string",
    "subregion_name_fi": "string",
    "subregion_name_sv": "string",
    "subregion_name_en": "string",
    "wellbeing_county_code": "string",
    "wellbeing_county_name_fi": "string",
    "wellbeing_county_name_sv": "string",
    "wellbeing_county_name_en": "string",
    "municipality_type": "string",
    "municipality_type_uncertain": "bool",
    "urban_rural_group": "Int64",
    "language_status": "string",
    "land_area_km2": "float64",
}
# Population is not a column here: it is data (the ``population`` indicator in values), read
# for the year a comparison needs (kuntadash.domain.population).
VALUE_COLUMNS: dict[str, str] = {
    "municipality_code": "string",
    "indicator_id": "string",
    "year": "int64",
    "value": "float64",
}
# Optional: the manifest source each value came from (``sources[].id``), for provenance.
SOURCE_COLUMN = "source_id"
LOCK_TIMEOUT_S = 5.0


class SnapshotError(RuntimeError):
    """A snapshot cannot be read or written; the message says which file and what to do."""


class SnapshotBusyError(SnapshotError):
    """Another update or import holds the snapshot's lock (callers translate this one)."""


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
    """The tidy values table with the format's dtypes (and ``source_id`` when the frame has
    it); missing values stay NaN."""
    columns = {**VALUE_COLUMNS, **({SOURCE_COLUMN: "string"} if SOURCE_COLUMN in frame else {})}
    out = frame.reindex(columns=list(columns))
    out["value"] = pd.to_numeric(out["value"], errors="coerce").astype("float64")
    out = out.astype(columns)
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
    # One lock object per file in a process (is_singleton), so a holder may re-enter it (an import
    # locks the whole read-merge-write, write_snapshot locks again inside); the context is per
    # thread, so two Streamlit sessions of one server still exclude each other. The OS releases
    # the flock when its process dies: a killed update never leaves a lock behind.
    return FileLock(
        str(target.parent / f".{target.name}.lock"), timeout=LOCK_TIMEOUT_S, is_singleton=True
    )


@contextlib.contextmanager
def snapshot_lock(target: Path) -> Iterator[None]:
    """Hold the write lock of the snapshot at ``target`` (a read-modify-write of it holds this
    for the whole time, so two updates or imports cannot interleave and lose each other's data).
    On entry, what killed writers left behind is cleaned up first (``_sweep_stale``).

    Raises SnapshotBusyError after LOCK_TIMEOUT_S when another update or import holds it.
    """
    target = Path(target).resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        lock = _lock_for(target).acquire()
    except Timeout as exc:
        raise SnapshotBusyError(
            f"Another update or import is writing {target}; wait for it to finish and try again."
        ) from exc
    with lock:
        _sweep_stale(target)
        yield


def write_snapshot(snapshot: Snapshot, target: Path) -> Snapshot:
    """Write ``snapshot`` to ``target`` atomically and return it with its final manifest.

    Raises SnapshotBusyError when another write holds the lock.
    """
    target = Path(target).resolve()
    with snapshot_lock(target):
        return _write_unlocked(snapshot, target)


def _sweep_stale(target: Path) -> None:
    """Under the lock: put back a snapshot a killed two-rename swap left retired, and remove
    temporary directories killed writers left behind (no live writer owns one: writers create
    them only while holding the lock)."""
    # Exactly our names (mkdtemp's 8 characters, or old-PID): not another snapshot's, e.g. data-2.
    own = re.compile(rf"\.tmp-{re.escape(target.name)}-(?:[a-z0-9_]{{8}}|old-\d+)")
    stale = sorted(p for p in target.parent.iterdir() if own.fullmatch(p.name))
    retired = [p for p in stale if p.name.startswith(f".tmp-{target.name}-old-")]
    if not target.exists() and retired and (retired[-1] / MANIFEST).exists():
        os.replace(retired[-1], target)
    for path in stale:
        if path.exists() and path.is_dir():
            shutil.rmtree(path, ignore_errors=True)


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


def _exchange(first: Path, second: Path) -> bool:
    """Swap two directories in one atomic step (Linux renameat2 RENAME_EXCHANGE); False when the
    system or file system cannot, so the caller falls back to two renames."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p]
    renameat2.argtypes.append(ctypes.c_uint)
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(first), at_fdcwd, os.fsencode(second), rename_exchange):
        code = ctypes.get_errno()
        if code in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP, errno.EXDEV):
            return False
        raise OSError(code, os.strerror(code), str(second))
    return True


def _swap_into_place(staging: Path, target: Path) -> None:
    """Replace ``target`` by ``staging``. Where the system allows, both directories are exchanged
    in one atomic step, so there is no moment without a snapshot at ``target`` even if the process
    is killed; otherwise two renames (the old one survives until the new is in, and a killed
    swap is put back by the next write's ``_sweep_stale``)."""
    if not target.exists():
        os.replace(staging, target)
        return
    if _exchange(staging, target):
        shutil.rmtree(staging, ignore_errors=True)  # now holds the previous snapshot
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
        values = pd.read_parquet(folder / VALUES)
        values = values.astype(
            {**VALUE_COLUMNS, **({SOURCE_COLUMN: "string"} if SOURCE_COLUMN in values else {})}
        )
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
