"""Event mode: a self-advancing, large-type show for a stand or a talk, offline.

A curated sequence: the national map of one headline indicator per sustainability dimension,
then the chosen municipality's profile summary. It advances by itself every ``every`` seconds
(a fragment reruns on a timer, so only the slide redraws) or with the arrow keys (button
shortcuts). Each slide shows a QR code of the same view in the normal app, at the address the
audience can open (see kuntadash.ui.links), and says so plainly when the phones could not. The
slide and the interval live in the URL like every other view state.

A slide fits the screen of a presenting laptop (1366×768 and up) without scrolling: the chart
takes the height the rest leaves (CSS, so it follows the real window), the QR code is at the
top right. A context (neutral) indicator is shown without ranks or a top three; every slide has
its figures as a table too.
"""

from __future__ import annotations

import base64
import html
import time

import pandas as pd
import streamlit as st

from kuntadash.charts.maps import build_map_figure
from kuntadash.charts.palette import PRIMARY
from kuntadash.charts.scores import build_dimension_scores_figure
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
from kuntadash.ui.entry import require_app
from kuntadash.ui.i18n import current_language, t
from kuntadash.ui.links import app_base_url, holder_warning, is_local_address, qr_png, view_url
from kuntadash.ui.loaders import (
    load_formatter,
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
    catalogue_row,
    comparison_group,
    dimension_label,
    dimensions_with_data,
    escape_markdown,
    indicator_name,
    indicators_with_data,
    municipality_names,
    population_text,
    render_no_values,
    render_table,
)

require_app()

PAGE_PATH = "event"
_LAST_ADVANCE = "_event_last_advance"
_PAUSED = "_event_paused"
# A chart's smallest height; the profile's bar chart grows with the window (see _slide_style).
CHART_MIN_HEIGHT = 260
# The map keeps one height: its zoom is fixed when it is drawn, so a taller box would only add
# white around it. This height fits 1366×768 (less the notices shown above the slide).
MAP_SLIDE_HEIGHT = 460
QR_SIZE = 180
QR_SHORT_SIZE = 150
# What a slide's chart leaves for everything else above and below it, in px: controls, step,
# title and lead, the caption, paddings (measured on the slides; the browser tests check that
# every slide fits 1366×768, 1400×900 and 1920×1080). Windows up to 960 px high use smaller type.
RESERVED = {"tall": 390, "short": 340}
# Each notice above a slide (the address warning, the sample's notice) takes about this much.
NOTICE_RESERVED = 60

LARGE_TYPE = (
    """
<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"],
[data-testid="stExpandSidebarButton"], [data-testid="stHeader"] {display: none;}
.stMainBlockContainer {padding-top: 1rem; padding-bottom: 0.5rem; max-width: 100%;}
.stMainBlockContainer h1 {font-size: 3rem; line-height: 1.1; padding: 0.25rem 0 0.1rem;}
.stMainBlockContainer h2 {font-size: 1.9rem; padding: 0.1rem 0;}
.stMainBlockContainer h3 {font-size: 1.6rem; padding: 0.1rem 0;}
.stMainBlockContainer p, .stMainBlockContainer li {font-size: 1.4rem;}
.stMainBlockContainer li {margin: 0; line-height: 1.4;}
.stMainBlockContainer [data-testid="stAlertContainer"] {padding: 0.4rem 0.8rem;}
.stMainBlockContainer [data-testid="stAlert"] p {font-size: 0.9rem; line-height: 1.35;}
[data-testid="stMetricValue"], [data-testid="stMetricValue"] p {
  font-size: 2.8rem; line-height: 1.15;
}
[data-testid="stMetricLabel"] p {font-size: 1.3rem;}
.stMainBlockContainer [data-testid="stCaptionContainer"] p {font-size: 1rem;}
.stMainBlockContainer [data-testid="stExpander"] p {font-size: 1rem;}
.stMainBlockContainer button:focus-visible {outline: 3px solid PRIMARY_COLOUR; outline-offset: 2px;}
.st-key-event_qr img {width: min(QR_PX, 100%); height: auto;}
/* The address under the QR code: a caption is faded, its link would fall below 4.5:1. */
.st-key-event_qr [data-testid="stCaptionContainer"] {opacity: 1;}
.st-key-event_qr [data-testid="stCaptionContainer"] a {color: PRIMARY_COLOUR; opacity: 1;}
@media (max-height: 960px) {
  .stMainBlockContainer h1 {font-size: 2.3rem;}
  .stMainBlockContainer h2 {font-size: 1.5rem;}
  .stMainBlockContainer h3 {font-size: 1.3rem;}
  .stMainBlockContainer p, .stMainBlockContainer li {font-size: 1.15rem;}
  [data-testid="stMetricValue"], [data-testid="stMetricValue"] p {font-size: 2.1rem;}
  [data-testid="stMetricLabel"] p {font-size: 1.05rem;}
  .stMainBlockContainer [data-testid="stCaptionContainer"] p {font-size: 0.9rem;}
  .st-key-event_qr img {width: min(QR_SHORT_PX, 100%);}
}
</style>
""".replace("QR_SHORT_PX", f"{QR_SHORT_SIZE}px")
    .replace("QR_PX", f"{QR_SIZE}px")
    .replace("PRIMARY_COLOUR", PRIMARY)
)


