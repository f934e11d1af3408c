"""Snapshot directory format: store layer, reading and writing with pyarrow.

A snapshot is one directory::

    manifest.json          format version, created, division year, sample flag, sources, hash
    municipalities.parquet one row per municipality of the division (codes as 3-char strings)
    boundaries.parquet     GeoParquet, EPSG:4326, simplified for the web when the snapshot is built
    values.parquet         tidy: municipality_code, indicator_id, year, value (NaN = missing)
    catalogue.parquet      the indicator catalogue the values refer to (flat, one row each)
                           (its optional columns, direction notes and series breaks, read
                           as empty when an older snapshot lacks them)

Optional tables (readers get ``None`` when absent; older snapshots simply lack them):

    harmonised.parquet     keys (municipality_code, indicator_id, year) whose value was moved from
                           an earlier municipal division to this one, with ``method`` (sum |
                           population_weighted) and ``members`` ("507+588"); see domain.harmonise
    tiles.parquet          GeoParquet, EPSG:4326: the equal-area tile layout computed from the real
                           boundaries' centroids, offered next to the real borders

Writes are atomic: everything goes to a sibling temporary directory which replaces the target by
rename only when complete, under a lock, so a reader never sees half a snapshot and a failed or
killed write leaves the previous snapshot as it was. Only a missing folder, an empty one or a
snapshot is ever replaced (``targets.check_target``); the served folder keeps its permissions.
Errors are ``SnapshotError``s with a translated, path-free sentence (``store.errors``).
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import hashlib
import json
import os
import stat
import sys
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

from kuntadash.crs import WGS84
from kuntadash.domain.catalogue import with_optional_columns

# SnapshotError and SnapshotBusyError were defined here first; importing them from here works.
from kuntadash.store import targets
from kuntadash.store.errors import (
    NONE_CREATED,
    SnapshotBusyError,
    SnapshotError,
    SnapshotWriteError,
    write_error,
)
from kuntadash.store.targets import RETIRED, STAGING, check_target

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
    if frame.crs is not None and frame.crs.to_epsg() == WGS84:
        return frame.set_crs(WGS84, allow_override=True)
    return frame.to_crs(WGS84)


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
def snapshot_lock(target: Path) -> Iterator[Path]:
    """Hold the write lock of the snapshot at ``target`` (a read-modify-write of it holds this
    for the whole time, so two updates or imports cannot interleave and lose each other's data)
    and give the resolved target.

    The target is checked first (``check_target``), before even the lock file is created beside
    it. On entry, what killed writers left behind is recovered or cleaned up (``_sweep_stale``),
    and each recovery is reported (``targets.report``).

    Raises SnapshotTargetError for a target that is not ours to replace, SnapshotBusyError after
    LOCK_TIMEOUT_S when another update or import holds the lock, SnapshotWriteError when the
    lock file cannot be created (no permission, read-only or full disk).
    """
    target = check_target(target)
    lock = _lock_for(target)
    try:
        lock.acquire()
    except Timeout as exc:
        raise SnapshotBusyError(
            f"Another update or import is writing {target}; wait for it to finish and try again."
        ) from exc
    except OSError as exc:
        raise write_error(exc, f"cannot create the lock file {lock.lock_file}") from exc
    outermost = lock.lock_counter == 1
    try:
        if outermost:
            _take_over_lock(lock, target)
            _sweep_stale(target)
            check_target(target)  # again, under the lock: the folder may have changed meanwhile
        yield target
    finally:
        if outermost:
            _hand_back_lock(lock)
        lock.release()


def _take_over_lock(lock: FileLock, target: Path) -> None:
    """Record this process as the holder in the lock file. A holder that ends normally clears
    it; finding a holder recorded means that writer was killed (the OS has released its flock),
    which is reported."""
    path = Path(lock.lock_file)
    try:
        previous = json.loads(path.read_text(encoding="utf-8") or "null")
    except (OSError, ValueError):
        previous = None
    if isinstance(previous, dict) and previous.get("pid") != os.getpid():
        targets.report(
            "store.recovered.lock",
            f"the previous writer of {target} (process {previous.get('pid')}, started "
            f"{previous.get('started')}) ended without releasing its lock; taken over",
            pid=previous.get("pid"),
        )
    try:
        path.write_text(json.dumps({"pid": os.getpid(), "started": now_iso()}), encoding="utf-8")
    except OSError as exc:  # the record only serves the report above; the flock is what locks
        targets.log.info("could not record the lock holder in %s: %s", path, exc)


def _hand_back_lock(lock: FileLock) -> None:
    try:
        with open(lock.lock_file, "r+b") as handle:
            handle.truncate(0)
    except OSError as exc:
        targets.log.info("could not clear the lock holder in %s: %s", lock.lock_file, exc)


def write_snapshot(snapshot: Snapshot, target: Path) -> Snapshot:
    """Write ``snapshot`` to ``target`` atomically and return it with its final manifest.

    ``target`` must be missing (its parent must exist), an empty folder or a snapshot. Raises
    SnapshotTargetError (anything else: nothing is created), SnapshotBusyError (another write
    holds the lock) or SnapshotWriteError (disk full, no permission, read-only file system …);
    on any error the previous snapshot is left exactly as it was.
    """
    existed = targets.is_snapshot_folder(target)
    try:
        with snapshot_lock(target) as resolved:
            return _write_unlocked(snapshot, resolved)
    except SnapshotWriteError as exc:
        # Say what became of the target: kept as it was, or (there was none) not created.
        if not existed:
            exc.params["previous"] = NONE_CREATED
        raise


def _sweep_stale(target: Path) -> None:
    """Under the lock: put back a snapshot a killed two-rename swap left retired, and remove the
    temporary folders killed writers left behind (no live writer owns one: writers create them
    only while holding the lock). Only folders carrying our marker for this target are touched."""
    leftovers = targets.marked_leftovers(target)
    retired = [
        (path, marker)
        for path, marker in leftovers
        if marker["kind"] == RETIRED and targets.is_snapshot_folder(path)
    ]
    if not os.path.lexists(target) and retired:
        path, marker = retired[-1]
        try:
            os.replace(path, target)
        except OSError as exc:
            raise write_error(exc, f"cannot put {path} back in place as {target}") from exc
        targets.drop_marker(target, RETIRED)
        targets.report(
            "store.recovered.restored",
            f"put back the snapshot that an interrupted write (process {marker.get('pid')}) "
            f"had left aside in {path.name}",
            pid=marker.get("pid"),
        )
    for path, marker in leftovers:
        if os.path.lexists(path) and targets.remove_marked(path):
            targets.report(
                "store.recovered.removed",
                f"removed {path.name}, a temporary folder an interrupted write "
                f"(process {marker.get('pid')}) left beside {target.name}",
                pid=marker.get("pid"),
                name=path.name,
            )


def _write_unlocked(snapshot: Snapshot, target: Path) -> Snapshot:
    try:
        staging = targets.make_staging(target)
    except OSError as exc:
        raise write_error(exc, f"cannot create a temporary folder beside {target}") from exc
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
        folder_mode = _keep_file_modes(staging, target)
        _swap_into_place(staging, target)
    except BaseException as exc:
        # Until the swap succeeds, staging holds only the new, unused copy.
        targets.remove_marked(staging)
        if isinstance(exc, OSError):
            raise write_error(exc, f"cannot write the snapshot {target}") from exc
        raise
    if folder_mode is not None:
        _restore_folder_mode(target, folder_mode)
    return read_snapshot(target)


def _keep_file_modes(staging: Path, target: Path) -> int | None:
    """Give the new files the mode of the snapshot they replace (its manifest's) and return the
    old folder's mode, or None for a new snapshot, which keeps mkdir's and the umask's modes."""
    try:
        folder_mode = stat.S_IMODE(os.stat(target).st_mode)
    except FileNotFoundError:
        return None
    try:
        file_mode = stat.S_IMODE(os.stat(target / MANIFEST).st_mode)
    except FileNotFoundError:
        return folder_mode
    for path in staging.iterdir():
        if path.name not in targets.MARKERS.values():
            os.chmod(path, file_mode)
    return folder_mode


def _restore_folder_mode(target: Path, mode: int) -> None:
    # After the swap, not before: a folder made read-only could no longer lose its marker.
    try:
        os.chmod(target, mode)
    except OSError as exc:  # the write has succeeded; only the folder's mode differs
        targets.log.warning("could not give %s its previous mode %o: %s", target, mode, exc)


def _write_optional(snapshot: Snapshot, staging: Path) -> None:
    if snapshot.harmonised is not None and len(snapshot.harmonised):
        harmonised = snapshot.harmonised.sort_values(
            ["indicator_id", "municipality_code", "year"], ignore_index=True
        )
        _write_table(harmonised, staging / HARMONISED)
    if snapshot.tiles is not None and len(snapshot.tiles):
        tiles = snapshot.tiles.to_crs(WGS84)[["municipality_code", "geometry"]]
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
    swap is put back by the next write's ``_sweep_stale``).

    The previous snapshot is marked retired before it moves, so that wherever a kill leaves it,
    the next writer recognises it (a kill before the move leaves only that small marker file in
    the served folder, which readers ignore and the next write replaces)."""
    if not os.path.lexists(target):
        os.replace(staging, target)
        targets.drop_marker(target, STAGING)
        return
    _mark_retired(target)
    try:
        exchanged = _exchange(staging, target)
    except OSError:
        targets.drop_marker(target, RETIRED)
        raise
    if exchanged:
        # Done: from here on nothing may fail the write. Staging now holds the previous snapshot.
        targets.drop_marker(target, STAGING)
        targets.remove_marked(staging)
        return
    retired = targets.retired_name(target)
    try:
        os.replace(target, retired)
    except OSError:
        targets.drop_marker(target, RETIRED)
        raise
    try:
        os.replace(staging, target)
    except OSError:
        os.replace(retired, target)
        targets.drop_marker(target, RETIRED)
        raise
    targets.drop_marker(target, STAGING)
    targets.remove_marked(retired)


def _mark_retired(target: Path) -> None:
    try:
        targets.write_marker(target, RETIRED, target)
    except OSError as exc:
        # Only a leftover of a kill in the next moments would then stay (unmarked, never
        # removed by anyone but its owner); the write itself can go on.
        targets.log.info("could not mark %s as retired: %s", target, exc)


def read_manifest(folder: Path) -> dict[str, Any]:
    path = Path(folder) / MANIFEST
    try:
        _require_regular_file(path)
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, NotADirectoryError) as exc:
        raise SnapshotError(
            f"{folder} is not a snapshot: {MANIFEST} is missing. Build one with "
            "`kuntadash data sample --out DIR` or `kuntadash data import --out DIR FILE...`.",
            "store.read.no_manifest",
        ) from exc
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise SnapshotError(
            f"{path} is not valid JSON ({exc}); rebuild the snapshot.",
            "store.read.manifest_invalid",
        ) from exc
    except OSError as exc:
        raise SnapshotError(
            f"{path} cannot be read ({exc}).", "store.read.unreadable", code=_code(exc)
        ) from exc
    if not isinstance(manifest, dict):
        raise SnapshotError(f"{path} must hold a JSON object.", "store.read.manifest_invalid")
    version = manifest.get("format_version")
    if version != FORMAT_VERSION:
        raise SnapshotError(
            f"{path}: format version {version!r} is not supported (this kuntadash reads "
            f"version {FORMAT_VERSION}); rebuild the snapshot with this version.",
            "store.read.format_version",
            version=str(version)[:20],
            supported=FORMAT_VERSION,
        )
    return manifest


def _require_regular_file(path: Path) -> None:
    """Refuse a pipe or device where a snapshot file should be: reading one would block forever
    or never end."""
    if not stat.S_ISREG(os.stat(path).st_mode):
        raise SnapshotError(
            f"{path} is not a regular file; the snapshot is damaged, rebuild it.",
            "store.read.damaged",
        )


def _code(exc: OSError) -> str:
    return errno.errorcode.get(exc.errno or 0, type(exc).__name__)


def read_snapshot(folder: Path) -> Snapshot:
    """Read every table of the snapshot in ``folder``; SnapshotError names a broken file."""
    folder = Path(folder)
    manifest = read_manifest(folder)
    try:
        for name in (*DATA_FILES, *OPTIONAL_FILES):
            if name in DATA_FILES or (folder / name).exists():
                _require_regular_file(folder / name)
        municipalities = pd.read_parquet(folder / MUNICIPALITIES)
        municipalities = municipalities.astype(
            {c: t for c, t in MUNICIPALITY_COLUMNS.items() if c in municipalities}
        )
        boundaries = gpd.read_parquet(folder / BOUNDARIES)
        values = pd.read_parquet(folder / VALUES)
        values = values.astype(
            {**VALUE_COLUMNS, **({SOURCE_COLUMN: "string"} if SOURCE_COLUMN in values else {})}
        )
        catalogue = with_optional_columns(pd.read_parquet(folder / CATALOGUE))
        harmonised = (
            pd.read_parquet(folder / HARMONISED) if (folder / HARMONISED).exists() else None
        )
        tiles = gpd.read_parquet(folder / TILES) if (folder / TILES).exists() else None
    except FileNotFoundError as exc:
        name = Path(exc.filename or "?").name
        raise SnapshotError(
            f"{folder}: {name} is missing; rebuild the snapshot.",
            "store.read.table_missing",
            file=name,
        ) from exc
    except (OSError, ValueError, KeyError, pa.ArrowException) as exc:
        raise SnapshotError(
            f"{folder}: a table cannot be read ({exc}); the snapshot is damaged, rebuild it.",
            "store.read.damaged",
        ) from exc
    return Snapshot(
        manifest,
        municipalities,
        boundaries,
        values,
        catalogue,
        path=folder,
        harmonised=harmonised,
        tiles=tiles,
    )
