"""Event mode: a self-advancing, large-type show for a stand or a talk, offline.

A curated sequence: the national map of one headline indicator per sustainability dimension,
then the chosen municipality's profile summary. It advances by itself every ``every`` seconds
(a fragment reruns on a timer, so only the slide redraws) or with the arrow keys (button
shortcuts). Each slide shows a QR code of the same view in the normal app. The slide and the
interval live in the URL like every other view state.
"""

from __future__ import annotations

import base64
import html
import time

import pandas as pd
import streamlit as st

from kuntadash.charts.maps import build_map_figure
from kuntadash.charts.scores import build_dimension_scores_figure
from kuntadash.domain.catalogue import DIMENSIONS, indicator_row
from kuntadash.domain.groups import DEFAULT_KIND, GROUP_KINDS, ComparisonGroup
from kuntadash.domain.stats import (
    latest_common_year,
    profile_from_table,
    rank_values,
    strengths_and_weaknesses,
    values_for,
    years_with_data,
)
from kuntadash.i18n import DEFAULT_LANGUAGE
from kuntadash.ui import state
from kuntadash.ui.downloads import chart_config, file_stem
from kuntadash.ui.i18n import current_language, t
from kuntadash.ui.links import app_base_url, qr_png, view_url
from kuntadash.ui.loaders import (
    load_geojson,
    load_partition_scores,
    load_reference_table,
    load_reference_years,
    load_snapshot,
)
from kuntadash.ui.slides import (
    DEFAULT_INTERVAL,
    INTERVALS,
    advance_due,
    build_slides,
    next_index,
)
from kuntadash.ui.widgets import (
    DEFAULT_MUNICIPALITY,
    caption_text,
    comparison_group,
    dimension_label,
    dimensions_with_data,
    escape_markdown,
    fmt,
    indicator_name,
    indicators_with_data,
    municipality_names,
    population_text,
    render_no_values,
)

PAGE_PATH = "event"
_LAST_ADVANCE = "_event_last_advance"
_PAUSED = "_event_paused"
MAP_HEIGHT = 560

LARGE_TYPE = """
<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"],
[data-testid="stExpandSidebarButton"], [data-testid="stHeader"] {display: none;}
.stMainBlockContainer {padding-top: 1.2rem; max-width: 100%;}
.stMainBlockContainer h1 {font-size: 3.2rem; line-height: 1.1;}
.stMainBlockContainer h2 {font-size: 2.2rem;}
.stMainBlockContainer p, .stMainBlockContainer li {font-size: 1.45rem;}
.stMainBlockContainer [data-testid="stAlert"] p {font-size: 1rem;}
[data-testid="stMetricValue"], [data-testid="stMetricValue"] p {
  font-size: 3rem; line-height: 1.15;
}
[data-testid="stMetricLabel"] p {font-size: 1.3rem;}
.stMainBlockContainer [data-testid="stCaptionContainer"] p {font-size: 1.05rem;}
.stMainBlockContainer button:focus-visible {outline: 3px solid #1d4f91; outline-offset: 2px;}
</style>
"""


snapshot = load_snapshot()
lang = current_language()
code = st.session_state[state.MUNICIPALITY_KEY]
names = municipality_names(snapshot)
available = indicators_with_data(snapshot)

slides = build_slides(available)
numbers = list(range(1, len(slides) + 1))
every = state.current(state.EVERY_KEY, list(INTERVALS), DEFAULT_INTERVAL)
state.current(state.SLIDE_KEY, numbers, 1)
st.session_state.setdefault(_PAUSED, False)
# Every full run (page load, key press, a sidebar change) restarts the slide's timer.
st.session_state[_LAST_ADVANCE] = time.monotonic()


def _step(step: int) -> None:
    index = numbers.index(st.session_state[state.SLIDE_KEY])
    st.session_state[state.SLIDE_KEY] = numbers[next_index(index, len(numbers), step)]


def _toggle_pause() -> None:
    st.session_state[_PAUSED] = not st.session_state[_PAUSED]


