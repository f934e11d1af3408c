"""The download buttons of the pages and their chart images (UI layer).

What a download holds (the table as data, CSV in the reader's notation, Excel with a metadata
sheet, the file names) is made in ``kuntadash.views.exports``; its names import from here too.
Here are the buttons (``render_downloads``, ``render_profile_downloads``), the brief's button
with the briefs shared by every session, and Streamlit's own table export switched off.

Chart images come from plotly's own camera button (client side, no server rendering):
``chart_config`` names the file, picks PNG or SVG and words the chart's buttons in the reader's
language. File names say what is inside, as ASCII slugs:
``kuntadash-helsinki-unemployment-rate-2024-fi-puolipiste.csv``.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping, Sequence
from datetime import date
from typing import Any

import pandas as pd
import streamlit as st

from kuntadash.domain.groups import ComparisonGroup
from kuntadash.links import served_page_url
from kuntadash.naming import brief_filename
from kuntadash.store import Snapshot
from kuntadash.ui.i18n import current_language, t
from kuntadash.views import exports
from kuntadash.views.exports import (  # noqa: F401  (what a download holds, importable from here)
    CSV_FORMATS,
    EXPORT_COLUMNS,
    FORMULA_START,
    CsvFormat,
    TableDownload,
    changes_export,
    csv_file_name,
    csv_format,
    excel_file_name,
    file_stem,
    metadata_tables,
    neutralise_cell,
    neutralise_formulas,
    profile_export,
    table_csv_bytes,
    table_excel_bytes,
    year_range,
)

CSV_MIME = "text/csv"
EXCEL_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF_MIME = "application/pdf"
# Briefs kept for every session (a PDF is ~0.2–0.5 MB): the most recently asked for.
BRIEF_CACHE_ENTRIES = 32
_BRIEF_LOCK_KEY = "_brief_build_lock"
IMAGE_FORMATS = ("png", "svg")
_IMAGE_FORMAT_PREFIX = "share_image_format_"


def export_table(
    data: pd.DataFrame, snapshot: Snapshot, lang: str, indicator_ids: Sequence[str] = ()
) -> pd.DataFrame:
    """:func:`kuntadash.views.exports.export_table`, with where the snapshot's values came from
    loaded once per snapshot version and shared."""
    from kuntadash.ui.loaders import load_value_sources

    return exports.export_table(data, snapshot, lang, indicator_ids, load_value_sources(snapshot))


def table_for_download(frame: pd.DataFrame, download: TableDownload, lang: str) -> pd.DataFrame:
    """:func:`kuntadash.views.exports.table_for_download`, with where the snapshot's values
    came from loaded once per snapshot version and shared."""
    from kuntadash.ui.loaders import load_value_sources

    sources = load_value_sources(download.snapshot)
    return exports.table_for_download(frame, download, lang, sources)


def disable_builtin_table_export() -> None:
    """Switch off Streamlit's own "Download as CSV" and copy of ``st.dataframe`` tables for the
    whole server (``client.disableDataExport``, Streamlit 1.67). It is also set in
    .streamlit/config.toml, which counts from the first page; set here, it reaches browsers
    from the server's next script run (Streamlit sends client options as each run starts).

    NOTE: that toolbar export writes cells exactly as displayed, so a name such as
    ``=HYPERLINK(...)`` reaches the spreadsheet as a live formula (checked in Streamlit 1.67's
    frontend: its CSV writer only quotes). The download buttons of ``render_downloads`` are the
    way to take a table away; they neutralise formulas."""
    if st.get_option("client.disableDataExport") is not True:
        st.set_option("client.disableDataExport", True)


def image_format(chart_id: str | None) -> str:
    """The image format the user picked for chart ``chart_id`` (PNG unless SVG was chosen)."""
    if chart_id is None:
        return "png"
    chosen = st.session_state.get(_IMAGE_FORMAT_PREFIX + chart_id)
    return chosen if chosen in IMAGE_FORMATS else "png"


def chart_config(
    filename: str, *, chart_id: str | None = None, scroll_zoom: bool = False
) -> dict[str, Any]:
    """The plotly ``config`` of every chart: the camera button saves ``filename`` as PNG, or SVG
    when the user chose it for ``chart_id`` (see ``TableDownload.chart_id``)."""
    config: dict[str, Any] = {
        "displaylogo": False,
        "toImageButtonOptions": {
            "format": image_format(chart_id),
            "filename": filename,
            "scale": 2,
        },
    }
    if scroll_zoom:
        config["scrollZoom"] = True
    return config


def render_downloads(
    frame: pd.DataFrame,
    download: TableDownload,
    container: Any = None,
    *,
    extra_sheets: Mapping[str, pd.DataFrame] | None = None,
) -> None:
    """CSV and Excel buttons for ``frame`` (and the chart image format when there is a chart).

    ``frame`` is the table as data, its columns named by :data:`EXPORT_COLUMNS` keys (see
    :func:`export_table`); a table with other headings is offered as it is. ``extra_sheets``
    (sheet name -> table as data) go into the Excel file after the first sheet: one file can
    hold, say, a municipality's every indicator and every change over time."""
    target = container if container is not None else st
    lang = current_language()
    stem = file_stem(*download.name_parts)
    table = table_for_download(frame, download, lang)
    columns = target.columns([1, 1, 2], gap="small")
    columns[0].download_button(
        t("share.download_csv"),
        data=table_csv_bytes(table, lang),
        file_name=csv_file_name(stem, lang),
        mime=CSV_MIME,
        on_click="ignore",
        icon=":material/download:",
        help=t("share.download_csv_help"),
        key=f"share_csv_{stem}",
    )
    snapshot, ids, title = download.snapshot, download.indicator_ids, download.title

    def _workbook() -> bytes:
        # Deferred: the workbook (and any extra sheets) is built only when someone clicks.
        sheets = {
            name: table_for_download(extra, download, lang)
            for name, extra in (extra_sheets or {}).items()
        }
        return table_excel_bytes(table, snapshot, ids, lang, title, sheets)

    columns[1].download_button(
        t("share.download_excel"),
        data=_workbook,
        file_name=excel_file_name(stem, lang),
        mime=EXCEL_MIME,
        on_click="ignore",
        icon=":material/table_view:",
        help=t("share.download_help"),
        key=f"share_xlsx_{stem}",
    )
    if download.chart_id:
        labels = {fmt: fmt.upper() for fmt in IMAGE_FORMATS}
        key = _IMAGE_FORMAT_PREFIX + download.chart_id
        if st.session_state.get(key) not in IMAGE_FORMATS:
            st.session_state[key] = "png"
        columns[2].segmented_control(
            t("share.image_format"),
            list(IMAGE_FORMATS),
            format_func=labels.__getitem__,
            key=key,
            help=t("share.image_format_help"),
        )


