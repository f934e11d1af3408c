"""One plotly template and the colour rules shared by every chart (charts layer).

Colours are colour-blind safe: Okabe–Ito for categories; for values, a purple–orange diverging
scale (ColorBrewer PuOr) where purple is always "better" and orange "worse" given the
indicator's direction, and cividis for neutral context indicators.
"""

from __future__ import annotations

import html

import plotly.graph_objects as go
import plotly.io as pio

TEMPLATE_NAME = "kuntadash"
FONT_FAMILY = '"Source Sans 3", "Source Sans Pro", "Segoe UI", Roboto, Arial, sans-serif'
TEXT_COLOUR = "#0e1117"  # matches .streamlit/config.toml textColor
PRIMARY = "#1d4f91"  # matches .streamlit/config.toml primaryColor (contrast 8.4:1 on white)
HIGHLIGHT = "#000000"
MISSING_COLOUR = "#c9c9c9"
MUTED_COLOUR = "#ececec"
OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
BETTER, WORSE = "#542788", "#b35806"
# ColorBrewer PuOr, worse (orange) -> better (purple); no white middle so tiles stay visible.
_PUOR = ("#b35806", "#f1a340", "#fee0b6", "#d8daeb", "#998ec3", "#542788")
NEUTRAL_SCALE = "cividis"


def plain_text(text: object) -> str:
    """``text`` safe for plotly, which reads a few HTML-like tags (<b>, <i>, <a href>, <br>) in
    every label, hover text and legend entry: data must show as typed, never as markup."""
    return html.escape(str(text), quote=False)


def direction_colorscale(direction: str) -> list[list[float | str]] | str:
    """Colour scale from low to high values for an indicator of ``direction``."""
    if direction == "neutral":
        return NEUTRAL_SCALE
    stops = _PUOR if direction == "higher_better" else tuple(reversed(_PUOR))
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
        xaxis={"gridcolor": "#e5e5e5", "zeroline": False, "automargin": True},
        yaxis={"gridcolor": "#e5e5e5", "zeroline": False, "automargin": True},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0},
        margin={"l": 10, "r": 10, "t": 40, "b": 10},
    )
    pio.templates[TEMPLATE_NAME] = template


_register()
