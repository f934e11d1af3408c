"""Municipal boundaries from local files: GeoJSON (WFS responses too), TopoJSON, GeoPackage,
GeoParquet. Any CRS in, EPSG:4326 out; invalid geometries repaired; earlier divisions detected by
their code set and dissolved into the target division, or refused naming the codes.
"""

from __future__ import annotations

import io
import json
import math
import warnings
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pyproj
import shapely

from kuntadash.crs import NATIONAL_GRID, WGS84
from kuntadash.domain.harmonise import Division, detect_division, harmonise_boundaries
from kuntadash.errors import Message, message
from kuntadash.importing.context import ImportContext
from kuntadash.importing.errors import DataImportError, examples
from kuntadash.importing.limits import load_json, read_regular_file
from kuntadash.importing.placement import boundary_problems

# Visvalingam-Whyatt style tolerance (metres) for coverage_simplify: keeps 308 municipalities at a
# few hundred KB of GeoJSON while shared borders stay shared.
SIMPLIFY_TOLERANCE_M = 400.0
COORDINATE_GRID = 1e-5  # degrees (about 1 m): drops noise digits from the GeoJSON
# Property names that hold the 3-digit municipality code in the files we know, best first.
_CODE_COLUMNS = (
    "municipality_code",
    "kunta",
    "kuntanumero",
    "kuntakoodi",
    "natcode",
    "kunta_code",
    "kommunnummer",
    "code",
    "koodi",
    "id",
)
_TOPOJSON_LAYERS = ("munis", "kunnat", "municipalities", "kunta")


@dataclass(frozen=True)
class BoundaryImport:
    boundaries: gpd.GeoDataFrame  # municipality_code, geometry (EPSG:4326, simplified)
    division: Division  # the municipal division of the file's codes
    notes: list[Message]


def sniff_boundary_kind(data: bytes, suffix: str) -> str | None:
    """'geojson', 'topojson', 'gpkg' or 'geoparquet' when the bytes look like one, else None."""
    if data[:16].startswith(b"SQLite format 3"):
        return "gpkg"
    if suffix == ".gpkg":
        return "gpkg"
    if suffix == ".parquet":
        return "geoparquet" if _is_geoparquet(data) else None
    head = data[:4096].lstrip(b"\xef\xbb\xbf \r\n\t")
    if head.startswith(b"{"):
        text = head.decode("utf-8", errors="ignore")
        if '"Topology"' in text:
            return "topojson"
        if '"FeatureCollection"' in text or '"Feature"' in text or '"features"' in text:
            return "geojson"
    return None


def _is_geoparquet(data: bytes) -> bool:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        metadata = pq.read_schema(pa.BufferReader(data)).metadata or {}
    except (pa.ArrowException, OSError, ValueError):
        return False  # not Parquet at all: the table reader names the problem
    return b"geo" in metadata


def read_boundary_file(
    path: Path,
    kind: str,
    context: ImportContext,
    *,
    data: bytes | None = None,
    name: str | None = None,
) -> BoundaryImport:
    """Boundaries from ``data`` (the bytes already read and checked by the importer; else the
    file at ``path``), in EPSG:4326, harmonised to the context's division."""
    name = name or path.name
    data = read_regular_file(path, name=name) if data is None else data
    frame, declared = _read_frame(data, kind, name)
    notes: list[Message] = []
    frame = _with_crs(frame, declared, name, notes)
    code_column = _code_column(frame, name)
    frame = frame.rename(columns={code_column: "municipality_code"})[
        ["municipality_code", "geometry"]
    ]
    frame["municipality_code"] = frame["municipality_code"].map(_as_code)
    frame = _repair(frame, name, notes)
    if frame.crs.to_epsg() != WGS84:
        notes.append(
            message("data.note.crs_transformed", file=name, crs=str(frame.crs.to_string()))
        )
    frame = frame.to_crs(WGS84)
    if not _in_finland(frame):  # e.g. declared in one CRS or unit, written in another
        bounds = frame.total_bounds
        raise DataImportError(
            message(
                "data.error.boundaries_outside_finland",
                file=name,
                bounds=", ".join(f"{b:.4g}" for b in bounds),
            )
        )
    frame = frame.dissolve(by="municipality_code", as_index=False)[
        ["municipality_code", "geometry"]
    ]
    codes = set(frame["municipality_code"])
    match = detect_division(
        codes,
        context.codes,
        context.changes,
        context.division_year,
        context.first_division_year,
    )
    if not match.recognised:
        raise DataImportError(
            boundary_problems(match, context, name)
            or message("data.error.boundary_unknown_division", file=name)
        )
    division = match.closest
    if not match.current:
        mapping = context.mapping
        absorbed = sorted(c for c in codes if c in mapping)
        frame = harmonise_boundaries(frame, mapping)
        notes.append(
            message(
                "data.note.boundary_harmonised",
                file=name,
                division=division.span,
                count=len(codes),
                target=context.division_year,
                merges=", ".join(f"{c} → {mapping[c]}" for c in absorbed),
            )
        )
    return BoundaryImport(simplify_boundaries(frame), division, notes)


