"""Downloads of what is displayed: CSV, Excel with a metadata sheet, chart images (UI layer).

Downloads are data for calculating with, not pictures of the screen. A page hands over its table
as data: columns named by the keys of ``EXPORT_COLUMNS`` (``municipality``, ``year``, ``value``,
``rank``, ``ranked`` ...), numbers as numbers, missing as empty. ``export_table`` names the columns
in the reader's language, puts them in one order for every download, and adds per row what the
number is: the indicator's name, unit, source and licence. So a value is a number column beside a
unit column ("8,1" and "%", never "8,1 %"), and a rank is a whole number beside the number of
municipalities ranked (never "Sija 10/23"). A long table (one row per municipality, indicator
and year) covers any number of indicators and dimensions in one file.

CSV follows the reader's spreadsheet: in Finnish and Swedish cells are separated by ``;`` and
decimals written with a comma, which is what Excel in a Finnish or Swedish locale opens by
double-click (its list separator is ``;``); in English, ``,`` and a decimal point. The file
name says which (``…-fi-puolipiste.csv``, ``…-sv-semikolon.csv``, ``…-en.csv``); a UTF-8
byte-order mark makes Excel read ä and ö. The Excel file holds the same table, then a metadata
sheet: what the table is, the indicators' definitions, units, directions and their value
choices, breaks in the series, sources and licences, and the snapshot's kind, date and version.
Text that a spreadsheet would run as a formula is neutralised in both (OWASP).

Chart images come from plotly's own camera button (client side, no server rendering):
``chart_config`` names the file, picks PNG or SVG and words the chart's buttons in the reader's
language. File names say what is inside, as ASCII slugs:
``kuntadash-helsinki-unemployment-rate-2024-fi-puolipiste.csv``.
"""

from __future__ import annotations

import hashlib
import io
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import pandas as pd
import streamlit as st

from kuntadash import resources
from kuntadash.domain.catalogue import direction_note, series_breaks, source_ident
from kuntadash.domain.groups import ComparisonGroup
from kuntadash.i18n import LANGUAGE_NAMES, translate
from kuntadash.naming import brief_filename, slugify
from kuntadash.provenance import describe_source, sources_of
from kuntadash.store import Snapshot
from kuntadash.ui.i18n import current_language, t

CSV_MIME = "text/csv"
EXCEL_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF_MIME = "application/pdf"
# Briefs kept for every session (a PDF is ~0.2–0.5 MB): the most recently asked for.
BRIEF_CACHE_ENTRIES = 32
_BRIEF_LOCK_KEY = "_brief_build_lock"
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
# Enough significant digits for any figure of the catalogue, without binary noise such as
# 0.30000000000000004.
_FLOAT_FORMAT = "%.12g"

# The columns a table download may have, in the order every download shows them. A page gives
# its table as data under these keys; the headings are ``share.col.<key>`` in the reader's
# language. ``indicator``, ``unit``, ``source`` and ``licence`` are filled in from the catalogue
# and the snapshot when the table has an ``indicator_id`` column or is about one indicator.
EXPORT_COLUMNS: tuple[str, ...] = (
    "municipality_code",
    "municipality",
    "municipality_type",
    "region",
    "group",
    "series",
    "statistic",
    "dimension",
    "indicator_id",
    "indicator",
    "period",
    "start_year",
    "end_year",
    "year",
    "start_value",
    "end_value",
    "value",
    "unit",
    "change",
    "group_change",
    "change_1y",
    "change_5y",
    "change_10y",
    "series_break",
    "rank",
    "ranked",
    "missing",
    "n",
    "percentile",
    "group_median",
    "group_q1",
    "group_q3",
    "mean",
    "weighted_mean",
    "country_rank",
    "country_ranked",
    "country_missing",
    "country_median",
    "source",
    "licence",
)
_DESCRIBED = ("indicator", "unit", "source", "licence")


@dataclass(frozen=True)
class CsvFormat:
    """How a CSV download is written for readers of one language."""

    separator: str
    decimal: str
    name: str  # the file name's last word, saying which


CSV_FORMATS = {
    "fi": CsvFormat(";", ",", "fi-puolipiste"),
    "sv": CsvFormat(";", ",", "sv-semikolon"),
    "en": CsvFormat(",", ".", "en"),
}


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


def csv_format(lang: str) -> CsvFormat:
    return CSV_FORMATS.get(lang, CSV_FORMATS["fi"])


def csv_file_name(stem: str, lang: str) -> str:
    """'kuntadash-…-2024-fi-puolipiste.csv': the name says the separator and language."""
    return f"{stem}-{csv_format(lang).name}.csv"


