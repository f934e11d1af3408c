"""The one palette of every chart, map, table tint, the PDF and CSS (charts layer, no plotly).

The colours are data (``resources/palette.yaml``); this module is their one reader. They are
colour-blind safe: Okabe–Ito for categories; for values, a purple–orange diverging
scale (ColorBrewer PuOr) where purple is always "better" and orange "worse" given the
indicator's direction, and cividis for neutral context indicators. Kept free of plotly so that
a page drawing only the overview map does not load it; ``charts.theme`` builds plotly's template
from these same constants.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

from kuntadash import resources

_PALETTE = resources.read_resource_yaml("palette.yaml")

TEXT_COLOUR: str = _PALETTE["text"]  # .streamlit/config.toml textColor
PRIMARY: str = _PALETTE["primary"]  # .streamlit/config.toml primaryColor
HIGHLIGHT: str = _PALETTE["highlight"]
MISSING_COLOUR: str = _PALETTE["missing"]
MUTED_COLOUR: str = _PALETTE["muted"]
OKABE_ITO: tuple[str, ...] = tuple(_PALETTE["okabe_ito"])
BETTER, WORSE = _PALETTE["better"], _PALETTE["worse"]
BETTER_TINT, WORSE_TINT = _PALETTE["better_tint"], _PALETTE["worse_tint"]
CHOSEN_TINT: str = _PALETTE["chosen_tint"]
GRID: str = _PALETTE["grid"]
REFERENCE_COLOURS: tuple[str, str] = tuple(_PALETTE["reference"])  # type: ignore[assignment]
BAR: str = _PALETTE["bar"]
DOTS: str = _PALETTE["dots"]
LEVEL: str = _PALETTE["level"]
LINE: str = _PALETTE["line"]
FAINT_TEXT: str = _PALETTE["faint_text"]
BACKGROUND: str = _PALETTE["background"]
BORDER: str = _PALETTE["border"]
SHADOW: str = _PALETTE["shadow"]
CARD_TEXT: str = _PALETTE["card_text"]
CARD_FAINT_TEXT: str = _PALETTE["card_faint_text"]
CARD_TRACK: str = _PALETTE["card_track"]
PUOR: tuple[str, ...] = tuple(_PALETTE["diverging"])
NEUTRAL_SCALE: str = _PALETTE["neutral_scale"]
CIVIDIS: tuple[str, ...] = tuple(_PALETTE["cividis"])


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
    rgb = np.array([hex_to_rgb(c) for _, c in stops], dtype=float)
    array = np.asarray(values, dtype=float)
    where = np.clip((array - low) / (high - low), 0.0, 1.0)
    channels = np.stack([np.interp(where, positions, rgb[:, i]) for i in range(3)], axis=-1)
    return [
        None if not np.isfinite(v) else "#{:02x}{:02x}{:02x}".format(*np.rint(c).astype(int))
        for v, c in zip(array, channels, strict=True)
    ]


def hex_to_rgb(colour: str) -> tuple[int, int, int]:
    """``#rrggbb`` as its red, green and blue, 0–255 each."""
    text = colour.lstrip("#")
    return int(text[0:2], 16), int(text[2:4], 16), int(text[4:6], 16)
