"""A municipality's figures as downloadable data (views layer, no streamlit).

The tables here use the column keys of ``kuntadash.ui.downloads.EXPORT_COLUMNS``: numbers stay
numbers, missing stays empty, and the download names the columns in the reader's language and
adds each indicator's name, unit, source and licence. ``profile_export`` covers every indicator
of every dimension in one table (one row per indicator), ``changes_export`` the changes over
1, 5 and 10 years behind it (one row per indicator and period).

A change across a known break in the series (the catalogue's ``breaks``) is left empty, with the
year of the break beside it: the two values are in the table, but their difference is not a
change (see ``domain.trends``).
"""

from __future__ import annotations

import pandas as pd

from kuntadash.i18n import translate

PERIOD_COLUMNS = {1: "change_1y", 5: "change_5y", 10: "change_10y"}


def _comparable_changes(trends: pd.DataFrame) -> pd.Series:
    """``trends["change"]``, empty where the change spans a break in the series."""
    crossed = trends["break_year"].notna() if "break_year" in trends else False
    return trends["change"].astype("float64").where(~crossed)


def _whole(series: pd.Series) -> pd.Series:
    return pd.to_numeric(series, errors="coerce").astype("Int64")


def profile_export(
    profile: pd.DataFrame,
    trends: pd.DataFrame,
    *,
    code: str,
    name: str,
    group: str,
    lang: str,
) -> pd.DataFrame:
    """One row per indicator (every dimension): the municipality's value and year, its rank in
    the comparison group ``group`` (rank, municipalities ranked, members without data) and in
    the country, the group's median and quartiles, its position 0–100, and its changes over
    1 / 5 / 10 years.

    ``profile`` has the columns of ``domain.stats.profile_from_table``; ``trends`` those of
    ``domain.trends.compute_trends`` for the same municipality and years.
    """
    rows = profile.reset_index(drop=True)
    table = pd.DataFrame(
        {
            "municipality_code": code,
            "municipality": name,
            "group": group,
            "dimension": [translate(f"dimension.{d}", lang) for d in rows["dimension"]],
            "indicator_id": rows["indicator_id"].astype(str),
            "year": _whole(rows["year"]),
            "value": rows["value"].astype("float64"),
            "rank": _whole(rows["rank"]),
            "ranked": _whole(rows["of"]),
            "missing": _whole(rows["missing"]),
            "percentile": rows["percentile"].astype("float64"),
            "group_median": rows["group_median"].astype("float64"),
            "group_q1": rows["group_q1"].astype("float64"),
            "group_q3": rows["group_q3"].astype("float64"),
            "country_rank": _whole(rows["country_rank"]),
            "country_ranked": _whole(rows["country_of"]),
            "country_missing": _whole(rows["country_missing"]),
            "country_median": rows["country_median"].astype("float64"),
        }
    )
    changes = trends.assign(comparable=_comparable_changes(trends))
    for period, column in PERIOD_COLUMNS.items():
        by_indicator = changes[changes["period"] == period].set_index("indicator_id")
        table[column] = table["indicator_id"].map(by_indicator["comparable"]).astype("float64")
    if "break_year" in trends:
        breaks = trends.dropna(subset=["break_year"]).groupby("indicator_id")["break_year"].min()
        table["series_break"] = _whole(table["indicator_id"].map(breaks))
    else:
        table["series_break"] = pd.array([pd.NA] * len(table), dtype="Int64")
    return table


def changes_export(trends: pd.DataFrame, *, code: str, name: str, lang: str) -> pd.DataFrame:
    """One row per indicator and period: start and end year and value, the change and the
    comparison group's median change (both empty across a break, whose year is given)."""
    rows = trends.reset_index(drop=True)
    crossed = (
        rows["break_year"].notna() if "break_year" in rows else pd.Series(False, index=rows.index)
    )
    return pd.DataFrame(
        {
            "municipality_code": code,
            "municipality": name,
            "dimension": [translate(f"dimension.{d}", lang) for d in rows["dimension"]],
            "indicator_id": rows["indicator_id"].astype(str),
            "period": _whole(rows["period"]),
            "start_year": _whole(rows["start_year"]),
            "end_year": _whole(rows["end_year"]),
            "start_value": rows["start_value"].astype("float64"),
            "end_value": rows["end_value"].astype("float64"),
            "change": _comparable_changes(rows),
            "group_change": rows["group_change"].astype("float64").where(~crossed),
            "series_break": _whole(rows["break_year"])
            if "break_year" in rows
            else pd.array([pd.NA] * len(rows), dtype="Int64"),
        }
    )