def excel_file_name(stem: str, lang: str) -> str:
    return f"{stem}-{lang}.xlsx"


def table_csv_bytes(frame: pd.DataFrame, lang: str = "en") -> bytes:
    """The table as UTF-8 CSV with a byte-order mark (so Excel reads ä and ö right), in the
    notation of ``lang`` (:data:`CSV_FORMATS`): numbers stay numbers, missing cells empty."""
    notation = csv_format(lang)
    text = neutralise_formulas(frame).to_csv(
        index=False,
        sep=notation.separator,
        decimal=notation.decimal,
        float_format=_FLOAT_FORMAT,
    )
    return text.encode("utf-8-sig")


def export_table(
    data: pd.DataFrame,
    snapshot: Snapshot,
    lang: str,
    indicator_ids: Sequence[str] = (),
) -> pd.DataFrame:
    """``data`` (columns named by :data:`EXPORT_COLUMNS` keys) as a download holds it: columns
    in the one order, headed in ``lang``; per row the indicator's name, unit, source and
    licence, from an ``indicator_id`` column or the table's only indicator. Numbers stay
    numbers; whole-number columns (years, ranks) become whole numbers with empty cells.
    ValueError for a column that is not an export key."""
    unknown = [column for column in data.columns if column not in EXPORT_COLUMNS]
    if unknown:
        raise ValueError(f"not export columns: {', '.join(map(str, unknown))}")
    frame = data.reset_index(drop=True).copy()
    ids = _indicators_of(frame, indicator_ids)
    if ids is not None:
        described = _describe_indicators(snapshot, ids, frame.get("year"), lang)
        for column in _DESCRIBED:
            if column not in frame:
                frame[column] = described[column].to_numpy()
    for column in (
        "year",
        "start_year",
        "end_year",
        "period",
        "series_break",
        "rank",
        "ranked",
        "missing",
        "n",
        "country_rank",
        "country_ranked",
        "country_missing",
    ):
        if column in frame:
            frame[column] = _whole_numbers(frame[column])
    order = [column for column in EXPORT_COLUMNS if column in frame]
    frame = frame[order]
    frame.columns = [translate(f"share.col.{column}", lang) for column in order]
    return frame


def _indicators_of(frame: pd.DataFrame, indicator_ids: Sequence[str]) -> pd.Series | None:
    if "indicator_id" in frame:
        return frame["indicator_id"].astype(str)
    if len(set(indicator_ids)) == 1:
        return pd.Series(indicator_ids[0], index=frame.index)
    return None


def _whole_numbers(series: pd.Series) -> pd.Series:
    numbers = pd.to_numeric(series, errors="coerce")
    if numbers.notna().sum() != series.notna().sum() or (numbers.dropna() % 1 != 0).any():
        return series  # not whole numbers after all: left as the page gave them
    return numbers.astype("Int64")


def _describe_indicators(
    snapshot: Snapshot, ids: pd.Series, years: pd.Series | None, lang: str
) -> pd.DataFrame:
    """Per row: the indicator's name and unit, and where its values of that year came from."""
    catalogue = snapshot.catalogue.set_index("id")
    keys = pd.DataFrame(
        {"id": ids.to_numpy(), "year": years.to_numpy() if years is not None else None}
    )
    described: dict[tuple[str, object], tuple[str, str]] = {}
    for ident, year in dict.fromkeys(zip(keys["id"], keys["year"], strict=True)):
        described[(ident, year)] = _source_and_licence(snapshot, catalogue, ident, year, lang)
    names = {i: _catalogue_text(catalogue, i, f"name_{lang}", i) for i in set(keys["id"])}
    units = {i: _catalogue_text(catalogue, i, f"unit_{lang}", "") for i in set(keys["id"])}
    pairs = list(zip(keys["id"], keys["year"], strict=True))
    return pd.DataFrame(
        {
            "indicator": [names[i] for i in keys["id"]],
            "unit": [units[i] for i in keys["id"]],
            "source": [described[pair][0] for pair in pairs],
            "licence": [described[pair][1] for pair in pairs],
        }
    )


def _catalogue_text(catalogue: pd.DataFrame, ident: str, column: str, default: str) -> str:
    if ident not in catalogue.index or column not in catalogue:
        return default
    value = catalogue.at[ident, column]
    return str(value) if isinstance(value, str) else default


