"""The overview map as data for the browser (views layer, no streamlit).

Two parts with different lifetimes:

- :func:`map_geometry`: what never changes within a snapshot version — every municipality's
  outline, projected once to ETRS-TM35FIN (EPSG:3067, the national grid, so Finland has its
  familiar shape) and written as compact SVG path data, with the names in every language.
  The UI writes it to a file whose name is its content hash; the browser fetches it once and
  caches it.
- :func:`map_view`: what a rerun sends — one colour, one value text and one rank text per
  municipality (in the geometry's order), the selected municipality, the legend and the labels.
  A few kilobytes; the map in the browser updates in place.

Colours come from the one palette (``charts.palette``): purple better, orange worse, cividis
for context indicators, grey for no data, a pale grey for municipalities outside the chosen
type or region.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import shapely

from kuntadash.charts.palette import (
    HIGHLIGHT,
    MISSING_COLOUR,
    MUTED_COLOUR,
    colour_range,
    colour_stops,
    scale_colours,
)
from kuntadash.crs import NATIONAL_GRID
from kuntadash.domain.small_numbers import SMALL_POPULATION

GEOMETRY_FORMAT = 1
# One unit of the path data is 100 m: the boundaries are simplified at 400 m when a snapshot is
# built, so finer numbers would only add bytes.
UNIT_M = 100.0


@dataclass(frozen=True)
class MapGeometry:
    """The static part of the map: ``payload`` is what the browser fetches (JSON), ``codes``
    the municipalities in the order of its paths, ``digest`` a hash of the payload."""

    payload: bytes
    codes: tuple[str, ...]
    digest: str


def map_geometry(boundaries: Any, names: Mapping[str, pd.Series]) -> MapGeometry:
    """Outlines of ``boundaries`` (a GeoDataFrame with ``municipality_code``, EPSG:4326) as SVG
    path data in 100 m units of EPSG:3067, north up; ``names`` maps a language to the
    municipality names by code (the hover's first line)."""
    frame = boundaries.sort_values("municipality_code").to_crs(NATIONAL_GRID)
    codes = tuple(frame["municipality_code"].astype(str))
    xmin, ymin, xmax, ymax = (float(v) for v in frame.total_bounds)
    left, top = np.floor(xmin / UNIT_M), np.ceil(ymax / UNIT_M)
    width = int(np.ceil(xmax / UNIT_M) - left)
    height = int(top - np.floor(ymin / UNIT_M))
    paths = [_svg_path(geometry, left, top) for geometry in frame.geometry]
    document = {
        "format": GEOMETRY_FORMAT,
        "viewBox": [0, 0, width, height],
        "codes": list(codes),
        "names": {
            lang: [str(series.get(code, code)) for code in codes] for lang, series in names.items()
        },
        "paths": paths,
    }
    payload = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()
    return MapGeometry(payload, codes, hashlib.sha256(payload).hexdigest()[:16])


def _svg_path(geometry: Any, left: float, top: float) -> str:
    """One municipality's rings as ``M x y l dx dy … z`` (relative moves: small numbers)."""
    parts: list[str] = []
    for polygon in getattr(geometry, "geoms", [geometry]):
        if polygon.is_empty:
            continue
        for ring in (polygon.exterior, *polygon.interiors):
            xy = np.asarray(shapely.get_coordinates(ring), dtype=float)
            grid = np.column_stack(
                [np.rint(xy[:, 0] / UNIT_M - left), np.rint(top - xy[:, 1] / UNIT_M)]
            ).astype(np.int64)
            steps = np.diff(grid, axis=0)
            steps = steps[(steps != 0).any(axis=1)]
            if len(steps) < 2:  # a ring smaller than the grid: nothing to draw
                continue
            if (steps[-1] == grid[0] - grid[-1]).all():
                steps = steps[:-1]  # the closing step is implied by "z"
            moves = " ".join(f"{dx} {dy}" for dx, dy in steps)
            parts.append(f"M{grid[0, 0]} {grid[0, 1]}l{moves}z")
    return "".join(parts)


def map_view(
    codes: tuple[str, ...],
    table: pd.DataFrame,
    *,
    direction: str,
    selected: str | None,
    geometry: str | dict[str, Any],
    legend: Mapping[str, str],
    labels: Mapping[str, str],
    lang: str,
    file_stem: str,
    format_value: Callable[[float], str],
    small: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """What one rerun sends to the map (JSON-ready).

    ``table``: one row per municipality with ``municipality_code``, ``value``, ``value_text``,
    ``rank_text`` and ``in_focus`` (False fades it: outside the chosen type or region).
    ``geometry``: the URL of :func:`map_geometry`'s file, or the document itself when it cannot
    be served as a file. ``legend``: its ``title`` (the unit), ``missing`` and ``muted`` texts;
    the texts at both ends of the scale are added here, written by ``format_value`` (the
    indicator's decimals and unit in the reader's notation). ``labels``: the map's own words
    (aria label, buttons), in the reader's language. ``small``: the ``mark`` put after a figure
    resting on a small population and the ``hover`` line said of it, for the rows whose
    ``small_population`` column is true: sent once, with the rows' positions, so that the texts
    stay regular and the rerun small.
    """
    rows = table.set_index("municipality_code").reindex(list(codes))
    focus = rows["in_focus"].fillna(False).astype(bool).to_numpy()
    values = rows["value"].astype(float).to_numpy()
    stops = colour_stops(direction)
    span = colour_range(values[focus])
    scaled: list[str | None] = (
        scale_colours(values, stops, *span) if span is not None else [None] * len(codes)
    )
    fills = [
        (colour or MISSING_COLOUR) if in_focus else MUTED_COLOUR
        for colour, in_focus in zip(scaled, focus, strict=True)
    ]
    known = np.isfinite(values)
    texts = _affixed(rows["value_text"].fillna("").astype(str).tolist(), known)
    ranks = _affixed(rows["rank_text"].fillna("").astype(str).tolist(), known)
    shown = span is not None
    legend_data: dict[str, Any] = {
        **legend,
        "stops": [[position, colour] for position, colour in stops] if shown else [],
        "low": _end_text(values[focus], span, 0, format_value),
        "high": _end_text(values[focus], span, 1, format_value),
        "has_missing": bool((focus & np.isnan(values)).any()),
        "has_muted": bool((~focus).any()),
        "missing_colour": MISSING_COLOUR,
        "muted_colour": MUTED_COLOUR,
    }
    return {
        "geometry": geometry,
        "lang": lang,
        "fill": fills,
        "value": texts,
        "rank": ranks,
        "selected": selected if selected in set(codes) else None,
        "outline": HIGHLIGHT,
        "legend": legend_data,
        "labels": dict(labels) | _small_labels(small),
        "small": _small_rows(rows, small),
        "file": file_stem,
    }


def _small_labels(small: Mapping[str, str] | None) -> dict[str, str]:
    return {f"small_{key}": text for key, text in (small or {}).items()}


def _small_rows(rows: pd.DataFrame, small: Mapping[str, str] | None) -> list[int]:
    """The positions of the rows resting on a small population (none without ``small``)."""
    if not small or SMALL_POPULATION not in rows:
        return []
    return np.flatnonzero(rows[SMALL_POPULATION].fillna(False).astype(bool).to_numpy()).tolist()


def _affixed(texts: list[str], regular: np.ndarray) -> dict[str, Any]:
    """``texts`` with what the regular ones share at both ends said once: ``{"prefix": "Sija ",
    "suffix": "/308", "items": ["147", …, ["Ei tietoa"]]}``. An item is the middle of a regular
    text, or a one-element list holding an irregular one whole (no value: "–", "no data").
    Most of a value's or rank's text is its unit or "of 308": this keeps a rerun small."""
    sample = [text for text, keep in zip(texts, regular, strict=True) if keep]
    prefix = _common_start(sample)
    suffix = _common_start([text[::-1] for text in sample])[::-1]
    # The affixes stop short of the numbers: "12,0 %" and "13,0 %" share "0 %", not a unit.
    prefix = prefix.rstrip(_NUMBER_CHARS)
    suffix = suffix.lstrip(_NUMBER_CHARS)
    items: list[Any] = []
    for text, keep in zip(texts, regular, strict=True):
        fits = keep and text.startswith(prefix) and text.endswith(suffix)
        fits = fits and len(text) >= len(prefix) + len(suffix)
        items.append(text[len(prefix) : len(text) - len(suffix)] if fits else [text])
    return {"prefix": prefix, "suffix": suffix, "items": items}


_NUMBER_CHARS = "0123456789,.\u202f\u2212-"


def _common_start(texts: list[str]) -> str:
    """The characters all ``texts`` begin with ("" for none)."""
    if not texts:
        return ""
    first, last = min(texts), max(texts)
    size = 0
    while size < min(len(first), len(last)) and first[size] == last[size]:
        size += 1
    return first[:size]


def _end_text(
    values: np.ndarray, span: tuple[float, float] | None, end: int, fmt: Callable[[float], str]
) -> str:
    """The value at one end of the scale; ≤ / ≥ when some values lie beyond it (the scale spans
    the 2nd to 98th percentile, so a single outlier does not wash out the rest)."""
    if span is None:
        return ""
    bound = span[end]
    known = values[np.isfinite(values)]
    beyond = bool((known < bound).any()) if end == 0 else bool((known > bound).any())
    return ("≥ " if end else "≤ ") + fmt(bound) if beyond else fmt(bound)
