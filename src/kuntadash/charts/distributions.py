"""Distributions of one indicator within groups of municipalities (charts layer).

One horizontal box per group (quartiles, median line) with every municipality as a dot, and the
chosen municipality as a black diamond on top. Boxes use a neutral colour: position, not the
colour, says better or worse here, and the caption states the direction.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from kuntadash.charts.palette import DOTS, hex_to_rgb
from kuntadash.charts.theme import (
    HIGHLIGHT,
    PRIMARY,
    TEMPLATE_NAME,
    number_separators,
    plain_text,
)

# the primary colour, faint: the box behind a group's dots
BOX_FILL = "rgba({}, {}, {}, 0.12)".format(*hex_to_rgb(PRIMARY))


def build_distribution_figure(
    data: pd.DataFrame,
    *,
    unit: str,
    lang: str,
    decimals: int,
    group_order: list[str],
    highlight_name: str | None = None,
    height: int = 420,
) -> go.Figure:
    """``data`` has columns group (label), name, value, highlight (bool), and may have ``mark``
    (written after the name in a dot's hover, "†").

    Groups are drawn top to bottom in ``group_order``; municipalities without a value are left
    out of the plot (the table beside it counts them).
    """
    present = data.dropna(subset=["value"])
    if "mark" in present:  # "Sottunga †": the dot of a figure resting on a small population
        present = present.assign(name=(present["name"] + " " + present["mark"]).str.strip())
    figure = go.Figure()
    hover = f"%{{text}}: %{{x:,.{decimals}f}} {plain_text(unit)}<extra>%{{y}}</extra>"
    for group in group_order:
        rows = present[present["group"] == group]
        figure.add_trace(
            go.Box(
                x=rows["value"],
                y=[plain_text(group)] * len(rows),
                name=plain_text(group),
                orientation="h",
                boxpoints="all",
                jitter=0.45,
                pointpos=0,
                fillcolor=BOX_FILL,
                line={"color": PRIMARY, "width": 1.5},
                marker={"color": DOTS, "size": 5, "opacity": 0.75},
                text=rows["name"].map(plain_text),
                hovertemplate=hover,
                showlegend=False,
            )
        )
    chosen = present[present["highlight"]]
    if len(chosen) and highlight_name:
        figure.add_trace(
            go.Scatter(
                x=chosen["value"],
                y=chosen["group"].map(plain_text),
                mode="markers",
                name=plain_text(highlight_name),
                marker={
                    "symbol": "diamond",
                    "size": 15,
                    "color": HIGHLIGHT,
                    "line": {"color": "white", "width": 1.5},
                },
                text=chosen["name"].map(plain_text),
                hovertemplate=hover,
            )
        )
    figure.update_layout(
        template=TEMPLATE_NAME,
        separators=number_separators(lang),
        # Roomy rows for a few groups; compact ones for the 19 regions or 21 counties.
        height=max(height, 110 + (70 if len(group_order) <= 8 else 40) * len(group_order)),
        xaxis_title=plain_text(unit),
        yaxis={
            "categoryorder": "array",
            "categoryarray": [plain_text(group) for group in reversed(group_order)],
            "automargin": True,
        },
        showlegend=bool(len(chosen) and highlight_name),
        boxmode="overlay",
        margin={"t": 50},
    )
    return figure
