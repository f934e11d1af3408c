"""The overview's first screen: the map, sized to the window, beside the chosen municipality's
figure and a short ranked list (UI layer).

The map's drawing takes the height the window leaves below the title and the row of choices
(``--map-fit-below``, which the map component reads through its shadow root), so the whole of
Finland shows without scrolling on a desktop. The ranked list is a small HTML table: the first
and last municipalities and the chosen one with its neighbours (``views.overview.rank_excerpt``).
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

import streamlit as st

from kuntadash.charts.palette import BORDER, CHOSEN_TINT
from kuntadash.domain.catalogue import DIMENSIONS
from kuntadash.store import Snapshot
from kuntadash.ui.i18n import t
from kuntadash.ui.widgets import dimension_label, dimensions_with_data
from kuntadash.views.overview import RankRow

MAP_KEY = "overview_map"
CHOSEN_KEY = "overview_chosen"
CHOICES_KEY = "overview_choices"
CHOICE_ROW_KEY = "overview_choice_row"
# Where Streamlit stacks columns; our row of choices stays one line there.
PHONE_MAX_PX = 640
RANKS_CLASS = "kd-ranks"

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
table.{RANKS_CLASS} {{ border-collapse: collapse; width: 100%; font-size: 0.9rem;
  margin: 0; }}
table.{RANKS_CLASS} caption {{ text-align: left; font-weight: 600; padding: 0 0 0.25rem 0; }}
table.{RANKS_CLASS} th, table.{RANKS_CLASS} td {{ padding: 0 0.4rem; border: none;
  border-bottom: 1px solid {BORDER}; text-align: left; line-height: 1.3; }}
table.{RANKS_CLASS} th:first-child {{ width: 3.5rem; }}
table.{RANKS_CLASS} .kd-num {{ text-align: right; font-variant-numeric: tabular-nums;
  white-space: nowrap; }}
table.{RANKS_CLASS} tr.kd-chosen td {{ background: {CHOSEN_TINT}; font-weight: 700; }}
table.{RANKS_CLASS} tr.kd-gap td {{ text-align: center; line-height: 0.9; border-bottom: none; }}
</style>"""


def render_first_screen_style() -> None:
    st.html(FIRST_SCREEN_STYLE)


def rank_table_html(rows: Sequence[RankRow], caption: str, headings: Sequence[str]) -> str:
    """The ranked list as an HTML table: ``caption`` above, ``headings`` (rank, municipality,
    value) over the columns, the chosen municipality's row marked, a gap as a row of dots."""
    classes = (' class="kd-num"', "", ' class="kd-num"')
    head = "".join(
        f'<th scope="col"{cls}>{escape(text)}</th>'
        for cls, text in zip(classes, headings, strict=True)
    )
    body = []
    for row in rows:
        if row.gap:
            body.append('<tr class="kd-gap"><td colspan="3">⋯</td></tr>')
            continue
        marked = ' class="kd-chosen"' if row.chosen else ""
        body.append(
            f'<tr{marked}><td class="kd-num">{row.rank}.</td><td>{escape(row.name)}</td>'
            f'<td class="kd-num">{escape(row.value_text)}</td></tr>'
        )
    return (
        f'<table class="{RANKS_CLASS}"><caption>{escape(caption)}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
    )


def render_rank_table(rows: Sequence[RankRow], caption: str, headings: Sequence[str]) -> None:
    if rows:
        st.html(rank_table_html(rows, caption, headings))


def missing_dimensions_text(snapshot: Snapshot) -> str:
    """One short line naming the dimensions with no figures in ``snapshot`` ("" when none is
    missing); the full note, with what an update brings, is under the dimension choice."""
    covered = dimensions_with_data(snapshot)
    missing = [dimension_label(d) for d in DIMENSIONS if d not in covered]
    if not missing or not covered:
        return ""
    return t("coverage.missing_short", missing=", ".join(missing))
