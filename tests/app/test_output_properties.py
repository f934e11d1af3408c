"""Properties of what every page sends, on every page the navigation lists, in fi, sv and en,
on the bundled sample and on the default data/ snapshot (the shared ``page_run`` fixture of
tests/conftest.py: one app run each, every folded part opened):

- every chart over the years says the years it plots: the years its caption names are the first
  and last year that carry a value, and its year axis spans those years, not an empty margin;
- every download button gives data: numbers as numbers, a unit, year, source and licence
  column, municipality codes as text with their leading zeros;
- every word speaks the reader's language, with no internal ids, paths or "nan"
  (tests/app/test_words_on_pages.py says how), and none asks the reader to run a command
  (tests/app/test_no_commands_for_readers.py);
- every table row showing a municipality's figure that rests on a small population carries the
  mark "†" or the flag, and a page showing the mark explains it (the snapshot's smallest
  municipality is the one chosen, so every page has such figures).

They live in one file so that one worker runs each page once for all of them (``--dist
loadfile``).
"""

from __future__ import annotations

import base64
import functools
import io
import json
import re
import weakref
from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd
from openpyxl import load_workbook
from streamlit.testing.v1 import AppTest

from kuntadash.i18n import translate
from kuntadash.store import Snapshot, read_snapshot
from kuntadash.ui.state import INDICATOR_KEY, YEAR_KEY
from kuntadash.views.small import SmallPopulation
from tests.app.test_no_commands_for_readers import _commands
from tests.app.test_words_on_pages import _check, _rendered
from tests.conftest import DATASETS, PageRun

NOTATION = {"fi": (";", ","), "sv": (";", ","), "en": (",", ".")}
# A year axis: whole numbers in this span (a bar's length or a map's values are not years).
YEARS = range(1900, 2101)


# --- charts over the years ------------------------------------------------------------------------
def _elements(node: Any) -> Iterator[Any]:
    """Every element under ``node`` in the order the page shows them."""
    if getattr(node, "type", None) not in (None, "expandable", "container", "tab"):
        yield node
    for child in (getattr(node, "children", None) or {}).values():
        yield from _elements(child)


def _array(value: Any) -> list[Any]:
    """A trace's x or y as a list: plotly sends numeric arrays base64 encoded ("bdata")."""
    if isinstance(value, dict) and "bdata" in value:
        return np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"]).tolist()
    return list(value) if isinstance(value, list) else []


