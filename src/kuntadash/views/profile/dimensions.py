"""Where the municipality stands in each sustainability dimension, in numbers and in words
(views layer)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from kuntadash.domain.stats import Rank
from kuntadash.domain.trends import trend_counts
from kuntadash.views.coverage import arriving_text
from kuntadash.views.profile.model import CHANGE_PERIOD, LEVEL_POINTS, DimensionSummary
from kuntadash.views.profile.words import _point_rank, _rank_words


def _dimension_summary(
    row, scores, figures, meta, present, years, fmt, tr, arriving=None
) -> DimensionSummary:
    """``figures``: the dimension's :func:`trend_figures`; ``arriving(dimension, directional)``:
    :func:`kuntadash.views.coverage.arriving_text` of the catalogue, ``present`` and the
    language, when the caller keeps them (computed here otherwise)."""
    dimension = row["dimension"]
    ids = meta.index[meta["dimension"] == dimension]
    with_values = [i for i in ids if i in present]
    rank = _point_rank(row)
    score = float(row["score"]) if pd.notna(row["score"]) else np.nan
    status = _status(with_values, meta, years, score)
    coverage = tr(
        "comparison.coverage_line",
        available=int(row["available"]),
        total=int(row["total"]),
        share=fmt.number(100 * row["coverage"] if pd.notna(row["coverage"]) else np.nan),
    )
    arriving = arriving or arriving_words(meta, present, fmt.lang)
    score_text, reading, update_words = _score_words(
        status, row, score, rank, with_values, scores, fmt, tr, arriving
    )
    trend, trend_label, trend_text = _dimension_trend(status, figures, tr)
    return DimensionSummary(
        dimension=dimension,
        label=tr(f"dimension.{dimension}"),
        status=status,
        score=score,
        score_text=score_text,
        group_median=float(row["group_median"]) if pd.notna(row["group_median"]) else np.nan,
        rank=rank,
        available=int(row["available"]),
        total=int(row["total"]),
        coverage_text=coverage,
        reading=reading,
        arriving=update_words,
        trend=trend,
        trend_label=trend_label,
        trend_text=trend_text,
    )


def arriving_words(meta: pd.DataFrame, present, lang: str) -> Callable[..., str]:
    """``arriving(dimension, directional=False)``: what an update brings for a dimension
    (:func:`kuntadash.views.coverage.arriving_text` of the catalogue ``meta``, indexed by id,
    and the indicators ``present``)."""

    def arriving(dimension: str, directional: bool = False) -> str:
        return arriving_text(meta.reset_index(), dimension, lang, present, directional)

    return arriving


def _status(with_values: list[str], meta: pd.DataFrame, years, score: float) -> str:
    """One of STATUSES: scored, or why not (no values, context figures only, no reference
    year, too few indicators with values)."""
    directed = [i for i in with_values if meta.at[i, "direction"] != "neutral"]
    if not with_values:
        return "missing"
    if not directed:
        return "context_only"
    if not any(i in years for i in directed):
        return "sparse"
    if np.isnan(score):
        return "low_coverage"
    return "scored"


def _score_words(
    status, row, score, rank: Rank, with_values, scores, fmt, tr, arriving
) -> tuple[str, str, str]:
    """The score as shown, the sentence that reads it (or says why there is none) and, where
    figures are lacking, what an update from the official services brings ("" otherwise)."""
    dimension = row["dimension"]
    update_words = ""
    if status == "scored":
        score_text = tr("comparison.score_value", score=fmt.number(score))
        reading = tr(
            "profile.reading",
            rank=_rank_words(rank, tr),
            position=tr(f"profile.position.{_position(score, row)}"),
        )
    elif status == "low_coverage":
        score_text = tr("comparison.no_score")
        reading = tr(
            "profile.reading_low_coverage",
            available=int(row["available"]),
            total=int(row["total"]),
            threshold=round(scores.threshold * 100),
        )
        update_words = arriving(dimension, True)
    elif status == "context_only":
        score_text = tr("comparison.no_score")
        names = ", ".join(fmt.name(i) for i in with_values)
        reading = tr("profile.reading_context_only", names=names)
        update_words = arriving(dimension, True)
    elif status == "sparse":
        score_text = tr("comparison.no_score")
        reading = tr("profile.reading_sparse")
    else:
        score_text = tr("profile.no_data_yet")
        reading = tr("profile.reading_missing")
        update_words = arriving(dimension)
    return score_text, reading, update_words or ""


def _dimension_trend(status: str, figures, tr) -> tuple[str, str, str]:
    """The dimension's direction over CHANGE_PERIOD years: one of TRENDS, its short label and
    the sentence with the counts ("" where not applicable). ``figures``:
    :func:`trend_figures` of the dimension."""
    trend, trend_label, trend_text = "unknown", "", ""
    if status in ("scored", "low_coverage"):
        if figures is None:
            trend_text = tr("profile.trend_unknown", years=CHANGE_PERIOD)
        else:
            trend, span, counts = figures
            trend_label = tr(f"profile.trend_label.{trend}", years=CHANGE_PERIOD)
            trend_text = tr("profile.trend_counts", years=span, **counts)
    return trend, trend_label, trend_text


def trend_figures(dimension: str, trends: pd.DataFrame) -> tuple[str, str, dict[str, int]] | None:
    """The dimension's direction over CHANGE_PERIOD years (one of TRENDS), the years compared
    and the counts of better, worse and unchanged indicators; None when no indicator with a
    better direction has a known change."""
    rows = trends[
        (trends["period"] == CHANGE_PERIOD)
        & (trends["dimension"] == dimension)
        & (trends["direction"] != "neutral")
    ]
    known = rows[rows["verdict"] != "missing"]
    if known.empty:
        return None
    counts = trend_counts(rows, CHANGE_PERIOD)
    if counts["better"] > counts["worse"]:
        trend = "better"
    elif counts["worse"] > counts["better"]:
        trend = "worse"
    elif counts["better"]:
        trend = "mixed"
    else:
        trend = "unchanged"
    # indicators whose series end in different years were compared over different
    # windows: name each (2012–2017, 2017–2022), not one span they do not share
    windows = sorted(set(zip(known["start_year"], known["end_year"], strict=True)))
    return trend, ", ".join(f"{start}–{end}" for start, end in windows), counts


def _position(score: float, row: pd.Series) -> str:
    """Where a score lies among the group's scores: top / above / middle / below / bottom.

    Within ``LEVEL_POINTS`` of the group's median counts as the middle: a point or two on a
    0–100 scale is no difference worth a sentence."""
    median, q1, q3 = (row[c] for c in ("group_median", "group_q1", "group_q3"))
    if pd.isna(median) or abs(score - median) <= LEVEL_POINTS:
        return "middle"
    quartiles = row["of"] >= 4  # quarters of a group of three say nothing
    if score > median:
        return "top" if quartiles and pd.notna(q3) and score >= q3 else "above"
    return "bottom" if quartiles and pd.notna(q1) and score <= q1 else "below"
