"""Choropleth map of one indicator over the municipalities (charts layer).

Renders with ``map_style="white-bg"``: no tiles, no style file, no CDN, so it draws offline.
Municipalities without a value are drawn grey, those outside the chosen filter faded, and the
selected municipality outlined. Hover shows name, value with unit and rank.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from kuntadash.charts.theme import (
    HIGHLIGHT,
    MISSING_COLOUR,
    MUTED_COLOUR,
    TEMPLATE_NAME,
    direction_colorscale,
    number_separators,
    plain_text,
)

# Mercator midpoint of Finland's extent (59.8–70.1 °N, 19.5–31.6 °E).
FINLAND_CENTRE = {"lat": 65.55, "lon": 25.6}
MAP_HEIGHT = 720


def build_map_figure(
    geojson: dict[str, Any],
    data: pd.DataFrame,
    *,
    direction: str,
    unit: str,
    lang: str,
    selected: str | None = None,
    height: int = MAP_HEIGHT,
    colorbar_title: str = "",
) -> go.Figure:
    """Map of ``data`` (columns municipality_code, name, value, value_text, rank_text, in_focus).

    ``in_focus`` False fades a municipality (outside the chosen type or region).
    """
    data = data.assign(
        **{column: data[column].map(plain_text) for column in ("name", "value_text", "rank_text")}
    )
    has_value = data["value"].notna() & data["in_focus"]
    coloured = data[has_value]
    figure = go.Figure()
    for rows, colour, name in (
        (data[~data["in_focus"]], MUTED_COLOUR, "muted"),
        (data[data["in_focus"] & data["value"].isna()], MISSING_COLOUR, "missing"),
    ):
        if len(rows):
            figure.add_trace(_flat_trace(geojson, rows, colour, name))
    if len(coloured):
        low, high = np.nanpercentile(coloured["value"], [2, 98])
        if low == high:
            low, high = low - 1, high + 1
        figure.add_trace(
            go.Choroplethmap(
                geojson=_features_of(geojson, coloured["municipality_code"]),
                locations=coloured["municipality_code"],
                z=coloured["value"],
                zmin=float(low),
                zmax=float(high),
                colorscale=direction_colorscale(direction),
                marker={"line": {"width": 0.4, "color": "white"}},
                customdata=coloured[["name", "value_text", "rank_text"]].to_numpy(),
                hovertemplate="<b>%{customdata[0]}</b><br>%{customdata[1]}<br>%{customdata[2]}"
                "<extra></extra>",
                colorbar={
                    "title": {"text": plain_text(colorbar_title or unit), "side": "right"},
                    "thickness": 14,
                    "len": 0.7,
                    "x": 0.98,
                    "xanchor": "right",
                    "bgcolor": "rgba(255,255,255,0.85)",
                },
                name="values",
            )
        )
    if selected is not None and selected in set(data["municipality_code"]):
        figure.add_trace(_outline_trace(geojson, data[data["municipality_code"] == selected]))
    figure.update_layout(
        template=TEMPLATE_NAME,
        separators=number_separators(lang),
        map={"style": "white-bg", "center": FINLAND_CENTRE, "zoom": _zoom_for(height)},
        height=height,
        margin={"l": 0, "r": 0, "t": 0, "b": 0},
        showlegend=False,
        dragmode="pan",
    )
    return figure


def _features_of(geojson: dict[str, Any], codes: pd.Series) -> dict[str, Any]:
    """Only the features a trace draws: plotly serialises each trace's GeoJSON separately, so
    handing every trace the whole collection sent the boundaries two to four times per rerun."""
    wanted = set(codes)
    return {
        "type": "FeatureCollection",
        "features": [f for f in geojson["features"] if f.get("id") in wanted],
    }


def _zoom_for(height: int) -> float:
    # Finland spans 0.454 Mercator radians north–south, 7.2 % of the 512·2^z px world: at zoom
    # 4.15 that is 650 px, which fits a 720 px map with a margin.
    return 4.15 + float(np.log2(height / MAP_HEIGHT))


def _flat_trace(
    geojson: dict[str, Any], rows: pd.DataFrame, colour: str, name: str
) -> go.Choroplethmap:
    return go.Choroplethmap(
        geojson=_features_of(geojson, rows["municipality_code"]),
        locations=rows["municipality_code"],
        z=np.zeros(len(rows)),
        colorscale=[[0, colour], [1, colour]],
        showscale=False,
        marker={"line": {"width": 0.4, "color": "white"}},
        customdata=rows[["name", "value_text", "rank_text"]].to_numpy(),
        hovertemplate="<b>%{customdata[0]}</b><br>%{customdata[1]}<extra></extra>",
        name=name,
    )


def _outline_trace(geojson: dict[str, Any], rows: pd.DataFrame) -> go.Choroplethmap:
    return go.Choroplethmap(
        geojson=_features_of(geojson, rows["municipality_code"]),
        locations=rows["municipality_code"],
        z=np.zeros(len(rows)),
        colorscale=[[0, "rgba(0,0,0,0)"], [1, "rgba(0,0,0,0)"]],
        showscale=False,
        marker={"line": {"width": 3, "color": HIGHLIGHT}},
        customdata=rows[["name", "value_text", "rank_text"]].to_numpy(),
        hovertemplate="<b>%{customdata[0]}</b><br>%{customdata[1]}<br>%{customdata[2]}"
        "<extra></extra>",
        name="selected",
    )
