"""Static chart images (PNG / SVG bytes) drawn with matplotlib, for the PDF brief (charts layer).

Same colour rules as the interactive charts (charts.theme): the municipality in the primary blue,
group and country medians grey and dashed, positions on the purple (better) – orange (worse)
scale. The font is DejaVu Sans, bundled with matplotlib, so ä, ö, å and CO₂ render offline.
Figures are made with ``matplotlib.figure.Figure`` directly, not pyplot: pyplot keeps global
state and is not safe in Streamlit's script threads.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from kuntadash.charts.palette import (
    BAR,
    BETTER,
    FAINT_TEXT,
    GRID,
    LEVEL,
    PRIMARY,
    REFERENCE_COLOURS,
    TEXT_COLOUR,
    WORSE,
)
from kuntadash.domain.catalogue import format_value

_RC = {
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "text.color": TEXT_COLOUR,
    "axes.labelcolor": TEXT_COLOUR,
    "axes.edgecolor": LEVEL,
    "xtick.color": TEXT_COLOUR,
    "ytick.color": TEXT_COLOUR,
    "svg.fonttype": "none",  # keep text as text in SVG
}


@dataclass(frozen=True)
class TrendPanel:
    """One small chart: ``data`` has columns series, year, value; ``references`` are medians."""

    title: str
    data: pd.DataFrame
    unit: str
    decimals: int
    references: tuple[str, ...] = ()


def render_figure(figure: Figure, image_format: str = "png", dpi: int = 200) -> bytes:
    """``figure`` as PNG or SVG bytes."""
    buffer = io.BytesIO()
    with mpl.rc_context(_RC):
        figure.savefig(buffer, format=image_format, dpi=dpi, bbox_inches="tight")
    return buffer.getvalue()


def build_positions_figure(
    labels: Sequence[str],
    positions: Sequence[float],
    *,
    axis_label: str,
    middle_label: str,
    missing_label: str,
    width_in: float = 7.0,
) -> Figure:
    """Horizontal bars of direction-adjusted positions (0 = worst, 50 = median, 100 = best).

    Bars start at the median line, so a bar to the right reads "better than the group". A
    missing position is written out (``missing_label``), never drawn as 0.
    """
    with mpl.rc_context(_RC):
        figure = Figure(figsize=(width_in, 0.55 * len(labels) + 0.9))
        axes = figure.subplots()
        y = np.arange(len(labels))
        for row, value in zip(y, positions, strict=True):
            if value is None or pd.isna(value):
                axes.text(50, row, missing_label, va="center", ha="center", color=FAINT_TEXT)
                continue
            colour = BETTER if value >= 50 else WORSE
            axes.barh(row, value - 50, left=50, color=colour, height=0.55)
            offset, align = (2, "left") if value >= 50 else (-2, "right")
            axes.text(value + offset, row, f"{value:.0f}", va="center", ha=align)
        axes.axvline(50, color=REFERENCE_COLOURS[0], linestyle="--", linewidth=1)
        axes.text(
            50,
            -0.75,
            middle_label,
            ha="center",
            va="bottom",
            color=REFERENCE_COLOURS[0],
            fontsize=8,
        )
        axes.set_yticks(y, labels)
        axes.set_ylim(len(labels) - 0.4, -0.9)
        axes.set_xlim(0, 100)
        axes.set_xticks([0, 25, 50, 75, 100])
        axes.set_xlabel(axis_label)
        axes.spines[["top", "right"]].set_visible(False)
        axes.grid(axis="x", color=GRID, linewidth=0.6)
        axes.set_axisbelow(True)
        figure.tight_layout()
    return figure


def build_trend_panels_figure(
    panels: Sequence[TrendPanel], *, lang: str, columns: int = 2, width_in: float = 7.2
) -> Figure:
    """Small multiples of trends, one panel per indicator, with a shared legend underneath."""
    with mpl.rc_context(_RC):
        rows = max(1, -(-len(panels) // columns))
        figure = Figure(figsize=(width_in, 2.35 * rows + 0.5))
        grid = figure.subplots(rows, columns, squeeze=False)
        handles: dict[str, object] = {}
        for index, axes in enumerate(grid.flat):
            if index >= len(panels):
                axes.set_visible(False)
                continue
            panel = panels[index]
            _draw_trend(axes, panel, lang, handles)
        labels = list(handles)
        figure.legend(
            [handles[label] for label in labels],
            labels,
            loc="lower center",
            ncol=min(3, len(labels)),
            frameon=False,
            fontsize=8,
        )
        figure.tight_layout(rect=(0, 0.07, 1, 1))
    return figure


def _draw_trend(axes, panel: TrendPanel, lang: str, handles: dict[str, object]) -> None:
    reference_index = 0
    for position, (name, rows) in enumerate(panel.data.groupby("series", sort=False)):
        rows = rows.sort_values("year")
        if name in panel.references:
            style = {
                "color": REFERENCE_COLOURS[reference_index % 2],
                "linestyle": "--",
                "linewidth": 1.4,
            }
            reference_index += 1
        else:
            style = {"color": PRIMARY if position == 0 else BAR, "linewidth": 2.2}
        (line,) = axes.plot(rows["year"], rows["value"], marker="o", markersize=2.5, **style)
        handles.setdefault(str(name), line)
    axes.set_title(panel.title, fontsize=8.5, loc="left", wrap=True)
    axes.set_ylabel(panel.unit, fontsize=7.5)
    axes.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=5))
    axes.yaxis.set_major_formatter(
        FuncFormatter(
            lambda v, _pos: format_value(0.0 if abs(v) < 1e-9 else v, panel.decimals, lang)
        )
    )
    axes.tick_params(labelsize=7.5)
    axes.spines[["top", "right"]].set_visible(False)
    axes.grid(axis="y", color=GRID, linewidth=0.6)