st.html(LARGE_TYPE)
controls = st.columns([1.3, 1.3, 1.2, 3.6, 1.9], vertical_alignment="center")
controls[0].button(
    t("event.previous"),
    icon=":material/arrow_back:",
    on_click=_step,
    args=(-1,),
    shortcut="Left",
    key="event_previous",
    width="stretch",
)
controls[1].button(
    t("event.next"),
    icon=":material/arrow_forward:",
    on_click=_step,
    args=(1,),
    shortcut="Right",
    key="event_next",
    width="stretch",
)
paused = st.session_state[_PAUSED]
controls[2].button(
    t("event.play") if paused else t("event.pause"),
    icon=":material/play_arrow:" if paused else ":material/pause:",
    on_click=_toggle_pause,
    key="event_pause",
    width="stretch",
)
controls[3].caption(t("event.keys_hint_paused") if paused else t("event.keys_hint", seconds=every))
controls[4].page_link("pages/overview.py", label=t("event.exit"), icon=":material/close:")

base = app_base_url(PAGE_PATH)
lang_param = (lang, DEFAULT_LANGUAGE)
kunta_param = (code, DEFAULT_MUNICIPALITY)


def _qr(url: str, container) -> None:
    # st.image gives the picture no alt text (axe image-alt, WCAG 1.1.1): an <img> with one.
    png = base64.b64encode(qr_png(url)).decode("ascii")
    label = t("event.qr_caption")
    container.html(
        f'<img src="data:image/png;base64,{png}" width="190" height="190" '
        f'alt="{html.escape(label)}">',
        width="content",
    )
    container.caption(label)
    container.caption(url)


def _map_slide(dimension: str, indicator_id: str) -> None:
    meta = indicator_row(snapshot.catalogue, indicator_id)
    # The overview's default year: the latest with data for half the municipalities, else the
    # latest with any data (an indicator only some municipalities report).
    year = (
        latest_common_year(snapshot.values, indicator_id)
        or years_with_data(snapshot.values, indicator_id)[-1]
    )
    municipalities = snapshot.municipalities.set_index("municipality_code")
    series = values_for(snapshot.values, indicator_id, year).reindex(municipalities.index)
    ranks = rank_values(series, meta["direction"])
    with_data = int(series.notna().sum())
    table = pd.DataFrame(
        {
            "municipality_code": municipalities.index,
            "name": names.reindex(municipalities.index).to_numpy(),
            "value": series.to_numpy(),
            "value_text": [fmt(snapshot, indicator_id, v) for v in series],
            "rank_text": [
                t("common.rank_text", rank=int(r), of=with_data)
                if pd.notna(r)
                else t("common.no_data")
                for r in ranks
            ],
            "in_focus": True,
        }
    )
    left, right = st.columns([2.2, 1], gap="large")
    with left:
        st.title(dimension_label(dimension))
        st.subheader(
            t(
                "event.map_lead",
                indicator=escape_markdown(indicator_name(snapshot, indicator_id)),
                year=year,
            )
        )
        st.plotly_chart(
            build_map_figure(
                load_geojson(snapshot),
                table,
                direction=meta["direction"],
                unit=str(meta[f"unit_{lang}"]),
                lang=lang,
                selected=code,
                height=MAP_HEIGHT,
            ),
            width="stretch",
            config=chart_config(file_stem("map", indicator_id, year)),
            key=f"event_map_{indicator_id}",
        )
        st.caption(
            t(f"direction.{meta['direction']}") + ". " + caption_text(snapshot, indicator_id, year)
        )
    with right:
        rank = ranks.get(code)
        st.metric(
            escape_markdown(names.get(code, code)),
            fmt(snapshot, indicator_id, series.get(code)),
            help=None,
        )
        st.markdown(
            t("common.rank_text", rank=int(rank), of=with_data)
            if pd.notna(rank)
            else t("common.no_data")
        )
        st.metric(t("event.country_median"), fmt(snapshot, indicator_id, series.median()))
        best = table.assign(rank=ranks.to_numpy()).dropna(subset=["rank"]).nsmallest(3, "rank")
        st.markdown(f"**{t('event.best_three')}**")
        st.markdown(
            "\n".join(
                f"{int(r)}. {escape_markdown(n)} — {escape_markdown(v)}"
                for r, n, v in zip(best["rank"], best["name"], best["value_text"], strict=True)
            )
        )
        default_indicator = available.loc[available["dimension"] == dimension, "id"].iloc[0]
        _qr(
            view_url(
                base,
                "",
                {
                    state.LANG_KEY: lang_param,
                    state.MUNICIPALITY_KEY: kunta_param,
                    state.DIMENSION_KEY: (dimension, dimensions_with_data(snapshot)[0]),
                    state.INDICATOR_KEY: (indicator_id, default_indicator),
                },
            ),
            right,
        )