def _read_frame(data: bytes, kind: str, name: str) -> tuple[gpd.GeoDataFrame, _Declared]:
    """The file's features, and the CRS the file itself declares (see ``_declared_crs``).

    Read from memory, so what is parsed is exactly what was checked (a file swapped on disk
    meanwhile is never read)."""
    doc = None
    if kind in ("geojson", "topojson"):
        doc = load_json(data, name)  # within the JSON limits, and a clear message when broken
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if kind == "geoparquet":
                frame = gpd.read_parquet(io.BytesIO(data))
            else:
                layer = _topojson_layer(data) if kind == "topojson" else None
                source = io.BytesIO(data)
                frame = gpd.read_file(source, layer=layer) if layer else gpd.read_file(source)
    except (ValueError, UnicodeDecodeError) as exc:
        raise DataImportError(
            message("data.error.corrupt_file", file=name, kind=kind, reason=str(exc)[:200])
        ) from exc
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, OSError) as exc:
        raise DataImportError(
            message("data.error.corrupt_file", file=name, kind=kind, reason=str(exc)[:200])
        ) from exc
    except Exception as exc:
        raise DataImportError(
            message(
                "data.error.corrupt_file",
                file=name,
                kind=kind,
                reason=f"{type(exc).__name__}: {str(exc)[:200]}",
            )
        ) from exc
    if not isinstance(frame, gpd.GeoDataFrame) or frame.empty:
        raise DataImportError(message("data.error.no_features", file=name))
    return frame, _declared_crs(doc, kind, data, frame)


def _topojson_layer(data: bytes) -> str | None:
    layers = [str(row[0]) for row in pyogrio.list_layers(io.BytesIO(data))]
    for wanted in _TOPOJSON_LAYERS:
        if wanted in layers:
            return wanted
    return layers[0] if layers else None


@dataclass(frozen=True)
class _Declared:
    """What a file says about its CRS: nothing, one we know, or one we cannot resolve."""

    crs: pyproj.CRS | None = None
    unknown: str | None = None  # the declaration as written, when it resolves to nothing


def _declared_crs(doc: object, kind: str, data: bytes, frame: gpd.GeoDataFrame) -> _Declared:
    """The CRS the file declares, read from the file itself where GDAL would hide the answer.

    NOTE: GDAL's GeoJSON driver reports EPSG:4326 both for a file without a "crs" member (the
    RFC 7946 default) and for one whose "crs" member names a CRS it does not know, so for
    GeoJSON the member is read here. GDAL gives no CRS both for a GeoPackage layer without one
    and for one whose spatial reference system it cannot parse; the file's own tables tell
    the two apart.
    """
    if kind == "geojson":
        member = doc.get("crs") if isinstance(doc, dict) else None
        if member is None:
            return _Declared()
        text = _crs_member_text(member)
        try:
            return _Declared(crs=pyproj.CRS.from_user_input(text))
        except (pyproj.exceptions.CRSError, TypeError, ValueError):
            return _Declared(unknown=str(text)[:80])
    if frame.crs is not None:
        return _Declared(crs=frame.crs)
    if kind == "gpkg":
        declared = _gpkg_declared_systems(data)
        if declared:
            return _Declared(unknown=", ".join(declared)[:80])
    return _Declared()


