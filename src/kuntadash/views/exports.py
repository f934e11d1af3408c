"""Downloads of what is displayed, as data: tables, CSV and Excel (views layer, no streamlit).

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
sheet: what the table is (and what its small-population column means), the indicators'
definitions, units, directions and their value choices, small-population thresholds, breaks in
the series, sources and licences, and the snapshot's kind, date and version.
Text that a spreadsheet would run as a formula is neutralised in both (OWASP).

A municipality's figures: ``profile_export`` covers every indicator of every dimension in one
table (one row per indicator), ``changes_export`` the changes over 1, 5 and 10 years behind it
(one row per indicator and period).

A row holding a municipality's value of an indicator in a year carries a true/false column saying
whether the figure rests on a small population (``domain.small_numbers``); the value itself is
never changed.

A change across a known break in the series (the catalogue's ``breaks``) is left empty, with the
year of the break beside it: the two values are in the table, but their difference is not a
change (see ``domain.trends``).
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pandas as pd

from kuntadash import resources
from kuntadash.domain.catalogue import (
    direction_note,
    series_breaks,
    small_population_thresholds,
    source_ident,
)
from kuntadash.domain.population import population_history
from kuntadash.domain.small_numbers import SMALL_POPULATION, small_population_flags
from kuntadash.i18n import LANGUAGE_NAMES, translate
from kuntadash.naming import slugify
from kuntadash.provenance import describe_source, sources_of, value_source_ids
from kuntadash.store import Snapshot

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
    "small_population",
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
# A row with a municipality's value of an indicator in a year also says, true or false, whether
# the figure rests on a small population (domain.small_numbers): a column of its own, so the
# value stays a plain number.
_FLAGGED_BY = ("municipality_code", "year", "value")
# (indicator id, year) -> ids of the manifest sources its values came from
# (provenance.value_source_ids; the app passes the copy it loaded once per snapshot).
ValueSources = Mapping[tuple[str, int], tuple[str, ...]]


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
    # The table has one row per indicator of ``indicator_ids``, in that order (a catalogue
    # listing): each row gets that indicator's unit, source and licence.
    rows_are_indicators: bool = False


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
    value_sources: ValueSources | None = None,
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
        described = _describe_indicators(snapshot, ids, frame.get("year"), lang, value_sources)
        for column in _DESCRIBED:
            if column not in frame:
                frame[column] = described[column].to_numpy()
        if SMALL_POPULATION not in frame and all(c in frame for c in _FLAGGED_BY):
            rows = frame[list(_FLAGGED_BY)].assign(indicator_id=ids.to_numpy())
            history = population_history(snapshot.values)
            flags = small_population_flags(rows, history, small_population_thresholds())
            frame[SMALL_POPULATION] = flags.astype(bool).to_numpy()
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
    snapshot: Snapshot,
    ids: pd.Series,
    years: pd.Series | None,
    lang: str,
    value_sources: ValueSources | None = None,
) -> pd.DataFrame:
    """Per row: the indicator's name and unit, and where its values of that year came from."""
    if value_sources is None:
        value_sources = value_source_ids(snapshot.values)
    catalogue = snapshot.catalogue.set_index("id")
    keys = pd.DataFrame(
        {"id": ids.to_numpy(), "year": years.to_numpy() if years is not None else None}
    )
    described: dict[tuple[str, object], tuple[str, str]] = {}
    for ident, year in dict.fromkeys(zip(keys["id"], keys["year"], strict=True)):
        described[(ident, year)] = _source_and_licence(
            snapshot, catalogue, ident, year, lang, value_sources
        )
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
    snapshot: Snapshot,
    catalogue: pd.DataFrame,
    ident: str,
    year: object,
    lang: str,
    value_sources: ValueSources,
) -> tuple[str, str]:
    """'Tilastokeskus: Kuntien avainluvut …' and 'CC BY 4.0' for the values of ``ident`` in
    ``year`` (every year when None): the sources they came from, else the catalogue's."""
    row = catalogue.loc[ident] if ident in catalogue.index else None
    publisher_key = str(row["publisher"]) if row is not None else ""
    years = None if year is None or pd.isna(year) else [int(year)]  # type: ignore[arg-type]
    lines = sources_of(snapshot.manifest, value_sources, ident, years, lang, publisher_key)
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


