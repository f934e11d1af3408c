"""One plotly template and the colour rules shared by every chart (charts layer).

The colours themselves live in ``charts.palette`` (free of plotly, shared with the overview map,
the PDF and CSS); this module turns them into plotly's template and colour scales.
"""

from __future__ import annotations

import html

import plotly.graph_objects as go
import plotly.io as pio

from kuntadash.charts.palette import (  # noqa: F401  (re-exported for the charts)
    BETTER,
    GRID,
    HIGHLIGHT,
    MISSING_COLOUR,
    MUTED_COLOUR,
    NEUTRAL_SCALE,
    OKABE_ITO,
    PRIMARY,
    PUOR,
    TEXT_COLOUR,
    WORSE,
)

TEMPLATE_NAME = "kuntadash"
FONT_FAMILY = '"Source Sans 3", "Source Sans Pro", "Segoe UI", Roboto, Arial, sans-serif'


def plain_text(text: object) -> str:
    """``text`` safe for plotly, which reads a few HTML-like tags (<b>, <i>, <a href>, <br>) in
    every label, hover text and legend entry: data must show as typed, never as markup."""
    return html.escape(str(text), quote=False)


def direction_colorscale(direction: str) -> list[list[float | str]] | str:
    """Colour scale from low to high values for an indicator of ``direction``."""
    if direction == "neutral":
        return NEUTRAL_SCALE
    stops = PUOR if direction == "higher_better" else tuple(reversed(PUOR))
    last = len(stops) - 1
    return [[i / last, colour] for i, colour in enumerate(stops)]


def number_separators(lang: str) -> str:
    """Plotly ``separators`` (decimal, thousands): decimal comma and thin space in fi / sv."""
    return ", " if lang in ("fi", "sv") else ".,"


def _register() -> None:
    template = go.layout.Template()
    template.layout = go.Layout(
        font={"family": FONT_FAMILY, "size": 15, "color": TEXT_COLOUR},
        colorway=list(OKABE_ITO),
        paper_bgcolor="white",
        plot_bgcolor="white",
        hoverlabel={"font": {"family": FONT_FAMILY, "size": 14}},
        xaxis={"gridcolor": GRID, "zeroline": False, "automargin": True},
        yaxis={"gridcolor": GRID, "zeroline": False, "automargin": True},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0},
        margin={"l": 10, "r": 10, "t": 40, "b": 10},
    )
    pio.templates[TEMPLATE_NAME] = template


_register()
