"""Data page: snapshot status, sources and licences; for a signed-in administrator, update from
the official sources and import files (read-only for everyone else, see kuntadash.ui.admin)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from kuntadash.importing import DataImportError
from kuntadash.pipeline.update import UpdateError, run_update, skipped_report
from kuntadash.pipeline.uploads import MAX_UPLOAD_BYTES, MAX_UPLOAD_FILES, UPLOAD_TYPES
from kuntadash.pipeline.worker import Budget
from kuntadash.provenance import describe_source
from kuntadash.sources.errors import SourceError
from kuntadash.store import Snapshot
from kuntadash.ui.admin import is_admin, offer_uploads, render_admin_access, run_import
from kuntadash.ui.entry import require_app
from kuntadash.ui.i18n import current_language, t
from kuntadash.ui.loaders import data_dir, load_snapshot
from kuntadash.ui.widgets import MISSING, escape_markdown, render_dataframe

require_app()

# Outcome of the last update or import, kept across the rerun that shows the new snapshot.
OUTCOME_KEY = "_data_outcome"


def render() -> None:
    snapshot = load_snapshot()
    st.title(t("data.page.title"))
    st.write(t("data.page.intro") if is_admin() else t("admin.page_intro"))
    render_outcome()
    render_status(snapshot)
    render_sources(snapshot)
    render_administration(snapshot)


def render_outcome() -> None:
    """The outcome of the last update or import, once."""
    outcome = st.session_state.pop(OUTCOME_KEY, None)
    if outcome:
        st.success(outcome["message"])
        if outcome["notes"]:
            st.markdown("\n".join(f"- {escape_markdown(line)}" for line in outcome["notes"]))


def render_status(snapshot: Snapshot) -> None:
    manifest = snapshot.manifest
    st.subheader(t("data.page.status"))
    kind = t("data.page.kind_sample") if snapshot.is_sample else t("data.page.kind_official")
    boundaries = (
        t("data.page.boundaries_official")
        if manifest.get("boundaries") == "official"
        else t("data.page.boundaries_tiles")
    )
    status = pd.DataFrame(
        {
            "": [
                t("data.page.kind"),
                t("data.page.division"),
                t("data.page.created"),
                t("data.page.municipalities"),
                t("data.page.indicators"),
                t("data.page.boundaries"),
            ],
            " ": [
                kind,
                str(snapshot.division_year),
                str(manifest.get("created", ""))[:16].replace("T", " "),
                str(len(snapshot.municipalities)),
                str(snapshot.values["indicator_id"].nunique()),
                boundaries,
            ],
        }
    )
    render_dataframe(status)
    if snapshot.harmonised is not None and len(snapshot.harmonised):
        st.caption(t("data.page.harmonised", count=len(snapshot.harmonised)))


def render_sources(snapshot: Snapshot) -> None:
    manifest, lang = snapshot.manifest, current_language()
    st.subheader(t("data.page.sources"))
    st.caption(t("data.page.sources_help"))
    lines = [describe_source(s, lang) for s in manifest.get("sources", []) if isinstance(s, dict)]
    sources = pd.DataFrame(
        {
            t("data.page.col_publisher"): [line.publisher or MISSING for line in lines],
            t("data.page.col_title"): [line.title or MISSING for line in lines],
            t("data.page.col_vintage"): [line.vintage or MISSING for line in lines],
            t("data.page.col_licence"): [line.licence or MISSING for line in lines],
            t("data.page.col_accessed"): [line.accessed or MISSING for line in lines],
            t("data.page.col_source_updated"): [
                max(
                    (str(d) for d in (s.get("data_updated") or {}).values() if d),
                    default=MISSING,
                )
                for s in manifest.get("sources", [])
                if isinstance(s, dict)
            ],
            t("data.page.col_url"): [line.url or None for line in lines],
        }
    )
    render_dataframe(
        sources,
        column_config={t("data.page.col_url"): st.column_config.LinkColumn(display_text="↗")},
    )


# --- administration: only for a session signed in with the operator's secret ------------------


def render_administration(snapshot: Snapshot) -> None:
    st.subheader(t("admin.title"))
    if not render_admin_access():
        return
    # The command that built the snapshot and the manual's place are for the administrator:
    # file paths mean nothing to a reader.
    command = snapshot.manifest.get("command")
    if command:
        # a code span shows its text as typed; only a backtick could end it early
        st.caption(t("data.page.built_by", command=str(command).replace("`", "'")))
    render_update(snapshot)
    render_import(snapshot)
    st.caption(t("data.page.docs"))  # the administrator's manual, in the repository


def render_update(snapshot: Snapshot) -> None:
    lang = current_language()
    st.subheader(t("data.page.update"))
    st.caption(t("data.page.update_help"))
    if not st.button(t("data.page.update_button"), key="data_update"):
        return
    bar = st.progress(0.0)

    def _progress(source: str, fraction: float) -> None:
        bar.progress(
            min(max(fraction, 0.0), 1.0), text=t("data.page.update_running", source=source)
        )

    # In this process: it only fetches from the official services, and the snapshot's lock is
    # a context manager, released on failure or when the script run is stopped.
    try:
        result = run_update(data_dir(), snapshot.division_year, progress=_progress)
    except (SourceError, UpdateError) as exc:
        st.error(t("data.page.update_failed") + "\n\n" + escape_markdown(exc.render(lang)))
        return
    bar.progress(1.0)
    notes = skipped_report(result.skipped, lang)
    st.session_state[OUTCOME_KEY] = {
        "message": t("data.page.update_done", count=sum(result.counts.values())),
        "notes": notes,
    }
    st.rerun()


def render_import(snapshot: Snapshot) -> None:
    lang = current_language()
    st.subheader(t("data.page.import"))
    budget = Budget.from_environment()
    st.caption(
        t("data.page.import_help", files=MAX_UPLOAD_FILES, size=MAX_UPLOAD_BYTES // 2**20)
        + " "
        + t("admin.import_budget", seconds=f"{budget.seconds:g}", memory=budget.memory_mb)
    )
    with st.form("data_import", clear_on_submit=False):
        files = st.file_uploader(
            t("data.page.files"),
            type=list(UPLOAD_TYPES),
            accept_multiple_files=True,
            key=offer_uploads(),  # this session may upload while this uploader is drawn
        )
        allow_blanking = st.checkbox(
            t("data.page.allow_blanking"),
            value=False,
            key="data_import_allow_blanking",
            help=t("data.page.allow_blanking_help"),
        )
        submitted = st.form_submit_button(t("data.page.import_button"))
    if not submitted:
        return
    if not files:
        st.warning(t("data.page.no_files"))
        return
    running = st.empty()

    def _tick(seconds: float) -> None:
        # Also where Streamlit stops this run, and with it the import, when the session ends.
        running.caption(
            t("admin.import_running", seconds=int(seconds), budget=f"{budget.seconds:g}")
        )

    try:
        report = run_import(
            [(f.name, f.getvalue()) for f in files],
            data_dir(),
            division_year=snapshot.division_year,
            tick=_tick,
            allow_blanking=allow_blanking,
        )
    except DataImportError as exc:
        running.empty()
        st.error(t("data.page.import_failed"))
        # Messages quote the file's own cells and names: shown as text, never as markdown.
        lines = exc.render(lang).splitlines()
        st.markdown("\n".join(f"- {escape_markdown(line)}" for line in lines))
        return
    st.session_state[OUTCOME_KEY] = {
        "message": t("data.page.import_done"),
        "notes": report.render(lang),
    }
    st.rerun()


render()
