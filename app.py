"""kuntadash entry point: page config, navigation, shared sidebar (language, municipality)."""

from __future__ import annotations

import logging

import streamlit as st

from kuntadash.i18n import DEFAULT_LANGUAGE, LANGUAGE_NAMES, LANGUAGES
from kuntadash.store import Snapshot, SnapshotError
from kuntadash.store.locations import sample_dir
from kuntadash.ui import state
from kuntadash.ui.a11y import render_document_language
from kuntadash.ui.admin import begin_uploads_run, end_uploads_run
from kuntadash.ui.downloads import disable_builtin_table_export
from kuntadash.ui.entry import through_app
from kuntadash.ui.i18n import current_language, t
from kuntadash.ui.loaders import (
    SAMPLE_CHOICE,
    data_dir,
    load_problems,
    load_served_snapshot,
    load_snapshot,
    settle_heap,
)
from kuntadash.ui.widgets import (
    APP_STYLE,
    PAGE_CHOICE_KEY,
    PAGE_CHOICE_STYLE,
    render_invalid_params,
    render_sample_notice,
    render_sidebar_close_on_phone,
    select_municipality,
)


def main() -> None:
    select_language()
    navigation, municipality_pages = build_navigation()
    state.begin_page(navigation.url_path, keep=(state.LANG_KEY, state.DATASET_KEY))
    served, snapshot = load_checked_snapshot()
    render_sidebar(snapshot)
    # Pages create their own URL-bound widgets (indicator, year, ...): their rejected link values
    # are known only after the page ran, so they are shown in this slot above the page afterwards.
    invalid_params_slot = st.container()
    if navigation.url_path in municipality_pages:
        # One tap away on a phone's first screen, where the sidebar is folded away.
        st.html(PAGE_CHOICE_STYLE)
        select_municipality(snapshot, container=st.container(key=PAGE_CHOICE_KEY), on_page=True)
    render_document_language(current_language())
    st.html(APP_STYLE)
    begin_uploads_run()
    with through_app():
        navigation.run()
    # The server accepts uploads only from a session whose page drew an uploader in this run.
    end_uploads_run()
    with invalid_params_slot:
        render_invalid_params()
    # After the page has built its caches: long-lived objects leave the per-rerun collection.
    settle_heap(served)


def select_language() -> None:
    state.stateful_selectbox(
        "Kieli · Språk · Language",
        list(LANGUAGES),
        state.LANG_KEY,
        DEFAULT_LANGUAGE,
        format_func=LANGUAGE_NAMES.get,
        container=st.sidebar,
    )


def build_navigation() -> tuple[st.Page, set[str]]:
    """The app's pages (the first is the default) and the url paths of the pages that show the
    chosen municipality."""
    overview = st.Page(
        "pages/overview.py", title=t("nav.overview"), icon=":material/map:", default=True
    )
    profile = st.Page(
        "pages/municipality.py", title=t("nav.municipality"), icon=":material/location_city:"
    )
    compare = st.Page("pages/compare.py", title=t("nav.compare"), icon=":material/compare_arrows:")
    groups = st.Page("pages/groups.py", title=t("nav.groups"), icon=":material/leaderboard:")
    # The pages that show the chosen municipality: on a phone they carry the choice themselves.
    municipality_pages = {page.url_path for page in (overview, profile, compare, groups)}
    pages = [
        overview,
        profile,
        compare,
        groups,
        st.Page("pages/indicators.py", title=t("nav.indicators"), icon=":material/menu_book:"),
        st.Page("pages/event.py", title=t("nav.event"), icon=":material/slideshow:"),
        st.Page("pages/data.py", title=t("nav.data"), icon=":material/database:"),
    ]
    return st.navigation(pages), municipality_pages


def load_checked_snapshot() -> tuple[Snapshot, Snapshot]:
    """The served snapshot and the one chosen (the sample where offered and chosen); the run
    stops with a message when either cannot be read or fails its checks."""
    try:
        served = load_served_snapshot()
        if not served.is_sample and sample_dir().is_dir():
            select_dataset()
        snapshot = load_snapshot()
    except SnapshotError as exc:
        # The folder and the detail (with the commands that mend it) go to the server's log, for
        # the administrator; the reader gets a sentence in plain words.
        logging.getLogger(__name__).error("The snapshot in %s cannot be read: %s", data_dir(), exc)
        st.error(t("coverage.snapshot_unreadable"), icon=":material/error:")
        st.stop()
    problems = load_problems(snapshot)
    if problems:
        st.error(t("coverage.snapshot_invalid", count=len(problems)), icon=":material/error:")
        st.stop()
    return served, snapshot


def select_dataset() -> None:
    choices = {
        "official": t("common.dataset_official"),
        SAMPLE_CHOICE: t("common.dataset_sample"),
    }
    state.stateful_selectbox(
        t("common.dataset"),
        list(choices),
        state.DATASET_KEY,
        "official",
        format_func=choices.__getitem__,
        container=st.sidebar,
        help=t("common.dataset_help"),
    )


def render_sidebar(snapshot: Snapshot) -> None:
    """The municipality choice, the snapshot's line and the sample notice."""
    select_municipality(snapshot, container=st.sidebar)
    render_sidebar_close_on_phone(st.sidebar)
    st.sidebar.caption(
        t(
            "common.snapshot_line",
            kind=t("common.kind_sample") if snapshot.is_sample else t("common.kind_official"),
            division=snapshot.division_year,
            created=str(snapshot.manifest.get("created", ""))[:10],
        )
    )
    render_sample_notice(snapshot)


# An emoji icon: the browser draws it itself (a ":material/…:" icon is fetched from Google's CDN).
st.set_page_config(page_title="kuntadash", page_icon="📊", layout="wide")
# Also when the server was started without our .streamlit/config.toml (another working folder).
disable_builtin_table_export()
main()
