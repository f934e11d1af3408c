"""National Land Survey of Finland (Maanmittauslaitos): municipal land areas (sources layer).

The municipal division GeoJSON of the NLS "Hallinnolliset aluejaot" product carries, per
municipality, ``NATCODE`` (the municipality code) and ``LANDAREA`` (land area in km², inland and
sea water excluded), the area Statistics Finland divides by for population density. Parsing only:
the file is read by the caller.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from kuntadash.sources.errors import SourceFormatError

SOURCE = "National Land Survey of Finland"
LICENCE = "CC BY 4.0"


def land_areas_from_geojson(doc: Any, table: str = "kuntarajat") -> pd.Series:
    """Land area in km² by municipality code from an NLS municipal division GeoJSON document."""
    features = doc.get("features") if isinstance(doc, dict) else None
    if not isinstance(features, list) or not features:
        raise SourceFormatError(
            SOURCE, "data.error.source_schema", table=table, detail="no features"
        )
    areas = {}
    for feature in features:
        properties = (feature or {}).get("properties") or {}
        code, area = str(properties.get("NATCODE", "")), properties.get("LANDAREA")
        if not (len(code) == 3 and code.isdigit()) or not isinstance(area, int | float):
            raise SourceFormatError(
                SOURCE,
                "data.error.source_schema",
                table=table,
                detail="features need NATCODE (3 digits) and a numeric LANDAREA",
            )
        areas[code] = float(area)
    return pd.Series(areas, name="land_area_km2", dtype="float64").rename_axis("municipality_code")