def _slide_style(reserved_extra: int) -> str:
    """The profile chart's box: the window's height less what the rest of the slide needs."""
    tall, short = RESERVED["tall"] + reserved_extra, RESERVED["short"] + reserved_extra
    box = "div.st-key-event_chart"
    return (
        "<style>"
        f"{box} {{flex: 0 0 auto !important; min-height: {CHART_MIN_HEIGHT}px;"
        f" height: calc(100vh - {tall}px) !important;}}"
        f"@media (max-height: 960px) {{{box} {{height: calc(100vh - {short}px) !important;}}}}"
        "</style>"
    )


# One style per number of notices above the slide (none, one, both): constants, no data.
SLIDE_STYLES = tuple(_slide_style(count * NOTICE_RESERVED) for count in range(3))


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


base = app_base_url(PAGE_PATH)
unreachable = is_local_address(base)
notice_count = int(unreachable) + int(snapshot.is_sample)
notices = NOTICE_RESERVED * notice_count
SLIDE_STYLE = SLIDE_STYLES[notice_count]
st.html(LARGE_TYPE)
st.html(SLIDE_STYLE)
with st.container(horizontal=True, vertical_alignment="center", key="event_controls"):
    st.button(
        t("event.previous"),
        icon=":material/arrow_back:",
        on_click=_step,
        args=(-1,),
        shortcut="Left",
        key="event_previous",
    )
    st.button(
        t("event.next"),
        icon=":material/arrow_forward:",
        on_click=_step,
        args=(1,),
        shortcut="Right",
        key="event_next",
    )
    paused = st.session_state[_PAUSED]
    st.button(
        t("event.play") if paused else t("event.pause"),
        icon=":material/play_arrow:" if paused else ":material/pause:",
        on_click=_toggle_pause,
        key="event_pause",
    )
    st.caption(
        t("event.keys_hint_paused") if paused else t("event.keys_hint", seconds=every),
        width="stretch",
    )
    st.page_link("pages/overview.py", label=t("event.exit"), icon=":material/close:")
if unreachable:
    st.warning(
        t("event.local_address", address=escape_markdown(base)),
        icon=":material/phonelink_off:",
    )

lang_param = (lang, DEFAULT_LANGUAGE)
kunta_param = (code, DEFAULT_MUNICIPALITY)
formatter = load_formatter(snapshot, lang)


