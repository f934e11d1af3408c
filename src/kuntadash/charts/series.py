"""Line and bar charts of indicator values (charts layer)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go

from kuntadash.charts.palette import BAR, LINE, REFERENCE_COLOURS
from kuntadash.charts.theme import (
    OKABE_ITO,
    PRIMARY,
    TEMPLATE_NAME,
    number_separators,
    plain_text,
)
from kuntadash.domain.catalogue import format_value
from kuntadash.domain.trends import plotted_years

REFERENCE_DASH = "dash"
BREAK_COLOUR = LINE


@dataclass(frozen=True)
class BreakMark:
    """A break in the series drawn on a trend chart: a dotted vertical line between ``year - 1``
    and ``year`` with ``label`` above it (e.g. "Sarjan katko 2023") and ``reason`` on hover."""

    year: int
    label: str
    reason: str = ""


def build_trend_figure(
    data: pd.DataFrame,
    *,
    unit: str,
    lang: str,
    decimals: int,
    reference_series: tuple[str, ...] = (),
    breaks: Sequence[BreakMark] = (),
    height: int = 380,
) -> go.Figure:
    """Lines over time: ``data`` has columns series, year, value.

    Series named in ``reference_series`` (group medians) are drawn grey and dashed; the rest in
    Okabe–Ito colours, in order of first appearance. Missing years break the line; the year
    axis spans the years with a value (:func:`plotted_years`). Each of
    ``breaks`` inside the years shown is marked by a labelled dotted line before its first year.
    """
    figure = go.Figure()
    reference_index = 0
    colour_index = 0
    for name, rows in data.groupby("series", sort=False):
        rows = rows.sort_values("year")
        if name in reference_series:
            colour = REFERENCE_COLOURS[reference_index % len(REFERENCE_COLOURS)]
            reference_index += 1
            line = {"color": colour, "dash": REFERENCE_DASH, "width": 2}
            marker = {"size": 6, "symbol": "circle"}
        else:
            # Past the eight Okabe–Ito colours (up to ten municipalities are compared), a line
            # repeats a colour only with a dotted stroke and diamond markers: no two alike.
            again, position = divmod(colour_index, len(OKABE_ITO))
            colour_index += 1
            line = {"color": OKABE_ITO[position], "width": 3} | ({"dash": "dot"} if again else {})
            marker = {"size": 6, "symbol": "diamond" if again else "circle"}
        figure.add_trace(
            go.Scatter(
                x=rows["year"],
                y=rows["value"],
                mode="lines+markers",
                name=plain_text(name),
                line=line,
                marker=marker,
                connectgaps=False,
                hovertemplate=f"%{{x}}: %{{y:,.{decimals}f}} {plain_text(unit)}"
                f"<extra>{plain_text(name)}</extra>",
            )
        )
    figure.update_layout(
        template=TEMPLATE_NAME,
        separators=number_separators(lang),
        height=height,
        yaxis_title=plain_text(unit),
        xaxis={"dtick": 1, "tickformat": "d"},
        hovermode="closest",
    )
    years = plotted_years(data)
    if years:  # not the empty years before the first value and after the last
        figure.update_xaxes(range=[years[0] - 0.5, years[-1] + 0.5])
    for mark in breaks:
        if not years or not years[0] < mark.year <= years[-1]:
            continue
        figure.add_vline(
            x=mark.year - 0.5,
            line={"color": BREAK_COLOUR, "dash": "dot", "width": 2},
            # At the foot of the line, on a light box: the top belongs to the legend.
            annotation={
                "text": plain_text(mark.label),
                "hovertext": plain_text(mark.reason) if mark.reason else None,
                "font": {"size": 12, "color": BREAK_COLOUR},
                "bgcolor": "rgba(255, 255, 255, 0.85)",
            },
            annotation_position="bottom right",
        )
    return figure


def build_bar_figure(
    data: pd.DataFrame,
    *,
    unit: str,
    lang: str,
    decimals: int,
    references: dict[str, float] | None = None,
    height: int = 380,
) -> go.Figure:
    """Horizontal bars: ``data`` has columns name, value, highlight (bool), in display order,
    and may have ``mark`` (written after the value's label, "†") and ``hover`` (a line added to
    the bar's hover).

    ``references`` draws dashed vertical lines (e.g. the group and the country median). Their
    labels, each with its value, are legend entries above the plot, never annotations at the
    lines: two medians close together would put their labels on top of each other, and the
    legend wraps its entries onto rows of their own at any width.
    """
    colours = [PRIMARY if flag else BAR for flag in data["highlight"]]
    marks = data["mark"] if "mark" in data else pd.Series("", index=data.index)
    hovers = data["hover"] if "hover" in data else pd.Series("", index=data.index)
    figure = go.Figure(
        go.Bar(
            x=data["value"],
            y=data["name"].map(plain_text),
            orientation="h",
            marker={"color": colours},
            text=[
                f"{format_value(v, decimals, lang)} {mark}".strip()
                for v, mark in zip(data["value"], marks, strict=True)
            ],
            textposition="outside",
            cliponaxis=False,
            customdata=[f"<br>{plain_text(h)}" if h else "" for h in hovers],
            hovertemplate=(
                f"%{{y}}: %{{x:,.{decimals}f}} {plain_text(unit)}%{{customdata}}<extra></extra>"
            ),
            showlegend=False,
        )
    )
    drawn = 0
    for label, value in (references or {}).items():
        if pd.isna(value):
            continue
        line = {"color": REFERENCE_COLOURS[drawn % 2], "dash": REFERENCE_DASH, "width": 2}
        # Beneath the bars: a value label the line passes is drawn over it, not struck through.
        figure.add_vline(x=value, line=line, layer="below")
        # A trace without points: only its legend entry shows, in the line's own style.
        figure.add_trace(
            go.Scatter(
                x=[None],
                y=[None],
                mode="lines",
                line=line,
                name=plain_text(f"{label} ({format_value(value, decimals, lang, unit)})"),
                hoverinfo="skip",
                showlegend=True,
            )
        )
        drawn += 1
    figure.update_layout(
        template=TEMPLATE_NAME,
        separators=number_separators(lang),
        height=max(height, 60 + 34 * len(data)),
        xaxis_title=plain_text(unit),
        yaxis={"autorange": "reversed"},
        showlegend=drawn > 0,
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0, "xanchor": "left"},
        # Room on the right for the longest bar's value printed outside it.
        margin={"t": 50, "r": 56},
    )
    return figure
