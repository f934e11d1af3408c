"""Compare 2–10 municipalities side by side: bars for one indicator, lines over time, a table."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from kuntadash.charts.series import build_bar_figure, build_trend_figure
from kuntadash.domain.catalogue import crosses_break, indicator_row
from kuntadash.domain.stats import values_for
from kuntadash.domain.trends import PERIODS, classify_change, compute_changes, indicator_history
from kuntadash.ui import state
from kuntadash.ui.downloads import TableDownload, chart_config, file_stem
from kuntadash.ui.i18n import current_language, t
from kuntadash.ui.loaders import load_population, load_snapshot, load_wide_values
from kuntadash.ui.widgets import (
    caption_text,
    change_text,
    comparison_group,
    escape_markdown,
    indicator_breaks,
    indicator_name,
    municipality_names,
    render_coverage_note,
    render_dataframe,
    render_no_values,
    render_table,
    select_dimension,
    select_group_kind,
    select_indicator,
    select_year,
)

MAX_MUNICIPALITIES = 10

snapshot = load_snapshot()
lang = current_language()
code = st.session_state[state.MUNICIPALITY_KEY]
municipalities = snapshot.municipalities.set_index("municipality_code")
names = municipality_names(snapshot)

st.title(t("compare.title"))
if render_no_values(snapshot):
    st.stop()
# Without a type in the register, the default companions are simply the largest municipalities.
own_type = municipalities.at[code, "municipality_type"]
population = load_population(snapshot).values
same_type = (
    municipalities[
        municipalities["municipality_type"].eq(own_type).fillna(False).astype(bool)
        if pd.notna(own_type)
        else pd.Series(True, index=municipalities.index)
    ]
    .assign(population=population)
    .sort_values("population", ascending=False, na_position="last")
)
default = [code, *[c for c in same_type.index if c != code][:3]]
options = sorted(names.index, key=lambda c: names[c].casefold())
chosen = state.stateful_multiselect(
    t("compare.municipalities"),
    options,
    state.COMPARE_KEY,
    default,
    format_func=lambda c: names.get(c, c),
    max_selections=MAX_MUNICIPALITIES,
    help=t("compare.municipalities_help"),
)
# A link's codes that are not municipalities, or beyond the first ten, are said out loud.
dropped = state.pop_dropped_link_values(state.COMPARE_KEY)
if dropped is not None and dropped.unknown:
    st.info(
        t("compare.link_unknown", codes=escape_markdown(", ".join(dropped.unknown))),
        icon=":material/link_off:",
    )
if dropped is not None and dropped.over_limit:
    st.info(
        t(
            "compare.link_too_many",
            count=dropped.asked,
            limit=MAX_MUNICIPALITIES,
            left_out=escape_markdown(", ".join(names.get(c, c) for c in dropped.over_limit)),
        ),
        icon=":material/link_off:",
    )
if len(chosen) < 2:
    st.info(t("compare.pick_two"))
    st.stop()

controls = st.columns([1, 1.6, 0.6, 1.2])
dimension = select_dimension(snapshot, controls[0])
indicator_id = select_indicator(snapshot, dimension, controls[1])
year = select_year(snapshot, indicator_id, controls[2])
group = comparison_group(
    snapshot, code, select_group_kind(controls[3], help=t("comparison.compare_group_help"))
)
render_coverage_note(snapshot)
meta = indicator_row(snapshot.catalogue, indicator_id)
unit, decimals = str(meta[f"unit_{lang}"]), int(meta["decimals"])

history = snapshot.values[
    (snapshot.values["indicator_id"] == indicator_id)
    & snapshot.values["municipality_code"].isin(chosen)
].assign(series=lambda frame: frame["municipality_code"].map(names))
history["series"] = pd.Categorical(history["series"], [names[c] for c in chosen])
history = history.sort_values(["series", "year"])
st.subheader(f"{escape_markdown(indicator_name(snapshot, indicator_id))}, {year}")
if history["value"].isna().all():
    st.info(t("coverage.no_values_chosen"), icon=":material/info:")
    st.stop()
series = values_for(snapshot.values, indicator_id, year)
bars = pd.DataFrame(
    {
        "name": [names[c] for c in chosen],
        "value": [series.get(c, float("nan")) for c in chosen],
        "highlight": [c == code for c in chosen],
    }
)
bars = bars.sort_values("value", ascending=meta["direction"] == "lower_better", na_position="last")
st.plotly_chart(
    build_bar_figure(
        bars,
        unit=unit,
        lang=lang,
        decimals=decimals,
        references={
            t("common.median_of", group=group.label): series.reindex(group.members).median(),
            t("common.median_of", group=t("common.whole_country")): series.median(),
        },
    ),
    width="stretch",
    config=chart_config(
        file_stem("compare", *chosen, indicator_id, year), chart_id="compare_bars"
    ),
)
st.caption(
    t(f"direction.{meta['direction']}")
    + ". "
    + caption_text(snapshot, indicator_id, year)
    + " "
    + t("comparison.group_caption", definition=group.definition)
)

st.subheader(t("compare.over_time"))
years = sorted(history["year"].unique())
st.plotly_chart(
    build_trend_figure(
        history[["series", "year", "value"]], unit=unit, lang=lang, decimals=decimals
    ),
    width="stretch",
    config=chart_config(
        file_stem("compare", *chosen, indicator_id, f"{min(years)}-{max(years)}"),
        chart_id="compare_trend",
    ),
)
st.caption(caption_text(snapshot, indicator_id, years))
wide = history.pivot(index="series", columns="year", values="value").reset_index()
wide.columns = [t("common.municipality"), *[str(y) for y in wide.columns[1:]]]
render_table(
    wide,
    downloads=TableDownload(
        snapshot,
        (indicator_id,),
        ("compare", *chosen, indicator_id, f"{min(years)}-{max(years)}"),
        title=f"{indicator_name(snapshot, indicator_id)}, {min(years)}–{max(years)}",
        chart_id="compare_trend",
    ),
)

# Changes over 1 / 5 / 10 years with direction-aware arrows, and the comparison group's median.
history_wide = indicator_history(load_wide_values(snapshot), indicator_id)
st.subheader(
    t(
        "comparison.compare_trends_title",
        indicator=escape_markdown(indicator_name(snapshot, indicator_id)),
    )
)
change_rows = {}
for period in PERIODS:
    changes = compute_changes(history_wide, year, period)
    group_change = changes.reindex(group.members).median()
    label = t("comparison.col.change", n=period)
    # A change across a break in the series is not judged; the cell says why.
    crossed = crosses_break(indicator_breaks(snapshot, indicator_id), year - period, year)
    broken, break_year = crossed is not None, crossed.year if crossed else None
    change_rows[label] = [
        change_text(
            c, classify_change(c, meta["direction"], decimals, broken), decimals, unit, break_year
        )
        for c in [*changes.reindex(chosen), group_change]
    ]
render_dataframe(
    pd.DataFrame(
        {
            t("common.municipality"): [
                *[names[c] for c in chosen],
                t("common.median_of", group=group.label),
            ],
            **change_rows,
        }
    )
)
unavailable = [
    t(
        "comparison.trend_unavailable",
        period=t("comparison.period_label_one") if p == 1 else t("comparison.period_label", n=p),
        years=p,
    )
    for p in PERIODS
    if year - p not in history_wide.columns
]
st.caption(
    " ".join([t("comparison.trend_note"), *unavailable, caption_text(snapshot, indicator_id, year)])
)
