"""Group statistics, ranks and relative positions: domain layer, pure pandas.

Conventions: rank 1 is the best value given the indicator's direction (for neutral indicators,
the highest value); ties share the best rank of the tie ("min" method); missing values are never
ranked and are counted separately, so a rank reads "12th of 47, 3 without data".
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from kuntadash.domain.small_numbers import without_small_population


@dataclass(frozen=True)
class Rank:
    rank: int | None  # None when the municipality has no value
    of: int  # municipalities with a value in the group
    missing: int  # municipalities of the group without a value


def values_for(values: pd.DataFrame, indicator_id: str, year: int) -> pd.Series:
    """Values of one indicator in one year, indexed by municipality code (NaN kept)."""
    rows = values[(values["indicator_id"] == indicator_id) & (values["year"] == year)]
    return rows.set_index("municipality_code")["value"].astype("float64")


def years_with_data(values: pd.DataFrame, indicator_id: str) -> list[int]:
    rows = values[(values["indicator_id"] == indicator_id) & values["value"].notna()]
    return sorted(int(y) for y in rows["year"].unique())


def rank_values(series: pd.Series, direction: str) -> pd.Series:
    """Rank (1 = best) of each value; NaN stays unranked. Ties share the best rank."""
    ascending = direction == "lower_better"
    return series.rank(method="min", ascending=ascending, na_option="keep").astype("Int64")


def rank_in_group(series: pd.Series, members: pd.Index, code: str, direction: str) -> Rank:
    """Rank of ``code`` among ``members`` (which should include it)."""
    group = series.reindex(members)
    ranks = rank_values(group.dropna(), direction)
    value = ranks.get(code)
    return Rank(
        rank=None if value is None or pd.isna(value) else int(value),
        of=int(group.notna().sum()),
        missing=int(group.isna().sum()),
    )


def percentile_position(series: pd.Series, direction: str) -> pd.Series:
    """Direction-adjusted percentile (0 = worst, 100 = best) of every value within ``series``.

    Ties get their average position; missing values stay NaN. With a single value the
    position is 50 (neither better nor worse than itself).
    """
    present = series.dropna()
    if present.empty:
        return pd.Series(np.nan, index=series.index)
    if len(present) == 1:
        return pd.Series(50.0, index=present.index).reindex(series.index)
    signed = -present if direction == "lower_better" else present
    position = (signed.rank(method="average") - 1) / (len(present) - 1) * 100
    return position.reindex(series.index)


def group_summary(series: pd.Series, weights: pd.Series | None = None) -> dict[str, float]:
    """Median, quartiles, simple and weighted mean, and counts of one group's values."""
    present = series.dropna()
    summary = {
        "median": float(present.median()) if len(present) else np.nan,
        "q1": float(present.quantile(0.25)) if len(present) else np.nan,
        "q3": float(present.quantile(0.75)) if len(present) else np.nan,
        "mean": float(present.mean()) if len(present) else np.nan,
        "weighted_mean": np.nan,
        "n": float(len(present)),
        "missing": float(series.isna().sum()),
    }
    if weights is not None and len(present):
        w = weights.reindex(present.index).astype("float64")
        usable = w.notna() & (w > 0)
        if usable.any():
            summary["weighted_mean"] = float(np.average(present[usable], weights=w[usable]))
    return summary


def group_medians(series: pd.Series, groups: pd.Series) -> pd.Series:
    """Median of ``series`` within each group (``groups`` maps municipality code -> group)."""
    frame = pd.DataFrame({"value": series, "group": groups.reindex(series.index)})
    return frame.dropna(subset=["group"]).groupby("group")["value"].median()


def relative_positions(
    latest: pd.DataFrame, members: pd.Index, code: str, directions: pd.Series
) -> pd.Series:
    """Percentile of ``code`` within ``members`` for each indicator (columns of ``latest``).

    ``latest`` is wide: index municipality code, one column per indicator. Neutral indicators
    are left out (they describe context, not performance).
    """
    positions = {}
    for indicator_id in latest.columns:
        direction = directions.get(indicator_id, "neutral")
        if direction == "neutral":
            continue
        within = percentile_position(latest[indicator_id].reindex(members), direction)
        positions[indicator_id] = within.get(code, np.nan)
    return pd.Series(positions, dtype="float64")


def latest_values(values: pd.DataFrame, up_to_year: int | None = None) -> pd.DataFrame:
    """Each municipality's latest non-missing value per indicator (wide), and the year of it."""
    present = values.dropna(subset=["value"])
    if up_to_year is not None:
        present = present[present["year"] <= up_to_year]
    latest = present.sort_values("year").groupby(["municipality_code", "indicator_id"]).tail(1)
    return latest.pivot(index="municipality_code", columns="indicator_id", values="value")


