"""Overview map: one indicator over all municipalities, coloured by its direction."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from kuntadash.domain.stats import rank_values, values_for
from kuntadash.ui import state
from kuntadash.ui.downloads import TableDownload, file_stem
from kuntadash.ui.entry import require_app
from kuntadash.ui.i18n import current_language, t
from kuntadash.ui.loaders import load_formatter, load_map_geometry, load_snapshot
from kuntadash.ui.map import (
    geometry_source,
    map_labels,
    map_legend,
    render_map,
    render_profile_link,
)
from kuntadash.ui.widgets import (
    caption_text,
    catalogue_row,
    escape_markdown,
    fmt,
    indicator_name,
    municipality_names,
    region_labels,
    render_coverage_note,
    render_no_values,
    render_table,
    select_dimension,
    select_indicator,
    select_year,
    type_labels,
)
from kuntadash.views.map import map_view

require_app()

snapshot = load_snapshot()
lang = current_language()
selected = st.session_state.get(state.MUNICIPALITY_KEY)

st.title(t("overview.title"))
if render_no_values(snapshot):
    st.stop()
controls = st.columns([1.1, 1.6, 0.7, 1.1, 1.1])
dimension = select_dimension(snapshot, controls[0])
indicator_id = select_indicator(snapshot, dimension, controls[1])
year = select_year(snapshot, indicator_id, controls[2])
types = type_labels()
type_options = {"": t("common.all"), **types}
type_filter = state.stateful_selectbox(
    t("overview.filter_type"),
    list(type_options),
    state.TYPE_FILTER_KEY,
    "",
    format_func=type_options.__getitem__,
    container=controls[3],
)
regions = region_labels(snapshot)
region_options = {"": t("common.all"), **regions}
region_filter = state.stateful_selectbox(
    t("overview.filter_region"),
    list(region_options),
    state.REGION_FILTER_KEY,
    "",
    format_func=region_options.__getitem__,
    container=controls[4],
)

render_coverage_note(snapshot)

meta = catalogue_row(snapshot, indicator_id)
municipalities = snapshot.municipalities.set_index("municipality_code")
series = values_for(snapshot.values, indicator_id, year).reindex(municipalities.index)
ranks = rank_values(series, meta["direction"])
with_data = int(series.notna().sum())
in_focus = pd.Series(True, index=municipalities.index)
# A municipality the register gives no type or region is outside every such filter.
if type_filter:
    in_focus &= municipalities["municipality_type"].eq(type_filter).fillna(False).astype(bool)
if region_filter:
    in_focus &= municipalities["region_code"].eq(region_filter).fillna(False).astype(bool)

names = municipality_names(snapshot)
table = pd.DataFrame(
    {
        "municipality_code": municipalities.index,
        "name": names.reindex(municipalities.index).to_numpy(),
        "value": series.to_numpy(),
        "value_text": [fmt(snapshot, indicator_id, v) for v in series],
        "rank_text": [
            t("common.rank_text", rank=int(r), of=with_data) if pd.notna(r) else t("common.no_data")
            for r in ranks
        ],
        "in_focus": in_focus.to_numpy(),
    }
)

st.subheader(f"{escape_markdown(indicator_name(snapshot, indicator_id))}, {year}")
st.caption(t(f"direction.{meta['direction']}") + ". " + t("overview.colour_note"))


def chosen_position_text(code: str) -> str:
    """'**Kuopio**: 8,1 %, sija 12/308' — the chosen municipality's figure and rank, readable
    without a tooltip; a context indicator's order is called an order by size, not a rank."""
    name = f"**{escape_markdown(names.get(code, code))}**"
    value, rank = series.get(code), ranks.get(code)
    if pd.isna(value) or pd.isna(rank):
        return t("overview.chosen_missing", name=name, year=year)
    words = {
        "name": name,
        "value": escape_markdown(load_formatter(snapshot, lang).value(indicator_id, value)),
        "rank": int(rank),
        "of": with_data,
    }
    key = "overview.chosen_order" if meta["direction"] == "neutral" else "overview.chosen_rank"
    return t(key, **words)


if selected in municipalities.index:
    st.container(key="overview_chosen").markdown(chosen_position_text(selected))
geometry = load_map_geometry(snapshot)
view = map_view(
    geometry.codes,
    table,
    direction=meta["direction"],
    selected=selected,
    geometry=geometry_source(geometry),
    legend=map_legend(str(meta[f"unit_{lang}"])),
    labels=map_labels(indicator_name(snapshot, indicator_id), year),
    lang=lang,
    file_stem=file_stem("map", indicator_id, year),
    format_value=lambda value: fmt(snapshot, indicator_id, value),
)
render_map(view, key="overview_map", codes=geometry.codes)
render_profile_link(view["selected"], escape_markdown(names.get(selected, selected or "")))
st.caption(caption_text(snapshot, indicator_id, year))

focus = table[table["in_focus"]]
median = focus["value"].median()
summary = st.columns(3)
summary[0].metric(t("overview.median_shown"), fmt(snapshot, indicator_id, median))
summary[1].metric(t("overview.with_data"), f"{int(focus['value'].notna().sum())} / {len(focus)}")
if selected in municipalities.index:
    summary[2].metric(
        escape_markdown(names.get(selected, selected)),
        fmt(snapshot, indicator_id, series.get(selected)),
        help=table.set_index("municipality_code").at[selected, "rank_text"],
    )

shown = focus.assign(rank=ranks.reindex(focus["municipality_code"]).to_numpy()).sort_values(
    ["rank", "name"], na_position="last"
)
shown_codes = shown["municipality_code"]
type_names = municipalities.loc[shown_codes, "municipality_type"].map(types).to_numpy()
region_names = municipalities.loc[shown_codes, "region_code"].map(regions).to_numpy()
rank_numbers = shown["rank"].astype("Int64").to_numpy()
render_table(
    pd.DataFrame(
        {
            t("common.rank"): rank_numbers,
            t("common.municipality"): shown["name"],
            f"{t('common.value')} ({meta[f'unit_{lang}']})": shown["value"],
            t("common.municipality_type"): type_names,
            t("common.region"): region_names,
        }
    ),
    # The download is data: the value beside its unit, the rank beside how many were ranked.
    data=pd.DataFrame(
        {
            "municipality_code": shown_codes.to_numpy(),
            "municipality": shown["name"].to_numpy(),
            "municipality_type": type_names,
            "region": region_names,
            "year": year,
            "value": shown["value"].to_numpy(),
            "rank": rank_numbers,
            "ranked": with_data,
        }
    ),
    downloads=TableDownload(
        snapshot,
        (indicator_id,),
        (indicator_id, year, type_filter, regions.get(region_filter)),
        title=f"{indicator_name(snapshot, indicator_id)}, {year}",
    ),
    chosen=(shown["municipality_code"] == selected).tolist(),
    lazy_key=state.OVERVIEW_TABLE_KEY,
)
