"""Indicator catalogue: definitions, units, direction, sources and licences, searchable."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from kuntadash import resources
from kuntadash.domain.catalogue import DIMENSIONS
from kuntadash.ui import state
from kuntadash.ui.i18n import current_language, t
from kuntadash.ui.loaders import load_snapshot
from kuntadash.ui.widgets import dimension_label

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
publisher_names = {key: (entry.get("name") or {}).get(lang, key) for key, entry in sources.items()}
st.dataframe(
    pd.DataFrame(
        {
            t("common.indicator"): shown[f"name_{lang}"],
            t("common.dimension"): shown["dimension"].map(dimension_label),
            t("catalogue.definition"): shown[f"definition_{lang}"],
            t("common.unit"): shown[f"unit_{lang}"],
            t("catalogue.direction"): shown["direction"].map(lambda d: t(f"direction.{d}")),
            t("catalogue.publisher"): shown["publisher"].map(lambda p: publisher_names.get(p, p)),
            t("catalogue.source_id"): (
                shown["table"].fillna("") + " " + shown["code"].fillna("")
            ).str.strip(),
            t("catalogue.licence"): shown["licence"],
            t("catalogue.cadence"): shown["cadence"].map(lambda c: t(f"cadence.{c}")),
        }
    ),
    hide_index=True,
    width="stretch",
)

st.subheader(t("catalogue.details"))
for _, row in shown.iterrows():
    with st.expander(f"{row[f'name_{lang}']} ({dimension_label(row['dimension']).lower()})"):
        st.markdown(f"**{t('catalogue.definition')}.** {row[f'definition_{lang}']}")
        if row.get(f"interpretation_{lang}"):
            st.markdown(f"**{t('catalogue.interpretation')}.** {row[f'interpretation_{lang}']}")
        st.markdown(
            f"**{t('common.unit')}:** {row[f'unit_{lang}']} · **{t('catalogue.direction')}:** "
            f"{t('direction.' + row['direction'])} · **{t('catalogue.publisher')}:** "
            f"{publisher_names.get(row['publisher'], row['publisher'])} · "
            f"**{t('catalogue.licence')}:** {row['licence']}"
        )
        st.caption(f"id: `{row['id']}` · {row['adapter']} {row['table'] or ''} {row['code'] or ''}")