def _qr(url: str, container, step: str) -> None:
    """Which slide this is, then the QR code of ``url`` with the address written under it
    (``data-url`` carries it for tests and tools); under an address that works only on this
    computer, a sentence saying so in place of the invitation to scan. st.image gives no alt
    text (axe image-alt, WCAG 1.1.1): an <img> with one."""
    png = base64.b64encode(qr_png(url)).decode("ascii")
    label = t("event.qr_caption")
    container.caption(step)
    box = container.container(key="event_qr")
    box.html(
        f'<img src="data:image/png;base64,{png}" width="{QR_SIZE}" height="{QR_SIZE}" '
        f'alt="{html.escape(label)}" data-url="{html.escape(url)}">',
        width="content",
    )
    box.caption(holder_warning(url, lang, "slides") or label)
    box.caption(url)


def _chart_box():
    """The container whose height follows the window (see _slide_style)."""
    return st.container(key="event_chart")


def _map_slide(dimension: str, indicator_id: str, step: str) -> None:
    meta = catalogue_row(snapshot, indicator_id)
    neutral = meta["direction"] == "neutral"
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
    value_texts = [formatter.value(indicator_id, v) for v in series]
    table = pd.DataFrame(
        {
            "municipality_code": municipalities.index,
            "name": names.reindex(municipalities.index).to_numpy(),
            "value": series.to_numpy(),
            "value_text": value_texts,
            # A context indicator has no better end: no rank in the hover either.
            "rank_text": [
                ""
                if neutral
                else t("common.rank_text", rank=int(r), of=with_data)
                if pd.notna(r)
                else t("common.no_data")
                for r in ranks
            ],
            "in_focus": True,
        }
    )
    st.title(dimension_label(dimension))
    st.subheader(
        t(
            "event.map_lead",
            indicator=escape_markdown(indicator_name(snapshot, indicator_id)),
            year=year,
        )
    )
    left, middle, right = st.columns([2.1, 1.2, 0.8], gap="large")
    with left:
        st.plotly_chart(
            build_map_figure(
                load_geojson(snapshot),
                table,
                direction=meta["direction"],
                unit=str(meta[f"unit_{lang}"]),
                lang=lang,
                selected=code,
                height=MAP_SLIDE_HEIGHT - notices,
            ),
            width="stretch",
            config=chart_config(file_stem("map", indicator_id, year)),
            key=f"event_map_{indicator_id}",
        )
    with middle:
        st.metric(
            escape_markdown(names.get(code, code)), formatter.value(indicator_id, series.get(code))
        )
        rank = ranks.get(code)
        if neutral:
            st.markdown(t("event.context_note"))
        elif pd.notna(rank):
            st.markdown(t("common.rank_text", rank=int(rank), of=with_data))
        else:
            st.markdown(t("common.no_data"))
        st.metric(t("event.country_median"), formatter.value(indicator_id, series.median()))
        if not neutral:
            best = table.assign(rank=ranks.to_numpy()).dropna(subset=["rank"]).nsmallest(3, "rank")
            st.markdown(
                "\n".join(
                    [
                        f"**{t('event.best_three')}**",
                        "",
                        *(
                            f"{int(r)}. {escape_markdown(n)} — {escape_markdown(v)}"
                            for r, n, v in zip(
                                best["rank"], best["name"], best["value_text"], strict=True
                            )
                        ),
                    ]
                )
            )
        _map_table(table, ranks, neutral, indicator_id, year)
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
        step,
    )
    st.caption(
        t(f"direction.{meta['direction']}") + ". " + caption_text(snapshot, indicator_id, year)
    )


def _map_table(
    table: pd.DataFrame, ranks: pd.Series, neutral: bool, indicator_id: str, year: int
) -> None:
    """The map's figures as a table (every municipality; ranks only for a directional
    indicator, best first; a context indicator in order of its values, largest first)."""
    frame = table.assign(rank=ranks.to_numpy())
    frame = frame.sort_values(
        ["value", "name"] if neutral else ["rank", "name"],
        ascending=[not neutral, True],
        na_position="last",
    )
    unit = formatter.unit(indicator_id)
    columns = {
        t("common.municipality"): frame["name"],
        f"{t('common.value')} ({unit})" if unit else t("common.value"): frame["value_text"],
    }
    if not neutral:
        columns = {t("common.rank"): frame["rank"], **columns}
    render_table(
        pd.DataFrame(columns),
        chosen=(frame["municipality_code"] == code).tolist(),
        height=300,
        alt=t("event.table_alt", indicator=indicator_name(snapshot, indicator_id), year=year),
    )


