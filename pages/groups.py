"""Municipality groups: an indicator's distribution within each group (chosen municipality
highlighted), a group statistic over time, and a table of group statistics. Everything drawn
comes from one :class:`~kuntadash.views.groups.GroupsView`."""

from __future__ import annotations

import streamlit as st

from kuntadash.charts.distributions import build_distribution_figure
from kuntadash.charts.series import build_trend_figure
from kuntadash.ui import state
from kuntadash.ui.downloads import TableDownload, chart_config, file_stem, year_range
from kuntadash.ui.entry import require_app
from kuntadash.ui.i18n import current_language, t
from kuntadash.ui.loaders import (
    describe_comparison_group,
    load_group_keys,
    load_population_history,
    load_population_weights,
    load_snapshot,
    load_wide_values,
)
from kuntadash.ui.widgets import (
    break_marks,
    caption_text,
    escape_markdown,
    rank_text,
    render_coverage_note,
    render_dataframe,
    render_no_values,
    render_note,
    render_table,
    select_dimension,
    select_indicator,
    select_year,
    weights_note,
)
from kuntadash.views.groups import (
    GROUPINGS,
    STATISTICS,
    GroupsInputs,
    GroupsView,
    build_groups_view,
)

require_app()


def render() -> None:
    snapshot = load_snapshot()
    lang = current_language()
    code = st.session_state[state.MUNICIPALITY_KEY]
    st.title(t("groups.title"))
    st.caption(t("groups.intro"))
    if render_no_values(snapshot):
        st.stop()
    indicator_id, year, groupby, statistic = render_controls(snapshot)
    render_coverage_note(snapshot)
    keys = load_group_keys(snapshot, groupby)
    inputs = GroupsInputs(
        keys=keys,
        group=describe_comparison_group(snapshot, code, groupby, lang, peers=None),
        population_history=load_population_history(snapshot),
        wide=load_wide_values(snapshot),
        weights=lambda codes, years: load_population_weights(snapshot, codes, years),
    )
    view = build_groups_view(snapshot, code, indicator_id, year, groupby, statistic, lang, inputs)
    if view is None:  # e.g. size classes when the snapshot has no population figures
        kind = t(f"groups.kind.{groupby}")
        st.info(t("coverage.grouping_unavailable", kind=kind), icon=":material/info:")
        st.stop()
    render_distribution(view, snapshot)
    render_statistics(view, snapshot)
    render_over_time(view, snapshot)


def render_controls(snapshot) -> tuple[str, int, str, str]:
    """The indicator, year, grouping and statistic, each kept in the link."""
    controls = st.columns([1.1, 1.6, 0.7, 1.4, 1.2])
    dimension = select_dimension(snapshot, controls[0])
    indicator_id = select_indicator(snapshot, dimension, controls[1])
    year = select_year(snapshot, indicator_id, controls[2])
    kind_labels = {kind: t(f"groups.kind.{kind}") for kind in GROUPINGS}
    groupby = state.stateful_selectbox(
        t("groups.groupby"),
        kind_labels,
        state.GROUPBY_KEY,
        GROUPINGS[0],
        container=controls[3],
    )
    statistic_labels = {s: t(f"groups.stat.{s}") for s in STATISTICS}
    statistic = state.stateful_selectbox(
        t("groups.statistic"),
        statistic_labels,
        state.STATISTIC_KEY,
        STATISTICS[0],
        container=controls[4],
    )
    return indicator_id, year, groupby, statistic


def render_distribution(view: GroupsView, snapshot) -> None:
    """The municipality's place, the groups' distributions, and every member in a table."""
    name = escape_markdown(view.name)
    st.subheader(
        t(
            "groups.distribution_title",
            indicator=escape_markdown(view.indicator_name),
            year=view.year,
        )
    )
    st.markdown(
        t(
            "groups.own_position",
            name=name,
            group=escape_markdown(view.group.label),
            value=escape_markdown(view.value_text),
            rank=rank_text(view.rank),
            country_rank=rank_text(view.country_rank),
        )
    )
    st.plotly_chart(
        build_distribution_figure(
            view.distribution,
            unit=view.unit,
            lang=view.lang,
            decimals=view.decimals,
            group_order=view.group_names,
            highlight_name=view.name,
        ),
        width="stretch",
        config=chart_config(file_stem("groups", view.groupby, view.indicator_id, view.year)),
    )
    st.caption(
        t("groups.distribution_note", name=name, direction=t(f"direction.{view.direction}"))
        + " "
        + caption_text(snapshot, view.indicator_id, view.year)
        + " "
        + t("groups.caption_grouping", kind=view.kind_label)
    )
    render_note(view.small_note)
    render_table(
        view.members,
        decimals={view.members_value_column: view.decimals},
        lazy_key=state.GROUPS_TABLE_KEYS["members"],
    )


def render_statistics(view: GroupsView, snapshot) -> None:
    """The groups' statistics in the chosen year."""
    st.subheader(t("groups.table_title"))
    render_dataframe(view.statistics, decimals=dict.fromkeys(view.statistic_columns, view.decimals))
    st.caption(
        caption_text(snapshot, view.indicator_id, view.year) + " " + weights_note(view.weights)
    )


def render_over_time(view: GroupsView, snapshot) -> None:
    """The chosen statistic of the groups and the country over time, the municipality's own
    line beside them, and its table."""
    st.subheader(t("groups.over_time_title", statistic=view.statistic_label))
    if view.statistic_missing:
        # e.g. a population-weighted mean when the snapshot has no population figures
        st.info(
            t("coverage.statistic_unavailable", statistic=view.statistic_label.lower()),
            icon=":material/info:",
        )
    span = year_range(view.trend["year"])
    st.plotly_chart(
        build_trend_figure(
            view.trend,
            unit=view.unit,
            lang=view.lang,
            decimals=view.decimals,
            reference_series=(view.country_label,),
            breaks=break_marks(snapshot, view.indicator_id),
        ),
        width="stretch",
        config=chart_config(
            file_stem("groups", view.groupby, view.statistic, view.indicator_id, span),
            chart_id="groups_trend",
        ),
    )
    note = t("groups.over_time_note", statistic_lower=view.statistic_label.lower())
    if view.many_groups:
        note += " " + t(
            "groups.over_time_many",
            n=len(view.group_names),
            group=escape_markdown(view.group.label),
        )
    st.caption(
        note
        + " "
        + caption_text(snapshot, view.indicator_id, view.years)
        + " "
        + t("groups.caption_grouping", kind=view.kind_label)
    )
    render_table(
        view.over_time,
        decimals={column: view.decimals for column in view.over_time.columns[1:]},
        data=view.over_time_data,
        downloads=TableDownload(
            snapshot,
            (view.indicator_id,),
            ("groups", view.groupby, view.statistic, view.indicator_id, span),
            title=f"{view.indicator_name}: {view.statistic_label}",
            chart_id="groups_trend",
        ),
        lazy_key=state.GROUPS_TABLE_KEYS["over_time"],
    )


render()
