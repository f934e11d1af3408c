"""Equal-area tile layout: domain layer, pure geometry.

Each municipality becomes a same-size square near its location, so a small municipality in the
south weighs as much on the map as a vast one in Lapland. Squares sit on a regular grid in the
Finnish national projection (EPSG:3067, metres); municipalities are assigned to grid cells by an
optimal assignment that minimises the total squared displacement, so the layout is deterministic
and keeps the shape of Finland.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely import box

from kuntadash.crs import NATIONAL_GRID, WGS84

DEFAULT_CELL_M = 30_000.0
COORDINATE_GRID = 1e-6
_TILE_FILL = 0.9  # share of the cell a tile covers: the gap keeps neighbours apart on the map
_REACH = 4  # cells around each point that are candidates for it


def compute_tile_layout(
    codes: pd.Series, points: gpd.GeoSeries, cell_m: float = DEFAULT_CELL_M
) -> gpd.GeoDataFrame:
    """Square tiles (EPSG:4326) for ``codes`` placed as near as possible to ``points``.

    ``points`` may be in any CRS; codes and points align by position.
    """
    if len(codes) != len(points):
        raise ValueError("codes and points must have the same length")
    if len(codes) == 0:
        return gpd.GeoDataFrame({"municipality_code": []}, geometry=[], crs=WGS84)
    # NOTE: scipy is imported here, not at module level: it costs ~65 MiB and only snapshot
    # builds need it, not every app process that imports this module.
    from scipy.optimize import linear_sum_assignment

    xy = np.column_stack(
        [points.to_crs(NATIONAL_GRID).x.to_numpy(), points.to_crs(NATIONAL_GRID).y.to_numpy()]
    )
    cells = _candidate_cells(xy, cell_m)
    cost = ((xy[:, None, :] - cells[None, :, :]) ** 2).sum(axis=2)
    rows, cols = linear_sum_assignment(cost)
    centres = np.empty_like(xy)
    centres[rows] = cells[cols]
    half = cell_m * _TILE_FILL / 2
    squares = [box(x - half, y - half, x + half, y + half) for x, y in centres]
    tiles = gpd.GeoDataFrame(
        {"municipality_code": codes.to_numpy()}, geometry=squares, crs=NATIONAL_GRID
    )
    # Snap to 1e-6 degrees (~0.1 m): keeps the layout identical whichever PROJ build did the
    # transformation, so the sample snapshot rebuilds byte for byte.
    tiles = tiles.to_crs(WGS84)
    tiles["geometry"] = shapely.set_precision(tiles.geometry.array, COORDINATE_GRID)
    return tiles


def _candidate_cells(xy: np.ndarray, cell_m: float) -> np.ndarray:
    """Grid cell centres within reach of at least one point (enough for every point)."""
    origin = np.floor(xy.min(axis=0) / cell_m) * cell_m - _REACH * cell_m
    extent = np.ceil((xy.max(axis=0) - origin) / cell_m).astype(int) + _REACH + 1
    gx, gy = np.meshgrid(np.arange(extent[0]), np.arange(extent[1]))
    grid = origin + (np.column_stack([gx.ravel(), gy.ravel()]) + 0.5) * cell_m
    from scipy.spatial import cKDTree

    nearest, _ = cKDTree(xy).query(grid)
    return grid[nearest <= _REACH * cell_m]
