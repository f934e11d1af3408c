"""kuntadash entry point: page config, navigation, shared sidebar (language, municipality)."""

from __future__ import annotations

import streamlit as st

from kuntadash.i18n import DEFAULT_LANGUAGE, LANGUAGE_NAMES, LANGUAGES
from kuntadash.store import SnapshotError
from kuntadash.ui import state
from kuntadash.ui.a11y import render_document_language
from kuntadash.ui.downloads import disable_builtin_table_export
from kuntadash.ui.i18n import current_language, t
from kuntadash.ui.loaders import data_dir, load_snapshot
from kuntadash.ui.widgets import render_invalid_params, render_sample_notice, select_municipality

st.set_page_config(page_title="kuntadash", page_icon=":material/query_stats:", layout="wide")
# Also when the server was started without our .streamlit/config.toml (another working folder).
disable_builtin_table_export()

state.stateful_selectbox(
    "Kieli · Språk · Language",
    list(LANGUAGES),
    state.LANG_KEY,
    DEFAULT_LANGUAGE,
    format_func=LANGUAGE_NAMES.get,
    container=st.sidebar,
)

pages = [
    st.Page("pages/overview.py", title=t("nav.overview"), icon=":material/map:", default=True),
    st.Page("pages/municipality.py", title=t("nav.municipality"), icon=":material/location_city:"),
    st.Page("pages/compare.py", title=t("nav.compare"), icon=":material/compare_arrows:"),
    st.Page("pages/groups.py", title=t("nav.groups"), icon=":material/leaderboard:"),
    st.Page("pages/indicators.py", title=t("nav.indicators"), icon=":material/menu_book:"),
    st.Page("pages/event.py", title=t("nav.event"), icon=":material/slideshow:"),
    st.Page("pages/data.py", title=t("nav.data"), icon=":material/database:"),
]
navigation = st.navigation(pages)
state.begin_page(navigation.url_path, keep=(state.LANG_KEY,))

try:
    snapshot = load_snapshot()
except SnapshotError as exc:
    st.error(t("common.snapshot_error", folder=str(data_dir()), error=str(exc)))
    st.stop()

select_municipality(snapshot, container=st.sidebar)
st.sidebar.caption(
    t(
        "common.snapshot_line",
        kind=t("common.kind_sample") if snapshot.is_sample else t("common.kind_official"),
        division=snapshot.division_year,
        created=str(snapshot.manifest.get("created", ""))[:10],
    )
)
render_sample_notice(snapshot)
# Pages create their own URL-bound widgets (indicator, year, ...): their rejected link values
# are known only after the page ran, so they are shown in this slot above the page afterwards.
invalid_params_slot = st.container()
render_document_language(current_language())
navigation.run()
with invalid_params_slot:
    render_invalid_params()
