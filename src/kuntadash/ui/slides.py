"""The event mode's clock, QR code and large-type styles (UI layer).

Kept apart from pages/event.py so the advance rule is tested directly and the page stays
layout; the sequence of slides and what each shows are the view model's
(kuntadash.views.event).

A slide fits the screen of a presenting laptop (1366×768 and up) without scrolling: the chart
takes the height the rest leaves (CSS, so it follows the real window), the QR code is at the
top right.
"""

from __future__ import annotations

import base64
import html
import time

import streamlit as st

from kuntadash.charts.palette import PRIMARY
from kuntadash.ui import state
from kuntadash.ui.i18n import t
from kuntadash.ui.links import holder_warning, qr_png

INTERVALS = (8, 10, 15, 20, 30, 45, 60)
DEFAULT_INTERVAL = 15
TIMER_SLACK_S = 0.5
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


def next_index(index: int, count: int, step: int) -> int:
    """The slide ``step`` away from ``index`` (0-based), wrapping round at both ends."""
    return (index + step) % count


def advance_due(last: float, now: float, interval: float) -> bool:
    """Whether a timed run at ``now`` should move on; a little slack, as timers fire late or
    early by a few milliseconds."""
    return now - last >= interval - TIMER_SLACK_S


# --- the clock (session state) ---------------------------------------------------------------


def start_clock(count: int) -> tuple[int, bool]:
    """The interval in use (from the link) and whether the show is paused; the slide's number
    is kept valid among ``count``. Every full run (page load, key press, a sidebar change)
    restarts the slide's timer."""
    every = state.current(state.EVERY_KEY, list(INTERVALS), DEFAULT_INTERVAL)
    state.current(state.SLIDE_KEY, list(range(1, count + 1)), 1)
    st.session_state.setdefault(_PAUSED, False)
    st.session_state[_LAST_ADVANCE] = time.monotonic()
    return every, st.session_state[_PAUSED]


def step(count: int, step: int) -> None:
    """Move ``step`` slides on (a button's callback), wrapping round."""
    number = st.session_state[state.SLIDE_KEY]
    st.session_state[state.SLIDE_KEY] = next_index(number - 1, count, step) + 1


def toggle_pause() -> None:
    st.session_state[_PAUSED] = not st.session_state[_PAUSED]


def current_slide(count: int, every: int) -> int:
    """The slide to show (1-based), moved on first when a timed run finds its time up; the
    slide and the interval are written into the link."""
    now = time.monotonic()
    if not st.session_state[_PAUSED] and advance_due(st.session_state[_LAST_ADVANCE], now, every):
        step(count, 1)
        st.session_state[_LAST_ADVANCE] = now
    number = st.session_state[state.SLIDE_KEY]
    state.write_param(state.SLIDE_KEY, number, 1)
    state.write_param(state.EVERY_KEY, every, DEFAULT_INTERVAL)
    return number


# --- the QR code ---------------------------------------------------------------------------------


def render_qr(url: str, container, caption: str, lang: str) -> None:
    """``caption`` (which slide this is), then the QR code of ``url`` with the address written
    under it (``data-url`` carries it for tests and tools); under an address that works only on
    this computer, a sentence saying so in place of the invitation to scan. st.image gives no
    alt text (axe image-alt, WCAG 1.1.1): an <img> with one."""
    png = base64.b64encode(qr_png(url)).decode("ascii")
    label = t("event.qr_caption")
    container.caption(caption)
    box = container.container(key="event_qr")
    box.html(
        f'<img src="data:image/png;base64,{png}" width="{QR_SIZE}" height="{QR_SIZE}" '
        f'alt="{html.escape(label)}" data-url="{html.escape(url)}">',
        width="content",
    )
    box.caption(holder_warning(url, lang, "slides") or label)
    box.caption(url)