def render_profile_downloads(
    snapshot: Snapshot,
    *,
    code: str,
    name: str,
    group_label: str,
    profile: pd.DataFrame,
    trends: pd.DataFrame,
    container: Any = None,
) -> None:
    """CSV and Excel of a municipality's every indicator in every dimension, in one file.

    ``profile``: ``domain.stats.profile_from_table`` for the municipality ``code`` and its
    comparison group (called ``group_label``); ``trends``: ``domain.trends.compute_trends`` for
    the same. The CSV and the Excel file's first sheet hold one row per indicator (value, year,
    ranks with the number ranked, group and country medians, position, changes over 1 / 5 / 10
    years; ``views.exports.profile_export``); the Excel file adds a sheet of the changes with
    their start and end values (``views.exports.changes_export``) and the metadata sheet."""
    lang = current_language()
    data = profile_export(profile, trends, code=code, name=name, group=group_label, lang=lang)
    changes = changes_export(trends, code=code, name=name, lang=lang)
    download = TableDownload(
        snapshot,
        tuple(dict.fromkeys(data["indicator_id"])),
        (code, name, "profile", group_label),
        title=t("share.profile_title", name=name, group=group_label),
    )
    render_downloads(data, download, container, extra_sheets={t("share.sheet_changes"): changes})


