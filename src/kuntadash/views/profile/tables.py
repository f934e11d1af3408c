"""Every indicator of each dimension against the group, as the tables the profile shows (views
layer)."""

from __future__ import annotations

import pandas as pd

from kuntadash.domain.catalogue import DIMENSIONS
from kuntadash.domain.small_numbers import SMALL_POPULATION
from kuntadash.domain.stats import Rank
from kuntadash.domain.trends import PERIODS
from kuntadash.views.coverage import arriving_text
from kuntadash.views.format import MISSING
from kuntadash.views.profile.model import IndicatorTable
from kuntadash.views.profile.words import _joined, _point_rank, _rank_words, change_text


def _indicator_tables(profile, trends, meta, present, fmt, tr, small) -> list[IndicatorTable]:
    changes = {p: trends[trends["period"] == p].set_index("indicator_id") for p in PERIODS}
    tables = []
    for dimension in DIMENSIONS:
        rows = profile[profile["dimension"] == dimension]
        ids = rows["indicator_id"].tolist()
        frame = pd.DataFrame(
            {
                tr("common.indicator"): [fmt.name(i) for i in ids],
                tr("comparison.col.value"): [
                    small.mark(fmt.value(i, v), f)
                    for i, v, f in zip(ids, rows["value"], rows[SMALL_POPULATION], strict=True)
                ],
                tr("comparison.col.group_median"): [
                    fmt.value(i, v) for i, v in zip(ids, rows["group_median"], strict=True)
                ],
                tr("profile.col.better_than"): [
                    MISSING if pd.isna(p) else fmt.number(p, 0, "%") for p in rows["percentile"]
                ],
                tr("comparison.col.rank"): [
                    _rank_words(_point_rank(r), tr) for _, r in rows.iterrows()
                ],
                **{
                    tr("comparison.col.change", n=period): [
                        change_text(
                            fmt,
                            i,
                            changes[period].at[i, "change"],
                            changes[period].at[i, "verdict"],
                        )
                        for i in ids
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
                    for _, r in rows.iterrows()
                ],
                tr("comparison.col.country_median"): [
                    fmt.value(i, v) for i, v in zip(ids, rows["country_median"], strict=True)
                ],
                tr("common.year"): [str(y) for y in rows["year"]],
                tr("comparison.col.direction"): [
                    tr(f"profile.direction.{meta.at[i, 'direction']}") for i in ids
                ],
            }
        )
        has_values = any(meta.at[i, "dimension"] == dimension for i in present if i in meta.index)
        notice = ""
        if not ids:
            notice = (
                tr("coverage.dimension_sparse")
                if has_values
                else _joined(
                    tr("coverage.dimension_missing"),
                    arriving_text(meta.reset_index(), dimension, fmt.lang, present)
                    or tr("coverage.how_data_arrives"),
                )
            )
        tables.append(
            IndicatorTable(
                dimension=dimension,
                label=tr(f"dimension.{dimension}"),
                ids=tuple(ids),
                frame=frame,
                positions=tuple(float(p) for p in rows["percentile"]),
                verdicts={p: tuple(changes[p].at[i, "verdict"] for i in ids) for p in PERIODS},
                notice=notice,
                small_note=small.note(ids, rows[SMALL_POPULATION]),
            )
        )
    return tables
