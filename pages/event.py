"""Event mode: a self-advancing, large-type show for a stand or a talk, offline.

A curated sequence: the national map of one headline indicator per sustainability dimension,
then the chosen municipality's profile summary (kuntadash.views.event computes what a slide
shows; this page lays it out). It advances by itself every ``every`` seconds (a fragment reruns
on a timer, so only the slide redraws) or with the arrow keys. Each slide shows a QR code of the
same view (the profile's: its baked page where served) at the address the audience can open
(kuntadash.links decides), and says so plainly when the phones could not. The slide and the
interval live in the URL; the clock, the QR code and the large type are kuntadash.ui.slides'.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from kuntadash.charts.maps import build_map_figure
from kuntadash.charts.scores import build_dimension_scores_figure
from kuntadash.i18n import DEFAULT_LANGUAGE
from kuntadash.store import Snapshot
from kuntadash.ui import slides, state
from kuntadash.ui.downloads import chart_config, file_stem
from kuntadash.ui.entry import require_app
from kuntadash.ui.event_sections import render_map_figures, render_strongest
from kuntadash.ui.i18n import current_language, t
from kuntadash.ui.links import app_base_url, is_local_address, profile_share_url, view_url
from kuntadash.ui.loaders import load_formatter, load_geojson, load_profile, load_snapshot
from kuntadash.ui.widgets import (
    DEFAULT_MUNICIPALITY,
    caption_text,
    escape_markdown,
    indicators_with_data,
    peer_choice,
    render_no_values,
    render_table,
)
from kuntadash.views.event import MapSlide, ProfileSlide, build_event_view, build_slides

require_app()

PAGE_PATH = "event"


@dataclass(frozen=True)
class _Show:
    """What every slide of a run shares (a timed run redraws only the slide, with these)."""

    snapshot: Snapshot
    lang: str
    code: str
    base: str  # the address the QR codes point to
    notices: int  # px taken by the notices above the slide
    count: int  # slides in the show
    every: int  # seconds a slide stays


def render() -> None:
    snapshot = load_snapshot()
    count = len(build_slides(indicators_with_data(snapshot)))
    every, paused = slides.start_clock(count)
    base = app_base_url(PAGE_PATH)
    unreachable = is_local_address(base)
    notice_count = int(unreachable) + int(snapshot.is_sample)
    st.html(slides.LARGE_TYPE)
    st.html(slides.SLIDE_STYLES[notice_count])
    render_controls(count, every, paused)
    if unreachable:
        st.warning(
            t("event.local_address", address=escape_markdown(base)),
            icon=":material/phonelink_off:",
        )
    code, lang = st.session_state[state.MUNICIPALITY_KEY], current_language()
    notices = slides.NOTICE_RESERVED * notice_count
    show = _Show(snapshot, lang, code, base, notices, count, every)
    st.fragment(run_every=None if paused else every)(render_slide)(show)


def render_controls(count: int, every: int, paused: bool) -> None:
    """Previous, next, pause or play, the keys' hint and the way out."""
    with st.container(horizontal=True, vertical_alignment="center", key="event_controls"):
        for label, icon, step, key, shortcut in (
            ("event.previous", ":material/arrow_back:", -1, "event_previous", "Left"),
            ("event.next", ":material/arrow_forward:", 1, "event_next", "Right"),
        ):
            st.button(
                t(label),
                icon=icon,
                on_click=slides.step,
                args=(count, step),
                shortcut=shortcut,
                key=key,
            )
        st.button(
            t("event.play") if paused else t("event.pause"),
            icon=":material/play_arrow:" if paused else ":material/pause:",
            on_click=slides.toggle_pause,
            key="event_pause",
        )
        st.caption(
            t("event.keys_hint_paused") if paused else t("event.keys_hint", seconds=every),
            width="stretch",
        )
        st.page_link("pages/overview.py", label=t("event.exit"), icon=":material/close:")