def table_for_download(
    frame: pd.DataFrame,
    download: TableDownload,
    lang: str,
    value_sources: ValueSources | None = None,
) -> pd.DataFrame:
    """What the download of ``frame`` holds: an :func:`export_table` of it when its columns
    are export keys; otherwise the table as given, with the indicator's name, unit, source and
    licence added as columns when it is about one indicator, or has a row per indicator."""
    if len(frame.columns) and all(column in EXPORT_COLUMNS for column in frame.columns):
        return export_table(frame, download.snapshot, lang, download.indicator_ids, value_sources)
    if download.rows_are_indicators and len(download.indicator_ids) == len(frame):
        ids = pd.Series(download.indicator_ids, index=frame.index)
    elif len(set(download.indicator_ids)) == 1:
        ids = pd.Series(download.indicator_ids[0], index=frame.index)
    else:
        return frame
    described = _describe_indicators(download.snapshot, ids, None, lang, value_sources)
    extra = {
        translate(f"share.col.{column}", lang): described[column].to_numpy()
        for column in _DESCRIBED
        if translate(f"share.col.{column}", lang) not in frame.columns
    }
    return frame.assign(**extra)


def metadata_tables(
    snapshot: Snapshot,
    indicator_ids: Sequence[str],
    lang: str,
    title: str = "",
    small_population: bool = False,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The metadata sheet's three blocks: about the download, the indicators, the sources.
    With ``small_population`` (the download has the small-population column) the first block
    says what that column means; the indicators' block gives each one's threshold."""

    def tr(key: str) -> str:
        return translate(key, lang)

    manifest = snapshot.manifest
    about = _about(snapshot, lang, title, small_population)
    limits = small_population_thresholds()
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
                tr("small.limit"): limits.get(str(ident)),
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


def _about(snapshot: Snapshot, lang: str, title: str, small_population: bool) -> pd.DataFrame:
    """The metadata sheet's first block: what the download is, from which snapshot, and what
    its small-population column means (when it has one)."""

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
    if small_population:
        explained = translate(
            "share.meta_small_population",
            lang,
            column=tr("share.col.small_population"),
            limit=tr("small.limit"),
        )
        about.loc[len(about)] = [tr("share.col.small_population"), explained]
    return about


def table_excel_bytes(
    frame: pd.DataFrame,
    snapshot: Snapshot,
    indicator_ids: Sequence[str],
    lang: str,
    title: str = "",
    extra_sheets: Mapping[str, pd.DataFrame] | None = None,
) -> bytes:
    """An .xlsx with the table on the first sheet, each of ``extra_sheets`` (sheet name ->
    table, e.g. the changes beside a profile's indicators) after it, then the metadata sheet
    (which explains the small-population column wherever a sheet has one)."""
    flag_heading = translate("share.col.small_population", lang)
    flagged = any(flag_heading in t.columns for t in [frame, *(extra_sheets or {}).values()])
    about, indicators, sources = metadata_tables(snapshot, indicator_ids, lang, title, flagged)
    frame, about, indicators, sources = (
        neutralise_formulas(f) for f in (frame, about, indicators, sources)
    )
    frame = _whole_cells(frame)
    data_sheet = translate("share.sheet_data", lang)[:_EXCEL_SHEET_MAX]
    meta_sheet = translate("share.sheet_metadata", lang)[:_EXCEL_SHEET_MAX]
    extra = {
        _sheet_name(name): _whole_cells(neutralise_formulas(table))
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


def _whole_cells(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with its whole-number columns as Python ints and empty cells: pandas writes a
    nullable integer column with a gap in it (a break year most indicators lack) as decimals,
    "2023.0", where a spreadsheet should read the year 2023."""
    whole = [c for c in frame.columns if pd.api.types.is_integer_dtype(frame[c].dtype)]
    if not whole:
        return frame
    cells = {
        column: pd.Series(
            [None if pd.isna(v) else int(v) for v in frame[column]], index=frame.index, dtype=object
        )
        for column in whole
    }
    return frame.assign(**cells)


def _sheet_name(name: str) -> str:
    """A sheet name Excel accepts: at most 31 characters, none of []:*?/\\ (a name is text of
    our own, but the rule is Excel's)."""
    return re.sub(r"[\[\]:*?/\\]", " ", str(name)).strip()[:_EXCEL_SHEET_MAX] or "-"


def _fit_columns(sheet: Any, widest: int = 60) -> None:
    for column in sheet.columns:
        length = max((len(str(cell.value)) for cell in column if cell.value is not None), default=8)
        sheet.column_dimensions[column[0].column_letter].width = min(widest, max(8, length + 2))


PERIOD_COLUMNS = {1: "change_1y", 5: "change_5y", 10: "change_10y"}


def _comparable_changes(trends: pd.DataFrame) -> pd.Series:
    """``trends["change"]``, empty where the change spans a break in the series."""
    crossed = trends["break_year"].notna() if "break_year" in trends else False
    return trends["change"].astype("float64").where(~crossed)


def _whole(series: pd.Series) -> pd.Series:
    return pd.to_numeric(series, errors="coerce").astype("Int64")


def profile_export(
    profile: pd.DataFrame,
    trends: pd.DataFrame,
    *,
    code: str,
    name: str,
    group: str,
    lang: str,
) -> pd.DataFrame:
    """One row per indicator (every dimension): the municipality's value and year, its rank in
    the comparison group ``group`` (rank, municipalities ranked, members without data) and in
    the country, the group's median and quartiles, its position 0–100, and its changes over
    1 / 5 / 10 years.

    ``profile`` has the columns of ``domain.stats.profile_from_table``; ``trends`` those of
    ``domain.trends.compute_trends`` for the same municipality and years.
    """
    rows = profile.reset_index(drop=True)
    table = pd.DataFrame(
        {
            "municipality_code": code,
            "municipality": name,
            "group": group,
            "dimension": [translate(f"dimension.{d}", lang) for d in rows["dimension"]],
            "indicator_id": rows["indicator_id"].astype(str),
            "year": _whole(rows["year"]),
            "value": rows["value"].astype("float64"),
            "rank": _whole(rows["rank"]),
            "ranked": _whole(rows["of"]),
            "missing": _whole(rows["missing"]),
            "percentile": rows["percentile"].astype("float64"),
            "group_median": rows["group_median"].astype("float64"),
            "group_q1": rows["group_q1"].astype("float64"),
            "group_q3": rows["group_q3"].astype("float64"),
            "country_rank": _whole(rows["country_rank"]),
            "country_ranked": _whole(rows["country_of"]),
            "country_missing": _whole(rows["country_missing"]),
            "country_median": rows["country_median"].astype("float64"),
        }
    )
    changes = trends.assign(comparable=_comparable_changes(trends))
    for period, column in PERIOD_COLUMNS.items():
        by_indicator = changes[changes["period"] == period].set_index("indicator_id")
        table[column] = table["indicator_id"].map(by_indicator["comparable"]).astype("float64")
    if "break_year" in trends:
        breaks = trends.dropna(subset=["break_year"]).groupby("indicator_id")["break_year"].min()
        table["series_break"] = _whole(table["indicator_id"].map(breaks))
    else:
        table["series_break"] = pd.array([pd.NA] * len(table), dtype="Int64")
    return table


def changes_export(trends: pd.DataFrame, *, code: str, name: str, lang: str) -> pd.DataFrame:
    """One row per indicator and period: start and end year and value, the change and the
    comparison group's median change (both empty across a break, whose year is given)."""
    rows = trends.reset_index(drop=True)
    crossed = (
        rows["break_year"].notna() if "break_year" in rows else pd.Series(False, index=rows.index)
    )
    return pd.DataFrame(
        {
            "municipality_code": code,
            "municipality": name,
            "dimension": [translate(f"dimension.{d}", lang) for d in rows["dimension"]],
            "indicator_id": rows["indicator_id"].astype(str),
            "period": _whole(rows["period"]),
            "start_year": _whole(rows["start_year"]),
            "end_year": _whole(rows["end_year"]),
            "start_value": rows["start_value"].astype("float64"),
            "end_value": rows["end_value"].astype("float64"),
            "change": _comparable_changes(rows),
            "group_change": rows["group_change"].astype("float64").where(~crossed),
            "series_break": _whole(rows["break_year"])
            if "break_year" in rows
            else pd.array([pd.NA] * len(rows), dtype="Int64"),
        }
    )