def _source_and_licence(
    snapshot: Snapshot, catalogue: pd.DataFrame, ident: str, year: object, lang: str
) -> tuple[str, str]:
    """'Tilastokeskus: Kuntien avainluvut …' and 'CC BY 4.0' for the values of ``ident`` in
    ``year`` (every year when None): the sources they came from, else the catalogue's."""
    from kuntadash.ui.loaders import load_value_sources

    row = catalogue.loc[ident] if ident in catalogue.index else None
    publisher_key = str(row["publisher"]) if row is not None else ""
    years = None if year is None or pd.isna(year) else [int(year)]  # type: ignore[arg-type]
    lines = sources_of(
        snapshot.manifest, load_value_sources(snapshot), ident, years, lang, publisher_key
    )
    if lines:
        words = [
            translate("share.source_sample", lang)
            if line.synthetic
            else line.publisher + (f": {line.title}" if line.title else "")
            for line in lines
        ]
        licences = [line.licence for line in lines if line.licence]
        return "; ".join(dict.fromkeys(words)), "; ".join(dict.fromkeys(licences))
    if row is None:
        return "", ""
    publisher = resources.read_sources_document().get(publisher_key) or {}
    name = (publisher.get("name") or {}).get(lang) or publisher_key
    ident_text = source_ident(row)
    licence = row["licence"] if isinstance(row["licence"], str) else ""
    return (f"{name}: {ident_text}" if ident_text else name), licence


def table_for_download(frame: pd.DataFrame, download: TableDownload, lang: str) -> pd.DataFrame:
    """What the download of ``frame`` holds: an :func:`export_table` of it when its columns
    are export keys; otherwise the table as given, with the indicator's name, unit, source and
    licence added as columns when it is about one indicator."""
    if len(frame.columns) and all(column in EXPORT_COLUMNS for column in frame.columns):
        return export_table(frame, download.snapshot, lang, download.indicator_ids)
    if len(set(download.indicator_ids)) != 1:
        return frame
    ids = pd.Series(download.indicator_ids[0], index=frame.index)
    described = _describe_indicators(download.snapshot, ids, None, lang)
    extra = {
        translate(f"share.col.{column}", lang): described[column].to_numpy()
        for column in _DESCRIBED
        if translate(f"share.col.{column}", lang) not in frame.columns
    }
    return frame.assign(**extra)


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
                tr("share.meta_direction_note"): direction_note(row, lang),
                tr("share.meta_breaks"): " ".join(
                    f"{item.year}: {item.reason_in(lang)}" for item in series_breaks(row)
                ),
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
    lines = [
        describe_source(source, lang)
        for source in manifest.get("sources", [])
        if isinstance(source, dict)
    ]
    snapshot_sources = pd.DataFrame(
        [
            {
                tr("share.meta_publisher"): (
                    tr("share.source_sample") if line.synthetic else line.publisher
                ),
                tr("share.meta_dataset"): line.title,
                tr("share.meta_licence"): line.licence,
                tr("share.meta_url"): line.url,
                tr("share.meta_accessed"): line.accessed,
            }
            for line in lines
        ]
    )
    return about, indicators, snapshot_sources


def table_excel_bytes(
    frame: pd.DataFrame,
    snapshot: Snapshot,
    indicator_ids: Sequence[str],
    lang: str,
    title: str = "",
    extra_sheets: Mapping[str, pd.DataFrame] | None = None,
) -> bytes:
    """An .xlsx with the table on the first sheet, each of ``extra_sheets`` (sheet name ->
    table, e.g. the changes beside a profile's indicators) after it, then the metadata sheet."""
    about, indicators, sources = metadata_tables(snapshot, indicator_ids, lang, title)
    frame, about, indicators, sources = (
        neutralise_formulas(f) for f in (frame, about, indicators, sources)
    )
    data_sheet = translate("share.sheet_data", lang)[:_EXCEL_SHEET_MAX]
    meta_sheet = translate("share.sheet_metadata", lang)[:_EXCEL_SHEET_MAX]
    extra = {
        _sheet_name(name): neutralise_formulas(table)
        for name, table in (extra_sheets or {}).items()
    }
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        frame.to_excel(writer, sheet_name=data_sheet, index=False)
        _fit_columns(writer.sheets[data_sheet])
        for name, table in extra.items():
            table.to_excel(writer, sheet_name=name, index=False)
            _fit_columns(writer.sheets[name])
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
        _fit_columns(sheet)
    return buffer.getvalue()


def _sheet_name(name: str) -> str:
    """A sheet name Excel accepts: at most 31 characters, none of []:*?/\\ (a name is text of
    our own, but the rule is Excel's)."""
    return re.sub(r"[\[\]:*?/\\]", " ", str(name)).strip()[:_EXCEL_SHEET_MAX] or "-"


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
    from kuntadash.views.exports import changes_export, profile_export

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
    language, the comparison group and its members, the indicators' years, the printed link
    (it carries the view's settings) and the date printed on it."""
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