def _register_text(value: object) -> str:
    return "–" if value is None or pd.isna(value) else escape_markdown(value)


def _profile_figures(summary: pd.DataFrame) -> None:
    """One large figure per dimension, two to a row."""
    rows = list(summary.iterrows())
    for start in range(0, len(rows), 2):
        columns = st.columns(2)
        for column, (_, row) in zip(columns, rows[start : start + 2], strict=False):
            column.metric(
                t(f"brief.dim_short.{row['dimension']}"),
                "–" if pd.isna(row["score"]) else f"{formatter.number(row['score'])}/100",
            )


def _profile_scores(summary: pd.DataFrame) -> None:
    """The profile slide's chart of the dimension scores against the group's median."""
    with _chart_box():
        st.plotly_chart(
            build_dimension_scores_figure(
                summary.assign(label=[dimension_label(d) for d in summary["dimension"]]),
                lang=lang,
                score_label=names.get(code, code),
                median_label=t("comparison.group_median_label"),
                axis_title=t("comparison.scores_axis"),
                missing_text=t("comparison.no_score"),
                height=CHART_MIN_HEIGHT,
            ),
            width="stretch",
            height="stretch",
            config=chart_config(file_stem(code, names.get(code, code), "scores")),
            key="event_scores",
        )


def _profile_strongest(group: ComparisonGroup) -> None:
    """The three indicators where the municipality stands best in its group (directional
    indicators only: a context indicator has no better end)."""
    reference = load_reference_table(snapshot)
    profile = profile_from_table(
        reference, snapshot.catalogue, code, group.members, load_reference_years(snapshot)
    )
    profile = profile[profile["direction"] != "neutral"]
    strongest, _ = strengths_and_weaknesses(profile, count=3)
    st.subheader(t("event.strongest"))
    if strongest.empty:
        st.markdown(t("common.no_data"))
    st.markdown(
        "\n".join(
            f"- **{escape_markdown(indicator_name(snapshot, i))}**: "
            + t(
                "event.position_value",
                value=escape_markdown(formatter.value(i, v)),
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


def _scores_table(summary: pd.DataFrame) -> None:
    render_table(
        pd.DataFrame(
            {
                t("common.dimension"): [dimension_label(d) for d in summary["dimension"]],
                names.get(code, code): [
                    "–" if pd.isna(v) else f"{formatter.number(v)}/100" for v in summary["score"]
                ],
            }
        ),
        alt=t("event.scores_table_alt", name=names.get(code, code)),
    )


def _profile_slide(step: str) -> None:
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
    left, middle, right = st.columns([1.9, 1.4, 0.8], gap="large")
    if render_no_values(snapshot):
        summary = None
    else:
        summary = load_partition_scores(snapshot, kind).for_municipality(code)
        with left:
            _profile_scores(summary)
            _scores_table(summary)
        with middle:
            _profile_figures(summary)
            _profile_strongest(group)
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
        step,
    )
    if summary is not None:
        st.caption(t("event.scores_note"))


@st.fragment(run_every=None if paused else every)
def _show() -> None:
    now = time.monotonic()
    if not st.session_state[_PAUSED] and advance_due(st.session_state[_LAST_ADVANCE], now, every):
        _step(1)
        st.session_state[_LAST_ADVANCE] = now
    number = st.session_state[state.SLIDE_KEY]
    state.write_param(state.SLIDE_KEY, number, 1)
    state.write_param(state.EVERY_KEY, every, DEFAULT_INTERVAL)
    step = t("event.step", index=number, count=len(slides))
    slide = slides[number - 1]
    if slide.kind == "map":
        _map_slide(slide.dimension, slide.indicator_id, step)
    else:
        _profile_slide(step)


_show()