def render_slide(show: _Show) -> None:
    """The current slide; a timed run first moves on when the slide's time is up."""
    number = slides.current_slide(show.count, show.every)
    snapshot, code, lang = show.snapshot, show.code, show.lang
    view = build_event_view(
        snapshot,
        code,
        lang,
        number,
        available=indicators_with_data(snapshot),
        formatter=load_formatter(snapshot, lang),
        group_kind=st.session_state.get(state.GROUP_KEY),
        profile=lambda kind: load_profile(snapshot, code, lang, kind, *peer_choice(snapshot))[1],
    )
    if view.map is not None:
        render_map_slide(show, view.map, view.step)
    elif view.profile is not None:
        render_profile_slide(show, view.profile, view.step)


# --- a map slide ---------------------------------------------------------------------------------


def render_map_slide(show: _Show, slide: MapSlide, step: str) -> None:
    """The national map of one indicator, the chosen municipality's place, the QR code."""
    st.title(slide.title)
    lead = t("event.map_lead", indicator=escape_markdown(slide.indicator_name), year=slide.year)
    st.subheader(lead)
    left, middle, right = st.columns([2.1, 1.2, 0.8], gap="large")
    with left:
        st.plotly_chart(
            build_map_figure(
                load_geojson(show.snapshot),
                slide.table,
                direction=slide.direction,
                unit=slide.unit,
                lang=show.lang,
                selected=show.code,
                height=slides.MAP_SLIDE_HEIGHT - show.notices,
            ),
            width="stretch",
            config=chart_config(file_stem("map", slide.indicator_id, slide.year)),
            key=f"event_map_{slide.indicator_id}",
        )
    with middle:
        render_map_figures(slide)
    params = {
        state.LANG_KEY: (show.lang, DEFAULT_LANGUAGE),
        state.MUNICIPALITY_KEY: (show.code, DEFAULT_MUNICIPALITY),
        state.DIMENSION_KEY: (slide.dimension, slide.default_dimension),
        state.INDICATOR_KEY: (slide.indicator_id, slide.default_indicator),
    }
    slides.render_qr(view_url(show.base, "", params), right, step, show.lang)
    st.caption(
        slide.direction_text + ". " + caption_text(show.snapshot, slide.indicator_id, slide.year)
    )


# --- the profile slide ---------------------------------------------------------------------------


def render_profile_slide(show: _Show, slide: ProfileSlide, step: str) -> None:
    """The municipality against its comparison group: scores, the strongest, the QR code."""
    st.title(escape_markdown(slide.name))
    group = t("event.profile_lead", group=escape_markdown(slide.group_label), n=slide.group_size)
    population = f"{t('common.population')} {slide.population}"
    st.markdown(" · ".join([population, escape_markdown(slide.region), group]))
    left, middle, right = st.columns([1.9, 1.4, 0.8], gap="large")
    scored = not render_no_values(show.snapshot)
    if scored:
        with left:
            render_scores(show, slide)
            render_table(slide.scores_table, alt=slide.scores_alt)
        with middle:
            for start in range(0, len(slide.cards), 2):  # one large figure a dimension, two a row
                pair = slide.cards[start : start + 2]
                for column, card in zip(st.columns(2), pair, strict=False):
                    column.metric(*card)
            render_strongest(slide)
    url = profile_share_url(show.base, show.code, show.lang, slide.kind, slide.default_kind)
    slides.render_qr(url, right, step, show.lang)
    if scored:
        st.caption(t("event.scores_note"))


def render_scores(show: _Show, slide: ProfileSlide) -> None:
    """The dimension scores against the group's median, in the box whose height follows the
    window (ui.slides.SLIDE_STYLES)."""
    with st.container(key="event_chart"):
        st.plotly_chart(
            build_dimension_scores_figure(
                slide.scores,
                lang=show.lang,
                score_label=slide.name,
                median_label=t("comparison.group_median_label"),
                axis_title=t("comparison.scores_axis"),
                missing_text=t("comparison.no_score"),
                height=slides.CHART_MIN_HEIGHT,
            ),
            width="stretch",
            height="stretch",
            config=chart_config(file_stem(show.code, slide.name, "scores")),
            key="event_scores",
        )


render()
