"""The event slides' figure lists (ui layer): the chosen municipality's figure beside the map
slide with the best three and the table, and the profile slide's strongest indicators."""

from __future__ import annotations

import streamlit as st

from kuntadash.ui.i18n import t
from kuntadash.ui.widgets import escape_markdown, render_list, render_note, render_table
from kuntadash.views.event import MapSlide, ProfileSlide


def render_map_figures(slide: MapSlide) -> None:
    """The chosen municipality's figure and rank, the country median, the top three (not for a
    context indicator) and every municipality as a table."""
    st.metric(escape_markdown(slide.chosen_name), slide.chosen_value)
    render_note(slide.chosen_note)
    st.markdown(slide.position)
    st.metric(t("event.country_median"), slide.median_text)
    if not slide.neutral:
        render_list(
            # Escaped: markdown renumbers "2. 4. 5." (small figures left out, ties) as 2, 3, 4
            (
                f"{p.rank}\\. {escape_markdown(p.name)} — {escape_markdown(p.value_text)}"
                for p in slide.top
            ),
            t("event.best_three"),
            slide.top_note,
        )
    render_table(
        slide.figures,
        chosen=list(slide.chosen_rows),
        height=300,
        alt=slide.figures_alt,
        note=slide.small_note,
    )


def render_strongest(slide: ProfileSlide) -> None:
    """The three indicators where the municipality stands best in its group."""
    st.subheader(t("event.strongest"))
    if not slide.strongest:
        st.markdown(t("common.no_data"))
    render_list(
        (
            f"**{escape_markdown(s.name)}**: "
            + t(
                "event.position_value", value=escape_markdown(s.value_text), percentile=s.percentile
            )
            for s in slide.strongest
        ),
        note=slide.strongest_note,
    )