class BriefCache:
    """Built briefs shared by every session, the ``limit`` most recently asked for. A brief is
    built once however many sessions ask for it at the same moment: the others wait for it."""

    def __init__(self, limit: int = BRIEF_CACHE_ENTRIES) -> None:
        self.limit = limit
        self._done: OrderedDict[Hashable, bytes] = OrderedDict()
        self._building: dict[Hashable, threading.Lock] = {}
        self._lock = threading.Lock()
        self.builds = 0

    def get(self, key: Hashable, build: Callable[[], bytes]) -> bytes:
        with self._lock:
            if key in self._done:
                self._done.move_to_end(key)
                return self._done[key]
            building = self._building.setdefault(key, threading.Lock())
        with building:
            with self._lock:
                if key in self._done:  # built by whoever held ``building`` before us
                    return self._done[key]
            data = build()
            with self._lock:
                self.builds += 1
                self._done[key] = data
                while len(self._done) > self.limit:
                    self._done.popitem(last=False)
                self._building.pop(key, None)
        return data

    def __len__(self) -> int:
        with self._lock:
            return len(self._done)


@st.cache_resource(show_spinner=False)
def brief_cache() -> BriefCache:
    """The process's brief cache (a resource: one object, shared, never copied)."""
    return BriefCache()


def brief_key(view: Any, link: str, today: date) -> tuple[Hashable, ...]:
    """Everything a brief's content depends on: the snapshot's version, the municipality, the
    language, the comparison group and its members, the indicators' years, the printed links
    (the view's carries its settings; the baked page's is there once that page is served) and the
    date printed on it."""
    members = hashlib.sha256(",".join(map(str, view.group.members)).encode()).hexdigest()
    years = tuple(sorted((str(k), int(v)) for k, v in dict(view.years).items()))
    return (
        view.version,
        view.code,
        view.lang,
        view.group.kind,
        view.group.key,
        members,
        years,
        link,
        served_page_url(view.code, view.lang, view.names),
        today.isoformat(),
    )


def serialised(lock: threading.Lock, build: Callable[[], bytes]) -> Callable[[], bytes]:
    """``build`` run under ``lock``: a session's second click waits for its first build."""

    def run() -> bytes:
        with lock:
            return build()

    return run


def render_brief_button(
    snapshot: Snapshot,
    code: str,
    *,
    group: ComparisonGroup | None = None,
    years: dict[str, int] | None = None,
    container: Any = None,
    view: Any = None,
    link: str = "",
) -> None:
    """The one-click municipality brief (PDF, A4, in the chosen language).

    The PDF is built only when clicked (deferred download), so showing the button costs
    nothing. With ``view`` (the page's :class:`~kuntadash.views.profile.ProfileView`) the brief
    is laid out from exactly what the page shows, and ``link`` (the view's address) goes into it
    as a link and a QR code. Without it the brief builds its own view: ``group`` defaults to the
    municipality's type, ``years`` to each indicator's latest common year.

    Built briefs are shared by all sessions (``BriefCache``, keyed by ``brief_key``), and one
    session builds one brief at a time.
    """
    target = container if container is not None else st
    lang = current_language()
    lock = st.session_state.get(_BRIEF_LOCK_KEY)
    if not isinstance(lock, type(threading.Lock())):
        lock = st.session_state[_BRIEF_LOCK_KEY] = threading.Lock()
    build = _brief_builder(brief_cache(), snapshot, code, lang, group, years, view, link)
    target.download_button(
        t("brief.button"),
        data=serialised(lock, build),
        file_name=brief_filename(snapshot, code, lang),
        mime=PDF_MIME,
        on_click="ignore",
        icon=":material/picture_as_pdf:",
        help=t("brief.button_help"),
        type="primary",
        key=f"brief_{code}_{lang}",
    )


def _brief_builder(
    cache: BriefCache,
    snapshot: Snapshot,
    code: str,
    lang: str,
    group: Any,
    years: Any,
    view: Any,
    link: str,
) -> Callable[[], bytes]:
    def build() -> bytes:
        if view is None:  # no page view to key by: built as asked, not shared
            return _build_brief(snapshot, code, lang, group, years, view, link)
        key = brief_key(view, link, date.today())
        return cache.get(key, lambda: _build_brief(snapshot, code, lang, group, years, view, link))

    return build


def _build_brief(
    snapshot: Snapshot, code: str, lang: str, group: Any, years: Any, view: Any, link: str
) -> bytes:
    # NOTE: imported on click only: the PDF machinery (matplotlib, fpdf2) costs ~40 MiB per
    # server process, and most sessions never ask for a brief (docs/PERFORMANCE.md).
    from kuntadash.report.brief import brief_pdf, build_brief

    if view is not None:
        return brief_pdf(view, link=link)
    return build_brief(snapshot, code, lang, group=group, years=years, link=link)