def _is_year(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value in YEARS


def _year_charts(run: PageRun) -> Iterator[tuple[dict, str]]:
    """(figure, the caption shown next after it) of every chart whose x axis is years."""
    elements = list(_elements(run.at.main))
    for index, element in enumerate(elements):
        if element.type != "plotly_chart":
            continue
        figure = json.loads(element.proto.spec)
        xs = [_array(trace.get("x")) for trace in figure["data"] if "x" in trace]
        if not xs or not all(x and all(_is_year(v) for v in x) for x in xs):
            continue
        caption = next(
            (e.proto.body for e in elements[index + 1 :] if e.type == "caption"),
            "",
        )
        yield figure, caption


def data_years(figure: dict) -> list[int]:
    """The years at which some trace has a value."""
    years = set()
    for trace in figure["data"]:
        for x, y in zip(_array(trace.get("x")), _array(trace.get("y")), strict=False):
            if y is not None and not (isinstance(y, float) and np.isnan(y)):
                years.add(x)
    return sorted(years)


def axis_span(figure: dict) -> tuple[float, float]:
    """Where the x axis starts and ends: its range when set, else every x plotly autoranges
    over (a year without a value widens the axis too)."""
    axis = figure["layout"].get("xaxis", {})
    if axis.get("range"):
        low, high = axis["range"]
        return float(low), float(high)
    xs = [x for trace in figure["data"] for x in _array(trace.get("x"))]
    return float(min(xs)), float(max(xs))


def caption_years(caption: str, lang: str) -> str | None:
    """The years a caption names in its "Year: …." part (common.caption), as written."""
    template = translate("common.caption", lang, unit="\0", year="\1", source="\2")
    before = template.split("\1")[0].split("\0")[-1]
    after = template.split("\1")[1].split("\2")[0]
    match = re.search(re.escape(before) + r"(.+?)" + re.escape(after.rstrip()), caption)
    return match.group(1) if match else None


def years_text(years: list[int]) -> str:
    return str(years[0]) if years[0] == years[-1] else f"{years[0]}–{years[-1]}"


def check_year_chart(figure: dict, caption: str, lang: str) -> list[str]:
    """What is wrong with a chart over the years and its caption ([] when nothing)."""
    years = data_years(figure)
    if not years:
        return ["a chart over the years with no value in it"]
    problems = []
    named = caption_years(caption, lang)
    if named != years_text(years):
        problems.append(f"caption names {named!r}, values are in {years_text(years)}")
    title = str((figure["layout"].get("title") or {}).get("text") or "")
    titled = sorted({int(y) for y in re.findall(r"\b(?:19|20)\d\d\b", title)})
    if titled and [min(titled), max(titled)] != [years[0], years[-1]]:
        problems.append(f"title {title!r} names other years than {years_text(years)}")
    low, high = axis_span(figure)
    if not (years[0] - 1 < low <= years[0] and years[-1] <= high < years[-1] + 1):
        problems.append(f"x axis spans {low}–{high}, values are in {years_text(years)}")
    return problems


def test_the_chart_check_finds_what_it_looks_for():
    """A single 2020 dot on a 1999–2023 axis captioned 2000–2022 fails three ways; the right
    chart passes."""
    x = {"dtype": "i2", "bdata": base64.b64encode(np.arange(1999, 2024, dtype="i2")).decode()}
    y = [None] * 25
    y[21] = 5.0
    figure = {"data": [{"x": x, "y": y}], "layout": {}}
    caption = translate("common.caption", "fi", unit="%", year="2000–2022", source="Lähde: X.")
    assert len(check_year_chart(figure, caption, "fi")) == 2  # caption, axis
    figure["layout"]["title"] = {"text": "Työttömyys 2000–2022"}
    assert len(check_year_chart(figure, caption, "fi")) == 3
    right = {"data": [{"x": [2019, 2020], "y": [None, 5.0]}], "layout": {"xaxis": {}}}
    right["layout"]["xaxis"]["range"] = [2019.5, 2020.5]
    good = translate("common.caption", "sv", unit="%", year="2020", source="Källa: X.")
    assert check_year_chart(right, good, "sv") == []
    assert caption_years(good, "sv") == "2020"


def test_every_chart_over_the_years_names_the_years_it_plots(page_run: PageRun):
    problems = [
        f"{caption[:80]!r}: {problem}"
        for figure, caption in _year_charts(page_run)
        for problem in check_year_chart(figure, caption, page_run.lang)
    ]
    assert not problems, problems


# --- downloads ------------------------------------------------------------------------------------
def _heading(key: str, lang: str) -> str:
    return translate(f"share.col.{key}", lang)


# A number written as text with something after it: "13,0 %", "3,822 €/resident", "7/23".
FORMATTED = re.compile(r"^[-+−]?\d[\d \u00a0\u202f]*(?:[.,]\d+)?\s*(?:%|‰|€|/|\w+/\w+)")
# Whole numbers a download must give as such.
WHOLE = ("year", "start_year", "end_year", "period", "rank", "ranked", "missing", "n")
WHOLE += ("country_rank", "country_ranked", "country_missing", "series_break")


def _tables(name: str, data: bytes, lang: str) -> Iterator[tuple[str, pd.DataFrame, pd.DataFrame]]:
    """(where, the table as read, the table as text) of every data table in a file."""
    if name.endswith(".csv"):
        separator, decimal = NOTATION[lang]
        assert data.startswith(b"\xef\xbb\xbf"), f"{name}: no BOM"
        read = {"encoding": "utf-8-sig", "sep": separator, "decimal": decimal}
        yield (
            name,
            pd.read_csv(io.BytesIO(data), **read),
            pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False, **read),
        )
        return
    book = load_workbook(io.BytesIO(data))
    metadata = translate("share.sheet_metadata", lang)
    assert book.sheetnames[-1] == metadata, f"{name}: no metadata sheet"
    for sheet in book.sheetnames[:-1]:
        rows = list(book[sheet].iter_rows(values_only=True))
        table = pd.DataFrame(rows[1:], columns=[str(c) for c in rows[0]], dtype=object)
        yield f"{name}[{sheet}]", table, table


def _whole_cell(value: Any) -> bool:
    if isinstance(value, str):
        return re.fullmatch(r"-?\d+", value) is not None
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


