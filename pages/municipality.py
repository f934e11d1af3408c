"""Municipality profile: how the municipality does against a comparison group it understands.

Layout, top to bottom: who it is; the comparison group (displayed group and the group the
statistics are computed over, named separately); the four dimension scores with method and
coverage; its rank in every group kind; its most similar municipalities with the reason;
indicators against the group (polarity-aware colour, ranks, changes); strengths and weak spots;
trends. Every table comes from per-snapshot tables cached in ui.loaders.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from kuntadash.charts.scores import build_dimension_scores_figure
from kuntadash.charts.series import build_trend_figure
from kuntadash.charts.theme import BETTER, MUTED_COLOUR, WORSE
from kuntadash.domain.catalogue import DIMENSIONS, format_value
from kuntadash.domain.groups import GROUP_KINDS, key_labels
from kuntadash.domain.peers import REGISTER_VARIABLES
from kuntadash.domain.scores import score_dimensions
from kuntadash.domain.stats import Rank, profile_from_table, strengths_and_weaknesses
from kuntadash.domain.trends import PERIODS, compute_trends, indicator_history, trend_counts
from kuntadash.ui import state
from kuntadash.ui.downloads import (
    TableDownload,
    chart_config,
    file_stem,
    render_brief_button,
    render_downloads,
)
from kuntadash.ui.i18n import current_language, t
from kuntadash.ui.loaders import (
    load_partition_scores,
    load_reference_table,
    load_reference_years,
    load_snapshot,
    load_structure,
    load_wide_values,
)
from kuntadash.ui.widgets import (
    MISSING,
    caption_text,
    change_text,
    comparison_group,
    current_peers,
    dimension_label,
    dimensions_with_data,
    escape_markdown,
    municipality_names,
    population_text,
    rank_text,
    render_missing_dimension,
    render_no_values,
    render_peer_weights,
    render_table,
    select_group_kind,
    select_indicator,
    select_peer_count,
)

snapshot = load_snapshot()
lang = current_language()
code = st.session_state[state.MUNICIPALITY_KEY]
municipalities = snapshot.municipalities.set_index("municipality_code")
info = municipalities.loc[code]
names = municipality_names(snapshot)
name = names[code]
catalogue = snapshot.catalogue.set_index("id")
reference = load_reference_table(snapshot)
years = load_reference_years(snapshot)
raw_structure, _ = load_structure(snapshot)
# Plain dicts: looked up hundreds of times per run, far faster than DataFrame row access.
DECIMALS = {i: int(d) for i, d in catalogue["decimals"].items()}
UNITS = {i: str(u) for i, u in catalogue[f"unit_{lang}"].items()}
INDICATOR_NAMES = {i: str(n) for i, n in catalogue[f"name_{lang}"].items()}


def _fmt(indicator_id: str, value: float, with_unit: bool = True) -> str:
    unit = UNITS[indicator_id] if with_unit else ""
    return format_value(value, DECIMALS[indicator_id], lang, unit)


def _indicator_name(indicator_id: str) -> str:
    return INDICATOR_NAMES[indicator_id]


def _variable_label(variable: str) -> str:
    if variable in REGISTER_VARIABLES:
        return t(f"comparison.var.{variable}")
    return _indicator_name(variable)


def _variable_value(variable: str, value: float) -> str:
    if variable == "population":
        return format_value(value, 0, lang, t("comparison.unit.residents"))
    if variable == "population_density":
        return format_value(value, 1, lang, t("comparison.unit.density"))
    return _fmt(variable, value)


def _change(indicator_id: str, change: float, verdict: str) -> str:
    return change_text(change, verdict, DECIMALS[indicator_id], UNITS[indicator_id])


def _score_text(score: float) -> str:
    if pd.isna(score):
        return t("comparison.no_score")
    return t("comparison.score_value", score=format_value(score, 0, lang))


def _rank_of(row: pd.Series, prefix: str = "") -> str:
    rank = row[f"{prefix}rank"]
    return rank_text(
        Rank(
            rank=None if rank is None or pd.isna(rank) else int(rank),
            of=int(row[f"{prefix}of"]),
            missing=int(row[f"{prefix}missing"]),
        )
    )


def _rank_texts(frame: pd.DataFrame, prefix: str = "") -> list[str]:
    return [
        rank_text(Rank(rank=None if pd.isna(r) else int(r), of=int(n), missing=int(m)))
        for r, n, m in zip(
            frame[f"{prefix}rank"], frame[f"{prefix}of"], frame[f"{prefix}missing"], strict=True
        )
    ]


def _compact_rank(row: pd.Series) -> str:
    """'12/47' or '12/47, 3 ilman tietoa' for a table whose heading already says 'rank'."""
    if pd.isna(row["rank"]):
        return t("comparison.no_score")
    if row["missing"]:
        return t(
            "comparison.rank_compact_missing",
            rank=int(row["rank"]),
            of=int(row["of"]),
            missing=int(row["missing"]),
        )
    return f"{int(row['rank'])}/{int(row['of'])}"


def _register_text(value: object) -> str:
    """A register field for markdown: escaped, or the missing-value dash when the register
    lacks it."""
    return "–" if value is None or pd.isna(value) else escape_markdown(value)


def _year_span(values: list[int]) -> str:
    return str(min(values)) if min(values) == max(values) else f"{min(values)}–{max(values)}"


# --- who -------------------------------------------------------------------------------------
# Names, labels and units are data: escape_markdown wherever markdown renders them.
st.title(escape_markdown(name))
urban_rural = comparison_group(snapshot, code, "urban_rural")
size = comparison_group(snapshot, code, "size_class")
type_name = (
    key_labels(snapshot.municipalities, "municipality_type", lang).get(
        info["municipality_type"], info["municipality_type"]
    )
    if pd.notna(info["municipality_type"])
    else None
)
uncertain = (
    f" ({t('profile.uncertain_short')})"
    if type_name and info["municipality_type_uncertain"]
    else ""
)
st.markdown(
    " · ".join(
        [
            f"**{t('common.population')}:** {population_text(snapshot, code)}",
            f"**{t('common.municipality_type')}:** {_register_text(type_name)}{uncertain}",
            f"**{t('common.region')}:** {_register_text(info[f'region_name_{lang}'])}",
            f"**{t('common.wellbeing_county')}:** "
            f"{_register_text(info[f'wellbeing_county_name_{lang}'])}",
            f"**{t('comparison.info_urban_rural')}:** {escape_markdown(urban_rural.label)}",
            f"**{t('comparison.info_size')}:** {escape_markdown(size.label)}",
        ]
    )
)
if uncertain:
    st.caption(t("profile.type_uncertain"))
if render_no_values(snapshot):
    st.stop()
covered = dimensions_with_data(snapshot)

# Display order differs from computation order: the peer settings (drawn lower down) decide
# the "similar" group used above them, so their containers are created first, filled later.
group_box = st.container()
scores_box = st.container()
ranks_box = st.container()
peers_box = st.container()

with peers_box:
    st.header(t("comparison.peers_title"))
    st.markdown(t("comparison.peers_intro", name=escape_markdown(name)))
    settings = st.columns([1, 3])
    select_peer_count(settings[0])
    with settings[1].expander(t("comparison.weights_title"), icon=":material/tune:"):
        st.caption(t("comparison.weights_help"))
        variables = list(raw_structure.columns)
        weights = render_peer_weights(variables, {v: _variable_label(v) for v in variables})
        if not any(weights.get(v, 0) > 0 for v in variables):
            st.warning(t("comparison.weights_zero"))
peers = current_peers(snapshot, code)
peer_codes = peers["municipality_code"].tolist()

with group_box:
    kind = select_group_kind(help=t("comparison.group_help"))
    group = comparison_group(snapshot, code, kind, peers=peer_codes)
    members = group.members
    shown = group.label if kind != "similar" else t("groups.kind.similar")
    label, definition = escape_markdown(group.label), escape_markdown(group.definition)
    st.markdown(t("comparison.shown_group", label=escape_markdown(shown), definition=definition))
    st.markdown(
        t("comparison.computed_over", label=label, n=len(members), name=escape_markdown(name))
    )
    if len(members) < 5:
        st.info(t("comparison.small_group", n=len(members)), icon=":material/info:")
    render_brief_button(snapshot, code, group=group, years=years)


def _scores_for(kind_: str, members_: pd.Index):
    if kind_ == "similar":
        return score_dimensions(reference, snapshot.catalogue, members_)
    return load_partition_scores(snapshot, kind_)


# --- dimension scores ------------------------------------------------------------------------
scores = _scores_for(kind, members)
summary = scores.for_municipality(code)
threshold = round(scores.threshold * 100)
with scores_box:
    st.header(t("comparison.scores_title"))
    columns = st.columns(len(DIMENSIONS))
    for column, (_, row) in zip(columns, summary.iterrows(), strict=True):
        with column:
            st.metric(
                dimension_label(row["dimension"]),
                _score_text(row["score"]),
                help=t("comparison.score_help"),
            )
            lines = [
                t(
                    "comparison.coverage_line",
                    available=row["available"],
                    total=row["total"],
                    share=format_value(100 * row["coverage"], 0, lang),
                )
            ]
            if row["dimension"] not in covered:
                lines = [t("coverage.dimension_missing")]
            elif pd.isna(row["score"]):
                lines.append(t("comparison.coverage_too_low", threshold=threshold))
            else:
                lines.append(
                    t(
                        "comparison.score_median_line",
                        median=format_value(row["group_median"], 0, lang),
                    )
                )
                lines.append(_rank_of(row))
            st.caption("  \n".join(lines))

    labels = [dimension_label(d) for d in summary["dimension"]]
    st.subheader(t("comparison.scores_chart_title"))
    st.plotly_chart(
        build_dimension_scores_figure(
            summary.assign(label=labels),
            lang=lang,
            score_label=f"{t('comparison.score_label')}: {name}",
            median_label=t("comparison.group_median_label"),
            axis_title=t("comparison.scores_axis"),
            missing_text=t("comparison.no_score"),
        ),
        width="stretch",
        config=chart_config(file_stem(code, name, "scores", group.label)),
    )
    reference_years = [years[i] for i in scores.weights if i in years] or [0]
    st.caption(
        t("comparison.colour_note")
        + " "
        + t("comparison.scores_caption", years=_year_span(reference_years), group=label)
        + (f" {t('common.sample_caption')}" if snapshot.is_sample else "")
    )
    render_table(
        pd.DataFrame(
            {
                t("comparison.col.dimension"): labels,
                t("comparison.col.score"): summary["score"].round(0),
                t("comparison.col.coverage"): [
                    f"{a}/{n}" for a, n in zip(summary["available"], summary["total"], strict=True)
                ],
                t("comparison.col.group_median"): summary["group_median"].round(0),
                t("comparison.col.q1"): summary["group_q1"].round(0),
                t("comparison.col.q3"): summary["group_q3"].round(0),
                t("comparison.col.rank"): [_rank_of(r) for _, r in summary.iterrows()],
            }
        )
    )
    with st.expander(t("comparison.method_title"), icon=":material/functions:"):
        st.markdown(
            t("comparison.method_text", weights=t("comparison.weights_equal"), threshold=threshold)
        )
        for dimension in DIMENSIONS:
            ids = scores.indicators[dimension]
            st.markdown(
                "- "
                + t(
                    "comparison.method_indicators",
                    dimension=dimension_label(dimension),
                    n=len(ids),
                    names=", ".join(escape_markdown(_indicator_name(i)) for i in ids),
                )
            )

# --- rank in every group kind ----------------------------------------------------------------
with ranks_box:
    st.header(t("comparison.ranks_title"))
    st.caption(t("comparison.ranks_note"))
    rank_rows = []
    for other in GROUP_KINDS:
        other_group = (
            group
            if other == kind
            else comparison_group(snapshot, code, other, peers=peer_codes)
        )
        other_scores = scores if other == kind else _scores_for(other, other_group.members)
        other_summary = other_scores.for_municipality(code).set_index("dimension")
        rank_rows.append(
            {
                t("comparison.col.group_kind"): t(f"groups.kind_short.{other}"),
                t("comparison.col.group"): other_group.label,
                t("comparison.col.members"): len(other_group.members),
                **{dimension_label(d): _compact_rank(other_summary.loc[d]) for d in DIMENSIONS},
            }
        )
    st.dataframe(pd.DataFrame(rank_rows), hide_index=True, width="stretch", placeholder=MISSING)

# --- similar municipalities ------------------------------------------------------------------
with peers_box:
    if peers.empty:
        st.info(t("comparison.peers_none"))
    else:
        own = raw_structure.loc[code]
        reasons = []
        for peer, similar_on in zip(peers["municipality_code"], peers["similar_on"], strict=True):
            reasons.append(
                "; ".join(
                    t(
                        "comparison.reason_item",
                        variable=_variable_label(v),
                        peer=_variable_value(v, raw_structure.at[peer, v]),
                        own=_variable_value(v, own[v]),
                        name=name,
                    )
                    for v in similar_on
                )
            )
        peer_types = municipalities.loc[peer_codes, "municipality_type"].map(
            key_labels(snapshot.municipalities, "municipality_type", lang)
        )
        st.markdown(
            "\n".join(
                f"{position}. **{escape_markdown(names[peer])}** ({_register_text(peer_type)}; "
                f"{t('comparison.col.distance').lower()} {format_value(distance, 2, lang)}) — "
                f"{t('comparison.similar_on')}: {escape_markdown(reason)}"
                for position, (peer, peer_type, distance, reason) in enumerate(
                    zip(peer_codes, peer_types, peers["distance"], reasons, strict=True), start=1
                )
            )
        )
        variables_table = raw_structure.loc[[code, *peer_codes]]
        render_table(
            pd.DataFrame(
                {
                    t("comparison.col.peer"): [names[c] for c in variables_table.index],
                    t("comparison.col.distance"): [
                        "–",
                        *[format_value(d, 2, lang) for d in peers["distance"]],
                    ],
                    **{
                        _variable_label(v): [_variable_value(v, x) for x in variables_table[v]]
                        for v in variables_table.columns
                    },
                }
            ),
            label_key="comparison.show_variables",
        )
        structural_ids = [v for v in raw_structure.columns if v not in REGISTER_VARIABLES]
        weight_text = ", ".join(
            f"{_variable_label(v)} {weights.get(v, 0):g}" for v in raw_structure.columns
        )
        st.caption(
            t(
                "comparison.peers_method",
                years=_year_span([years[v] for v in structural_ids if v in years] or [0]),
                weights=escape_markdown(weight_text),
            )
        )

# --- indicators against the group ------------------------------------------------------------
profile = profile_from_table(reference, snapshot.catalogue, code, members, years)
wide = load_wide_values(snapshot)
trends = compute_trends(wide, snapshot.catalogue, code, members, years)
changes = {
    period: trends[trends["period"] == period].set_index("indicator_id") for period in PERIODS
}


def _position_style(value: float) -> str:
    if pd.isna(value):
        return f"background-color: {MUTED_COLOUR}"
    if value >= 75:
        return f"background-color: {BETTER}; color: white"
    if value > 50:
        return "background-color: #d8daeb"
    if value == 50:
        return ""
    if value > 25:
        return "background-color: #fee0b6"
    return f"background-color: {WORSE}; color: white"


def _position_styles(_: pd.Series, positions: list[float]) -> list[str]:
    """Styles of the position column, from the numeric positions beside the display text."""
    return [_position_style(p) for p in positions]


# Light tints keep dark text readable; better / worse follow the indicator's direction.
_VERDICT_STYLES = {
    "better": "background-color: #d8daeb",
    "ahead": "background-color: #d8daeb",
    "worse": "background-color: #fee0b6",
    "behind": "background-color: #fee0b6",
}


def _verdict_styles(_: pd.Series, verdicts: list[str]) -> list[str]:
    return [_VERDICT_STYLES.get(v, "") for v in verdicts]


st.header(t("comparison.indicators_title"))
st.caption(
    t("comparison.colour_note") + " " + t("profile.headline_note", group=label, n=len(members))
)
position_column = t("comparison.col.position")
tabs = st.tabs([dimension_label(d) for d in DIMENSIONS])
for tab, dimension in zip(tabs, DIMENSIONS, strict=True):
    rows = profile[profile["dimension"] == dimension]
    ids = rows["indicator_id"].tolist()
    table = pd.DataFrame(
        {
            t("common.indicator"): [_indicator_name(i) for i in ids],
            t("comparison.col.value"): [
                _fmt(i, v) for i, v in zip(ids, rows["value"], strict=True)
            ],
            t("comparison.col.group_median"): [
                _fmt(i, v) for i, v in zip(ids, rows["group_median"], strict=True)
            ],
            position_column: [
                "–" if pd.isna(p) else format_value(p, 0, lang) for p in rows["percentile"]
            ],
            t("comparison.col.rank"): _rank_texts(rows),
            **{
                t("comparison.col.change", n=period): [
                    _change(i, changes[period].at[i, "change"], changes[period].at[i, "verdict"])
                    for i in ids
                ]
                for period in PERIODS
            },
            t("comparison.col.rank_country"): _rank_texts(rows, "country_"),
            t("comparison.col.country_median"): [
                _fmt(i, v) for i, v in zip(ids, rows["country_median"], strict=True)
            ],
            t("common.year"): rows["year"].astype(str).to_numpy(),
            t("comparison.col.direction"): [
                t(f"direction.{catalogue.at[i, 'direction']}") for i in ids
            ],
        }
    )
    if not ids:
        with tab:
            if dimension in covered:  # figures for too few municipalities to compare with
                st.info(t("coverage.dimension_sparse"), icon=":material/info:")
            else:
                render_missing_dimension()
        continue
    styled = table.style.apply(
        _position_styles, positions=rows["percentile"].tolist(), subset=[position_column]
    )
    for period in PERIODS:
        styled = styled.apply(
            _verdict_styles,
            verdicts=[changes[period].at[i, "verdict"] for i in ids],
            subset=[t("comparison.col.change", n=period)],
        )
    with tab:
        st.dataframe(styled, hide_index=True, width="stretch", placeholder=MISSING)
        render_downloads(
            table,
            TableDownload(
                snapshot,
                tuple(ids),
                (code, name, dimension, group.label),
                title=f"{name}: {dimension_label(dimension)} ({group.label})",
            ),
        )

# --- strengths and weak spots ----------------------------------------------------------------
strongest, weakest = strengths_and_weaknesses(profile)
st.header(t("comparison.strengths_title", group=label))
st.caption(t("comparison.strengths_note"))
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
                f"**{escape_markdown(_indicator_name(row['indicator_id']))}**: "
                f"{escape_markdown(_fmt(row['indicator_id'], row['value']))} ({row['year']}) — "
                + t(
                    "profile.percentile_line",
                    percentile=round(row["percentile"]),
                    median=escape_markdown(_fmt(row["indicator_id"], row["group_median"])),
                )
            )

# --- trends ----------------------------------------------------------------------------------
st.header(t("comparison.trends_title"))
period_labels = {
    p: t("comparison.period_label_one") if p == 1 else t("comparison.period_label", n=p)
    for p in PERIODS
}
for period in PERIODS:
    rows = trends[trends["period"] == period]
    if rows["change"].notna().any():
        counts = trend_counts(trends, period)
        missing = int((rows["direction"].ne("neutral") & rows["verdict"].eq("missing")).sum())
        st.markdown(
            "- "
            + t("comparison.trend_summary", period=period_labels[period], missing=missing, **counts)
        )
    else:
        st.markdown(
            "- " + t("comparison.trend_unavailable", period=period_labels[period], years=period)
        )
period = state.stateful_selectbox(
    t("comparison.trend_period"),
    list(PERIODS),
    state.PERIOD_KEY,
    5,
    format_func=period_labels.__getitem__,
)
rows = trends[trends["period"] == period]
span = f"{rows['start_year'].min()}–{rows['end_year'].max()}" if len(rows) else ""
st.caption(
    t("comparison.trend_note") + (" " + t("comparison.trend_years", years=span) if span else "")
)
st.dataframe(
    pd.DataFrame(
        {
            t("common.indicator"): [_indicator_name(i) for i in rows["indicator_id"]],
            **(
                {
                    t("comparison.col.years"): [
                        f"{s}–{e}"
                        for s, e in zip(rows["start_year"], rows["end_year"], strict=True)
                    ]
                }
                if rows["end_year"].nunique() > 1
                else {}
            ),
            t("comparison.col.own_change"): [
                _change(i, c, v)
                for i, c, v in zip(
                    rows["indicator_id"], rows["change"], rows["verdict"], strict=True
                )
            ],
            t("comparison.col.group_change"): [
                _change(i, c, v)
                for i, c, v in zip(
                    rows["indicator_id"], rows["group_change"], rows["group_verdict"], strict=True
                )
            ],
            t("comparison.col.versus"): [t(f"comparison.versus.{v}") for v in rows["versus_group"]],
        }
    )
    .style.apply(
        _verdict_styles,
        verdicts=rows["verdict"].tolist(),
        subset=[t("comparison.col.own_change")],
    )
    .apply(
        _verdict_styles,
        verdicts=rows["versus_group"].tolist(),
        subset=[t("comparison.col.versus")],
    ),
    hide_index=True,
    width="stretch",
    placeholder=MISSING,
)

indicator_id = select_indicator(snapshot)
unit = str(catalogue.at[indicator_id, f"unit_{lang}"])
history = indicator_history(wide, indicator_id)
group_median_label = t("common.median_of", group=group.label)
country_median_label = t("common.median_of", group=t("common.whole_country"))
own_series = history.loc[code] if code in history.index else pd.Series(dtype="float64")
trend = pd.concat(
    [
        pd.DataFrame({"series": name, "year": own_series.index, "value": own_series.to_numpy()}),
        pd.DataFrame(
            {
                "series": group_median_label,
                "year": history.columns,
                "value": history.reindex(members).median().to_numpy(),
            }
        ),
        pd.DataFrame(
            {
                "series": country_median_label,
                "year": history.columns,
                "value": history.median().to_numpy(),
            }
        ),
    ],
    ignore_index=True,
)
trend["year"] = trend["year"].astype(int)
st.subheader(
    t("comparison.trend_chart_title", indicator=escape_markdown(_indicator_name(indicator_id)))
)
st.plotly_chart(
    build_trend_figure(
        trend,
        unit=unit,
        lang=lang,
        decimals=int(catalogue.at[indicator_id, "decimals"]),
        reference_series=(group_median_label, country_median_label),
    ),
    width="stretch",
    config=chart_config(
        file_stem(code, name, indicator_id, _year_span(sorted(trend["year"].unique()))),
        chart_id="profile_trend",
    ),
)
st.caption(
    caption_text(snapshot, indicator_id, sorted(trend["year"].unique()))
    + " "
    + t("comparison.group_caption", definition=definition)
)
render_table(
    trend.pivot(index="year", columns="series", values="value")
    .reset_index()
    .rename(columns={"year": t("common.year")}),
    downloads=TableDownload(
        snapshot,
        (indicator_id,),
        (code, name, indicator_id, _year_span(sorted(trend["year"].unique()))),
        title=f"{name}: {_indicator_name(indicator_id)}",
        chart_id="profile_trend",
    ),
)