def _register_text(value: object) -> str:
    return "–" if value is None or pd.isna(value) else escape_markdown(value)


def _profile_scores(kind: str, group: ComparisonGroup) -> None:
    """The profile slide's scores and strongest indicators (there are none without values)."""
    if render_no_values(snapshot):
        return
    summary = load_partition_scores(snapshot, kind).for_municipality(code)
    columns = st.columns(len(DIMENSIONS))
    for column, (_, row) in zip(columns, summary.iterrows(), strict=True):
        column.metric(
            t(f"brief.dim_short.{row['dimension']}"),
            "–" if pd.isna(row["score"]) else f"{row['score']:.0f}/100",
        )
    st.plotly_chart(
        build_dimension_scores_figure(
            summary.assign(label=[dimension_label(d) for d in summary["dimension"]]),
            lang=lang,
            score_label=names.get(code, code),
            median_label=t("comparison.group_median_label"),
            axis_title=t("comparison.scores_axis"),
            missing_text=t("comparison.no_score"),
            height=340,
        ),
        width="stretch",
        config=chart_config(file_stem(code, names.get(code, code), "scores")),
        key="event_scores",
    )
    st.caption(t("event.scores_note"))
    reference = load_reference_table(snapshot)
    profile = profile_from_table(
        reference, snapshot.catalogue, code, group.members, load_reference_years(snapshot)
    )
    strongest, _ = strengths_and_weaknesses(profile, count=3)
    st.subheader(t("event.strongest"))
    if strongest.empty:
        st.markdown(t("common.no_data"))
    st.markdown(
        "\n".join(
            f"- **{escape_markdown(indicator_name(snapshot, i))}**: "
            + t(
                "event.position_value",
                value=escape_markdown(fmt(snapshot, i, v)),
                percentile=round(p),
            )
            for i, v, p in zip(
                strongest["indicator_id"],
                strongest["value"],
                strongest["percentile"],
                strict=True,
            )
        )
    )


def _profile_slide() -> None:
    kind = st.session_state.get(state.GROUP_KEY, DEFAULT_KIND)
    if kind not in GROUP_KINDS or kind == "similar":
        kind = DEFAULT_KIND
    group = comparison_group(snapshot, code, kind)
    info = snapshot.municipalities.set_index("municipality_code").loc[code]
    st.title(escape_markdown(names.get(code, code)))
    st.markdown(
        " · ".join(
            [
                f"{t('common.population')} {population_text(snapshot, code)}",
                _register_text(info[f"region_name_{lang}"]),
                t(
                    "event.profile_lead",
                    group=escape_markdown(group.label),
                    n=len(group.members),
                ),
            ]
        )
    )
    left, right = st.columns([2.2, 1], gap="large")
    with left:
        _profile_scores(kind, group)
    with right:
        _qr(
            view_url(
                base,
                "municipality",
                {
                    state.LANG_KEY: lang_param,
                    state.MUNICIPALITY_KEY: (code, ""),
                    state.GROUP_KEY: (kind, DEFAULT_KIND),
                },
            ),
            right,
        )


@st.fragment(run_every=None if paused else every)
def _show() -> None:
    now = time.monotonic()
    if not st.session_state[_PAUSED] and advance_due(st.session_state[_LAST_ADVANCE], now, every):
        _step(1)
        st.session_state[_LAST_ADVANCE] = now
    number = st.session_state[state.SLIDE_KEY]
    state.write_param(state.SLIDE_KEY, number, 1)
    state.write_param(state.EVERY_KEY, every, DEFAULT_INTERVAL)
    st.caption(t("event.step", index=number, count=len(slides)))
    slide = slides[number - 1]
    if slide.kind == "map":
        _map_slide(slide.dimension, slide.indicator_id)
    else:
        _profile_slide()


_show()
