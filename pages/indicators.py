"""Indicator catalogue: definitions, units, direction, sources and licences, searchable.

Everything drawn comes from one :class:`~kuntadash.views.indicators.CatalogueView`: the search,
the dimension and the Sustainable Development Goal decide what it keeps, then each section draws
its part.
"""

from __future__ import annotations

import streamlit as st

from kuntadash.ui import state
from kuntadash.ui.downloads import TableDownload, render_downloads
from kuntadash.ui.entry import require_app
from kuntadash.ui.i18n import current_language, t
from kuntadash.ui.loaders import load_snapshot
from kuntadash.ui.widgets import escape_markdown, render_coverage_note, render_dataframe
from kuntadash.views.indicators import (
    CatalogueEntry,
    CatalogueView,
    build_catalogue_view,
    dimension_options,
    goal_options,
)

require_app()


def render() -> None:
    snapshot = load_snapshot()
    lang = current_language()
    st.title(t("catalogue.title"))
    st.write(t("catalogue.intro", count=len(snapshot.catalogue)))
    query, dimension, goal = render_controls(snapshot, lang)
    view = build_catalogue_view(snapshot, lang, dimension, query, goal=goal)
    st.caption(t("catalogue.count", shown=len(view.ids), total=view.total))
    render_coverage_note(snapshot)
    render_listing(view, snapshot)
    st.markdown(f"**{view.small_rule[0]}.** {escape_markdown(view.small_rule[1])}")
    render_details(view)


def render_controls(snapshot, lang: str) -> tuple[str, str, str]:
    """The search, the dimension and the goal, side by side (all kept in the link)."""
    left, right, goal_column = st.columns([2, 1, 1])
    query = state.stateful_text_input(
        t("catalogue.search"),
        state.SEARCH_KEY,
        container=left,
        placeholder=t("catalogue.search_hint"),
    )
    options = dimension_options(lang)
    dimension = state.stateful_selectbox(
        t("common.dimension"),
        options,
        state.CATALOGUE_DIMENSION_KEY,
        "",
        container=right,
    )
    goals = goal_options(snapshot.catalogue["id"], lang)
    goal = state.stateful_selectbox(
        t("sdg.filter"),
        goals,
        state.CATALOGUE_SDG_GOAL_KEY,
        "",
        container=goal_column,
    )
    return query, dimension, goal


def render_listing(view: CatalogueView, snapshot) -> None:
    render_dataframe(view.listing)
    render_downloads(
        view.listing_data,
        TableDownload(snapshot, view.ids, view.download_parts, rows_are_indicators=True),
    )


def render_details(view: CatalogueView) -> None:
    st.subheader(t("catalogue.details"))
    for entry in view.entries:
        # Catalogue texts are data (imports add entries): escaped wherever markdown renders them.
        with st.expander(f"{escape_markdown(entry.name)} ({entry.dimension.lower()})"):
            render_entry(entry)


def render_entry(entry: CatalogueEntry) -> None:
    """One indicator's definition, reading, unit, direction, publisher, breaks and source."""
    st.markdown(f"**{t('catalogue.definition')}.** {escape_markdown(entry.definition)}")
    if entry.interpretation:
        interpretation = escape_markdown(entry.interpretation)
        st.markdown(f"**{t('catalogue.interpretation')}.** {interpretation}")
    st.markdown(
        f"**{t('common.unit')}:** {escape_markdown(entry.unit)} · "
        f"**{t('catalogue.direction')}:** {entry.direction} · "
        f"**{t('catalogue.publisher')}:** {escape_markdown(entry.publisher)} · "
        f"**{t('catalogue.licence')}:** {escape_markdown(entry.licence)}"
    )
    if entry.direction_note:
        note = escape_markdown(entry.direction_note)
        st.markdown(f"**{t('catalogue.direction_note')}.** {note}")
    for year, reason in entry.breaks:
        st.markdown(t("catalogue.break_line", year=year, reason=escape_markdown(reason)))
    if entry.source:
        st.caption(t("catalogue.source_line", ident=escape_markdown(entry.source)))
    render_goals(entry)


def render_goals(entry: CatalogueEntry) -> None:
    """The Sustainable Development Goals and targets the indicator measures, and the mapping's
    source (or that it has none)."""
    if not entry.goals:
        st.caption(t("sdg.none"))
        return
    line = f"**{t('sdg.goals')}:** {escape_markdown('; '.join(entry.goals))}"
    if entry.targets:
        line += f" · **{t('sdg.targets')}:** {escape_markdown(', '.join(entry.targets))}"
    st.markdown(line)
    st.caption(f"{t('sdg.mapping_source')}: {escape_markdown(entry.sdg_source)}")


render()
