"""Municipality groups: an indicator's distribution within each group (chosen municipality
highlighted), a group statistic over time, and a table of group statistics."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from kuntadash.charts.distributions import build_distribution_figure
from kuntadash.charts.series import build_trend_figure
from kuntadash.domain.groups import (
    PARTITION_KINDS,
    distinct_labels,
    group_order,
    key_labels,
)
from kuntadash.domain.population import population_in
from kuntadash.domain.stats import (
    STATISTICS,
    group_statistic_table,
    rank_in_group,
    rank_within_groups,
    summarise_groups,
    values_for,
)
from kuntadash.domain.trends import indicator_history
from kuntadash.ui import state
from kuntadash.ui.downloads import TableDownload, chart_config, file_stem, year_range
from kuntadash.ui.entry import require_app
from kuntadash.ui.i18n import current_language, t
from kuntadash.ui.loaders import (
    describe_comparison_group,
    load_group_keys,
    load_population_history,
    load_population_weights,
    load_snapshot,
    load_wide_values,
)
from kuntadash.ui.widgets import (
    break_marks,
    caption_text,
    catalogue_row,
    escape_markdown,
    fmt,
    indicator_name,
    municipality_names,
    rank_text,
    render_coverage_note,
    render_dataframe,
    render_no_values,
    render_table,
    select_dimension,
    select_indicator,
    select_year,
    weights_note,
)

require_app()

MAX_LINES = 8  # more group lines than this would be unreadable (and run out of safe colours)

snapshot = load_snapshot()
lang = current_language()
code = st.session_state[state.MUNICIPALITY_KEY]
municipalities = snapshot.municipalities.set_index("municipality_code")
names = municipality_names(snapshot)
population_history = load_population_history(snapshot)

st.title(t("groups.title"))
st.caption(t("groups.intro"))
if render_no_values(snapshot):
    st.stop()
controls = st.columns([1.1, 1.6, 0.7, 1.4, 1.2])
dimension = select_dimension(snapshot, controls[0])
indicator_id = select_indicator(snapshot, dimension, controls[1])
year = select_year(snapshot, indicator_id, controls[2])
kind_labels = {kind: t(f"groups.kind.{kind}") for kind in PARTITION_KINDS}
groupby = state.stateful_selectbox(
    t("groups.groupby"),
    list(PARTITION_KINDS),
    state.GROUPBY_KEY,
    PARTITION_KINDS[0],
    format_func=kind_labels.__getitem__,
    container=controls[3],
)
statistic_labels = {s: t(f"groups.stat.{s}") for s in STATISTICS}
statistic = state.stateful_selectbox(
    t("groups.statistic"),
    list(STATISTICS),
    state.STATISTIC_KEY,
    STATISTICS[0],
    format_func=statistic_labels.__getitem__,
    container=controls[4],
)

render_coverage_note(snapshot)

meta = catalogue_row(snapshot, indicator_id)
unit, decimals = str(meta[f"unit_{lang}"]), int(meta["decimals"])
keys = load_group_keys(snapshot, groupby)
# A sub-region is named after its centre ("Helsinki"): its line and its column must not take
# the chosen municipality's name, or the whole country's.
labels = distinct_labels(
    key_labels(snapshot.municipalities, groupby, lang),
    {names[code], t("common.whole_country")},
    t(f"groups.kind_short.{groupby}").lower(),
)
order = group_order(groupby, keys.dropna().unique().tolist())
if not order:  # e.g. size classes when the snapshot has no population figures
    st.info(t("coverage.grouping_unavailable", kind=kind_labels[groupby]), icon=":material/info:")
    st.stop()
series = values_for(snapshot.values, indicator_id, year).reindex(municipalities.index)
own_group = describe_comparison_group(snapshot, code, groupby, lang, peers=None)
# Weights of the weighted mean: the population of the same year as the figures.
weights = population_in(population_history, municipalities.index, year)

# --- distribution --------------------------------------------------------------------------
st.subheader(
    t(
        "groups.distribution_title",
        indicator=escape_markdown(indicator_name(snapshot, indicator_id)),
        year=year,
    )
)
own_rank = rank_in_group(series, own_group.members, code, meta["direction"])
country_rank = rank_in_group(series, municipalities.index, code, meta["direction"])
st.markdown(
    t(
        "groups.own_position",
        name=escape_markdown(names[code]),
        group=escape_markdown(own_group.label),
        value=escape_markdown(fmt(snapshot, indicator_id, series.get(code))),
        rank=rank_text(own_rank),
        country_rank=rank_text(country_rank),
    )
)
data = pd.DataFrame(
    {
        "group": keys.map(labels).reindex(municipalities.index).to_numpy(),
        "name": names.reindex(municipalities.index).to_numpy(),
        "value": series.to_numpy(),
        "highlight": (municipalities.index == code),
    }
).dropna(subset=["group"])
group_names = [labels.get(key, key) for key in order]
st.plotly_chart(
    build_distribution_figure(
        data,
        unit=unit,
        lang=lang,
        decimals=decimals,
        group_order=group_names,
        highlight_name=names[code],
    ),
    width="stretch",
    config=chart_config(file_stem("groups", groupby, indicator_id, year)),
)
st.caption(
    t(
        "groups.distribution_note",
        name=escape_markdown(names[code]),
        direction=t(f"direction.{meta['direction']}"),
    )
    + " "
    + caption_text(snapshot, indicator_id, year)
    + " "
    + t("groups.caption_grouping", kind=kind_labels[groupby])
)

in_group_rank = rank_within_groups(series, keys, meta["direction"])
listing = data.assign(
    rank=in_group_rank.reindex(municipalities.index).to_numpy()[data.index],
    order=data["group"].map({g: i for i, g in enumerate(group_names)}),
).sort_values(["order", "rank", "name"], na_position="last")
value_column = f"{t('common.value')} ({unit})"
render_table(
    pd.DataFrame(
        {
            t("groups.col.group"): listing["group"],
            t("common.municipality"): listing["name"],
            value_column: listing["value"],
            t("comparison.col.rank"): listing["rank"].astype("Int64"),
        }
    ),
    decimals={value_column: decimals},
    lazy_key=state.GROUPS_TABLE_KEYS["members"],
)

# --- statistics table ----------------------------------------------------------------------
st.subheader(t("groups.table_title"))
summary = summarise_groups(series, keys, weights.values).reindex(order)
statistic_columns = {
    "median": t("groups.stat.median"),
    "q1": t("groups.col.q1"),
    "q3": t("groups.col.q3"),
    "mean": t("groups.stat.mean"),
    "weighted_mean": t("groups.stat.weighted_mean"),
}
table = pd.DataFrame(
    {
        t("groups.col.group"): group_names,
        t("groups.col.n"): summary["n"].astype(int).to_numpy(),
        t("groups.col.missing"): summary["missing"].astype(int).to_numpy(),
        **{label: summary[key].to_numpy() for key, label in statistic_columns.items()},
    }
)
render_dataframe(table, decimals=dict.fromkeys(statistic_columns.values(), decimals))
st.caption(caption_text(snapshot, indicator_id, year) + " " + weights_note(weights))

# --- a statistic over time -----------------------------------------------------------------
st.subheader(t("groups.over_time_title", statistic=statistic_labels[statistic]))
history = indicator_history(load_wide_values(snapshot), indicator_id)
yearly_weights = load_population_weights(snapshot, history.index, list(history.columns))
by_group = group_statistic_table(history, keys, statistic, yearly_weights).reindex(order)
country = group_statistic_table(
    history, pd.Series("all", index=history.index), statistic, yearly_weights
).iloc[0]
if country.isna().all() and by_group.isna().all().all():
    # e.g. a population-weighted mean when the snapshot has no population figures
    st.info(
        t("coverage.statistic_unavailable", statistic=statistic_labels[statistic].lower()),
        icon=":material/info:",
    )
shown_keys = order if len(order) <= MAX_LINES else [k for k in [own_group.key] if k]
country_label = t("common.whole_country")
own_line = history.loc[code] if code in history.index else pd.Series(dtype="float64")
lines = [
    # The chosen municipality first, so it gets the first (strongest) colour.
    pd.DataFrame({"series": names[code], "year": own_line.index, "value": own_line.to_numpy()}),
    *[
        pd.DataFrame(
            {"series": labels.get(k, k), "year": by_group.columns, "value": by_group.loc[k]}
        )
        for k in shown_keys
    ],
    pd.DataFrame({"series": country_label, "year": country.index, "value": country.to_numpy()}),
]
trend = pd.concat(lines, ignore_index=True)
trend["year"] = trend["year"].astype(int)
st.plotly_chart(
    build_trend_figure(
        trend,
        unit=unit,
        lang=lang,
        decimals=decimals,
        reference_series=(country_label,),
        breaks=break_marks(snapshot, indicator_id),
    ),
    width="stretch",
    config=chart_config(
        file_stem("groups", groupby, statistic, indicator_id, year_range(trend["year"])),
        chart_id="groups_trend",
    ),
)
note = t("groups.over_time_note", statistic_lower=statistic_labels[statistic].lower())
if len(order) > MAX_LINES:
    note += " " + t("groups.over_time_many", n=len(order), group=escape_markdown(own_group.label))
years = sorted(trend["year"].unique())
st.caption(
    note
    + " "
    + caption_text(snapshot, indicator_id, years)
    + " "
    + t("groups.caption_grouping", kind=kind_labels[groupby])
)
all_groups = pd.concat(
    [
        by_group.rename(index=labels),
        country.to_frame(country_label).T,
        own_line.to_frame(names[code]).T,
    ]
)
own_label = names[code]
over_time = all_groups.T.rename_axis(t("common.year")).reset_index()
long = (
    all_groups.rename_axis("series")
    .reset_index()
    .melt(id_vars="series", var_name="year", value_name="value")
)
# one line of the chart after another, each in year order
line_order = long["series"].map({label: i for i, label in enumerate(all_groups.index)})
long = long.assign(line=line_order).sort_values(["line", "year"], kind="stable")
render_table(
    over_time,
    decimals={column: decimals for column in over_time.columns[1:]},
    data=long.assign(
        # the municipality's own line is its value, the others the statistic chosen
        statistic=[
            "" if series == own_label else statistic_labels[statistic] for series in long["series"]
        ],
        year=long["year"].astype(int),
    )[["series", "statistic", "year", "value"]],
    downloads=TableDownload(
        snapshot,
        (indicator_id,),
        ("groups", groupby, statistic, indicator_id, year_range(trend["year"])),
        title=f"{indicator_name(snapshot, indicator_id)}: {statistic_labels[statistic]}",
        chart_id="groups_trend",
    ),
    lazy_key=state.GROUPS_TABLE_KEYS["over_time"],
)
