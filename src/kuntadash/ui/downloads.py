"""Downloads of what is displayed: CSV, Excel with a metadata sheet, chart images (UI layer).

A table download holds exactly the rows and columns the table shows (same column headings, raw
numbers rather than formatted text). The Excel file adds a metadata sheet: what the table is,
the indicators' definitions, units, sources and licences, and the snapshot's kind, date and
version. Chart images come from plotly's own camera button (client side, no server rendering):
``chart_config`` names the file and picks PNG or SVG. File names say what is inside, as ASCII
slugs: ``kuntadash-helsinki-unemployment-rate-2024.csv``.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pandas as pd
import streamlit as st

from kuntadash import resources
from kuntadash.domain.catalogue import source_ident
from kuntadash.domain.groups import ComparisonGroup
from kuntadash.i18n import LANGUAGE_NAMES, translate
from kuntadash.naming import brief_filename, slugify
from kuntadash.store import Snapshot
from kuntadash.ui.i18n import current_language, t

CSV_MIME = "text/csv"
EXCEL_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF_MIME = "application/pdf"
IMAGE_FORMATS = ("png", "svg")
_IMAGE_FORMAT_PREFIX = "share_image_format_"
_EXCEL_SHEET_MAX = 31  # Excel's limit on sheet name length
# A text cell starting with one of these is read as a formula by spreadsheet programs (CSV /
# formula injection, OWASP): = + - @, tab and carriage return, and their full-width forms, which
# some Excel input locales turn into the ASCII ones.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
# The one exception: a plain number keeps its sign ("-3", "+1 234,5", "-2.5e3"), a spreadsheet
# reads it as that number. Anything after the number ("-1 +cmd|' /C calc'!A0", "-3,2 %") makes
# the cell text, and text starting with a sign is neutralised. ASCII digits only: "-٠" is text.
_PLAIN_NUMBER = re.compile(
    r"[-+]?(?:\d+|\d{1,3}(?:[ \u00a0\u202f]\d{3})+)(?:[.,]\d+)?(?:[eE][-+]?\d+)?", re.ASCII
)


@dataclass(frozen=True)
class TableDownload:
    """What a table is, for its download: the indicators it holds and words for the file name.

    ``name_parts`` go into the file name in order (municipality, indicator, year ...), e.g.
    ``("helsinki", "unemployment_rate", 2024)``. ``chart_id`` names the chart drawn from the
    same data: the table's download row then also offers the chart image format (PNG / SVG).
    """

    snapshot: Snapshot
    indicator_ids: tuple[str, ...]
    name_parts: tuple[object, ...]
    title: str = ""
    chart_id: str | None = None


def file_stem(*parts: object) -> str:
    """'kuntadash-helsinki-unemployment-rate-2024': ASCII-safe, empty parts left out."""
    words = [slugify(str(part)) for part in parts if part not in (None, "")]
    return "-".join(["kuntadash", *words])


def year_range(years: Iterable[int]) -> str:
    """'2015-2024' for a file name ('2024' when there is one year)."""
    years = sorted({int(y) for y in years})
    return str(years[0]) if years[0] == years[-1] else f"{years[0]}-{years[-1]}"


def neutralise_cell(value: Any) -> Any:
    """``value`` as a spreadsheet must show it: text that would be read as a formula gets a
    leading apostrophe (``=HYPERLINK(...)`` -> ``'=HYPERLINK(...)``); plain numbers, signed
    ones included, and all other values are returned unchanged."""
    if (
        isinstance(value, str)
        and value.startswith(FORMULA_START)
        and not _PLAIN_NUMBER.fullmatch(value)
    ):
        return "'" + value
    return value


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with every text cell and header a spreadsheet would run as a formula
    neutralised (``neutralise_cell``; OWASP CSV-injection advice). Names are data: a
    municipality or indicator name must never become a live formula in a download."""
    out = frame.copy()
    for column in out.columns:
        series = out[column]
        if isinstance(series.dtype, pd.CategoricalDtype):
            # Categories are text too (a pivot on names leaves them categorical); renaming them
            # in place could merge two of them, so the column becomes plain values.
            out[column] = series.astype(object).map(neutralise_cell)
        elif series.dtype == object or pd.api.types.is_string_dtype(series):
            out[column] = series.map(neutralise_cell)
    out.columns = [
        tuple(map(neutralise_cell, name)) if isinstance(name, tuple) else neutralise_cell(name)
        for name in out.columns
    ]
    return out


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


def table_csv_bytes(frame: pd.DataFrame) -> bytes:
    """The table as UTF-8 CSV with a byte-order mark (so Excel reads ä and ö right)."""
    return neutralise_formulas(frame).to_csv(index=False).encode("utf-8-sig")


def metadata_tables(
    snapshot: Snapshot, indicator_ids: Sequence[str], lang: str, title: str = ""
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The metadata sheet's three blocks: about the download, the indicators, the sources."""

    def tr(key: str) -> str:
        return translate(key, lang)

    manifest = snapshot.manifest
    about = pd.DataFrame(
        [
            (tr("share.meta_title"), title),
            (
                tr("share.meta_kind"),
                tr("share.meta_sample") if snapshot.is_sample else tr("common.kind_official"),
            ),
            (tr("share.meta_snapshot_date"), str(manifest.get("created", ""))),
            (tr("share.meta_snapshot_version"), snapshot.version),
            (tr("share.meta_format_version"), str(manifest.get("format_version", ""))),
            (tr("share.meta_division"), str(snapshot.division_year)),
            (tr("share.meta_language"), LANGUAGE_NAMES.get(lang, lang)),
            (
                tr("share.meta_downloaded"),
                datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z"),
            ),
        ],
        columns=[tr("share.meta_field"), tr("share.meta_value")],
    )
    sources = resources.read_sources_document() or {}
    catalogue = snapshot.catalogue.set_index("id")
    rows = []
    for ident in dict.fromkeys(indicator_ids):  # keep order, drop repeats
        if ident not in catalogue.index:
            continue
        row = catalogue.loc[ident]
        publisher = sources.get(row["publisher"]) or {}
        rows.append(
            {
                tr("share.meta_id"): ident,
                tr("common.indicator"): row[f"name_{lang}"],
                tr("common.dimension"): translate(f"dimension.{row['dimension']}", lang),
                tr("share.meta_definition"): row[f"definition_{lang}"],
                tr("common.unit"): row[f"unit_{lang}"],
                tr("share.meta_decimals"): int(row["decimals"]),
                tr("share.meta_direction"): translate(f"direction.{row['direction']}", lang),
                tr("share.meta_publisher"): (publisher.get("name") or {}).get(
                    lang, row["publisher"]
                ),
                tr("share.meta_source_id"): source_ident(row),
                tr("share.meta_licence"): row["licence"],
                tr("share.meta_licence_url"): publisher.get("licence_url", ""),
                tr("share.meta_attribution"): (publisher.get("attribution") or {}).get(lang, ""),
            }
        )
    indicators = pd.DataFrame(rows)
    snapshot_sources = pd.DataFrame(
        [
            {
                tr("share.meta_publisher"): source.get("publisher", ""),
                tr("share.meta_licence"): source.get("licence", ""),
                tr("share.meta_url"): source.get("url", ""),
                tr("share.meta_accessed"): str(source.get("accessed", "")),
                tr("share.meta_note"): source.get("note", ""),
            }
            for source in manifest.get("sources", [])
        ]
    )
    return about, indicators, snapshot_sources


def table_excel_bytes(
    frame: pd.DataFrame,
    snapshot: Snapshot,
    indicator_ids: Sequence[str],
    lang: str,
    title: str = "",
) -> bytes:
    """An .xlsx with the table on the first sheet and the metadata sheet after it."""
    about, indicators, sources = metadata_tables(snapshot, indicator_ids, lang, title)
    frame, about, indicators, sources = (
        neutralise_formulas(f) for f in (frame, about, indicators, sources)
    )
    data_sheet = translate("share.sheet_data", lang)[:_EXCEL_SHEET_MAX]
    meta_sheet = translate("share.sheet_metadata", lang)[:_EXCEL_SHEET_MAX]
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        frame.to_excel(writer, sheet_name=data_sheet, index=False)
        row = 0
        about.to_excel(writer, sheet_name=meta_sheet, index=False, startrow=row)
        row += len(about) + 2
        sheet = writer.sheets[meta_sheet]
        for heading, block in (
            (translate("share.meta_indicators", lang), indicators),
            (translate("share.meta_sources", lang), sources),
        ):
            if block.empty:
                continue
            sheet.cell(row=row + 1, column=1, value=heading)
            block.to_excel(writer, sheet_name=meta_sheet, index=False, startrow=row + 1)
            row += len(block) + 4
        _fit_columns(writer.sheets[data_sheet])
        _fit_columns(sheet)
    return buffer.getvalue()


def _fit_columns(sheet: Any, widest: int = 60) -> None:
    for column in sheet.columns:
        length = max((len(str(cell.value)) for cell in column if cell.value is not None), default=8)
        sheet.column_dimensions[column[0].column_letter].width = min(widest, max(8, length + 2))


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


def render_downloads(frame: pd.DataFrame, download: TableDownload, container: Any = None) -> None:
    """CSV and Excel buttons for ``frame`` (and the chart image format when there is a chart)."""
    target = container if container is not None else st
    lang = current_language()
    stem = file_stem(*download.name_parts)
    columns = target.columns([1, 1, 2], gap="small")
    columns[0].download_button(
        t("share.download_csv"),
        data=table_csv_bytes(frame),
        file_name=f"{stem}.csv",
        mime=CSV_MIME,
        on_click="ignore",
        icon=":material/download:",
        help=t("share.download_help"),
        key=f"share_csv_{stem}",
    )
    snapshot, ids, title = download.snapshot, download.indicator_ids, download.title
    columns[1].download_button(
        t("share.download_excel"),
        # Deferred: the workbook is built only when someone clicks.
        data=lambda: table_excel_bytes(frame, snapshot, ids, lang, title),
        file_name=f"{stem}.xlsx",
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
    """
    target = container if container is not None else st
    lang = current_language()
    target.download_button(
        t("brief.button"),
        data=lambda: _build_brief(snapshot, code, lang, group, years, view, link),
        file_name=brief_filename(snapshot, code, lang),
        mime=PDF_MIME,
        on_click="ignore",
        icon=":material/picture_as_pdf:",
        help=t("brief.button_help"),
        type="primary",
        key=f"brief_{code}_{lang}",
    )


def _build_brief(
    snapshot: Snapshot, code: str, lang: str, group: Any, years: Any, view: Any, link: str
) -> bytes:
    # NOTE: imported on click only: the PDF machinery (matplotlib, fpdf2) costs ~40 MiB per
    # server process, and most sessions never ask for a brief (docs/PERFORMANCE.md).
    from kuntadash.report.brief import brief_pdf, build_brief

    if view is not None:
        return brief_pdf(view, link=link)
    return build_brief(snapshot, code, lang, group=group, years=years, link=link)