def check_download(table: pd.DataFrame, text: pd.DataFrame, lang: str) -> list[str]:
    """What keeps a downloaded table from being data ([] when nothing)."""
    problems = []
    columns = list(table.columns)
    for key in ("unit", "source", "licence"):
        if _heading(key, lang) not in columns:
            problems.append(f"no {_heading(key, lang)!r} column")
    year_columns = [c for c in columns if re.fullmatch(r"(?:19|20)\d\d", str(c))]
    has_year = any(_heading(k, lang) in columns for k in ("year", "start_year", "end_year"))
    if not has_year and not year_columns:  # a wide table has one column a year
        problems.append("no year")
    for key in WHOLE:
        column = _heading(key, lang)
        if column in columns:  # a CSV cell "2023" or "", an Excel cell 2023 or empty
            cells = [v for v in text[column] if v is not None and v != ""]
            if not all(_whole_cell(v) for v in cells):
                problems.append(f"{column!r} is not whole numbers: {cells[:3]}")
    for column in columns:
        cells = text[column]
        formatted = [v for v in cells if isinstance(v, str) and FORMATTED.match(v.strip())]
        if formatted:
            problems.append(f"{column!r} has numbers as text: {formatted[:3]}")
        values = table[column].dropna()
        if column in year_columns and not all(isinstance(v, (int, float)) for v in values):
            problems.append(f"{column!r} values are not numbers")
    value = _heading("value", lang)
    if value in columns and not all(
        isinstance(v, (int, float, np.number)) for v in table[value].dropna()
    ):
        problems.append(f"{value!r} is not numbers: {table[value].dropna().head(3).tolist()}")
    code = _heading("municipality_code", lang)
    if code in columns:
        bad = [v for v in text[code] if not (isinstance(v, str) and re.fullmatch(r"\d{3}", v))]
        if bad:
            problems.append(f"{code!r} is not three-digit text: {bad[:3]}")
    return problems


def test_the_download_check_finds_what_it_looks_for():
    """The profile's old download (formatted text, no unit, source or licence) fails; data
    passes."""
    text = pd.DataFrame(
        {"Kuntanumero": ["91"], "Arvo": ["13,0 %"], "Sija": ["Sija 7/23"], "Vuosi": ["2024"]}
    )
    problems = check_download(text, text, "fi")
    for needle in ("Yksikkö", "Lähde", "Lisenssi", "'Arvo' has numbers", "Kuntanumero", "Sija"):
        assert any(needle in problem for problem in problems), (needle, problems)
    data = pd.DataFrame(
        {
            "Kuntanumero": ["091"],
            "Vuosi": [2024],
            "Arvo": [13.0],
            "Yksikkö": ["%"],
            "Sija": [7],
            "Lähde": ["Tilastokeskus"],
            "Lisenssi": ["CC BY 4.0"],
        }
    )
    assert check_download(data, data.astype(str), "fi") == []


def test_every_download_on_every_page_is_data(page_run: PageRun):
    problems = []
    for name, data in sorted(page_run.files.items()):
        if name.endswith(".pdf"):
            continue  # a document, read in tests/views/test_report_brief.py
        assert name.endswith((".csv", ".xlsx")), f"{name}: neither data nor the brief"
        for where, table, text in _tables(name, data(), page_run.lang):
            problems += [f"{where}: {p}" for p in check_download(table, text, page_run.lang)]
    assert not problems, problems


# --- words ------------------------------------------------------------------------------------
_TEXTS: weakref.WeakKeyDictionary[AppTest, tuple[str, ...]] = weakref.WeakKeyDictionary()


def rendered(run: PageRun) -> list[str]:
    """Every text the run's page shows (tests/app/test_words_on_pages.py ``_rendered``), walked
    once per run for the properties that read them."""
    if run.at not in _TEXTS:
        _TEXTS[run.at] = tuple(_rendered(run.at))
    return list(_TEXTS[run.at])


def test_every_page_speaks_the_readers_language(page_run: PageRun):
    _check(rendered(page_run), page_run.lang)


def test_no_page_asks_a_reader_to_run_a_command(page_run: PageRun):
    found = _commands(rendered(page_run))
    assert not found, f"{page_run.page} ({page_run.lang}, {page_run.dataset}): {found}"


# --- small populations ----------------------------------------------------------------------------
@functools.cache
def _small(dataset: str) -> tuple[Snapshot, SmallPopulation]:
    snapshot = read_snapshot(DATASETS[dataset])
    return snapshot, SmallPopulation.of(snapshot, "fi")


