"""Indicator catalogue: definitions, units, direction, sources and licences, searchable."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from kuntadash import resources
from kuntadash.domain.catalogue import DIMENSIONS, direction_note, series_breaks
from kuntadash.ui import state
from kuntadash.ui.downloads import TableDownload, render_downloads
from kuntadash.ui.entry import require_app
from kuntadash.ui.i18n import current_language, t
from kuntadash.ui.loaders import load_snapshot
from kuntadash.ui.widgets import (
    dimension_label,
    escape_markdown,
    render_coverage_note,
    render_dataframe,
)

require_app()

snapshot = load_snapshot()
lang = current_language()
catalogue = snapshot.catalogue
sources = resources.read_sources_document() or {}

st.title(t("catalogue.title"))
st.write(t("catalogue.intro", count=len(catalogue)))
left, right = st.columns([2, 1])
query = state.stateful_text_input(
    t("catalogue.search"),
    state.SEARCH_KEY,
    container=left,
    placeholder=t("catalogue.search_hint"),
)
dimension_options = {"": t("common.all"), **{d: dimension_label(d) for d in DIMENSIONS}}
dimension = state.stateful_selectbox(
    t("common.dimension"),
    list(dimension_options),
    state.CATALOGUE_DIMENSION_KEY,
    "",
    format_func=dimension_options.__getitem__,
    container=right,
)

shown = catalogue
if dimension:
    shown = shown[shown["dimension"] == dimension]
if query:
    needle = query.casefold()
    haystack = (
        shown[[f"{field}_{lng}" for field in ("name", "definition") for lng in ("fi", "sv", "en")]]
        .fillna("")
        .agg(" ".join, axis=1)
        .str.casefold()
        + " "
        + shown["id"].str.casefold()
    )
    shown = shown[haystack.str.contains(needle, regex=False)]

st.caption(t("catalogue.count", shown=len(shown), total=len(catalogue)))
render_coverage_note(snapshot)


def _text(value: object) -> str:
    """An optional catalogue field as text ("" when the source has no table or code)."""
    return "" if value is None or pd.isna(value) else str(value)


def _break_years(row: pd.Series) -> str:
    """'2023' or '2017, 2023': the years a new series starts ("" when the series has none)."""
    return ", ".join(str(item.year) for item in series_breaks(row))


# Which years each indicator has figures for: the catalogue lists indicators a snapshot may not
# (yet) hold, and the reader should see that here rather than find empty charts elsewhere.
present = (
    snapshot.values.dropna(subset=["value"]).groupby("indicator_id")["year"].agg(["min", "max"])
)
spans = {
    ident: str(low) if low == high else f"{low}–{high}"
    for ident, low, high in zip(present.index, present["min"], present["max"], strict=True)
}
publisher_names = {key: (entry.get("name") or {}).get(lang, key) for key, entry in sources.items()}
listing = pd.DataFrame(
    {
        t("common.indicator"): shown[f"name_{lang}"],
        t("common.dimension"): shown["dimension"].map(dimension_label),
        t("catalogue.definition"): shown[f"definition_{lang}"],
        t("common.unit"): shown[f"unit_{lang}"],
        t("catalogue.direction"): shown["direction"].map(lambda d: t(f"direction.{d}")),
        t("catalogue.direction_note"): [direction_note(row, lang) for _, row in shown.iterrows()],
        t("catalogue.breaks"): [_break_years(row) for _, row in shown.iterrows()],
        t("catalogue.publisher"): shown["publisher"].map(lambda p: publisher_names.get(p, p)),
        t("catalogue.source_id"): (
            shown["table"].fillna("") + " " + shown["code"].fillna("")
        ).str.strip(),
        t("catalogue.licence"): shown["licence"],
        t("catalogue.cadence"): shown["cadence"].map(lambda c: t(f"cadence.{c}")),
        t("coverage.years_column"): shown["id"].map(lambda i: spans.get(i, t("coverage.not_yet"))),
    }
)
render_dataframe(listing)
render_downloads(
    listing,
    TableDownload(snapshot, tuple(shown["id"]), ("indicators", dimension, query.strip())),
)

st.subheader(t("catalogue.details"))
for _, row in shown.iterrows():
    # Catalogue texts are data (imports add entries): escaped wherever markdown renders them.
    text = {key: escape_markdown(row[f"{key}_{lang}"] or "") for key in ("name", "unit")}
    with st.expander(f"{text['name']} ({dimension_label(row['dimension']).lower()})"):
        definition = escape_markdown(row[f"definition_{lang}"])
        st.markdown(f"**{t('catalogue.definition')}.** {definition}")
        if row.get(f"interpretation_{lang}"):
            interpretation = escape_markdown(row[f"interpretation_{lang}"])
            st.markdown(f"**{t('catalogue.interpretation')}.** {interpretation}")
        publisher = escape_markdown(publisher_names.get(row["publisher"], row["publisher"]))
        st.markdown(
            f"**{t('common.unit')}:** {text['unit']} · **{t('catalogue.direction')}:** "
            f"{t('direction.' + row['direction'])} · **{t('catalogue.publisher')}:** "
            f"{publisher} · **{t('catalogue.licence')}:** {escape_markdown(row['licence'])}"
        )
        note = direction_note(row, lang)
        if note:
            st.markdown(f"**{t('catalogue.direction_note')}.** {escape_markdown(note)}")
        for item in series_breaks(row):
            st.markdown(
                t(
                    "catalogue.break_line",
                    year=item.year,
                    reason=escape_markdown(item.reason_in(lang)),
                )
            )
        # The publisher's own table and code, to find the figures at the source.
        source = " ".join(_text(row[k]) for k in ("table", "code") if _text(row[k]))
        if source:
            st.caption(t("catalogue.source_line", ident=escape_markdown(source)))