def latest_common_year(values: pd.DataFrame, indicator_id: str) -> int | None:
    """The latest year of an indicator with data for at least half the municipalities."""
    return latest_common_years(values[values["indicator_id"] == indicator_id]).get(indicator_id)


def latest_common_years(values: pd.DataFrame) -> dict[str, int]:
    """Each indicator's latest year with data for at least half the municipalities (of the
    rows of that indicator and year); an indicator without such a year is left out. One pass
    over ``values``, where asking :func:`latest_common_year` per indicator filters it each time."""
    present = values["value"].notna()
    coverage = present.groupby(
        [values["indicator_id"], values["year"]], observed=True, sort=False
    ).mean()
    good = coverage[coverage >= 0.5].reset_index()
    latest = good.groupby("indicator_id", observed=True, sort=False)["year"].max()
    return {str(ident): int(year) for ident, year in latest.items()}


def compute_profile(
    values: pd.DataFrame,
    catalogue: pd.DataFrame,
    code: str,
    group_members: pd.Index,
    years: dict[str, int],
) -> pd.DataFrame:
    """One row per indicator: the municipality's value in the indicator's reference year,
    the group's and the country's median, its rank in the group and its direction-adjusted
    percentile in the group (NaN for neutral indicators).

    ``values`` is tidy; ``years`` maps indicator id -> reference year (latest common year).
    """
    rows = []
    for _, meta in catalogue.iterrows():
        indicator_id = meta["id"]
        year = years.get(indicator_id)
        if year is None:
            continue
        series = values_for(values, indicator_id, year)
        group = series.reindex(group_members)
        rank = rank_in_group(series, group_members, code, meta["direction"])
        position = (
            np.nan
            if meta["direction"] == "neutral"
            else percentile_position(group, meta["direction"]).get(code, np.nan)
        )
        rows.append(
            {
                "indicator_id": indicator_id,
                "dimension": meta["dimension"],
                "year": year,
                "value": series.get(code, np.nan),
                "group_median": group.median(),
                "country_median": series.median(),
                "rank": rank.rank,
                "of": rank.of,
                "missing": rank.missing,
                "percentile": position,
            }
        )
    return pd.DataFrame(rows)