def _codes_by_name(snapshot: Snapshot, lang: str) -> dict[str, str]:
    table = snapshot.municipalities
    column = "name_sv" if lang == "sv" else "name_fi"
    names = table[column].fillna(table["name_fi"]).astype(str)
    return dict(zip(names, table["municipality_code"].astype(str), strict=True))


def _carries_mark(row: pd.Series, mark: str, flag_heading: str) -> bool:
    """A row says its figure rests on a small population: "†" in a cell, or true in the
    small-population column."""
    texts = any(isinstance(v, str) and mark in v for v in row.to_numpy())
    return texts or bool(row.get(flag_heading, False) is True)


def small_population_rows(
    frame: pd.DataFrame, run: PageRun, indicator_id: str, year: int
) -> list[tuple[str, bool, bool]]:
    """(municipality, whether a figure it shows rests on a small population, whether the row
    carries the mark) of every row of ``frame`` that names a municipality and shows one of its
    figures of ``indicator_id``: the value of ``year`` (a number equal to the snapshot's), or
    the values of the year columns of a table over the years.

    The figures of every row are flagged in one call (a figure's flag is its own: its
    municipality's population in its year against its indicator's threshold), and each row
    reads its figures' flags back by its number."""
    snapshot, small = _small(run.dataset)
    lang = run.lang
    municipality = translate("common.municipality", lang)
    if municipality not in frame.columns:
        return []
    codes = _codes_by_name(snapshot, lang)
    values = snapshot.values[snapshot.values["indicator_id"] == indicator_id]
    by_year = values.set_index(["municipality_code", "year"])["value"]
    year_columns = [c for c in frame.columns if re.fullmatch(r"(?:19|20)\d\d", str(c))]
    mark, flag_heading = translate("small.mark", lang), _heading("small_population", lang)
    rows: list[tuple[str, bool]] = []  # (municipality, carries the mark) of each row walked
    figures: list[tuple[int, str, int]] = []  # (its row's number, code, year) of each figure
    for _, row in frame.iterrows():
        code = codes.get(str(row[municipality]))
        if code is None:
            continue
        if year_columns:
            shown = [int(c) for c in year_columns if pd.notna(row[c])]
        else:
            figure = by_year.get((code, year))
            numbers = [v for v in row.to_numpy() if isinstance(v, (float, np.floating))]
            if figure is None or pd.isna(figure) or not any(np.isclose(figure, numbers)):
                continue
            shown = [year]
        if not shown:
            continue
        figures += [(len(rows), code, y) for y in shown]
        rows.append((str(row[municipality]), _carries_mark(row, mark, flag_heading)))
    if not rows:
        return []
    numbers, row_codes, years = zip(*figures, strict=True)
    flags = small.flags(
        pd.DataFrame(
            {
                "municipality_code": row_codes,
                "indicator_id": indicator_id,
                "year": years,
                "value": [by_year.get((code, y)) for code, y in zip(row_codes, years, strict=True)],
            }
        )
    )
    flagged = flags.groupby(np.asarray(numbers)).any()
    return [(name, bool(flagged[number]), carried) for number, (name, carried) in enumerate(rows)]


def test_every_figure_resting_on_a_small_population_is_marked_and_explained(page_run: PageRun):
    """In every table of every page, a municipality's row whose figure of the page's indicator
    rests on a small population carries the mark "†" (or the true/false flag), and no other row
    does; a page that shows the mark says what it means (the note, or the rule)."""
    at, lang = page_run.at, page_run.lang
    state = at.session_state
    walked = 0
    if INDICATOR_KEY in state and YEAR_KEY in state:
        for element in at.dataframe:
            frame = element.value
            rows = small_population_rows(
                frame, page_run, state[INDICATOR_KEY], int(state[YEAR_KEY])
            )
            wrong = [(name, small) for name, small, carried in rows if small != carried]
            assert not wrong, f"{page_run.page} ({lang}, {page_run.dataset}): {wrong[:5]}"
            walked += sum(small for _, small, _ in rows)
    texts = " ".join(rendered(page_run))
    mark = translate("small.mark", lang)
    # The note's words before its parenthesis (a caption escapes markdown: "\(").
    note = translate("small.note", lang, threshold="").split("(")[0].strip()
    rule = translate("small.rule_title", lang)
    if mark in texts.replace(note, ""):
        assert note in texts or rule in texts, f"{page_run.page} ({lang}): † not explained"
    if page_run.page in ("overview", "compare", "groups"):
        # The smallest municipality is chosen: its own figure is in the page's tables.
        assert walked, f"{page_run.page}: no figure resting on a small population was walked"
