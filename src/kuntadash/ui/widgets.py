"""Shared selection widgets, captions and notices (UI layer).

Selection widgets return plain values; captions always state unit, year and source; every chart
gets a table alternative.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import streamlit as st

from kuntadash import resources
from kuntadash.domain.catalogue import DIMENSIONS, format_value, indicator_row
from kuntadash.domain.stats import Rank, latest_common_year, years_with_data
from kuntadash.store import Snapshot
from kuntadash.ui import state
from kuntadash.ui.downloads import TableDownload, render_downloads
from kuntadash.ui.i18n import current_language, t

DEFAULT_MUNICIPALITY = "091"


def municipality_names(snapshot: Snapshot, lang: str | None = None) -> pd.Series:
    """Municipality name in ``lang`` (Swedish name in sv, Finnish otherwise) by code."""
    lang = lang or current_language()
    column = "name_sv" if lang == "sv" else "name_fi"
    table = snapshot.municipalities.set_index("municipality_code")
    return table[column].fillna(table["name_fi"]).astype(str)


def indicator_name(snapshot: Snapshot, indicator_id: str) -> str:
    return str(indicator_row(snapshot.catalogue, indicator_id)[f"name_{current_language()}"])


def indicator_unit(snapshot: Snapshot, indicator_id: str) -> str:
    return str(indicator_row(snapshot.catalogue, indicator_id)[f"unit_{current_language()}"])


def dimension_label(dimension: str) -> str:
    return t(f"dimension.{dimension}")


def type_labels() -> dict[str, str]:
    labels = resources.read_municipality_types_document().get("labels") or {}
    lang = current_language()
    return {key: _capitalise(str(texts.get(lang, key))) for key, texts in labels.items()}


def _capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]


def region_labels(snapshot: Snapshot) -> dict[str, str]:
    lang = current_language()
    table = snapshot.municipalities.drop_duplicates("region_code").sort_values("region_code")
    return dict(zip(table["region_code"], table[f"region_name_{lang}"].astype(str), strict=True))


def fmt(snapshot: Snapshot, indicator_id: str, value: float | None, with_unit: bool = True) -> str:
    row = indicator_row(snapshot.catalogue, indicator_id)
    lang = current_language()
    return format_value(
        value, int(row["decimals"]), lang, str(row[f"unit_{lang}"]) if with_unit else ""
    )


def render_sample_notice(snapshot: Snapshot) -> None:
    """Say plainly, on every page, when the data are the synthetic sample."""
    if snapshot.is_sample:
        st.warning(t("common.sample_notice"), icon=":material/science:")


def render_invalid_params() -> None:
    for name, value in state.pop_invalid_params():
        st.info(t("common.invalid_param", param=name, value=value), icon=":material/link_off:")


def select_municipality(snapshot: Snapshot, container: object = None) -> str:
    names = municipality_names(snapshot)
    codes = sorted(names.index, key=lambda code: names[code].casefold())
    default = DEFAULT_MUNICIPALITY if DEFAULT_MUNICIPALITY in names.index else codes[0]
    return state.stateful_selectbox(
        t("common.municipality"),
        codes,
        state.MUNICIPALITY_KEY,
        default,
        format_func=lambda code: names.get(code, code),
        container=container,
    )


def indicators_with_data(snapshot: Snapshot) -> pd.DataFrame:
    present = set(snapshot.values.loc[snapshot.values["value"].notna(), "indicator_id"])
    return snapshot.catalogue[snapshot.catalogue["id"].isin(present)]


def select_dimension(container: object = None) -> str:
    labels = {dimension: dimension_label(dimension) for dimension in DIMENSIONS}
    return state.stateful_selectbox(
        t("common.dimension"),
        list(DIMENSIONS),
        state.DIMENSION_KEY,
        DIMENSIONS[0],
        format_func=labels.__getitem__,
        container=container,
    )


def select_indicator(
    snapshot: Snapshot, dimension: str | None = None, container: object = None
) -> str:
    catalogue = indicators_with_data(snapshot)
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


def source_text(snapshot: Snapshot, indicator_id: str) -> str:
    """Publisher, licence and the source's own table / code of an indicator."""
    row = indicator_row(snapshot.catalogue, indicator_id)
    lang = current_language()
    sources = resources.read_sources_document() or {}
    publisher = sources.get(row["publisher"], {}).get("name", {}).get(lang, row["publisher"])
    ident = " ".join(str(part) for part in (row["table"], row["code"]) if part)
    return t("common.source_line", publisher=publisher, ident=ident, licence=row["licence"])


def caption_text(snapshot: Snapshot, indicator_id: str, year: int | Sequence[int]) -> str:
    years = f"{min(year)}–{max(year)}" if isinstance(year, Sequence) else str(year)
    unit = indicator_unit(snapshot, indicator_id) or "–"
    text = t("common.caption", unit=unit, year=years, source=source_text(snapshot, indicator_id))
    return f"{text} {t('common.sample_caption')}" if snapshot.is_sample else text


def render_table(
    frame: pd.DataFrame,
    label_key: str = "common.show_table",
    downloads: TableDownload | None = None,
    **kwargs: object,
) -> None:
    """The table alternative of a chart, folded away under an expander; with ``downloads``,
    CSV and Excel buttons for exactly this table (see kuntadash.ui.downloads)."""
    with st.expander(t(label_key)):
        st.dataframe(frame, hide_index=True, width="stretch", **kwargs)
        if downloads is not None:
            render_downloads(frame, downloads)


def rank_text(rank: Rank) -> str:
    """'Sija 12/47, 3 ilman tietoa' — rank, group size and how many lack data."""
    if rank.rank is None:
        return t("common.rank_none")
    if rank.missing:
        return t("common.rank_text_missing", rank=rank.rank, of=rank.of, missing=rank.missing)
    return t("common.rank_text", rank=rank.rank, of=rank.of)
