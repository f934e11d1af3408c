"""Municipality profile: where the municipality stands against a comparison group it chose.

The first screen answers in sentences: the score, rank and five-year direction in each
sustainability dimension (or that a dimension has no data yet), the three clearest strengths
and weakest spots with their numbers, and what changed most in five years, with the comparison
group and the PDF brief at hand. The detail follows in sections the reader opens on purpose:
the scores and their method, ranks in every grouping, the most similar municipalities and why,
every indicator against the group, and the trends. Everything drawn comes from one
:class:`~kuntadash.views.profile.ProfileView`, which the brief lays out on paper.
"""

from __future__ import annotations

import streamlit as st

from kuntadash.ui import state
from kuntadash.ui.downloads import (
    render_brief_button,
)
from kuntadash.ui.entry import require_app
from kuntadash.ui.i18n import current_language, t
from kuntadash.ui.links import current_view_url, render_share_link
from kuntadash.ui.loaders import (
    load_profile,
    load_snapshot,
)
from kuntadash.ui.profile_sections import (
    render_indicators,
    render_peer_settings,
    render_peers,
    render_ranks,
    render_scores,
    render_trends,
)
from kuntadash.ui.widgets import (
    escape_markdown,
    municipality_names,
    peer_choice,
    render_no_values,
    select_group_kind,
)
from kuntadash.views.profile import (
    CHANGE_PERIOD,
    DimensionSummary,
    Highlight,
    ProfileView,
)

require_app()

PAGE_PATH = "municipality"
# Metric deltas in the app's palette: purple = better, orange = worse (colour-blind safe).
_TREND_STYLE = {
    "better": ("violet", "up"),
    "worse": ("orange", "down"),
    "mixed": ("gray", "off"),
    "unchanged": ("gray", "off"),
}


def render() -> None:
    snapshot = load_snapshot()
    lang = current_language()
    code = st.session_state[state.MUNICIPALITY_KEY]
    # Names are data: escape_markdown wherever markdown renders them.
    name = municipality_names(snapshot)[code]
    top = st.columns([5, 4, 3], vertical_alignment="bottom")
    top[0].title(escape_markdown(name))
    if render_no_values(snapshot):
        return
    answer = st.container()
    st.caption(t("profile.details_note"))
    facts_box, scores_box, ranks_box, peers_box, indicators_box, trends_box = (
        st.container() for _ in range(6)
    )
    # The peer settings (drawn lower down) decide the "similar" group used above them, so they
    # run first, into their own container.
    with peers_box:
        # Not folded lazily: its widgets keep the similar municipalities' settings in the link.
        peers_section = st.expander(t("profile.section.peers"), icon=":material/groups:")
        render_peer_settings(peers_section, snapshot)
    kind = select_group_kind(container=top[1], help=t("comparison.group_help"))
    group, view = load_profile(snapshot, code, lang, kind, *peer_choice(snapshot))
    link = current_view_url(PAGE_PATH)
    render_brief_button(snapshot, code, group=group, container=top[2], view=view, link=link)
    top[0].caption(escape_markdown(" · ".join(f.value for f in view.facts[:3])))
    with answer:
        render_answer(view)
        render_share_link(code, lang, view.names, link)
    with facts_box:
        render_facts(view)
    with scores_box:
        render_scores(view, snapshot)
    with ranks_box:
        render_ranks(view)
    with peers_section:
        render_peers(view)
    with indicators_box:
        render_indicators(view, snapshot)
    with trends_box:
        render_trends(view, snapshot)


# --- the first screen ----------------------------------------------------------------------------


def render_answer(view: ProfileView) -> None:
    """Where the municipality stands, its strengths and weak spots, and what changed most."""
    st.markdown(escape_markdown(view.intro))
    if len(view.group.members) < 5:
        st.info(t("comparison.small_group", n=len(view.group.members)), icon=":material/info:")
    # Keyed containers: a stable handle (CSS class st-key-...) for the first-screen checks.
    dimensions = st.container(key="profile_dimensions")
    columns = dimensions.columns(len(view.dimensions))
    for column, summary in zip(columns, view.dimensions, strict=True):
        with column:
            render_dimension(summary)
    strengths, weaknesses, changes = st.container(key="profile_highlights").columns(3)
    with strengths:
        _highlights(t("profile.strengths_title"), view.strengths, t("profile.no_strengths"))
    with weaknesses:
        _highlights(t("profile.weaknesses_title"), view.weaknesses, t("profile.no_weaknesses"))
    with changes:
        st.markdown(f"##### {t('profile.changes_title', years=CHANGE_PERIOD)}")
        if not view.changes:
            st.markdown(escape_markdown(view.changes_note))
        st.markdown(
            "\n".join(
                f"- **{escape_markdown(c.name)}**: {escape_markdown(c.text)}" for c in view.changes
            )
        )
    notes = (t("profile.highlights_note"), view.highlights_note, t("profile.changes_note"))
    st.caption(" ".join(note for note in notes if note))


def render_dimension(summary: DimensionSummary) -> None:
    """One dimension as a card: the score, the five-year direction, and the reading."""
    colour, arrow = _TREND_STYLE.get(summary.trend, ("gray", "off"))
    with st.container(border=True):
        st.metric(
            summary.label,
            summary.score_text,
            delta=summary.trend_label or None,
            delta_color=colour,
            delta_arrow=arrow,
            # The counts behind the direction, on hover or tap: the card stays one screenful.
            # and what an update would bring where figures are lacking.
            help=t("comparison.score_help")
            + (f"\n\n{escape_markdown(summary.trend_text)}" if summary.trend_label else "")
            + (f"\n\n{escape_markdown(summary.arriving)}" if summary.arriving else ""),
        )
        st.markdown(escape_markdown(summary.reading))
        if not summary.trend_label and summary.trend_text:
            st.caption(escape_markdown(summary.trend_text))


def _highlights(title: str, items: list[Highlight], empty: str) -> None:
    st.markdown(f"##### {title}")
    if not items:
        st.markdown(empty)
        return
    st.markdown(
        "\n".join(f"- **{escape_markdown(h.name)}**: {escape_markdown(h.text)}" for h in items)
    )


# --- the details ---------------------------------------------------------------------------------


def render_facts(view: ProfileView) -> None:
    with st.expander(t("profile.facts_title"), icon=":material/location_city:"):
        st.markdown(
            "\n".join(
                f"- **{escape_markdown(f.label)}:** {escape_markdown(f.value)}" for f in view.facts
            )
        )
        if view.type_note:
            st.caption(escape_markdown(view.type_note))


render()
