"""Municipality profile: headline figures against its type and the country, strengths,
weak spots and trends."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from kuntadash.charts.series import build_trend_figure
from kuntadash.domain.catalogue import DIMENSIONS, format_value, indicator_row
from kuntadash.domain.stats import compute_profile, strengths_and_weaknesses
from kuntadash.ui import state
from kuntadash.ui.i18n import current_language, t
from kuntadash.ui.loaders import load_reference_years, load_snapshot
from kuntadash.ui.widgets import (
    caption_text,
    dimension_label,
    fmt,
    indicator_name,
    municipality_names,
    render_table,
    select_indicator,
    type_labels,
)

snapshot = load_snapshot()
lang = current_language()
code = st.session_state[state.MUNICIPALITY_KEY]
municipalities = snapshot.municipalities.set_index("municipality_code")
info = municipalities.loc[code]
names = municipality_names(snapshot)
types = type_labels()
type_name = types.get(info["municipality_type"], str(info["municipality_type"]))

st.title(names[code])
uncertain = f" ({t('profile.uncertain_short')})" if info["municipality_type_uncertain"] else ""
st.markdown(
    " · ".join(
        [
            f"**{t('common.population')}:** {format_value(info['population'], 0, lang)}",
            f"**{t('common.municipality_type')}:** {type_name}{uncertain}",
            f"**{t('common.region')}:** {info[f'region_name_{lang}']}",
            f"**{t('common.wellbeing_county')}:** {info[f'wellbeing_county_name_{lang}']}",
        ]
    )
)
if uncertain:
    st.caption(t("profile.type_uncertain"))

members = municipalities.index[municipalities["municipality_type"] == info["municipality_type"]]
profile = compute_profile(
    snapshot.values, snapshot.catalogue, code, members, load_reference_years(snapshot)
)

st.header(t("profile.headline"))
st.caption(t("profile.headline_note", group=type_name, n=len(members)))
tabs = st.tabs([dimension_label(d) for d in DIMENSIONS])
for tab, dimension in zip(tabs, DIMENSIONS, strict=True):
    rows = profile[profile["dimension"] == dimension]
    with tab:
        st.dataframe(
            pd.DataFrame(
                {
                    t("common.indicator"): [
                        indicator_name(snapshot, i) for i in rows["indicator_id"]
                    ],
                    t("common.year"): rows["year"].astype(str),
                    names[code]: [
                        fmt(snapshot, i, v)
                        for i, v in zip(rows["indicator_id"], rows["value"], strict=True)
                    ],
                    t("profile.type_median"): [
                        fmt(snapshot, i, v)
                        for i, v in zip(rows["indicator_id"], rows["group_median"], strict=True)
                    ],
                    t("profile.country_median"): [
                        fmt(snapshot, i, v)
                        for i, v in zip(rows["indicator_id"], rows["country_median"], strict=True)
                    ],
                    t("profile.rank_in_type"): [
                        f"{int(r)}/{int(n)}" if pd.notna(r) else "–"
                        for r, n in zip(rows["rank"], rows["of"], strict=True)
                    ],
                    t("profile.better_direction"): [
                        t(f"direction.{indicator_row(snapshot.catalogue, i)['direction']}")
                        for i in rows["indicator_id"]
                    ],
                }
            ),
            hide_index=True,
            width="stretch",
        )

strongest, weakest = strengths_and_weaknesses(profile)
st.header(t("profile.strengths_weaknesses"))
st.caption(t("profile.position_note", group=type_name))
left, right = st.columns(2)
for column, frame, key in (
    (left, strongest, "profile.strongest"),
    (right, weakest, "profile.weakest"),
):
    with column:
        st.subheader(t(key))
        if frame.empty:
            st.write(t("common.no_data"))
        for _, row in frame.iterrows():
            st.markdown(
                f"**{indicator_name(snapshot, row['indicator_id'])}**: "
                f"{fmt(snapshot, row['indicator_id'], row['value'])} ({row['year']}) — "
                + t(
                    "profile.percentile_line",
                    percentile=round(row["percentile"]),
                    median=fmt(snapshot, row["indicator_id"], row["group_median"]),
                )
            )

st.header(t("profile.trends"))
indicator_id = select_indicator(snapshot)
meta = indicator_row(snapshot.catalogue, indicator_id)
indicator_values = snapshot.values[snapshot.values["indicator_id"] == indicator_id]
own = indicator_values[indicator_values["municipality_code"] == code]
type_median = (
    indicator_values[indicator_values["municipality_code"].isin(members)]
    .groupby("year", as_index=False)["value"]
    .median()
)
country_median = indicator_values.groupby("year", as_index=False)["value"].median()
median_type_label = t("common.median_of", group=type_name)
median_country_label = t("common.median_of", group=t("common.whole_country"))
trend = pd.concat(
    [
        own.assign(series=names[code])[["series", "year", "value"]],
        type_median.assign(series=median_type_label),
        country_median.assign(series=median_country_label),
    ],
    ignore_index=True,
)
st.plotly_chart(
    build_trend_figure(
        trend,
        unit=str(meta[f"unit_{lang}"]),
        lang=lang,
        decimals=int(meta["decimals"]),
        reference_series=(median_type_label, median_country_label),
    ),
    width="stretch",
    config={"displaylogo": False},
)
years = sorted(trend["year"].unique())
st.caption(caption_text(snapshot, indicator_id, years))
render_table(
    trend.pivot(index="year", columns="series", values="value")
    .reset_index()
    .rename(columns={"year": t("common.year")})
)
