"""The overview's first screen: the map, sized to the window, beside the chosen municipality's
figure and a short ranked list (UI layer).

The map's drawing takes the height the window leaves below the title and the row of choices
(``--map-fit-below``, which the map component reads through its shadow root), so the whole of
Finland shows without scrolling on a desktop. The ranked list is a small markdown table: the first
and last municipalities and the chosen one with its neighbours (``views.overview.rank_excerpt``).
"""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from kuntadash.charts.palette import BORDER, CHOSEN_TINT
from kuntadash.domain.catalogue import DIMENSIONS
from kuntadash.store import Snapshot
from kuntadash.ui.i18n import t
from kuntadash.ui.widgets import dimension_label, dimensions_with_data, escape_markdown
from kuntadash.views.overview import RankRow

MAP_KEY = "overview_map"
CHOSEN_KEY = "overview_chosen"
CHOICES_KEY = "overview_choices"
CHOICE_ROW_KEY = "overview_choice_row"
# Where Streamlit stacks columns; our row of choices stays one line there.
PHONE_MAX_PX = 640
RANKS_KEY = "overview_ranks"

# The map's drawing fits the window (the map component measures where it starts, below the
# title, the row of choices and any notice, and keeps this much room under it), so the whole of
# Finland shows without scrolling on a desktop.
_ROOM_BELOW_PX = 12
FIRST_SCREEN_STYLE = f"""<style>
.st-key-{MAP_KEY} {{ --map-fit-below: {_ROOM_BELOW_PX}px; }}
.st-key-{CHOSEN_KEY} p {{ font-size: 1.2rem; }}
.st-key-{CHOICE_ROW_KEY} .stColumn {{ min-width: 0; }}
@media (max-width: {PHONE_MAX_PX}px) {{
  .st-key-{CHOICE_ROW_KEY} .stColumn:nth-child(2) {{ flex: 0 0 4.9rem; }}
  .st-key-{CHOICE_ROW_KEY} .stColumn:nth-child(3) {{ flex: 0 0 6.8rem; }}
}}
.st-key-{RANKS_KEY} table {{ border-collapse: collapse; width: 100%; font-size: 0.9rem;
  margin: 0; }}
.st-key-{RANKS_KEY} th, .st-key-{RANKS_KEY} td {{ padding: 0 0.4rem; border: none;
  border-bottom: 1px solid {BORDER}; line-height: 1.3; font-variant-numeric: tabular-nums; }}
.st-key-{RANKS_KEY} td:last-child {{ white-space: nowrap; }}
.st-key-{RANKS_KEY} tr:has(strong) td {{ background: {CHOSEN_TINT}; }}
.st-key-{RANKS_KEY} [data-testid="stVerticalBlock"] {{ gap: 0.25rem; }}
</style>"""


def render_first_screen_style() -> None:
    st.html(FIRST_SCREEN_STYLE)


def rank_table_markdown(rows: Sequence[RankRow], headings: Sequence[str]) -> str:
    """The ranked list as a markdown table (numbers right-aligned): ``headings`` (rank,
    municipality, value) over the columns, the chosen municipality's row in bold, a gap as a
    row of dots. Names and values are escaped: data never becomes markup."""
    lines = [
        "| " + " | ".join(escape_markdown(text) for text in headings) + " |",
        "|--:|:--|--:|",
    ]
    for row in rows:
        if row.gap:
            lines.append("| | ⋯ | |")
            continue
        cells = (f"{row.rank}\\.", escape_markdown(row.name), escape_markdown(row.value_text))
        if row.chosen:
            cells = tuple(f"**{cell}**" for cell in cells)
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def render_rank_table(rows: Sequence[RankRow], title: str, headings: Sequence[str]) -> None:
    """The ranked list under ``title``, in a container the first screen's style reaches."""
    if rows:
        box = st.container(key=RANKS_KEY)
        box.markdown(f"**{escape_markdown(title)}**")
        box.markdown(rank_table_markdown(rows, headings))


def missing_dimensions_text(snapshot: Snapshot) -> str:
    """One short line naming the dimensions with no figures in ``snapshot`` ("" when none is
    missing); the full note, with what an update brings, is under the dimension choice."""
    covered = dimensions_with_data(snapshot)
    missing = [dimension_label(d) for d in DIMENSIONS if d not in covered]
    if not missing or not covered:
        return ""
    return t("coverage.missing_short", missing=", ".join(missing))
