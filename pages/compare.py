"""Compare 2–10 municipalities side by side: bars for one indicator, lines over time, a table.
Everything drawn comes from one :class:`~kuntadash.views.compare.CompareView`; whom to compare
with by default from :func:`~kuntadash.views.compare.compare_choices`."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from kuntadash.charts.series import build_bar_figure, build_trend_figure
from kuntadash.ui import state
from kuntadash.ui.downloads import TableDownload, chart_config, file_stem
from kuntadash.ui.entry import require_app
from kuntadash.ui.i18n import current_language, t
from kuntadash.ui.loaders import (
    load_choice_labels,
    load_population,
    load_snapshot,
    load_structure,
    load_wide_values,
)
from kuntadash.ui.widgets import (
    MUNICIPALITY_FILTER,
    caption_text,
    comparison_group,
    current_peers,
    escape_markdown,
    municipality_finder,
    municipality_names,
    peer_choice,
    render_coverage_note,
    render_dataframe,
    render_no_values,
    render_note,
    render_search_notice,
    render_table,
    select_dimension,
    select_group_kind,
    select_indicator,
    select_year,
    type_labels,
)
from kuntadash.views.compare import (
    DEFAULT_COMPANIONS,
    MAX_MUNICIPALITIES,
    CompareChoices,
    CompareView,
    build_compare_view,
    compare_choices,
)

require_app()

_DEFAULT_KEY = "_compare_default"


def render() -> None:
    snapshot = load_snapshot()
    lang = current_language()
    code = st.session_state[state.MUNICIPALITY_KEY]
    names = municipality_names(snapshot)
    st.title(t("compare.title"))
    if render_no_values(snapshot):
        st.stop()
    choices = default_choices(snapshot, code)
    chosen = render_choice(snapshot, lang, choices, names)
    render_add_buttons(chosen, choices, code, names)
    if len(chosen) < 2:
        st.info(t("compare.pick_two"))
        st.stop()
    controls = st.columns([1, 1.6, 0.6, 1.2])
    dimension = select_dimension(snapshot, controls[0])
    indicator_id = select_indicator(snapshot, dimension, controls[1])
    year = select_year(snapshot, indicator_id, controls[2])
    group = comparison_group(
        snapshot, code, select_group_kind(controls[3], help=t("comparison.compare_group_help"))
    )
    render_coverage_note(snapshot)
    view = build_compare_view(
        snapshot, code, chosen, indicator_id, year, group, lang, load_wide_values(snapshot)
    )
    st.subheader(f"{escape_markdown(view.indicator_name)}, {year}")
    if not view.has_values:
        st.info(t("coverage.no_values_chosen"), icon=":material/info:")
        st.stop()
    render_bars(view, snapshot)
    render_over_time(view, snapshot)
    render_changes(view, snapshot)


def default_choices(snapshot, code: str) -> CompareChoices:
    """The default comparison (the municipality and its most similar municipalities, the same
    weights as the profile's). A comparison still at its default follows the municipality (or
    the peer weights) when they change; one the reader has edited is kept as it is."""
    similar = current_peers(snapshot, code)["municipality_code"].tolist()
    weights, _ = peer_choice(snapshot)
    choices = compare_choices(
        snapshot.municipalities,
        code,
        similar,
        load_structure(snapshot)[1],
        weights,
        load_population(snapshot).values,
    )
    previous_default = st.session_state.get(_DEFAULT_KEY)
    if previous_default is not None and st.session_state.get(state.COMPARE_KEY) == previous_default:
        st.session_state[state.COMPARE_KEY] = choices.default
    st.session_state[_DEFAULT_KEY] = choices.default
    return choices


def render_choice(snapshot, lang: str, choices: CompareChoices, names: pd.Series) -> list[str]:
    """The municipalities compared (kept in the link), and what a link asked for in vain."""
    labels = load_choice_labels(snapshot, lang)
    find_municipality = municipality_finder(snapshot, labels)
    chosen = state.stateful_multiselect(
        t("compare.municipalities"),
        list(labels),
        state.COMPARE_KEY,
        choices.default,
        format_func=lambda c: labels.get(c, c),
        max_selections=MAX_MUNICIPALITIES,
        help=t("compare.municipalities_help", n=DEFAULT_COMPANIONS),
        parse=find_municipality,
        search=find_municipality,
        filter_mode=MUNICIPALITY_FILTER,
        select_all=False,  # "select all 308" cannot fit a comparison of at most ten
    )
    render_search_notice(state.pop_search_notice(state.COMPARE_KEY))
    # A link's codes that are not municipalities, or beyond the first ten, are said out loud.
    dropped = state.pop_dropped_link_values(state.COMPARE_KEY)
    if dropped is not None and dropped.unknown:
        st.info(
            t("compare.link_unknown", codes=escape_markdown(", ".join(dropped.unknown))),
            icon=":material/link_off:",
        )
    if dropped is not None and dropped.over_limit:
        st.info(
            t(
                "compare.link_too_many",
                count=dropped.asked,
                limit=MAX_MUNICIPALITIES,
                left_out=escape_markdown(", ".join(names.get(c, c) for c in dropped.over_limit)),
            ),
            icon=":material/link_off:",
        )
    return chosen


def _add(codes: list[str]) -> None:
    current = list(st.session_state.get(state.COMPARE_KEY) or [])
    merged = list(dict.fromkeys([*current, *codes]))
    st.session_state[state.COMPARE_KEY] = merged[:MAX_MUNICIPALITIES]


def render_add_buttons(
    chosen: list[str], choices: CompareChoices, code: str, names: pd.Series
) -> None:
    """One click adds the similar municipalities, or those of the same type (most similar
    first), as many as fit; a button with nothing left to add is greyed out."""
    room = MAX_MUNICIPALITIES - len(chosen)
    columns = st.columns(2)
    new_similar = [c for c in choices.similar if c not in chosen]
    columns[0].button(
        t("compare.add_similar", name=escape_markdown(names.get(code, code))),
        icon=":material/group_add:",
        on_click=_add,
        args=([code, *new_similar],),
        disabled=room <= 0 or not new_similar,
        help=t("compare.add_help", limit=MAX_MUNICIPALITIES),
        key="compare_add_similar",
        width="stretch",
    )
    new_same_type = [c for c in choices.same_type if c not in chosen]
    type_label = type_labels().get(choices.own_type, t("common.no_data"))
    columns[1].button(
        t("compare.add_type", type=escape_markdown(type_label)),
        icon=":material/domain_add:",
        on_click=_add,
        args=([code, *new_same_type],),
        disabled=room <= 0 or not new_same_type,
        help=t("compare.add_type_help", count=len(choices.same_type) + 1, limit=MAX_MUNICIPALITIES),
        key="compare_add_type",
        width="stretch",
    )


def render_bars(view: CompareView, snapshot) -> None:
    """The chosen municipalities' values in the year, with the two medians."""
    st.plotly_chart(
        build_bar_figure(
            view.bars,
            unit=view.unit,
            lang=view.lang,
            decimals=view.decimals,
            references=view.references,
        ),
        width="stretch",
        config=chart_config(
            file_stem("compare", *view.chosen, view.indicator_id, view.year),
            chart_id="compare_bars",
        ),
    )
    st.caption(
        t(f"direction.{view.direction}")
        + ". "
        + caption_text(snapshot, view.indicator_id, view.year)
        + " "
        + t("comparison.group_caption", definition=view.group.definition)
    )
    render_note(view.small_note)


