"""Small texts every part of the profile shares: ranks, changes, spans, joined sentences (views
layer)."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from kuntadash.domain.stats import Rank
from kuntadash.i18n import translate
from kuntadash.views.format import MISSING, Formatter


def _joined(*sentences: str) -> str:
    return " ".join(s for s in sentences if s)


def _text(value: object) -> str:
    return MISSING if value is None or pd.isna(value) or str(value) == "" else str(value)


def _rank_words(rank: Rank, tr) -> str:
    if rank.rank is None:
        return tr("common.rank_none")
    if rank.missing:
        return tr("common.rank_text_missing", rank=rank.rank, of=rank.of, missing=rank.missing)
    return tr("common.rank_text", rank=rank.rank, of=rank.of)


def _compact_rank(row: pd.Series, tr) -> str:
    """'12/47' or '12/47, 3 without data' for a table whose heading already says 'rank'."""
    if row["rank"] is None or pd.isna(row["rank"]):
        return tr("comparison.no_score")
    if row["missing"]:
        return tr(
            "comparison.rank_compact_missing",
            rank=int(row["rank"]),
            of=int(row["of"]),
            missing=int(row["missing"]),
        )
    return f"{int(row['rank'])}/{int(row['of'])}"


def _point_rank(row: pd.Series) -> Rank:
    return Rank(
        rank=None if row["rank"] is None or pd.isna(row["rank"]) else int(row["rank"]),
        of=int(row["of"]),
        missing=int(row["missing"]),
    )


def change_text(fmt: Formatter, indicator_id: str, change: float, verdict: str) -> str:
    """'↑ +0,4 %-yks. (huonompaan)': which way the value moved, by how much, better or worse."""
    if verdict == "missing" or pd.isna(change):
        return MISSING
    unit = fmt.unit(indicator_id)
    unit = translate("comparison.unit.pp", fmt.lang) if unit.strip() == "%" else unit
    number = fmt.number(abs(change), fmt.decimals.get(indicator_id, 1), unit)
    if verdict == "unchanged":
        arrow, sign = "→", "±"
    else:
        arrow, sign = ("↑", "+") if change > 0 else ("↓", "−")
    return f"{arrow} {sign}{number} ({translate(f'comparison.verdict.{verdict}', fmt.lang)})"


def _span(values: Sequence[int]) -> str:
    return str(min(values)) if min(values) == max(values) else f"{min(values)}–{max(values)}"
