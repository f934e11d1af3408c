"""Shared selection widgets, captions and notices (UI layer).

Selection widgets return plain values; captions always state unit, year and source; every chart
gets a table alternative.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence

import pandas as pd
import streamlit as st
from pandas.io.formats.style import Styler

from kuntadash import resources
from kuntadash.charts.palette import CHOSEN_TINT
from kuntadash.charts.series import BreakMark
from kuntadash.domain.catalogue import (
    DIMENSIONS,
    SeriesBreak,
    direction_note,
    format_value,
    indicator_row,
    series_breaks,
    source_ident,
)
from kuntadash.domain.stats import Rank, latest_common_year, years_with_data
from kuntadash.store import Snapshot
from kuntadash.ui import state
from kuntadash.ui.downloads import TableDownload, render_downloads
from kuntadash.ui.i18n import current_language, t
from kuntadash.ui.loaders import load_catalogue_rows, load_present_ids, load_value_formats
from kuntadash.views.coverage import arriving_text
from kuntadash.views.format import MISSING
from kuntadash.views.format import localized_numbers as format_numbers
from kuntadash.views.labels import (
    capitalise,
    escape_label,
    escape_markdown,
    merged_names,
    plain_value,
    source_words,
    year_span,
    years_list,
)
from kuntadash.views.memo import once_per_snapshot

DEFAULT_MUNICIPALITY = "091"


def municipality_names(snapshot: Snapshot, lang: str | None = None) -> pd.Series:
    """Municipality name in ``lang`` (Swedish name in sv, Finnish otherwise) by code."""
    lang = lang or current_language()
    column = "name_sv" if lang == "sv" else "name_fi"
    table = snapshot.municipalities.set_index("municipality_code")
    return table[column].fillna(table["name_fi"]).astype(str)


def catalogue_row(snapshot: Snapshot, indicator_id: str) -> pd.Series:
    """The indicator's catalogue row (KeyError when the snapshot has no such indicator); shared
    between sessions for a served snapshot, so never mutate it."""
    if snapshot.path is None:  # a snapshot built in memory, not served from a folder
        return indicator_row(snapshot.catalogue, indicator_id)
    return load_catalogue_rows(snapshot)[indicator_id]


def indicator_name(snapshot: Snapshot, indicator_id: str) -> str:
    return str(catalogue_row(snapshot, indicator_id)[f"name_{current_language()}"])


def indicator_unit(snapshot: Snapshot, indicator_id: str) -> str:
    return str(catalogue_row(snapshot, indicator_id)[f"unit_{current_language()}"])


def dimension_label(dimension: str) -> str:
    return t(f"dimension.{dimension}")


def type_labels() -> dict[str, str]:
    labels = resources.read_municipality_types_document().get("labels") or {}
    lang = current_language()
    return {key: capitalise(str(texts.get(lang, key))) for key, texts in labels.items()}


def region_labels(snapshot: Snapshot) -> dict[str, str]:
    lang = current_language()
    table = snapshot.municipalities.dropna(subset=["region_code"])
    table = table.drop_duplicates("region_code").sort_values("region_code")
    return dict(zip(table["region_code"], table[f"region_name_{lang}"].astype(str), strict=True))


def fmt(snapshot: Snapshot, indicator_id: str, value: float | None, with_unit: bool = True) -> str:
    lang = current_language()
    if snapshot.path is None:  # a snapshot built in memory, not served from a folder
        row = catalogue_row(snapshot, indicator_id)
        decimals, unit = int(row["decimals"]), str(row[f"unit_{lang}"])
    else:
        decimals, units = load_value_formats(snapshot)[indicator_id]
        unit = units[lang]
    return format_value(value, decimals, lang, unit if with_unit else "")


def render_sample_notice(snapshot: Snapshot) -> None:
    """Say plainly, on every page, when the data are the synthetic sample."""
    if snapshot.is_sample:
        st.warning(t("common.sample_notice"), icon=":material/science:")


def render_invalid_params() -> None:
    for notice in state.pop_invalid_params():
        if notice.candidates:
            text = t(
                "common.ambiguous_param",
                param=notice.name,
                value=escape_markdown(notice.value),
                candidates=escape_markdown(", ".join(notice.candidates)),
            )
        else:
            text = t("common.invalid_param", param=notice.name, value=escape_markdown(notice.value))
        st.info(text, icon=":material/link_off:")


# At most this many municipalities are named when a link's name fits several.
_CANDIDATES_SHOWN = 8
# Streamlit 1.67 starts the sidebar collapsed, as an overlay, at this width and below (measured:
# collapsed at 768 px, open at 769 px); the page then carries its own municipality choice.
NARROW_MAX_PX = 768
PAGE_CHOICE_KEY = "kunta_on_page"
_CLOSE_SIDEBAR_KEY = "_close_sidebar_request"


# How the browser narrows the list while a name is typed: by a part of the label ("narp" shows
# nothing rather than Streamlit's default letter-by-letter matches such as "Kristinestad", so
# Enter goes to the typed text, which municipality_finder reads).
MUNICIPALITY_FILTER = "contains"


def municipality_finder(
    snapshot: Snapshot, labels: Mapping[str, str]
) -> Callable[[str], str | None]:
    """How a municipality's name becomes its code, for links and for what the reader types:
    its code or any of its names, without regard to case, accents or hyphens, or the
    beginning of a name or of one of its words (views.municipalities.resolve_municipality).
    A text that fits several municipalities raises :class:`state.AmbiguousLinkValue` with
    their ``labels``."""
    from kuntadash.views.municipalities import resolve_municipality

    def find(raw: str) -> str | None:
        match = resolve_municipality(raw, snapshot.municipalities)
        if match.ambiguous:
            shown = [labels.get(code, code) for code in match.candidates]
            more = len(shown) - _CANDIDATES_SHOWN
            shown = shown[:_CANDIDATES_SHOWN] + ([f"… (+{more})"] if more > 0 else [])
            raise state.AmbiguousLinkValue(shown)
        return match.code

    return find


def render_search_notice(notice: state.SearchNotice | None, container: object = None) -> None:
    """Say, next to the choice, what a typed name found when it chose nothing."""
    if notice is None:
        return
    target = container if container is not None else st
    text = escape_markdown(notice.text)
    if notice.candidates:
        message = t(
            "search.ambiguous", text=text, candidates=escape_markdown(", ".join(notice.candidates))
        )
    else:
        message = t("search.unknown", text=text)
    target.info(message, icon=":material/search:")  # type: ignore[attr-defined]


def select_municipality(
    snapshot: Snapshot, container: object = None, *, on_page: bool = False
) -> str:
    """The municipality (URL ``kunta``), offered under both national names and found by either.

    A link may give a name instead of the code (``?kunta=Helsingfors``), and so may the reader:
    a name typed and confirmed with Enter is found by :func:`municipality_finder` ("narpio"
    chooses Närpiö) — the browser's own filtering of the list matches the labels letter by
    letter only. A name that fits several municipalities, or none, is reported next to the
    choice. ``on_page``: the compact copy at the top of a page for narrow screens, bound to the
    same value as the sidebar's. A choice in the sidebar closes the sidebar on a phone, where it
    covers the page.
    """
    from kuntadash.ui.loaders import load_choice_labels

    lang = current_language()
    labels = load_choice_labels(snapshot, lang)
    codes = list(labels)
    default = DEFAULT_MUNICIPALITY if DEFAULT_MUNICIPALITY in labels else codes[0]
    find = municipality_finder(snapshot, labels)
    # A compare link without ``kunta`` opens on its first compared municipality.
    state.follow_link(state.MUNICIPALITY_KEY, state.COMPARE_KEY, codes, find)
    widget_key = f"{state.WIDGET_PREFIX}{PAGE_CHOICE_KEY}" if on_page else None
    code = state.stateful_selectbox(
        t("common.municipality"),
        codes,
        state.MUNICIPALITY_KEY,
        default,
        format_func=lambda code: labels.get(code, code),
        container=container,
        parse=find,
        search=find,
        widget_key=widget_key,
        on_change=None if on_page else _request_sidebar_close,
        help=t("search.help"),
        filter_mode=MUNICIPALITY_FILTER,
    )
    render_search_notice(state.pop_search_notice(state.MUNICIPALITY_KEY, widget_key), container)
    return code


def _request_sidebar_close() -> None:
    st.session_state[_CLOSE_SIDEBAR_KEY] = st.session_state.get(_CLOSE_SIDEBAR_KEY, 0) + 1


# Clicks Streamlit's own "collapse sidebar" button, only where the sidebar covers the page.
# NOTE: Streamlit 1.67 has no call to close the sidebar, and a changed
# st.set_page_config(initial_sidebar_state=...) loses to the open/closed state the browser
# remembers once the reader has opened it (localStorage "stSidebarCollapsed-…", read first in
# the frontend's AppView), which is exactly the phone case. An html element allowed to run
# JavaScript (unsafe_allow_javascript) runs its script each time its text changes, hence the
# counter in it; the text holds nothing from data.
_CLOSE_SIDEBAR_SCRIPT = """
<script data-request="{request}">
(() => {{
  if (!window.matchMedia("(max-width: {narrow}px)").matches) return;
  const sidebar = document.querySelector('[data-testid="stSidebar"]');
  if (!sidebar || sidebar.getAttribute("data-collapsed") === "true") return;
  const button = document.querySelector('[data-testid="stSidebarCollapseButton"] button');
  if (button) button.click();
}})();
</script>
"""


def render_sidebar_close_on_phone(container: object = None) -> None:
    """After a municipality was chosen in the sidebar: close the sidebar if it covers the page
    (a phone), so the reader sees the result at once. Nothing happens on wider screens."""
    request = st.session_state.pop(_CLOSE_SIDEBAR_KEY, None)
    if request is None:
        return
    target = container if container is not None else st
    target.html(
        _CLOSE_SIDEBAR_SCRIPT.format(request=int(request), narrow=NARROW_MAX_PX),
        unsafe_allow_javascript=True,
    )


# CSS for every page. Streamlit draws a caption at 60 % opacity, which fades a link in it too: a
# source's link under the map reached 3:1 on white, below WCAG AA's 4.5:1. The caption's text is
# faded through its colour instead (the same 60 %), so a link keeps its full colour.
APP_STYLE = (
    '<style>[data-testid="stCaptionContainer"] {opacity: 1;'
    " color: color-mix(in srgb, currentColor 60%, transparent);}</style>"
)


# CSS: the on-page municipality choice shows only where the sidebar is an overlay; the page
# starts just below the toolbar (Streamlit's 6rem leaves an empty band on the first screen).
PAGE_CHOICE_STYLE = (
    f"<style>@media (min-width: {NARROW_MAX_PX + 1}px) {{"
    f" .st-key-{PAGE_CHOICE_KEY} {{display: none;}} }}"
    " .stMainBlockContainer {padding-top: 4rem;}</style>"
)


def indicators_with_data(snapshot: Snapshot) -> pd.DataFrame:
    """The catalogue rows of the indicators with at least one value in the snapshot (read-only:
    the same frame for the snapshot's every rerun)."""
    return once_per_snapshot(
        snapshot,
        "indicators_with_data",
        lambda: snapshot.catalogue[snapshot.catalogue["id"].isin(load_present_ids(snapshot))],
    )


def dimensions_with_data(snapshot: Snapshot, ids: Sequence[str] | None = None) -> list[str]:
    """The dimensions with at least one indicator with data (of ``ids`` when given), in
    display order."""
    catalogue = indicators_with_data(snapshot)
    if ids is not None:
        catalogue = catalogue[catalogue["id"].isin(ids)]
    present = set(catalogue["dimension"])
    return [dimension for dimension in DIMENSIONS if dimension in present]


def render_no_values(snapshot: Snapshot) -> bool:
    """Say plainly when the snapshot has no indicator values at all (and how they arrive);
    True when it said so, so the page can stop there."""
    if dimensions_with_data(snapshot):
        return False
    st.info(t("coverage.no_values") + " " + t("coverage.how_data_arrives"), icon=":material/info:")
    return True


def render_missing_dimension(container: object = None) -> None:
    """In place of a dimension's empty tables: its data are not in this snapshot yet."""
    target = container if container is not None else st
    target.info(
        t("coverage.dimension_missing") + " " + t("coverage.how_data_arrives"),
        icon=":material/info:",
    )


def render_coverage_note(snapshot: Snapshot, container: object = None) -> None:
    """Under a dimension picker: which dimensions the snapshot covers, when not all of them."""
    covered = dimensions_with_data(snapshot)
    missing = [dimension for dimension in DIMENSIONS if dimension not in covered]
    if not missing or not covered:
        return
    target = container if container is not None else st
    present = set(snapshot.values["indicator_id"].unique())
    arriving = [
        text
        for d in missing
        if (text := arriving_text(snapshot.catalogue, d, current_language(), present))
    ]
    target.caption(
        " ".join(
            [
                t(
                    "coverage.dimensions_note",
                    covered=", ".join(dimension_label(d) for d in covered),
                    missing=", ".join(dimension_label(d) for d in missing),
                ),
                *(arriving or [t("coverage.how_data_arrives")]),
            ]
        )
    )


def select_dimension(
    snapshot: Snapshot, container: object = None, ids: Sequence[str] | None = None
) -> str:
    """The dimension (URL ``dim``), among those with data (of the indicators ``ids`` when
    given): the first of them by default, so a snapshot without the first dimension's data
    opens on one that has some."""
    options = dimensions_with_data(snapshot, ids)
    labels = {dimension: dimension_label(dimension) for dimension in DIMENSIONS}
    return state.stateful_selectbox(
        t("common.dimension"),
        options,
        state.DIMENSION_KEY,
        options[0],
        format_func=labels.__getitem__,
        container=container,
    )


def select_indicator(
    snapshot: Snapshot,
    dimension: str | None = None,
    container: object = None,
    ids: Sequence[str] | None = None,
) -> str:
    """The indicator (URL ``indicator``) among those with data, of ``dimension`` and of the
    indicators ``ids`` when given."""
    catalogue = indicators_with_data(snapshot)
    if ids is not None:
        catalogue = catalogue[catalogue["id"].isin(ids)]
    if dimension is not None:
        catalogue = catalogue[catalogue["dimension"] == dimension]
    options = catalogue["id"].tolist()
    names = dict(zip(catalogue["id"], catalogue[f"name_{current_language()}"], strict=True))
    return state.stateful_selectbox(
        t("common.indicator"),
        options,
        state.INDICATOR_KEY,
        options[0],
        format_func=lambda ident: names.get(ident, ident),
        container=container,
    )


def select_year(snapshot: Snapshot, indicator_id: str, container: object = None) -> int:
    years = years_with_data(snapshot.values, indicator_id)
    default = latest_common_year(snapshot.values, indicator_id) or years[-1]
    return state.stateful_selectbox(
        t("common.year"),
        list(reversed(years)),
        state.YEAR_KEY,
        default,
        container=container,
    )


def source_text(
    snapshot: Snapshot,
    indicator_id: str,
    year: int | Sequence[int] | None = None,
    markdown: bool = False,
) -> str:
    """Where the indicator's values (of ``year``) really came from: publisher in the user's
    language, the dataset or file and its vintage, licence; with ``markdown`` escaped and the
    dataset linked to its source. Falls back to the catalogue's publisher and table for
    snapshots without per-value sources."""
    from kuntadash.provenance import sources_of
    from kuntadash.ui.loaders import load_value_sources

    lang = current_language()
    row = catalogue_row(snapshot, indicator_id)
    publisher_key = plain_value(row["publisher"])
    lines = sources_of(
        snapshot.manifest,
        load_value_sources(snapshot),
        indicator_id,
        years_list(year),
        lang,
        publisher_key,
    )
    described = [source_words(line, markdown) for line in lines if not line.synthetic]
    if lines and not described:
        return t("common.sample_caption")
    if described:
        return t("common.source_values", sources="; ".join(described))
    sources = resources.read_sources_document() or {}
    publisher = (sources.get(publisher_key) or {}).get("name", {}).get(lang) or publisher_key
    licence = plain_value(row["licence"]) or "–"
    ident = source_ident(row)
    parts = {"publisher": publisher, "ident": ident, "licence": licence}
    if markdown:
        parts = {key: escape_markdown(value) for key, value in parts.items()}
    if not ident:  # e.g. an imported file: the source has no table or code of its own
        del parts["ident"]
        return t("common.source_line_no_id", **parts)
    return t("common.source_line", **parts)


def harmonised_text(snapshot: Snapshot, indicator_id: str, year: int | Sequence[int]) -> str:
    """'Mäntyharjun luvut sisältävät Pertunmaan …' when values shown were moved from an earlier
    municipal division; "" otherwise."""
    table = snapshot.harmonised
    if table is None or table.empty:
        return ""
    years = years_list(year) or []
    rows = table[(table["indicator_id"] == indicator_id) & table["year"].isin(years)]
    if rows.empty:
        return ""
    names = municipality_names(snapshot)
    merged = merged_names()
    items = []
    for members in sorted(set(rows["members"].astype(str))):
        codes = members.split("+")
        current = next((c for c in codes if c in names.index), codes[0])
        absorbed = [merged.get(c, c) for c in codes if c != current]
        items.append(f"{names.get(current, current)} ({' + '.join(absorbed)})")
    return t("common.harmonised_caption", items=escape_markdown(", ".join(items)))


def indicator_breaks(snapshot: Snapshot, indicator_id: str) -> tuple[SeriesBreak, ...]:
    """The known breaks in the indicator's series (the catalogue's ``breaks``), earliest first."""
    return series_breaks(catalogue_row(snapshot, indicator_id))


def break_marks(snapshot: Snapshot, indicator_id: str) -> list[BreakMark]:
    """The indicator's breaks as marks for a trend chart, labelled in the reader's language."""
    lang = current_language()
    return [
        BreakMark(item.year, t("common.break_mark", year=item.year), item.reason_in(lang))
        for item in indicator_breaks(snapshot, indicator_id)
    ]


def breaks_text(snapshot: Snapshot, indicator_id: str, years: int | Sequence[int]) -> str:
    """'Aikasarjassa on katko vuonna 2023: …' for every break inside ``years`` (the first year
    of a new series after the first year shown), escaped for markdown; "" when none."""
    shown = years_list(years) or []
    if len(shown) < 2:
        return ""
    lang = current_language()
    return " ".join(
        t(
            "common.break_caption",
            year=item.year,
            reason=escape_markdown(item.reason_in(lang)),
        )
        for item in indicator_breaks(snapshot, indicator_id)
        if min(shown) < item.year <= max(shown)
    )


def direction_note_text(snapshot: Snapshot, indicator_id: str) -> str:
    """Why the indicator's direction is a value choice, in the reader's language ("" when the
    catalogue gives no such note)."""
    return direction_note(catalogue_row(snapshot, indicator_id), current_language())


def caption_text(snapshot: Snapshot, indicator_id: str, year: int | Sequence[int]) -> str:
    """Unit, year(s), source; then the direction's value choice, breaks in the years shown, and
    figures combined over a municipal merger, where there are any."""
    years = year_span(year)
    unit = escape_markdown(indicator_unit(snapshot, indicator_id) or "–")
    source = source_text(snapshot, indicator_id, year, markdown=True)
    text = t("common.caption", unit=unit, year=years, source=source)
    note = direction_note_text(snapshot, indicator_id)
    if note:
        text += " " + escape_markdown(note)
    breaks = breaks_text(snapshot, indicator_id, year)
    if breaks:
        text += " " + breaks
    harmonised = harmonised_text(snapshot, indicator_id, year)
    if harmonised:
        text += " " + harmonised
    if snapshot.is_sample and t("common.sample_caption") not in text:
        text += " " + t("common.sample_caption")
    return text


def localized_numbers(
    table: pd.DataFrame | Styler,
    decimals: Mapping[str, int] | None = None,
    lang: str | None = None,
) -> Styler:
    """``table`` with its numbers in the reader's notation, the cells still numbers
    (:func:`kuntadash.views.format.localized_numbers`; ``lang`` defaults to the reader's).

    NOTE: Streamlit 1.67 has no way to set the number locale of ``st.dataframe`` per app: the
    ``NumberColumn(format="localized")`` option formats with the *browser's* languages
    (``navigator.languages`` in its frontend's formatNumber), and printf formats always use a
    decimal point. A ``pandas.Styler``'s display text is shown in place of a number column's
    own formatting when the column has no ``format`` (its DataFrame cell code), and sorting
    still uses the numbers underneath; so tables pass through here, and number columns get no
    ``column_config`` format.
    """
    return format_numbers(table, lang or current_language(), decimals)


def render_dataframe(
    table: pd.DataFrame | Styler,
    decimals: Mapping[str, int] | None = None,
    container: object = None,
    **kwargs: object,
) -> None:
    """``st.dataframe`` for every table of the app: numbers in the reader's notation
    (:func:`localized_numbers`), missing cells as "–", no index, full width."""
    target = container if container is not None else st
    kwargs.setdefault("placeholder", MISSING)
    kwargs.setdefault("hide_index", True)
    kwargs.setdefault("width", "stretch")
    target.dataframe(localized_numbers(table, decimals), **kwargs)  # type: ignore[attr-defined]


# The chosen municipality's row in a table: bold (a cue that is not colour) on a light tint of
# the primary colour (the text keeps a contrast of 14:1).
CHOSEN_ROW_STYLE = f"background-color: {CHOSEN_TINT}; font-weight: bold"


def render_list(items: Iterable[str], title: str = "", note: str = "") -> None:
    """A bulleted list of markdown ``items`` (escaped by the caller), under ``title`` in bold
    when given, with ``note`` under it (see :func:`render_note`)."""
    lines = [f"- {item}" for item in items]
    st.markdown("\n".join([f"**{escape_markdown(title)}**", "", *lines] if title else lines))
    render_note(note)


def render_note(*texts: str) -> None:
    """A caption of the non-empty ``texts`` (plain text, escaped), or nothing when all are
    empty: a note that applies only sometimes, such as what "†" beside a figure means."""
    shown = [escape_markdown(text) for text in texts if text]
    if shown:
        st.caption(" ".join(shown))


def render_table(
    frame: pd.DataFrame | Styler,
    label_key: str = "common.show_table",
    downloads: TableDownload | None = None,
    *,
    data: pd.DataFrame | None = None,
    decimals: Mapping[str, int] | None = None,
    chosen: Sequence[bool] | None = None,
    lazy_key: str | None = None,
    note: str = "",
    **kwargs: object,
) -> None:
    """The table alternative of a chart, folded away under an expander, with ``note`` under it
    (what a mark in its rows means: said where the marks are seen); with ``downloads``,
    CSV and Excel buttons for this table (see kuntadash.ui.downloads): ``data`` is the table as
    data (numbers as numbers, columns named by ``downloads.EXPORT_COLUMNS`` keys), ``frame``
    itself when not given. Fractional numbers of a one-indicator table get its decimals.

    ``chosen`` (one flag per row) highlights the chosen municipality's row; the table keeps its
    rows, order and columns, so the downloads hold exactly what is shown.

    With ``lazy_key`` the table and its downloads are sent only while the expander is open
    (opening it reruns the page; ``st.session_state[lazy_key]`` is its state): a folded
    table then costs a rerun nothing (docs/PERFORMANCE.md, "Where a rerun's bytes go").
    """
    if decimals is None and downloads is not None and len(downloads.indicator_ids) == 1:
        places = _indicator_decimals(downloads.snapshot, downloads.indicator_ids[0])
        shown = frame.data if isinstance(frame, Styler) else frame
        decimals = {
            column: places for column in shown.columns if pd.api.types.is_float_dtype(shown[column])
        }
    if chosen is not None and any(chosen):
        frame = chosen_rows_styled(frame, chosen)
    box = st.expander(t(label_key)) if lazy_key is None else lazy_expander(t(label_key), lazy_key)
    if box is None:
        return
    with box:
        render_dataframe(frame, decimals, **kwargs)
        render_note(note)
        if downloads is not None:
            exported = data if data is not None else frame
            if isinstance(exported, Styler):
                exported = exported.data
            render_downloads(exported, downloads)


def lazy_expander(label: str, key: str, icon: str | None = None) -> object | None:
    """An expander whose content is built only while it is open: it returns the expander to
    draw into, or None while it is folded. Opening it reruns the page;
    ``st.session_state[key]`` is its state. A folded section then costs a rerun nothing: no
    tables, charts or downloads built, none sent (docs/PERFORMANCE.md)."""
    box = st.expander(label, icon=icon, key=key, on_change="rerun")
    return box if box.open else None


def _indicator_decimals(snapshot: Snapshot, indicator_id: str) -> int:
    return int(catalogue_row(snapshot, indicator_id)["decimals"])


def chosen_rows_styled(frame: pd.DataFrame | Styler, chosen: Sequence[bool]) -> Styler:
    """``frame`` with the ``chosen`` rows in bold on a tint (a pandas Styler, which
    st.dataframe draws with its styles; one that has styles already keeps them)."""
    styles = [CHOSEN_ROW_STYLE if flag else "" for flag in chosen]
    styler = frame if isinstance(frame, Styler) else frame.style
    return styler.apply(lambda column: styles, axis=0)


def weights_note(weights: object) -> str:
    """What the population-weighted figures were weighted with (a PopulationYear), in words."""
    used = tuple(getattr(weights, "years_used", ()))
    year = getattr(weights, "label_year", None)
    if not used:
        return t("groups.weighted_note_none")
    if getattr(weights, "nearest", False):
        return t("groups.weighted_note_nearest", year=year, used=", ".join(map(str, used)))
    return t("groups.weighted_note", year=year)


def rank_text(rank: Rank) -> str:
    """'Sija 12/47, 3 ilman tietoa' — rank, group size and how many lack data."""
    if rank.rank is None:
        return t("common.rank_none")
    if rank.missing:
        return t("common.rank_text_missing", rank=rank.rank, of=rank.of, missing=rank.missing)
    return t("common.rank_text", rank=rank.rank, of=rank.of)


# --- Comparison groups, similar municipalities and trends -------------------------------------

PEER_COUNTS = (5, 10, 15, 20)
PEER_WEIGHT_OPTIONS = (0.0, 0.5, 1.0, 2.0, 3.0)


def group_kind_labels() -> dict[str, str]:
    from kuntadash.domain.groups import GROUP_KINDS

    return {kind: t(f"groups.kind.{kind}") for kind in GROUP_KINDS}


def select_group_kind(container: object = None, **kwargs: object) -> str:
    """The comparison group kind (URL ``group``), shared by the profile and compare pages."""
    from kuntadash.domain.groups import DEFAULT_KIND, GROUP_KINDS

    labels = group_kind_labels()
    return state.stateful_selectbox(
        t("comparison.group_select"),
        list(GROUP_KINDS),
        state.GROUP_KEY,
        DEFAULT_KIND,
        format_func=labels.__getitem__,
        container=container,
        **kwargs,
    )


def _weights_from_url() -> dict[str, float] | None:
    from kuntadash.domain.peers import STRUCTURAL_VARIABLES

    raw = st.query_params.get(state.PEER_WEIGHTS_KEY)
    if not raw:
        return None
    parts = raw.split(",")
    try:
        numbers = [float(part) for part in parts]
    except ValueError:
        numbers = []
    if len(numbers) != len(STRUCTURAL_VARIABLES) or any(
        n not in PEER_WEIGHT_OPTIONS for n in numbers
    ):
        st.info(
            t("common.invalid_param", param=state.PEER_WEIGHTS_KEY, value=escape_markdown(raw)),
            icon=":material/link_off:",
        )
        return None
    return dict(zip(STRUCTURAL_VARIABLES, numbers, strict=True))


def peer_weights() -> dict[str, float]:
    """The structural-variable weights in use (URL ``pw``, in STRUCTURAL_VARIABLES order)."""
    from kuntadash.domain.peers import DEFAULT_WEIGHTS

    if state.PEER_WEIGHTS_KEY not in st.session_state:
        st.session_state[state.PEER_WEIGHTS_KEY] = _weights_from_url() or dict(DEFAULT_WEIGHTS)
    return dict(st.session_state[state.PEER_WEIGHTS_KEY])


def _write_weights(weights: dict[str, float]) -> None:
    from kuntadash.domain.peers import DEFAULT_WEIGHTS, STRUCTURAL_VARIABLES

    def text(values: dict[str, float]) -> list[str]:
        return [f"{values.get(v, 0.0):g}" for v in STRUCTURAL_VARIABLES]

    state.write_param(state.PEER_WEIGHTS_KEY, text(weights), text(dict(DEFAULT_WEIGHTS)))


def _copy_weight(variable: str, widget_key: str) -> None:
    weights = dict(st.session_state[state.PEER_WEIGHTS_KEY])
    weights[variable] = float(st.session_state[widget_key])
    st.session_state[state.PEER_WEIGHTS_KEY] = weights


def _reset_weights() -> None:
    from kuntadash.domain.peers import DEFAULT_WEIGHTS

    st.session_state[state.PEER_WEIGHTS_KEY] = dict(DEFAULT_WEIGHTS)


def render_peer_weights(variables: Sequence[str], labels: dict[str, str]) -> dict[str, float]:
    """Sliders for the weight of every structural variable; returns the weights in use."""
    weights = peer_weights()
    columns = st.columns(2)
    for position, variable in enumerate(variables):
        widget_key = f"w_{state.PEER_WEIGHTS_KEY}_{variable}"
        st.session_state[widget_key] = weights.get(variable, 0.0)
        columns[position % 2].select_slider(
            escape_label(labels[variable]),  # indicator names are data; labels are markdown
            options=list(PEER_WEIGHT_OPTIONS),
            key=widget_key,
            format_func=_weight_text,
            on_change=_copy_weight,
            args=(variable, widget_key),
        )
    st.button(t("comparison.weights_reset"), on_click=_reset_weights)
    weights = peer_weights()
    _write_weights(weights)
    return weights


def _weight_text(weight: float) -> str:
    return f"{weight:g}"


def select_peer_count(container: object = None) -> int:
    return state.stateful_selectbox(
        t("comparison.peer_count"),
        list(PEER_COUNTS),
        state.PEERS_KEY,
        10,
        container=container,
    )


def peer_choice(snapshot: Snapshot) -> tuple[dict[str, float], int]:
    """The structural variables' weights (the defaults when all are zero) and the number of
    similar municipalities in use."""
    from kuntadash.domain.peers import DEFAULT_WEIGHTS
    from kuntadash.ui.loaders import load_structure

    _, z = load_structure(snapshot)
    weights = peer_weights()
    if not any(weights.get(v, 0) > 0 for v in z.columns):
        weights = dict(DEFAULT_WEIGHTS)
    return weights, int(st.session_state.get(state.PEERS_KEY, 10))


def current_peers(snapshot: Snapshot, code: str) -> pd.DataFrame:
    """The similar municipalities of ``code`` with the weights and count in use."""
    from kuntadash.domain.peers import nearest_peers
    from kuntadash.ui.loaders import load_structure

    weights, count = peer_choice(snapshot)
    return nearest_peers(load_structure(snapshot)[1], code, weights, count)


def comparison_group(
    snapshot: Snapshot, code: str, kind: str, peers: Sequence[str] | None = None
) -> object:
    """``code``'s :class:`~kuntadash.domain.groups.ComparisonGroup` of ``kind``, labelled; size
    classes by the snapshot's latest population figures (``peers``: the similar municipalities
    in use, computed when not given)."""
    from kuntadash.ui.loaders import describe_comparison_group

    if kind == "similar" and peers is None:
        peers = current_peers(snapshot, code)["municipality_code"].tolist()
    return describe_comparison_group(snapshot, code, kind, current_language(), peers)


def population_text(snapshot: Snapshot, code: str) -> str:
    """'664 028 (31.12.2022)': the municipality's latest population figure and its date."""
    from kuntadash.ui.loaders import load_population

    population = load_population(snapshot)
    value = population.values.get(code)
    if value is None or pd.isna(value) or population.label_year is None:
        return t("common.population_missing")
    lang = current_language()
    number = format_value(value, 0, lang)
    return t("common.population_value", value=number, year=population.label_year)


def change_text(
    change: float, verdict: str, decimals: int, unit: str, break_year: object = None
) -> str:
    """'↑ +0,4 %-yks. (huonompaan)': which way the value moved, by how much, better or worse.

    A change across a break in the series (verdict ``break``) shows no number and no judgement,
    only why: '– (sarjan katko 2023: ei verrattavissa)' (``break_year`` when known)."""
    if verdict == "missing" or pd.isna(change):
        return "–"
    if verdict == "break":
        if break_year is None or pd.isna(break_year):
            return t("comparison.change_break_unknown")
        return t("comparison.change_break", year=int(break_year))
    lang = current_language()
    unit = t("comparison.unit.pp") if unit.strip() == "%" else unit
    number = format_value(abs(change), int(decimals), lang, unit)
    if verdict == "unchanged":
        arrow, sign = "→", "±"
    else:
        arrow, sign = ("↑", "+") if change > 0 else ("↓", "−")
    return f"{arrow} {sign}{number} ({t(f'comparison.verdict.{verdict}')})"
