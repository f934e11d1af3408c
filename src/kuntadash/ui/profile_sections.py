"""The profile's folded sections, drawn once opened (UI layer): the scores and their method,
ranks in every grouping, the similar municipalities and their settings, every indicator against
the group, and the trends. Each takes the page's :class:`~kuntadash.views.profile.ProfileView`
and draws it; nothing is computed here (pages/municipality.py lays the sections out)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from kuntadash.charts.palette import BETTER, BETTER_TINT, MUTED_COLOUR, WORSE, WORSE_TINT
from kuntadash.charts.scores import build_dimension_scores_figure
from kuntadash.charts.series import build_trend_figure
from kuntadash.domain.trends import plotted_years
from kuntadash.ui import state
from kuntadash.ui.downloads import (
    TableDownload,
    chart_config,
    file_stem,
    render_downloads,
    render_profile_downloads,
)
from kuntadash.ui.i18n import current_language, t
from kuntadash.ui.loaders import (
    load_structure,
)
from kuntadash.ui.widgets import (
    MISSING,
    caption_text,
    escape_markdown,
    indicator_name,
    lazy_expander,
    render_note,
    render_peer_weights,
    select_indicator,
    select_peer_count,
)
from kuntadash.views.profile import (
    CHANGE_PERIOD,
    ProfileView,
    peer_weights,
    register_label,
)

# Light tints keep dark text readable; better / worse follow the indicator's direction.
_VERDICT_STYLES = {
    "better": f"background-color: {BETTER_TINT}",
    "ahead": f"background-color: {BETTER_TINT}",
    "worse": f"background-color: {WORSE_TINT}",
    "behind": f"background-color: {WORSE_TINT}",
}


def profile_section(name: str, label: str, icon: str):
    """One of the profile's folded sections, or None while it is folded: its content (charts,
    tables, downloads) is built and sent only once opened, so that choosing another
    municipality or group costs what the first screen shows."""
    return lazy_expander(label, state.PROFILE_SECTION_KEYS[name], icon)


def render_scores(view: ProfileView, snapshot) -> None:
    group = view.group
    label, definition = escape_markdown(group.label), escape_markdown(group.definition)
    shown = group.label if group.kind != "similar" else t("groups.kind.similar")
    section = profile_section("scores", t("profile.section.scores"), ":material/functions:")
    if section is None:
        return
    with section:
        st.markdown(
            t("comparison.shown_group", label=escape_markdown(shown), definition=definition)
        )
        st.markdown(
            t(
                "comparison.computed_over",
                label=label,
                n=len(group.members),
                name=escape_markdown(view.name),
            )
        )
        st.plotly_chart(
            build_dimension_scores_figure(
                view.score_frame,
                lang=view.lang,
                score_label=f"{t('comparison.score_label')}: {view.name}",
                median_label=t("comparison.group_median_label"),
                axis_title=t("comparison.scores_axis"),
                missing_text=t("comparison.no_score"),
            ),
            width="stretch",
            config=chart_config(file_stem(view.code, view.name, "scores", group.label)),
        )
        st.caption(
            t("comparison.colour_note")
            + " "
            + t("comparison.scores_caption", years=view.score_years(), group=label)
            + (f" {t('common.sample_caption')}" if snapshot.is_sample else "")
        )
        st.markdown(
            "\n".join(
                f"- **{escape_markdown(d.label)}:** {escape_markdown(d.coverage_text)}"
                for d in view.dimensions
            )
        )
        st.dataframe(view.score_table(), hide_index=True, width="stretch", placeholder=MISSING)
        render_score_method(view)


def render_score_method(view: ProfileView) -> None:
    """How the scores are computed, and from which indicators in each dimension."""
    st.markdown(
        t(
            "comparison.method_text",
            weights=t("comparison.weights_equal"),
            threshold=view.threshold,
        )
    )
    st.markdown(
        "\n".join(
            "- "
            + t(
                "comparison.method_indicators",
                dimension=dimension,
                n=len(names),
                names=", ".join(escape_markdown(name) for name in names),
            )
            for dimension, names in view.scored_indicators()
        )
    )


def render_ranks(view: ProfileView) -> None:
    section = profile_section("ranks", t("comparison.ranks_title"), ":material/leaderboard:")
    if section is None:
        return
    with section:
        st.caption(t("comparison.ranks_note"))
        st.dataframe(view.rank_table(), hide_index=True, width="stretch", placeholder=MISSING)


def render_peer_settings(section, snapshot) -> dict[str, float]:
    """The number of similar municipalities and the variables' weights; the weights in use."""
    with section:
        settings = st.columns([1, 3])
        select_peer_count(settings[0])
        with settings[1].popover(t("comparison.weights_title"), icon=":material/tune:"):
            st.caption(t("comparison.weights_help"))
            variables = list(load_structure(snapshot)[0].columns)
            lang = current_language()
            labels = {v: register_label(v, lang) or indicator_name(snapshot, v) for v in variables}
            weights, defaulted = peer_weights(render_peer_weights(variables, labels), variables)
            if defaulted:
                st.warning(t("comparison.weights_zero"))
    return weights


def render_peers(view: ProfileView) -> None:
    st.markdown(t("comparison.peers_intro", name=escape_markdown(view.name)))
    if not view.peers:
        st.info(t("comparison.peers_none"))
        return
    st.markdown(
        "\n".join(
            f"{position}. **{escape_markdown(p.name)}** ({escape_markdown(p.type_label)}) — "
            f"{t('profile.similar_reason')}: {escape_markdown('; '.join(p.reasons))}"
            for position, p in enumerate(view.peers, start=1)
        )
    )
    # A table of the variables; no expander of its own: this section is one already.
    st.dataframe(view.peer_table, hide_index=True, width="stretch", placeholder=MISSING)
    st.caption(escape_markdown(view.peer_method))


