"""Dimension scores against the comparison group's median (charts layer).

Bars are coloured by position relative to the group median: purple when the score is above it,
orange when below, grey when level (the score is already direction-adjusted, so higher is
always better). The group median is a black diamond with the quartiles as whiskers.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from kuntadash.charts.palette import HIGHLIGHT, LEVEL, LINE
from kuntadash.charts.theme import (
    BETTER,
    MISSING_COLOUR,
    TEMPLATE_NAME,
    WORSE,
    number_separators,
)
from kuntadash.domain.catalogue import format_value

LEVEL_COLOUR = LEVEL


def score_colour(score: float, median: float) -> str:
    """Purple above the group median, orange below, grey when level or unknown."""
    if pd.isna(score) or pd.isna(median):
        return MISSING_COLOUR if pd.isna(score) else LEVEL_COLOUR
    if round(score) > round(median):
        return BETTER
    if round(score) < round(median):
        return WORSE
    return LEVEL_COLOUR


def build_dimension_scores_figure(
    data: pd.DataFrame,
    *,
    lang: str,
    score_label: str,
    median_label: str,
    axis_title: str,
    missing_text: str,
    height: int = 320,
) -> go.Figure:
    """Horizontal bars: ``data`` has columns label, score, group_median, group_q1, group_q3
    (scores 0–100, NaN when there is no score), one row per dimension in display order."""
    scores = data["score"].astype("float64")
    figure = go.Figure()
    figure.add_trace(
        go.Bar(
            x=scores.fillna(0.0),
            y=data["label"],
            orientation="h",
            name=score_label,
            marker={
                "color": [
                    score_colour(s, m) for s, m in zip(scores, data["group_median"], strict=True)
                ],
                "line": {"color": LINE, "width": 0.5},
            },
            text=[missing_text if pd.isna(s) else format_value(s, 0, lang) for s in scores],
            textposition="outside",
            cliponaxis=False,
            hovertemplate="%{y}: %{text}<extra>" + score_label + "</extra>",
        )
    )
    medians = data["group_median"].astype("float64")
    figure.add_trace(
        go.Scatter(
            x=medians,
            y=data["label"],
            mode="markers",
            name=median_label,
            marker={"symbol": "diamond", "size": 13, "color": HIGHLIGHT},
            error_x={
                "type": "data",
                "symmetric": False,
                "array": (data["group_q3"] - medians).clip(lower=0).tolist(),
                "arrayminus": (medians - data["group_q1"]).clip(lower=0).tolist(),
                "color": HIGHLIGHT,
                "thickness": 1.5,
                "width": 6,
            },
            hovertemplate="%{y}: %{x:.0f}<extra>" + median_label + "</extra>",
        )
    )
    figure.update_layout(
        template=TEMPLATE_NAME,
        separators=number_separators(lang),
        height=max(height, 90 + 55 * len(data)),
        xaxis={"range": [0, 108], "title": axis_title, "tickvals": [0, 25, 50, 75, 100]},
        yaxis={"autorange": "reversed"},
        barmode="overlay",
        showlegend=True,
        margin={"t": 60},
    )
    return figure
