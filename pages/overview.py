"""Overview map: one indicator over all municipalities, coloured by its direction.

Everything drawn comes from one :class:`~kuntadash.views.overview.OverviewView`: the controls
decide what it is of, then each section draws its part. The first screen answers: the choices
in one row (the indicator and year, the rest folded under one button), then the whole map beside
the chosen municipality's figure and where it stands in a short ranked list; the table
alternative follows.
"""

from __future__ import annotations

import streamlit as st

from kuntadash.ui import state
from kuntadash.ui.downloads import TableDownload
from kuntadash.ui.entry import require_app
from kuntadash.ui.first_screen import (
    CHOICE_ROW_KEY,
    CHOICES_KEY,
    CHOSEN_KEY,
    MAP_KEY,
    missing_dimensions_text,
    render_first_screen_style,
    render_rank_table,
)
from kuntadash.ui.i18n import current_language, t
from kuntadash.ui.loaders import load_formatter, load_map_geometry, load_snapshot
from kuntadash.ui.map import geometry_source, render_map, render_profile_link
from kuntadash.ui.widgets import (
    caption_text,
    escape_markdown,
    indicators_with_data,
    render_coverage_note,
    render_no_values,
    render_note,
    render_table,
    select_dimension,
    select_indicator,
    select_year,
)
from kuntadash.views.indicators import goal_options
from kuntadash.views.overview import (
    ChosenPosition,
    OverviewChoice,
    OverviewView,
    build_overview_view,
    filter_labels,
    indicators_for_goal,
    rank_excerpt,
)

require_app()


def render() -> None:
    snapshot = load_snapshot()
    lang = current_language()
    st.title(t("overview.title"))
    if render_no_values(snapshot):
        return
    render_first_screen_style()
    choice = render_controls(snapshot, lang)
    geometry = load_map_geometry(snapshot)
    view = build_overview_view(
        snapshot,
        choice,
        lang,
        formatter=load_formatter(snapshot, lang),
        map_codes=geometry.codes,
        map_geometry=geometry_source(geometry),
    )
    map_column, answer_column = st.columns([1.15, 1], gap="medium")
    with map_column:
        render_overview_map(view, geometry.codes)
    with answer_column:
        render_heading(view)
        render_standing(view)
        st.caption(caption_text(snapshot, view.indicator_id, view.year))
        render_note(view.small_note)
        if missing := missing_dimensions_text(snapshot):
            st.caption(missing)
    render_listing(view, snapshot)


def render_controls(snapshot, lang: str) -> OverviewChoice:
    """One row: the indicator and its year, and one button that opens the rest (the goal and
    dimension that narrow the indicators, the type and region to highlight)."""
    row = st.container(key=CHOICE_ROW_KEY).columns(
        [2.6, 1, 1.15], vertical_alignment="bottom", wrap=False, gap="xsmall"
    )
    more = row[2].popover(
        t("overview.more_choices"),
        icon=":material/tune:",
        width="stretch",
        key=CHOICES_KEY,
    )
    ids = render_goal_filter(snapshot, lang, more)
    dimension = select_dimension(snapshot, more, ids=ids)
    render_coverage_note(snapshot, more)
    indicator_id = select_indicator(snapshot, dimension, row[0], ids=ids)
    year = select_year(snapshot, indicator_id, row[1])
    types, regions = filter_labels(snapshot, lang)
    type_filter = _filter(t("overview.filter_type"), types, state.TYPE_FILTER_KEY, more)
    region_filter = _filter(t("overview.filter_region"), regions, state.REGION_FILTER_KEY, more)
    return OverviewChoice(
        indicator_id=indicator_id,
        year=year,
        type_filter=type_filter,
        region_filter=region_filter,
        selected=st.session_state.get(state.MUNICIPALITY_KEY),
    )


def render_goal_filter(snapshot, lang: str, container) -> list[str]:
    """The Sustainable Development Goal (kept in the link): the indicators it leaves."""
    present = indicators_with_data(snapshot)["id"].tolist()
    goals = goal_options(present, lang)
    goal = state.stateful_selectbox(
        t("sdg.filter"),
        goals,
        state.SDG_GOAL_KEY,
        "",
        container=container,
    )
    return indicators_for_goal(present, goal)


def _filter(label: str, labels: dict[str, str], key: str, container) -> str:
    """A highlight filter: "" for all, else one of ``labels``' keys (kept in the link)."""
    options = {"": t("common.all"), **labels}
    return state.stateful_selectbox(
        label,
        list(options),
        key,
        "",
        format_func=options.__getitem__,
        container=container,
    )


def render_heading(view: OverviewView) -> None:
    st.subheader(f"{escape_markdown(view.name)}, {view.year}")
    st.caption(view.direction_text)


def chosen_sentence(chosen: ChosenPosition, year: int) -> str:
    """'**Kuopio**: 8,1 %, sija 12/308' — the chosen municipality's figure and rank, readable
    without a tooltip; a context indicator's order is called an order by size, not a rank."""
    name = f"**{escape_markdown(chosen.name)}**"
    if chosen.rank is None:
        return t(chosen.key, name=name, year=year)
    value = escape_markdown(chosen.value_text)
    return t(chosen.key, name=name, value=value, rank=chosen.rank, of=chosen.of)


def render_overview_map(view: OverviewView, codes: tuple[str, ...]) -> None:
    """The map, sized to the window, and the link to the chosen municipality's profile."""
    render_map(view.map, key=MAP_KEY, codes=codes)
    chosen = view.chosen
    name = escape_markdown(chosen.name if chosen is not None else view.choice.selected or "")
    render_profile_link(view.map["selected"], name)


def render_standing(view: OverviewView) -> None:
    """The chosen municipality's figure and rank in words, where it stands among the others
    (the ends of the ranking and its neighbours), and the median and coverage of those shown."""
    chosen = view.chosen
    if chosen is not None:
        st.container(key=CHOSEN_KEY).markdown(chosen_sentence(chosen, view.year))
    title = "overview.order_title" if view.direction == "neutral" else "overview.ranks_title"
    render_rank_table(
        rank_excerpt(view),
        t(title),
        (t("common.rank"), t("common.municipality"), t("common.value")),
    )
    st.caption(
        f"{t('overview.median_shown')}: {escape_markdown(view.median_text)} · "
        f"{t('overview.with_data')}: {view.with_data_text}"
    )


def render_listing(view: OverviewView, snapshot) -> None:
    """The map's table alternative, in rank order, folded until opened."""
    render_table(
        view.listing,
        data=view.listing_data,
        downloads=TableDownload(
            snapshot,
            (view.indicator_id,),
            view.download_parts,
            title=view.title,
        ),
        chosen=view.listing_chosen,
        lazy_key=state.OVERVIEW_TABLE_KEY,
    )


render()