def render_over_time(view: CompareView, snapshot) -> None:
    """The chosen municipalities over time, and the lines as a table."""
    st.subheader(t("compare.over_time"))
    years = view.years
    stem = ("compare", *view.chosen, view.indicator_id, view.year_span)
    st.plotly_chart(
        build_trend_figure(view.history, unit=view.unit, lang=view.lang, decimals=view.decimals),
        width="stretch",
        config=chart_config(file_stem(*stem), chart_id="compare_trend"),
    )
    st.caption(caption_text(snapshot, view.indicator_id, years))
    render_table(
        view.table,
        data=view.table_data,
        downloads=TableDownload(
            snapshot,
            (view.indicator_id,),
            stem,
            title=f"{view.indicator_name}, {min(years)}–{max(years)}",
            chart_id="compare_trend",
        ),
    )


def render_changes(view: CompareView, snapshot) -> None:
    """Changes over 1 / 5 / 10 years with direction-aware arrows, and the group's median."""
    st.subheader(
        t("comparison.compare_trends_title", indicator=escape_markdown(view.indicator_name))
    )
    render_dataframe(view.changes)
    notes = [t("comparison.trend_note"), *view.unavailable, view.small_note]
    notes.append(caption_text(snapshot, view.indicator_id, view.year))
    st.caption(" ".join(filter(None, notes)))


render()
