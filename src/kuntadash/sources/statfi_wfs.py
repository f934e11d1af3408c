"""Statistics Finland WFS: municipal boundaries of a division year (GeoJSON, EPSG:4326).

NOTE: layer ``tilastointialueet:kunta4500k_{year}`` (1:4 500 000, light enough for web maps);
feature property ``kunta`` holds the 3-digit code (API_NOTES §2).
"""

from __future__ import annotations

import json
from typing import Any

import geopandas as gpd

from kuntadash.crs import WGS84
from kuntadash.sources.errors import SourceFormatError

SOURCE = "Statistics Finland WFS"
LICENCE = "CC BY 4.0"
URL = "https://geo.stat.fi/geoserver/tilastointialueet/wfs"


def boundary_params(year: int, scale: str = "4500k") -> dict[str, str]:
    return {
        "service": "WFS",
        "version": "2.0.0",
        "request": "GetFeature",
        "typeName": f"tilastointialueet:kunta{scale}_{year}",
        "outputFormat": "json",
        "srsName": f"EPSG:{WGS84}",
    }


def parse_boundaries(doc: Any, year: int) -> gpd.GeoDataFrame:
    """municipality_code + geometry (EPSG:4326) from a WFS GetFeature GeoJSON response."""
    if (
        not isinstance(doc, dict)
        or doc.get("type") != "FeatureCollection"
        or not isinstance(doc.get("features"), list)
    ):
        raise SourceFormatError(
            SOURCE,
            "data.error.source_schema",
            table=f"kunta4500k_{year}",
            detail="not a GeoJSON FeatureCollection",
        )
    features = doc["features"]
    if not features or "kunta" not in (features[0].get("properties") or {}):
        raise SourceFormatError(
            SOURCE,
            "data.error.source_schema",
            table=f"kunta4500k_{year}",
            detail="no features with a 'kunta' property",
        )
    try:
        frame = gpd.read_file(json.dumps(doc))
    except Exception as exc:
        raise SourceFormatError(
            SOURCE, "data.error.source_schema", table=f"kunta4500k_{year}", detail=str(exc)[:200]
        ) from exc
    if frame.crs is None:
        frame = frame.set_crs(WGS84)
    frame["municipality_code"] = frame["kunta"].astype(str).str.zfill(3)
    return frame[["municipality_code", "geometry"]].to_crs(WGS84)


def fetch_boundaries(fetcher: Any, year: int) -> dict[str, Any]:
    return fetcher.get_json(SOURCE, URL, params=boundary_params(year), licence=LICENCE)
