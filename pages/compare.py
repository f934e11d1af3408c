"""Compare 2–10 municipalities side by side: bars for one indicator, lines over time, a table."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from kuntadash.charts.series import build_bar_figure, build_trend_figure
from kuntadash.domain.catalogue import crosses_break
from kuntadash.domain.peers import DEFAULT_WEIGHTS, order_by_similarity
from kuntadash.domain.stats import values_for
from kuntadash.domain.trends import PERIODS, classify_change, compute_changes, indicator_history
from kuntadash.ui import state
from kuntadash.ui.downloads import TableDownload, chart_config, file_stem
from kuntadash.ui.entry import require_app
from kuntadash.ui.i18n import current_language, t
from kuntadash.ui.loaders import (
    load_choice_labels,
    load_population,
    load_snapshot,
    load_structure,
    load_wide_values,
)
from kuntadash.ui.widgets import (
    MUNICIPALITY_FILTER,
    caption_text,
    catalogue_row,
    change_text,
    comparison_group,
    current_peers,
    escape_markdown,
    indicator_breaks,
    indicator_name,
    municipality_finder,
    municipality_names,
    peer_weights,
    render_coverage_note,
    render_dataframe,
    render_no_values,
    render_search_notice,
    render_table,
    select_dimension,
    select_group_kind,
    select_indicator,
    select_year,
    type_labels,
)

require_app()

MAX_MUNICIPALITIES = 10
# The default comparison: the municipality and this many of its most similar municipalities.
DEFAULT_COMPANIONS = 4
_DEFAULT_KEY = "_compare_default"

snapshot = load_snapshot()
lang = current_language()
code = st.session_state[state.MUNICIPALITY_KEY]
municipalities = snapshot.municipalities.set_index("municipality_code")
names = municipality_names(snapshot)

st.title(t("compare.title"))
if render_no_values(snapshot):
    st.stop()


def similar_municipalities() -> list[str]:
    """The municipality's most similar municipalities (the profile's list, same weights)."""
    return [c for c in current_peers(snapshot, code)["municipality_code"] if c in names.index]


def same_type_municipalities() -> list[str]:
    """The other municipalities of the same type, the most similar first."""
    own_type = municipalities.at[code, "municipality_type"]
    if pd.isna(own_type):
        return []
    members = municipalities.index[
        municipalities["municipality_type"].eq(own_type).fillna(False).astype(bool)
    ]
    z = load_structure(snapshot)[1]
    weights = peer_weights()
    if not any(weights.get(variable, 0) > 0 for variable in z.columns):
        weights = dict(DEFAULT_WEIGHTS)  # as the similar municipalities themselves do
    return order_by_similarity(z, code, list(members), weights)


def largest_municipalities() -> list[str]:
    """Without similar municipalities (no structural figures): the largest ones."""
    population = load_population(snapshot).values.reindex(municipalities.index)
    return population.sort_values(ascending=False, na_position="last").index.tolist()


similar = similar_municipalities()
same_type = same_type_municipalities()
companions = similar or same_type or [c for c in largest_municipalities() if c != code]
default = [code, *companions[:DEFAULT_COMPANIONS]]
# A comparison still at its default follows the municipality (or the peer weights) when they
# change; one the reader has edited is kept as it is.
previous_default = st.session_state.get(_DEFAULT_KEY)
if previous_default is not None and st.session_state.get(state.COMPARE_KEY) == previous_default:
    st.session_state[state.COMPARE_KEY] = default
st.session_state[_DEFAULT_KEY] = default


def _add(codes: list[str]) -> None:
    current = list(st.session_state.get(state.COMPARE_KEY) or [])
    merged = list(dict.fromkeys([*current, *codes]))
    st.session_state[state.COMPARE_KEY] = merged[:MAX_MUNICIPALITIES]


def render_add_buttons(chosen: list[str]) -> None:
    """One click adds the similar municipalities, or those of the same type (most similar
    first), as many as fit; a button with nothing left to add is greyed out."""
    room = MAX_MUNICIPALITIES - len(chosen)
    columns = st.columns(2)
    new_similar = [c for c in similar if c not in chosen]
    columns[0].button(
        t("compare.add_similar", name=escape_markdown(names.get(code, code))),
        icon=":material/group_add:",
        on_click=_add,
        args=([code, *new_similar],),
        disabled=room <= 0 or not new_similar,
        help=t("compare.add_help", limit=MAX_MUNICIPALITIES),
        key="compare_add_similar",
        width="stretch",
    )
    own_type = municipalities.at[code, "municipality_type"]
    new_same_type = [c for c in same_type if c not in chosen]
    columns[1].button(
        t(
            "compare.add_type",
            type=escape_markdown(type_labels().get(own_type, t("common.no_data"))),
        ),
        icon=":material/domain_add:",
        on_click=_add,
        args=([code, *new_same_type],),
        disabled=room <= 0 or not new_same_type,
        help=t("compare.add_type_help", count=len(same_type) + 1, limit=MAX_MUNICIPALITIES),
        key="compare_add_type",
        width="stretch",
    )


labels = load_choice_labels(snapshot, lang)


find_municipality = municipality_finder(snapshot, labels)
chosen = state.stateful_multiselect(
    t("compare.municipalities"),
    list(labels),
    state.COMPARE_KEY,
    default,
    format_func=lambda c: labels.get(c, c),
    max_selections=MAX_MUNICIPALITIES,
    help=t("compare.municipalities_help", n=DEFAULT_COMPANIONS),
    parse=find_municipality,
    search=find_municipality,
    filter_mode=MUNICIPALITY_FILTER,
    select_all=False,  # "select all 308" cannot fit a comparison of at most ten
)
render_search_notice(state.pop_search_notice(state.COMPARE_KEY))
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
render_add_buttons(chosen)
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
meta = catalogue_row(snapshot, indicator_id)
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
    config=chart_config(file_stem("compare", *chosen, indicator_id, year), chart_id="compare_bars"),
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
        period=t("comparison.period_label", n=p),
        years=p,
    )
    for p in PERIODS
    if year - p not in history_wide.columns
]
st.caption(
    " ".join([t("comparison.trend_note"), *unavailable, caption_text(snapshot, indicator_id, year)])
)
