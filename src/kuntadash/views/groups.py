"""The municipality groups page as a view model (views layer, no streamlit).

One :class:`GroupsView` holds what the groups page shows of one indicator and year under one
grouping: every municipality's value by group with the chosen municipality marked, its rank in
its own group and in the whole country, the groups' statistics (count, missing, quartiles,
means), and a group statistic over time beside the municipality's own line and the whole
country's. Headings and labels are in the reader's language; the one number shown as text goes
through :class:`kuntadash.views.format.Formatter`, the tables keep numbers as numbers (the page
renders them in the reader's notation). Texts are plain: whoever puts them into markdown escapes
them. A figure resting on a small population is marked "†" (the municipality's value, a column of
the members' table, a dot's hover), with the note that says what the mark means.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pandas as pd

from kuntadash.domain.catalogue import indicator_row
from kuntadash.domain.groups import (
    PARTITION_KINDS,
    ComparisonGroup,
    describe_group,
    distinct_labels,
    group_keys,
    group_order,
    key_labels,
)
from kuntadash.domain.population import (
    PopulationYear,
    population_by_year,
    population_history,
    population_in,
)
from kuntadash.domain.stats import (
    STATISTICS,
    Rank,
    group_statistic_table,
    rank_in_group,
    rank_within_groups,
    summarise_groups,
    values_for,
)
from kuntadash.domain.trends import indicator_history, plotted_years
from kuntadash.i18n import translate
from kuntadash.store import Snapshot
from kuntadash.views.format import Formatter
from kuntadash.views.small import SmallPopulation, marked

__all__ = [
    "GROUPINGS",
    "MAX_LINES",
    "STATISTICS",
    "GroupsInputs",
    "GroupsView",
    "build_groups_view",
]

GROUPINGS: tuple[str, ...] = PARTITION_KINDS  # the groupings the page offers, in its order
MAX_LINES = 8  # more group lines than this would be unreadable (and run out of safe colours)
STATISTIC_COLUMNS = ("median", "q1", "q3", "mean", "weighted_mean")


@dataclass(frozen=True)
class GroupsInputs:
    """Tables the app already holds for the snapshot (ui.loaders caches them); whatever is
    absent is computed from the snapshot. ``keys``: every municipality's group key of the
    grouping; ``group``: the chosen municipality's own group; ``weights(codes, years)``: the
    population of each year, for a weighted mean over time."""

    keys: pd.Series | None = None
    group: ComparisonGroup | None = None
    population_history: pd.DataFrame | None = None
    wide: pd.DataFrame | None = None
    weights: Callable[[pd.Index, list[int]], pd.DataFrame] | None = None


@dataclass(frozen=True)
class GroupsView:
    """Everything the groups page shows of one indicator, year, grouping and statistic."""

    code: str
    name: str  # the chosen municipality's name
    lang: str
    indicator_id: str
    indicator_name: str
    year: int
    groupby: str
    statistic: str
    kind_label: str  # "Municipality type"
    statistic_label: str  # "Median"
    direction: str
    unit: str
    decimals: int
    group: ComparisonGroup  # the municipality's own group
    group_names: list[str]  # the groups' labels in display order
    value_text: str  # the municipality's value, formatted ("–" when missing)
    rank: Rank  # within its own group
    country_rank: Rank
    distribution: pd.DataFrame  # group, name, value, highlight, mark: one row per grouped one
    members: pd.DataFrame  # the chart's table: group, municipality, value, rank in its group
    members_value_column: str
    statistics: pd.DataFrame  # one row per group: n, missing, quartiles, means (headings shown)
    statistic_columns: list[str]  # the headings of the statistics' columns
    weights: PopulationYear  # what the weighted mean of the year was weighted with
    country_label: str
    trend: pd.DataFrame  # series, year, value: the chart's lines, the municipality's first
    statistic_missing: bool  # neither the groups nor the country have the statistic
    many_groups: bool  # more groups than lines: only the own group is drawn
    over_time: pd.DataFrame  # the trend's table: a year column, one column per line
    over_time_data: pd.DataFrame  # the same as data: series, statistic, year, value
    small_note: str = ""  # what "†" means, when a figure shown rests on a small population

    @property
    def years(self) -> list[int]:
        """The years with a value in some line (what the chart plots)."""
        return plotted_years(self.trend)


def _names(snapshot: Snapshot, lang: str) -> pd.Series:
    table = snapshot.municipalities.set_index("municipality_code")
    column = "name_sv" if lang == "sv" else "name_fi"
    return table[column].fillna(table["name_fi"]).astype(str)


def build_groups_view(
    snapshot: Snapshot,
    code: str,
    indicator_id: str,
    year: int,
    groupby: str,
    statistic: str,
    lang: str,
    inputs: GroupsInputs | None = None,
) -> GroupsView | None:
    """The groups page of ``indicator_id`` in ``year``, municipalities grouped by ``groupby``,
    ``statistic`` over time, ``code`` marked, in ``lang``; None when the snapshot cannot form
    any group of ``groupby`` (size classes without population figures)."""
    inputs = inputs or GroupsInputs()

    def tr(key: str, **values: object) -> str:
        return translate(key, lang, **values)

    fmt = Formatter.from_catalogue(snapshot.catalogue, lang)
    codes = pd.Index(snapshot.municipalities["municipality_code"])
    names = _names(snapshot, lang)
    history_table, keys, group = _grouping(snapshot, code, groupby, lang, names, inputs)
    country_label = tr("common.whole_country")
    # A sub-region is named after its centre ("Helsinki"): its line and its column must not take
    # the chosen municipality's name, or the whole country's.
    labels = distinct_labels(
        key_labels(snapshot.municipalities, groupby, lang),
        {names[code], country_label},
        tr(f"groups.kind_short.{groupby}").lower(),
    )
    order = group_order(groupby, keys.dropna().unique().tolist())
    if not order:  # e.g. size classes when the snapshot has no population figures
        return None
    group_names = [labels.get(key, key) for key in order]
    direction = str(indicator_row(snapshot.catalogue, indicator_id)["direction"])
    series = values_for(snapshot.values, indicator_id, year).reindex(codes)
    # Weights of the weighted mean: the population of the same year as the figures.
    weights = population_in(history_table, codes, year)
    small = SmallPopulation.of(snapshot, lang, history_table)
    flags = small.flags_of(indicator_id, year, series)
    distribution = _distribution(keys.map(labels), names, series, code).assign(
        mark=lambda frame: [marked("", f, lang).strip() for f in flags.to_numpy()[frame.index]]
    )
    value_column = f"{tr('common.value')} ({fmt.unit(indicator_id)})"
    statistics, statistic_columns = _statistics(series, keys, weights, order, group_names, tr)
    over = _over_time(snapshot, inputs, keys, indicator_id, statistic, order, names[code])
    statistic_label = tr(f"groups.stat.{statistic}")
    return GroupsView(
        code=code,
        name=names[code],
        lang=lang,
        indicator_id=indicator_id,
        indicator_name=fmt.name(indicator_id),
        year=int(year),
        groupby=groupby,
        statistic=statistic,
        kind_label=tr(f"groups.kind.{groupby}"),
        statistic_label=statistic_label,
        direction=direction,
        unit=fmt.unit(indicator_id),
        decimals=fmt.decimals.get(indicator_id, 1),
        group=group,
        group_names=group_names,
        value_text=small.mark(fmt.value(indicator_id, series.get(code)), flags.get(code)),
        rank=rank_in_group(series, group.members, code, direction),
        country_rank=rank_in_group(series, codes, code, direction),
        distribution=distribution,
        members=_members(distribution, series, keys, direction, group_names, value_column, tr),
        members_value_column=value_column,
        statistics=statistics,
        statistic_columns=statistic_columns,
        weights=weights,
        country_label=country_label,
        many_groups=len(order) > MAX_LINES,
        small_note=small.note([indicator_id], flags[keys.reindex(codes).notna().to_numpy()]),
        **_lines(over, code, group, labels, order, country_label, statistic_label, tr),
    )


def _grouping(snapshot, code, groupby, lang, names, inputs):
    """The population figures, every municipality's group key and ``code``'s own group (those
    the app holds, else computed as the app computes them)."""
    codes = pd.Index(snapshot.municipalities["municipality_code"])
    history_table = inputs.population_history
    if history_table is None:
        history_table = population_history(snapshot.values)
    latest = population_in(history_table, codes)
    keys = inputs.keys
    if keys is None:
        keys = group_keys(snapshot.municipalities, groupby, latest.values)
    group = inputs.group or describe_group(
        snapshot.municipalities,
        code,
        groupby,
        lang,
        names=names.to_dict(),
        population=latest.values,
        population_year=latest.label_year,
        keys=keys,
    )
    return history_table, keys, group


def _distribution(labels: pd.Series, names: pd.Series, series: pd.Series, code: str):
    """One row per municipality with a group: its group's label, name, value, and whether it is
    the chosen one (``series`` is indexed by every municipality)."""
    codes = series.index
    return pd.DataFrame(
        {
            "group": labels.reindex(codes).to_numpy(),
            "name": names.reindex(codes).to_numpy(),
            "value": series.to_numpy(),
            "highlight": (codes == code),
        }
    ).dropna(subset=["group"])


def _members(distribution, series, keys, direction, group_names, value_column, tr) -> pd.DataFrame:
    """Every grouped municipality with its value and rank in its group, groups in order."""
    in_group_rank = rank_within_groups(series, keys, direction)
    listing = distribution.assign(
        rank=in_group_rank.reindex(series.index).to_numpy()[distribution.index],
        order=distribution["group"].map({g: i for i, g in enumerate(group_names)}),
    ).sort_values(["order", "rank", "name"], na_position="last")
    return pd.DataFrame(
        {
            tr("groups.col.group"): listing["group"],
            tr("common.municipality"): listing["name"],
            value_column: listing["value"],
            tr("small.column"): listing["mark"],
            tr("comparison.col.rank"): listing["rank"].astype("Int64"),
        }
    )


def _statistics(series, keys, weights, order, group_names, tr) -> tuple[pd.DataFrame, list[str]]:
    """One row per group: how many have a value and how many not, the quartiles and means."""
    summary = summarise_groups(series, keys, weights.values).reindex(order)
    headings = {
        "median": tr("groups.stat.median"),
        "q1": tr("groups.col.q1"),
        "q3": tr("groups.col.q3"),
        "mean": tr("groups.stat.mean"),
        "weighted_mean": tr("groups.stat.weighted_mean"),
    }
    table = pd.DataFrame(
        {
            tr("groups.col.group"): group_names,
            tr("groups.col.n"): summary["n"].astype(int).to_numpy(),
            tr("groups.col.missing"): summary["missing"].astype(int).to_numpy(),
            **{label: summary[key].to_numpy() for key, label in headings.items()},
        }
    )
    return table, list(headings.values())


@dataclass(frozen=True)
class _OverTime:
    history: pd.DataFrame  # index code, one column per year
    by_group: pd.DataFrame  # index group key, one column per year
    country: pd.Series  # year -> the whole country's statistic
    name: str  # the chosen municipality's line


def _over_time(snapshot, inputs, keys, indicator_id, statistic, order, name) -> _OverTime:
    wide = inputs.wide
    if wide is None:
        wide = snapshot.values.pivot(
            index=["municipality_code", "year"], columns="indicator_id", values="value"
        )
    history = indicator_history(wide, indicator_id)
    years = list(history.columns)
    if inputs.weights is not None:
        yearly_weights = inputs.weights(history.index, years)
    else:
        source = inputs.population_history
        source = population_history(snapshot.values) if source is None else source
        yearly_weights = population_by_year(source, history.index, [int(y) for y in years])
    by_group = group_statistic_table(history, keys, statistic, yearly_weights).reindex(order)
    country = group_statistic_table(
        history, pd.Series("all", index=history.index), statistic, yearly_weights
    ).iloc[0]
    return _OverTime(history, by_group, country, name)


def _lines(
    over: _OverTime,
    code: str,
    group: ComparisonGroup,
    labels: dict[str, str],
    order: Sequence[str],
    country_label: str,
    statistic_label: str,
    tr: Callable[..., str],
) -> dict[str, object]:
    """The chart's lines (the municipality, the groups or only its own, the country) and the
    table and data of every line."""
    history, by_group, country, name = over.history, over.by_group, over.country, over.name
    shown_keys = order if len(order) <= MAX_LINES else [k for k in [group.key] if k]
    own_line = history.loc[code] if code in history.index else pd.Series(dtype="float64")
    lines = [
        # The chosen municipality first, so it gets the first (strongest) colour.
        pd.DataFrame({"series": name, "year": own_line.index, "value": own_line.to_numpy()}),
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
    all_groups = pd.concat(
        [
            by_group.rename(index=labels),
            country.to_frame(country_label).T,
            own_line.to_frame(name).T,
        ]
    )
    long = (
        all_groups.rename_axis("series")
        .reset_index()
        .melt(id_vars="series", var_name="year", value_name="value")
    )
    # one line of the chart after another, each in year order
    line_order = long["series"].map({label: i for i, label in enumerate(all_groups.index)})
    long = long.assign(line=line_order).sort_values(["line", "year"], kind="stable")
    data = long.assign(
        # the municipality's own line is its value, the others the statistic chosen
        statistic=["" if series == name else statistic_label for series in long["series"]],
        year=long["year"].astype(int),
    )[["series", "statistic", "year", "value"]]
    return {
        "trend": trend,
        "statistic_missing": bool(country.isna().all() and by_group.isna().all().all()),
        "over_time": all_groups.T.rename_axis(tr("common.year")).reset_index(),
        "over_time_data": data,
    }