def strengths_and_weaknesses(
    profile: pd.DataFrame, count: int = 5, middle: float | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The ``count`` indicators where the municipality stands best and worst in its group.

    Context indicators (no percentile) are never among them, nor a figure flagged as resting
    on a small population (:func:`kuntadash.domain.small_numbers.without_small_population`).
    With ``middle`` (e.g. 50, the group's middle), a strength must stand above it and a weak
    spot below it: in a group where the municipality is level with everyone, nothing is a
    strength.
    """
    ranked = (
        without_small_population(profile)
        .dropna(subset=["percentile"])
        .sort_values(["percentile", "indicator_id"], ascending=[False, True])
    )
    above = ranked if middle is None else ranked[ranked["percentile"] > middle]
    below = ranked if middle is None else ranked[ranked["percentile"] < middle]
    strongest = above.head(count)
    weakest = below.iloc[::-1].head(count)
    weakest = weakest[~weakest["indicator_id"].isin(strongest["indicator_id"])]
    return strongest, weakest


# --- Comparison-group statistics (issue 4) ---------------------------------------------------

STATISTICS = ("median", "mean", "weighted_mean")


def reference_table(wide: pd.DataFrame, years: dict[str, int]) -> pd.DataFrame:
    """Each indicator's values in its reference year: index municipality code, one column each.

    ``wide`` is indexed by (municipality_code, year) with one column per indicator (the cached
    wide table); ``years`` maps indicator id -> reference year. Indicators without a reference
    year are left out; a municipality without a value stays NaN.
    """
    codes = wide.index.get_level_values("municipality_code").unique()
    columns = {}
    by_year: dict[int, pd.DataFrame] = {}
    for indicator_id, year in years.items():
        if indicator_id not in wide.columns:
            continue
        if year not in by_year:
            rows = wide[wide.index.get_level_values("year") == year]
            by_year[year] = rows.droplevel("year").reindex(codes)
        columns[indicator_id] = by_year[year][indicator_id]
    table = pd.DataFrame(columns, index=codes, dtype="float64")
    table.index.name = "municipality_code"
    return table


def percentile_table(
    table: pd.DataFrame, directions: pd.Series, groups: pd.Series | None = None
) -> pd.DataFrame:
    """Direction-adjusted percentile (0 = worst, 100 = best) of every cell within its column.

    The same rule as :func:`percentile_position`, for many indicators at once: ties average,
    missing stays NaN, a column with one value gives 50. Neutral columns are dropped. With
    ``groups`` (municipality code -> group key), positions are computed within each group;
    a municipality without a key forms a group of its own.
    """
    kept = [c for c in table.columns if directions.get(c, "neutral") != "neutral"]
    signed = _signed(table[kept], directions)
    if groups is None:
        ranks = signed.rank(method="average", na_option="keep")
        counts = signed.notna().sum()
        positions = (ranks - 1).div((counts - 1).where(counts > 1), axis=1) * 100
        alone = signed.notna() & (counts == 1)
    else:
        keys = keys_or_own(groups, signed.index)
        grouped = signed.groupby(keys)
        ranks = grouped.rank(method="average", na_option="keep")
        counts = signed.notna().groupby(keys).transform("sum")
        positions = (ranks - 1) / (counts - 1).where(counts > 1) * 100
        alone = signed.notna() & (counts == 1)
    return positions.mask(alone, 50.0)


def keys_or_own(groups: pd.Series, index: pd.Index) -> pd.Series:
    """Group key per code in ``index``; a missing key becomes a group of its own."""
    keys = groups.reindex(index).astype("object")
    own = pd.Series(["\x00" + str(code) for code in index], index=index)
    return keys.where(keys.notna(), own)


def summarise_groups(
    series: pd.Series, groups: pd.Series, weights: pd.Series | None = None
) -> pd.DataFrame:
    """:func:`group_summary` for every group: one row per group key, in sorted order.

    ``groups`` maps municipality code -> group key; municipalities without a group are left out.
    """
    keys = groups.dropna()
    rows = {}
    for key, members in keys.groupby(keys).groups.items():
        rows[key] = group_summary(series.reindex(members), weights)
    frame = pd.DataFrame.from_dict(rows, orient="index")
    frame.index.name = "group"
    return frame.sort_index()


def group_statistic_over_time(
    values: pd.DataFrame,
    members: pd.Index,
    statistic: str = "median",
    weights: pd.Series | None = None,
) -> pd.Series:
    """One statistic (``STATISTICS``) of ``members``' values per year.

    ``values`` is one indicator, wide by year: index municipality code, one column per year.
    A year where no member has data is NaN.
    """
    if statistic not in STATISTICS:
        raise ValueError(f"statistic must be one of {STATISTICS}, not {statistic!r}")
    group = values.reindex(members)
    result = {}
    for year in group.columns:
        summary = group_summary(group[year], weights)
        result[year] = summary[statistic]
    return pd.Series(result, dtype="float64")


def _signed(table: pd.DataFrame, directions: pd.Series) -> pd.DataFrame:
    """Values turned so that higher is better (lower_better columns negated)."""
    signs = np.array(
        [-1.0 if directions.get(c, "neutral") == "lower_better" else 1.0 for c in table.columns]
    )
    return table.astype("float64") * signs


@dataclass(frozen=True)
class GroupFigures:
    """What :func:`profile_from_table` reads of one comparison group: the group's and the
    country's figures, the same for each member, and every member's ranks and percentiles.

    A caller profiling many members of one group (the baked pages) computes them once with
    :func:`group_figures` and passes them; the profile rows are then only looked up."""

    members: tuple[str, ...]
    ids: list[str]
    shared: dict[str, object]  # the columns the same for every member (arrays and lists)
    values: dict[str, np.ndarray]  # code -> its reference values (every municipality)
    group_ranks: dict[str, np.ndarray]  # code -> its ranks in the group (members)
    country_ranks: dict[str, np.ndarray]  # code -> its ranks in the country
    percentiles: dict[str, np.ndarray]  # code -> its percentiles in the group (members)

    def fits(self, members: pd.Index) -> bool:
        return self.members == tuple(map(str, members))

    def profile_of(self, code: str) -> pd.DataFrame:
        """:func:`profile_from_table`'s rows of ``code`` (a new frame on every call)."""
        missing = np.full(len(self.ids), np.nan)

        def _ranks(ranks: dict[str, np.ndarray]) -> list[int | None]:
            row = ranks.get(code, missing)
            return [None if np.isnan(value) else int(value) for value in row]

        shared = self.shared
        frame = pd.DataFrame(
            {
                "indicator_id": self.ids,
                "dimension": shared["dimension"],
                "direction": shared["direction"],
                "year": shared["year"],
                "value": self.values.get(code, missing),
                "group_median": shared["group_median"],
                "group_q1": shared["group_q1"],
                "group_q3": shared["group_q3"],
                "country_median": shared["country_median"],
                "rank": _ranks(self.group_ranks),
                "of": shared["of"],
                "missing": shared["missing"],
                "country_rank": _ranks(self.country_ranks),
                "country_of": shared["country_of"],
                "country_missing": shared["country_missing"],
                "percentile": self.percentiles.get(code, missing),
            }
        )
        frame["rank"] = frame["rank"].astype("object")
        frame["country_rank"] = frame["country_rank"].astype("object")
        return frame


def _rows_by_code(table: pd.DataFrame) -> dict[str, np.ndarray]:
    """Each row of ``table`` (float) by its index label."""
    return dict(zip(map(str, table.index), table.to_numpy("float64"), strict=True))


def group_figures(
    reference: pd.DataFrame,
    catalogue: pd.DataFrame,
    members: pd.Index,
    years: dict[str, int],
) -> GroupFigures:
    """The figures of :func:`profile_from_table` that do not depend on which member is
    profiled (see :class:`GroupFigures`)."""
    meta = catalogue.set_index("id")
    ids = [i for i in meta.index if i in reference.columns and i in years]
    directions = meta["direction"]
    table = reference[ids].astype("float64")
    group = table.reindex(members)
    group_ranks = _signed(group, directions).rank(method="min", ascending=False)
    country_ranks = _signed(table, directions).rank(method="min", ascending=False)
    percentiles = percentile_table(group, directions)
    return GroupFigures(
        members=tuple(map(str, members)),
        ids=ids,
        shared={
            "dimension": meta.loc[ids, "dimension"].to_numpy(),
            "direction": meta.loc[ids, "direction"].to_numpy(),
            "year": [years[i] for i in ids],
            "group_median": group.median().reindex(ids).to_numpy(),
            "group_q1": group.quantile(0.25).reindex(ids).to_numpy(),
            "group_q3": group.quantile(0.75).reindex(ids).to_numpy(),
            "country_median": table.median().reindex(ids).to_numpy(),
            "of": group.notna().sum().reindex(ids).astype(int).to_numpy(),
            "missing": group.isna().sum().reindex(ids).astype(int).to_numpy(),
            "country_of": table.notna().sum().reindex(ids).astype(int).to_numpy(),
            "country_missing": table.isna().sum().reindex(ids).astype(int).to_numpy(),
        },
        values=_rows_by_code(table),
        group_ranks=_rows_by_code(group_ranks.reindex(columns=ids)),
        country_ranks=_rows_by_code(country_ranks.reindex(columns=ids)),
        percentiles=_rows_by_code(percentiles.reindex(columns=ids)),
    )


def profile_from_table(
    reference: pd.DataFrame,
    catalogue: pd.DataFrame,
    code: str,
    members: pd.Index,
    years: dict[str, int],
    figures: GroupFigures | None = None,
) -> pd.DataFrame:
    """The rows of :func:`compute_profile`, from a reference table (:func:`reference_table`),
    plus the direction, the national rank (``country_rank``, ``country_of``,
    ``country_missing``) and the group's quartiles. Vectorised over indicators, so it is fast
    enough to run on every rerun.

    ``figures``: :func:`group_figures` of the same tables and ``members``, when the caller
    profiles several members of one group (computed here otherwise).
    """
    if figures is None:
        figures = group_figures(reference, catalogue, members, years)
    elif not figures.fits(members):
        raise ValueError("the group figures given are not those of these members")
    return figures.profile_of(code)


def group_statistic_table(
    history: pd.DataFrame,
    groups: pd.Series,
    statistic: str = "median",
    weights: pd.Series | pd.DataFrame | None = None,
) -> pd.DataFrame:
    """:func:`group_statistic_over_time` for every group at once: index group key, one column
    per year. ``history`` is index municipality code, one column per year; ``weights`` (for the
    weighted mean) is one weight per code, or a frame of the same shape as ``history`` with each
    year's own weights (population of that year)."""
    if statistic not in STATISTICS:
        raise ValueError(f"statistic must be one of {STATISTICS}, not {statistic!r}")
    keys = groups.reindex(history.index)
    if statistic == "median":
        return history.groupby(keys).median()
    if statistic == "mean":
        return history.groupby(keys).mean()
    if isinstance(weights, pd.DataFrame):
        w = weights.reindex(index=history.index, columns=history.columns).astype("float64")
    else:
        single = weights if weights is not None else pd.Series(np.nan, index=history.index)
        w = pd.DataFrame(
            np.repeat(
                single.reindex(history.index).to_numpy(dtype="float64")[:, None],
                len(history.columns),
                axis=1,
            ),
            index=history.index,
            columns=history.columns,
        )
    w = w.where(w > 0)
    usable = history.notna() & w.notna()
    weighted = history.where(usable).mul(w.where(usable)).groupby(keys).sum(min_count=1)
    total = w.where(usable).fillna(0.0).groupby(keys).sum()
    return weighted / total.where(total > 0)


def rank_within_groups(series: pd.Series, groups: pd.Series, direction: str) -> pd.Series:
    """:func:`rank_values` within each group (``groups``: code -> key); no key, no rank."""
    keys = groups.reindex(series.index)
    ascending = direction == "lower_better"
    ranks = series.groupby(keys).rank(method="min", ascending=ascending, na_option="keep")
    return ranks.reindex(series.index).astype("Int64")
