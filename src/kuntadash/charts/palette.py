"""The one palette of every chart, map, table tint, the PDF and CSS (charts layer, no plotly).

Colours are colour-blind safe: Okabe–Ito for categories; for values, a purple–orange diverging
scale (ColorBrewer PuOr) where purple is always "better" and orange "worse" given the
indicator's direction, and cividis for neutral context indicators. Kept free of plotly so that
a page drawing only the overview map does not load it; ``charts.theme`` builds plotly's template
from these same constants.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

TEXT_COLOUR = "#0e1117"  # matches .streamlit/config.toml textColor
PRIMARY = "#1d4f91"  # matches .streamlit/config.toml primaryColor (contrast 8.4:1 on white)
HIGHLIGHT = "#000000"
MISSING_COLOUR = "#c9c9c9"
MUTED_COLOUR = "#ececec"
OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
BETTER, WORSE = "#542788", "#b35806"
# ColorBrewer PuOr, worse (orange) -> better (purple); no white middle so tiles stay visible.
PUOR = ("#b35806", "#f1a340", "#fee0b6", "#d8daeb", "#998ec3", "#542788")
NEUTRAL_SCALE = "cividis"
# plotly.js's "Cividis" (the scale plotly charts get by name), so every map shows the same colours.
CIVIDIS = (
    "#00204c", "#002a66", "#00346e", "#273f6c", "#3c4a6b", "#4c556b", "#5b5f6d", "#686a70",
    "#757575", "#838178", "#928c78", "#a19876", "#b0a572", "#c0b16d", "#d1bf66", "#e1cc5c",
    "#f3db4f", "#ffe945",
)  # fmt: skip


def colour_stops(direction: str) -> list[tuple[float, str]]:
    """Colour scale of an indicator of ``direction`` from its lowest to its highest value."""
    if direction == "neutral":
        stops: Sequence[str] = CIVIDIS
    elif direction == "higher_better":
        stops = PUOR
    else:
        stops = tuple(reversed(PUOR))
    last = len(stops) - 1
    return [(i / last, colour) for i, colour in enumerate(stops)]


def colour_range(values: Iterable[float]) -> tuple[float, float] | None:
    """The values the scale spans: 2nd to 98th percentile, so one outlier does not wash the
    rest out (the same rule as the plotly maps); None when there is no value."""
    finite = np.asarray([v for v in values if v is not None and np.isfinite(v)], dtype=float)
    if not len(finite):
        return None
    low, high = (float(x) for x in np.percentile(finite, [2, 98]))
    if low == high:
        low, high = low - 1, high + 1
    return low, high


def scale_colours(
    values: Sequence[float], stops: Sequence[tuple[float, str]], low: float, high: float
) -> list[str | None]:
    """``#rrggbb`` of each value on the scale (clipped to ``low``…``high``), None when missing."""
    positions = [p for p, _ in stops]
    rgb = np.array([_rgb(c) for _, c in stops], dtype=float)
    array = np.asarray(values, dtype=float)
    where = np.clip((array - low) / (high - low), 0.0, 1.0)
    channels = np.stack([np.interp(where, positions, rgb[:, i]) for i in range(3)], axis=-1)
    return [
        None if not np.isfinite(v) else "#{:02x}{:02x}{:02x}".format(*np.rint(c).astype(int))
        for v, c in zip(array, channels, strict=True)
    ]


def _rgb(colour: str) -> tuple[int, int, int]:
    text = colour.lstrip("#")
    return int(text[0:2], 16), int(text[2:4], 16), int(text[4:6], 16)
