"""Overview map: one indicator over all municipalities, coloured by its direction."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from kuntadash.domain.catalogue import indicator_row
from kuntadash.domain.stats import rank_values, values_for
from kuntadash.ui import state
from kuntadash.ui.downloads import TableDownload, file_stem
from kuntadash.ui.i18n import current_language, t
from kuntadash.ui.loaders import load_map_geometry, load_snapshot
from kuntadash.ui.map import (
    geometry_source,
    map_labels,
    map_legend,
    render_map,
    render_profile_link,
)
from kuntadash.ui.widgets import (
    caption_text,
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

meta = indicator_row(snapshot.catalogue, indicator_id)
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
render_table(
    pd.DataFrame(
        {
            t("common.rank"): shown["rank"],
            t("common.municipality"): shown["name"],
            f"{t('common.value')} ({meta[f'unit_{lang}']})": shown["value"],
            t("common.municipality_type"): municipalities.loc[
                shown["municipality_code"], "municipality_type"
            ]
            .map(types)
            .to_numpy(),
            t("common.region"): municipalities.loc[shown["municipality_code"], "region_code"]
            .map(regions)
            .to_numpy(),
        }
    ),
    column_config={
        f"{t('common.value')} ({meta[f'unit_{lang}']})": st.column_config.NumberColumn(
            format=f"%.{int(meta['decimals'])}f"
        )
    },
    downloads=TableDownload(
        snapshot,
        (indicator_id,),
        (indicator_id, year, type_filter, regions.get(region_filter)),
        title=f"{indicator_name(snapshot, indicator_id)}, {year}",
    ),
)
