"""Benchmark baseline (not part of the app): the same overview map drawn the straightforward way.

Every rerun re-reads the full-resolution boundary file and the values table from disk,
re-projects the boundaries (to ETRS-TM35FIN for area, then back to WGS84 for the map), and hands
the whole GeoDataFrame, every property included, to ``px.choropleth_map``. No caching, no
simplification, no shared GeoJSON. ``bench/run.py`` serves it beside the real app so the ratios
show what our choices (cached snapshot, geometry simplified once at import, one shared GeoJSON
without properties) buy.

Boundaries: ``$KUNTADASH_BASELINE_BOUNDARIES`` (``bench/run.py`` points it at the Statistics
Finland WFS file in ../shared/opendata when present, else at densified sample tiles it writes to
a temporary folder). Values: ``$KUNTADASH_DATA_DIR/values.parquet``.
"""

from __future__ import annotations

import os
from pathlib import Path

import geopandas as gpd
import pandas as pd
import plotly.express as px
import streamlit as st

st.set_page_config(page_title="baseline", layout="wide")
data_dir = Path(os.environ.get("KUNTADASH_DATA_DIR", "data"))
boundary_file = Path(os.environ["KUNTADASH_BASELINE_BOUNDARIES"])

values = pd.read_parquet(data_dir / "values.parquet")
catalogue = pd.read_parquet(data_dir / "catalogue.parquet")
indicators = catalogue[catalogue["dimension"] == "economic"]
names = dict(zip(indicators["id"], indicators["name_fi"], strict=True))

st.title("Kunnat kartalla (baseline)")
indicator = st.selectbox(
    "Indikaattori", list(names), format_func=names.__getitem__, key="w_indicator"
)
year = int(values.loc[values["indicator_id"] == indicator, "year"].max())

boundaries = gpd.read_file(boundary_file)
code_column = next(c for c in ("municipality_code", "kunta", "code") if c in boundaries.columns)
boundaries["municipality_code"] = boundaries[code_column].astype(str).str.zfill(3)
metric = boundaries.to_crs(3067)
boundaries["area_km2"] = metric.area / 1e6
boundaries = metric.to_crs(4326)
shown = values[(values["indicator_id"] == indicator) & (values["year"] == year)]
frame = boundaries.merge(shown, on="municipality_code", how="left").set_index("municipality_code")

st.subheader(f"{names[indicator]}, {year}")
figure = px.choropleth_map(
    frame,
    geojson=frame.geometry,
    locations=frame.index,
    color="value",
    map_style="white-bg",
    center={"lat": 65.55, "lon": 25.6},
    zoom=4.15,
    height=720,
)
figure.update_layout(margin={"l": 0, "r": 0, "t": 0, "b": 0})
st.plotly_chart(figure, width="stretch")
st.dataframe(frame.drop(columns="geometry").reset_index(), hide_index=True)