def _crs_member_text(member: object) -> str:
    """The CRS named by a GeoJSON 2008 "crs" member ({"type": "name", "properties": {"name":
    "urn:ogc:def:crs:EPSG::3067"}}, or the older {"type": "EPSG", "properties": {"code": 3067}})."""
    if isinstance(member, dict):
        properties = member.get("properties")
        if isinstance(properties, dict):
            if properties.get("name") is not None:
                return str(properties["name"])
            if properties.get("code") is not None:
                return f"EPSG:{properties['code']}"
    return json.dumps(member)[:80]


def _gpkg_declared_systems(data: bytes) -> list[str]:
    """The spatial reference systems a GeoPackage's layers declare, leaving out the ones that
    mean "undefined": srs_id 0 and -1 of the GeoPackage standard, a definition "undefined",
    and the "Undefined SRS" entry GDAL writes for a layer without a CRS."""
    import sqlite3

    connection = sqlite3.connect(":memory:")
    try:
        connection.deserialize(data)
        rows = connection.execute(
            "SELECT g.srs_id, s.srs_name, s.definition FROM gpkg_geometry_columns g "
            "LEFT JOIN gpkg_spatial_ref_sys s ON s.srs_id = g.srs_id"
        ).fetchall()
    except sqlite3.DatabaseError:
        return []
    finally:
        connection.close()
    declared = []
    for srs_id, srs_name, definition in rows:
        text = str(definition or "").strip()
        if srs_id in (0, -1) or text.lower() == "undefined" or '"Undefined SRS"' in text:
            continue
        declared.append(f"srs_id {srs_id} ({srs_name})" if srs_name else f"srs_id {srs_id}")
    return declared


def _with_crs(
    frame: gpd.GeoDataFrame, declared: _Declared, name: str, notes: list[Message]
) -> gpd.GeoDataFrame:
    """``frame`` with the CRS its file declares; when it declares none, one inferred from the
    coordinates only when they lie in Finland in exactly one of EPSG:4326 (degrees) or
    EPSG:3067 (ETRS-TM35FIN metres), said in a note. A declared CRS that cannot be resolved is
    refused, never replaced by a guess."""
    if declared.unknown is not None:
        raise DataImportError(
            message("data.error.unknown_declared_crs", file=name, crs=declared.unknown)
        )
    if declared.crs is not None:
        return frame.set_crs(declared.crs, allow_override=True)
    if _in_finland(frame):
        notes.append(message("data.note.crs_inferred", file=name, crs=f"EPSG:{WGS84}"))
        return frame.set_crs(WGS84, allow_override=True)
    if _in_finland_tm35(frame):
        notes.append(message("data.note.crs_inferred", file=name, crs=f"EPSG:{NATIONAL_GRID}"))
        return frame.set_crs(NATIONAL_GRID, allow_override=True)
    raise DataImportError(message("data.error.unknown_crs", file=name))


def _in_finland_tm35(frame: gpd.GeoDataFrame) -> bool:
    """Whether the coordinates lie in the box of EPSG:3067's area of use (Finland, in metres).

    The neighbouring Finnish systems fall outside it (YKJ, EPSG:2393: eastings from 3 000 km;
    the ETRS-GK zones with their zone prefix: from 19 000 km), except the GK zones written
    without it (EPSG:3126-3138), which have to declare their CRS."""
    bounds = frame.total_bounds
    if not all(math.isfinite(b) for b in bounds):
        return False
    minx, miny, maxx, maxy = bounds
    return minx >= 0 and maxx <= 1_000_000 and miny >= 6_500_000 and maxy <= 7_900_000


def _in_finland(frame: gpd.GeoDataFrame) -> bool:
    """Whether EPSG:4326 coordinates lie in a generous box around Finland (Åland included)."""
    if not _lon_lat(frame):
        return False
    minx, miny, maxx, maxy = frame.total_bounds
    return minx >= 15 and maxx <= 35 and miny >= 55 and maxy <= 75