def _position_style(value: float) -> str:
    if pd.isna(value):
        return f"background-color: {MUTED_COLOUR}"
    if value >= 75:
        return f"background-color: {BETTER}; color: white"
    if value > 50:
        return f"background-color: {BETTER_TINT}"
    if value == 50:
        return ""
    if value > 25:
        return f"background-color: {WORSE_TINT}"
    return f"background-color: {WORSE}; color: white"


def _styles(_: pd.Series, styles: list[str]) -> list[str]:
    return styles


def render_indicators(view: ProfileView, snapshot) -> None:
    section = profile_section(
        "indicators", t("profile.section.indicators"), ":material/table_view:"
    )
    if section is None:
        return
    with section:
        st.caption(
            t("profile.position_note")
            + " "
            + t(
                "profile.years_note",
                group=escape_markdown(view.group.label),
                n=len(view.group.members),
            )
        )
        position_column = t("profile.col.better_than")
        tabs = st.tabs([table.label for table in view.indicator_tables])
        for tab, table in zip(tabs, view.indicator_tables, strict=True):
            with tab:
                if not table.ids:
                    st.info(table.notice, icon=":material/info:")
                    continue
                styled = table.frame.style.apply(
                    _styles,
                    styles=[_position_style(p) for p in table.positions],
                    subset=[position_column],
                )
                for period, verdicts in table.verdicts.items():
                    styled = styled.apply(
                        _styles,
                        styles=[_VERDICT_STYLES.get(v, "") for v in verdicts],
                        subset=[t("comparison.col.change", n=period)],
                    )
                st.dataframe(styled, hide_index=True, width="stretch", placeholder=MISSING)
                render_note(table.small_note)
        # One file of every dimension, as data (the tables above are formatted for reading).
        render_profile_downloads(
            snapshot,
            code=view.code,
            name=view.name,
            group_label=view.group.label,
            profile=view.profile,
            trends=view.trends,
        )
        render_goals(view)


def render_trends(view: ProfileView, snapshot) -> None:
    section = profile_section("trends", t("profile.section.trends"), ":material/trending_up:")
    if section is None:
        return
    with section:
        st.markdown("\n".join(f"- {escape_markdown(line)}" for line in view.trend_lines))
        labels = {p: t("comparison.period_label", n=p) for p in view.periods}
        period = state.stateful_selectbox(
            t("comparison.trend_period"),
            list(view.periods),
            state.PERIOD_KEY,
            CHANGE_PERIOD,
            format_func=labels.__getitem__,
        )
        span = view.trend_years(period)
        st.caption(
            t("comparison.trend_note")
            + (" " + t("comparison.trend_years", years=span) if span else "")
        )
        table, verdicts, versus = view.trend_table(period)
        st.dataframe(
            table.style.apply(
                _styles,
                styles=[_VERDICT_STYLES.get(v, "") for v in verdicts],
                subset=[t("comparison.col.own_change")],
            ).apply(
                _styles,
                styles=[_VERDICT_STYLES.get(v, "") for v in versus],
                subset=[t("comparison.col.versus")],
            ),
            hide_index=True,
            width="stretch",
            placeholder=MISSING,
        )
        render_trend_chart(view, snapshot)


def render_trend_chart(view: ProfileView, snapshot) -> None:
    fmt = view.formatter
    indicator_id = select_indicator(snapshot)
    trend = view.trend_series(indicator_id)
    years = plotted_years(trend)
    span = _year_span(years) if years else ""
    st.subheader(
        t("comparison.trend_chart_title", indicator=escape_markdown(fmt.name(indicator_id)))
    )
    chart, table = st.tabs([t("profile.chart_tab"), t("profile.table_tab")])
    chart.plotly_chart(
        build_trend_figure(
            trend,
            unit=fmt.unit(indicator_id),
            lang=view.lang,
            decimals=fmt.decimals.get(indicator_id, 1),
            reference_series=view.reference_series(),
        ),
        width="stretch",
        config=chart_config(
            file_stem(view.code, view.name, indicator_id, span), chart_id="profile_trend"
        ),
    )
    frame = (
        trend.pivot(index="year", columns="series", values="value")
        .reset_index()
        .rename(columns={"year": t("common.year")})
    )
    # The table alternative in a tab: this section is an expander already.
    table.dataframe(frame, hide_index=True, width="stretch", placeholder=MISSING)
    render_downloads(
        frame,
        TableDownload(
            snapshot,
            (indicator_id,),
            (view.code, view.name, indicator_id, span),
            title=f"{view.name}: {fmt.name(indicator_id)}",
            chart_id="profile_trend",
        ),
        container=table,
    )
    st.caption(
        caption_text(snapshot, indicator_id, years)
        + " "
        + t("comparison.group_caption", definition=escape_markdown(view.group.definition))
    )


def _year_span(values: list[int]) -> str:
    return str(min(values)) if min(values) == max(values) else f"{min(values)}–{max(values)}"


def render_goals(view: ProfileView) -> None:
    """The strengths and weak spots by Sustainable Development Goal (views.profile.goals)."""
    st.markdown(f"##### {t('profile.goals_title')}")
    st.caption(t("profile.goals_intro"))
    if not view.goals:
        st.markdown(t("profile.goals_none"))
    for standing in view.goals:
        lines = [f"**{escape_markdown(standing.label)}**"]
        for key, items in (
            ("profile.goal_ahead", standing.strengths),
            ("profile.goal_behind", standing.weaknesses),
        ):
            if items:
                lines.append(f"- {t(key)}: " + "; ".join(escape_markdown(i) for i in items))
        st.markdown("\n".join(lines))
