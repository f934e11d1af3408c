"""Every indicator of each dimension against the group, as the tables the profile shows (views
layer)."""

from __future__ import annotations

import pandas as pd

from kuntadash.domain.catalogue import DIMENSIONS
from kuntadash.domain.small_numbers import SMALL_POPULATION
from kuntadash.domain.stats import Rank
from kuntadash.domain.trends import PERIODS
from kuntadash.views.format import MISSING
from kuntadash.views.profile.dimensions import arriving_words
from kuntadash.views.profile.model import IndicatorTable
from kuntadash.views.profile.words import _joined, _point_rank, _rank_words, change_text


def _changes_by_period(trends: pd.DataFrame) -> dict[int, dict[str, tuple[float, str]]]:
    """period -> indicator id -> (change, verdict), read once into plain dicts: a pandas lookup
    per table cell cost more than the rest of the tables."""
    result: dict[int, dict[str, tuple[float, str]]] = {period: {} for period in PERIODS}
    columns = (trends[c].tolist() for c in ("period", "indicator_id", "change", "verdict"))
    for period, ident, change, verdict in zip(*columns, strict=True):
        if period in result:
            result[period][ident] = (change, verdict)
    return result


_COLUMNS = (
    "indicator_id",
    "dimension",
    "value",
    "group_median",
    "percentile",
    "rank",
    "of",
    "missing",
    "country_rank",
    "country_of",
    "country_missing",
    "country_median",
    "year",
    SMALL_POPULATION,
)


def _records(rows: pd.DataFrame) -> list[dict]:
    """The profile rows the tables show, as plain dicts (column by column: a frame's
    ``to_dict("records")`` cost more than the rest of the tables)."""
    columns = [rows[column].tolist() for column in _COLUMNS]
    return [dict(zip(_COLUMNS, values, strict=True)) for values in zip(*columns, strict=True)]


def _indicator_tables(
    profile, trends, meta, present, fmt, tr, small, arriving=None
) -> list[IndicatorTable]:
    """``arriving(dimension)``: :func:`kuntadash.views.coverage.arriving_text` of the catalogue,
    ``present`` and the language, when the caller keeps them (computed here otherwise)."""
    arriving = arriving or arriving_words(meta, present, fmt.lang)
    changes = _changes_by_period(trends)
    directions = meta["direction"].to_dict()
    dimensions = meta["dimension"].to_dict()
    by_dimension: dict[str, list[dict]] = {}
    for record in _records(profile):
        by_dimension.setdefault(record["dimension"], []).append(record)
    tables = []
    for dimension in DIMENSIONS:
        records = by_dimension.get(dimension, [])
        ids = [r["indicator_id"] for r in records]
        columns = {
            tr("common.indicator"): [fmt.name(i) for i in ids],
            tr("comparison.col.value"): [
                small.mark(fmt.value(r["indicator_id"], r["value"]), r[SMALL_POPULATION])
                for r in records
            ],
            tr("comparison.col.group_median"): [
                fmt.value(r["indicator_id"], r["group_median"]) for r in records
            ],
            tr("profile.col.better_than"): [
                MISSING if pd.isna(r["percentile"]) else fmt.number(r["percentile"], 0, "%")
                for r in records
            ],
            tr("comparison.col.rank"): [_rank_words(_point_rank(r), tr) for r in records],
            **{
                tr("comparison.col.change", n=period): [
                    change_text(fmt, i, *changes[period][i]) for i in ids
                ]
                for period in PERIODS
            },
            tr("comparison.col.rank_country"): [
                _rank_words(
                    Rank(
                        None if pd.isna(r["country_rank"]) else int(r["country_rank"]),
                        int(r["country_of"]),
                        int(r["country_missing"]),
                    ),
                    tr,
                )
                for r in records
            ],
            tr("comparison.col.country_median"): [
                fmt.value(r["indicator_id"], r["country_median"]) for r in records
            ],
            tr("common.year"): [str(r["year"]) for r in records],
            tr("comparison.col.direction"): [tr(f"profile.direction.{directions[i]}") for i in ids],
        }
        has_values = any(dimensions.get(i) == dimension for i in present)
        notice = ""
        if not ids:
            notice = (
                tr("coverage.dimension_sparse")
                if has_values
                else _joined(
                    tr("coverage.dimension_missing"),
                    arriving(dimension) or tr("coverage.how_data_arrives"),
                )
            )
        tables.append(
            IndicatorTable(
                dimension=dimension,
                label=tr(f"dimension.{dimension}"),
                ids=tuple(ids),
                columns=columns,
                positions=tuple(float(r["percentile"]) for r in records),
                verdicts={p: tuple(changes[p][i][1] for i in ids) for p in PERIODS},
                notice=notice,
                small_note=small.note(ids, [r[SMALL_POPULATION] for r in records]),
            )
        )
    return tables