def _lon_lat(frame: gpd.GeoDataFrame) -> bool:
    """Whether the coordinates are finite and within longitude / latitude ranges."""
    bounds = frame.total_bounds
    if not all(math.isfinite(b) for b in bounds):
        return False
    minx, miny, maxx, maxy = bounds
    return minx >= -180 and maxx <= 180 and miny >= -90 and maxy <= 90


def _as_code(raw: object) -> str:
    if raw is None or (isinstance(raw, float) and pd.isna(raw)):
        return ""
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    text = str(raw).strip()
    if text.upper().startswith("KU"):
        text = text[2:]
    return text.zfill(3) if text.isdigit() and len(text) <= 3 else text


def _code_column(frame: gpd.GeoDataFrame, name: str) -> str:
    lowered = {str(c).lower(): c for c in frame.columns if c != frame.geometry.name}
    ordered = [lowered[c] for c in _CODE_COLUMNS if c in lowered]
    ordered += [c for c in lowered.values() if c not in ordered]
    for column in ordered:
        codes = frame[column].map(_as_code)
        if codes.str.fullmatch(r"\d{3}").all():
            return column
    raise DataImportError(
        message(
            "data.error.boundary_no_code_column", file=name, columns=examples(lowered.values(), 10)
        )
    )


def _repair(frame: gpd.GeoDataFrame, name: str, notes: list[Message]) -> gpd.GeoDataFrame:
    # Drop missing geometries only; empty ones stay and are refused later with their code.
    frame = frame[~shapely.is_missing(np.asarray(frame.geometry.values))].copy()
    invalid = ~frame.geometry.is_valid
    if invalid.any():
        frame.loc[invalid, "geometry"] = shapely.make_valid(frame.loc[invalid, "geometry"].values)
        # make_valid can return collections with lines or points: keep the polygonal parts.
        frame["geometry"] = frame.geometry.map(_polygonal)
        notes.append(
            message(
                "data.note.geometry_repaired",
                file=name,
                codes=examples(sorted(frame.loc[invalid, "municipality_code"])),
                count=int(invalid.sum()),
            )
        )
    empty = frame.geometry.is_empty | frame.geometry.isna()
    if empty.any():
        raise DataImportError(
            message(
                "data.error.geometry_invalid",
                file=name,
                codes=examples(sorted(frame.loc[empty, "municipality_code"])),
            )
        )
    bad_type = ~frame.geometry.geom_type.isin(["Polygon", "MultiPolygon"])
    if bad_type.any():
        raise DataImportError(
            message(
                "data.error.geometry_not_polygon",
                file=name,
                codes=examples(sorted(frame.loc[bad_type, "municipality_code"])),
            )
        )
    return frame


def _polygonal(geometry: shapely.Geometry) -> shapely.Geometry:
    if geometry is None or geometry.geom_type in ("Polygon", "MultiPolygon"):
        return geometry
    parts = [
        g for g in getattr(geometry, "geoms", []) if g.geom_type in ("Polygon", "MultiPolygon")
    ]
    if not parts:
        return shapely.Polygon()
    return shapely.make_valid(shapely.union_all(parts))


def simplify_boundaries(
    frame: gpd.GeoDataFrame, tolerance_m: float = SIMPLIFY_TOLERANCE_M
) -> gpd.GeoDataFrame:
    """Simplify once for the web, as a coverage so neighbours keep one shared border."""
    projected = frame.to_crs(NATIONAL_GRID)
    geometries = projected.geometry.values
    try:
        simplified = shapely.coverage_simplify(geometries, tolerance_m)
    except shapely.errors.GEOSException:
        simplified = shapely.simplify(geometries, tolerance_m / 4, preserve_topology=True)
    out = gpd.GeoDataFrame(
        {"municipality_code": frame["municipality_code"].to_numpy()},
        geometry=simplified,
        crs=NATIONAL_GRID,
    ).to_crs(WGS84)
    out["geometry"] = shapely.set_precision(out.geometry.values, COORDINATE_GRID)
    broken = ~out.geometry.is_valid | out.geometry.is_empty
    if broken.any():
        fallback = frame.set_index("municipality_code").geometry
        out.loc[broken, "geometry"] = [fallback[c] for c in out.loc[broken, "municipality_code"]]
    return out
