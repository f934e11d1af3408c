"""What a municipality profile is made of: its parts and :class:`ProfileView` (views layer).

The dataclasses here hold formatted texts and the tables they were read from; the modules beside
this one compute them (``build`` puts them together).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, ClassVar

import pandas as pd

from kuntadash.domain.catalogue import DIMENSIONS
from kuntadash.domain.groups import ComparisonGroup
from kuntadash.domain.scores import DimensionScores
from kuntadash.domain.stats import Rank
from kuntadash.domain.trends import PERIODS, indicator_history
from kuntadash.i18n import translate
from kuntadash.views.format import Formatter
from kuntadash.views.profile.words import _span, change_text

CHANGE_PERIOD = 5  # years of "what changed" on the first screen
HIGHLIGHTS = 3  # strengths, weak spots and changes named on the first screen
MIDDLE = 50.0  # the group's middle on the 0–100 position scale
LEVEL_POINTS = 2.5  # a score this close to the group's median reads "in the middle"
STATUSES = ("scored", "low_coverage", "context_only", "sparse", "missing")
TRENDS = ("better", "worse", "mixed", "unchanged", "unknown")


# --- the parts of the view ---------------------------------------------------------------------


@dataclass(frozen=True)
class Fact:
    label: str
    value: str


@dataclass(frozen=True)
class DimensionSummary:
    """Where the municipality stands in one dimension, in numbers and in words."""

    dimension: str
    label: str
    status: str  # one of STATUSES
    score: float  # 0–100 within the group, NaN without a score
    score_text: str  # "62 / 100" or the words for no score
    group_median: float
    rank: Rank
    available: int
    total: int
    coverage_text: str
    reading: str  # one sentence: where it stands (or why there is no score)
    trend: str  # one of TRENDS, over CHANGE_PERIOD years
    trend_label: str  # short: "5-year trend: mostly better" ("" when unknown)
    trend_text: str  # one sentence on the five-year change ("" when not applicable)
    # What an update from the official services brings where figures are lacking ("" when
    # nothing): kept apart from the reading so the card on the first screen stays short.
    arriving: str = ""

    @property
    def reading_in_full(self) -> str:
        """The reading and what an update brings, for outputs with room (the brief, pages)."""
        return " ".join(part for part in (self.reading, self.arriving) if part)


@dataclass(frozen=True)
class Highlight:
    """A strength or weak spot: the indicator's value against the group."""

    indicator_id: str
    name: str
    value_text: str
    median_text: str
    rank: Rank
    year: int
    percentile: float
    text: str  # "6,1 % (2024), group median 8,0 %; rank 3 of 23 in the group."


@dataclass(frozen=True)
class Change:
    """One of the largest changes over CHANGE_PERIOD years."""

    indicator_id: str
    name: str
    verdict: str  # better / worse (direction-aware) or up / down (context indicators)
    start_year: int
    end_year: int
    text: str  # "8,1 % → 6,4 % (2019–2024), for the better."


@dataclass(frozen=True)
class GroupRank:
    """The dimension ranks of the municipality within one grouping."""

    kind: str
    kind_label: str
    group_label: str
    members: int
    ranks: dict[str, str]  # dimension -> "12/47" (compact) or the words for none


@dataclass(frozen=True)
class Peer:
    code: str
    name: str
    type_label: str
    distance: float
    reasons: tuple[str, ...]  # "Population 201 000 residents (Tampere: 249 009 residents)"


@dataclass(frozen=True)
class IndicatorTable:
    """One dimension's indicators against the group, as shown (text cells)."""

    dimension: str
    label: str
    ids: tuple[str, ...]
    columns: Mapping[str, list[str]]  # heading (translated) -> the column's display text
    positions: tuple[float, ...]  # 0–100 per row (NaN for context indicators)
    verdicts: dict[int, tuple[str, ...]]  # period -> change verdict per row
    notice: str  # why the table is empty ("" when it has rows)
    small_note: str = ""  # what "†" means, when a figure of the table rests on a small population
    LATER: ClassVar[tuple[str, ...]] = ("frame",)  # built on first use

    @cached_property
    def frame(self) -> pd.DataFrame:
        """The table as a frame of display text, headings translated (built on first use:
        the baked pages write the rows as they are)."""
        return pd.DataFrame(self.columns)

    @property
    def rows(self) -> list[tuple[str, ...]]:
        """The table's rows of display text, in the order of :attr:`columns`."""
        return list(zip(*self.columns.values(), strict=True))


@dataclass
class ProfileView:
    """Everything the profile shows of one municipality against one comparison group."""

    code: str
    name: str
    lang: str
    group: ComparisonGroup
    formatter: Formatter
    facts: list[Fact]
    type_note: str  # the municipality type's uncertainty in words ("" when certain)
    intro: str  # "Compared with Large cities (23 municipalities). 50 = …"
    dimensions: list[DimensionSummary]
    strengths: list[Highlight]
    weaknesses: list[Highlight]
    changes: list[Change]
    changes_note: str  # said when no change can be computed ("" otherwise)
    peers: list[Peer]
    peer_method: str
    scores: DimensionScores
    score_frame: pd.DataFrame  # for_municipality() plus a translated ``label`` column
    profile: pd.DataFrame  # profile_from_table(): one row per indicator
    trends: pd.DataFrame  # compute_trends(): one row per indicator and period
    years: Mapping[str, int]
    is_sample: bool
    created: str
    version: str
    division_year: int
    # What "†" beside a figure means ("" when none of the municipality's figures rests on a
    # small population), and that such figures were left out of the strengths and weak spots.
    small_note: str = ""
    highlights_note: str = ""
    _wide: pd.DataFrame = field(repr=False, default_factory=pd.DataFrame)
    _names: Mapping[str, str] = field(repr=False, default_factory=dict)
    # How to build the parts only the folded sections and the brief show (see below).
    _later: Mapping[str, Callable[[], Any]] = field(repr=False, default_factory=dict)
    LATER: ClassVar[tuple[str, ...]] = (
        "peer_table",
        "ranks",
        "indicator_tables",
        "trend_lines",
        "sources",
        "goals",
    )

    # Built on first use, then kept: the first screen does not need them, and the view is
    # shared, so a visitor who only reads the first screen does not pay for them.
    @cached_property
    def peer_table(self) -> pd.DataFrame:
        """The similar municipalities' variables beside the municipality's own (text cells)."""
        return self._later["peer_table"]()

    @cached_property
    def ranks(self) -> list[GroupRank]:
        """The municipality's dimension ranks in every grouping."""
        return self._later["ranks"]()

    @cached_property
    def indicator_tables(self) -> list[IndicatorTable]:
        return self._later["indicator_tables"]()

    @cached_property
    def trend_lines(self) -> list[str]:
        """One per period: how many indicators got better / worse."""
        return self._later["trend_lines"]()

    @cached_property
    def sources(self) -> list[str]:
        """Where the figures come from: one line per publisher and dataset, with the vintage,
        licence and address ("Publisher: dataset (vintage) — licence … — url")."""
        return self._later["sources"]()

    @cached_property
    def goals(self) -> list[Any]:
        """The strengths and weak spots by Sustainable Development Goal (views.profile.goals)."""
        return self._later["goals"]()

    def tr(self, key: str, **values: object) -> str:
        return translate(key, self.lang, **values)

    @property
    def names(self) -> Mapping[str, str]:
        """Every municipality's name in the view's language, by code (shared, do not mutate)."""
        return self._names

    @property
    def threshold(self) -> int:
        """The coverage rule in per cent."""
        return round(self.scores.threshold * 100)

    @property
    def periods(self) -> tuple[int, ...]:
        """The periods of change in years (1, 5, 10) that the trends and tables show."""
        return tuple(PERIODS)

    def score_table(self) -> pd.DataFrame:
        """The dimension scores as shown: score, the group's median and quartiles, the rank in
        the comparison group (text cells, headings translated)."""
        fmt, tr, frame = self.formatter, self.tr, self.score_frame
        ranks = next(r for r in self.ranks if r.kind == self.group.kind).ranks
        return pd.DataFrame(
            {
                tr("comparison.col.dimension"): frame["label"],
                tr("comparison.col.score"): [fmt.number(s) for s in frame["score"]],
                tr("comparison.col.group_median"): [fmt.number(s) for s in frame["group_median"]],
                tr("comparison.col.q1"): [fmt.number(s) for s in frame["group_q1"]],
                tr("comparison.col.q3"): [fmt.number(s) for s in frame["group_q3"]],
                tr("comparison.col.rank"): [ranks[d] for d in frame["dimension"]],
            }
        )

    def score_years(self) -> str:
        """The reference years of the scored indicators: "2023" or "2021–2023"."""
        return _span([self.years[i] for i in self.scores.weights if i in self.years] or [0])

    def scored_indicators(self) -> list[tuple[str, tuple[str, ...]]]:
        """Each dimension's label and the names of the indicators its score is computed from."""
        fmt = self.formatter
        return [
            (self.tr(f"dimension.{d}"), tuple(fmt.name(i) for i in self.scores.indicators[d]))
            for d in DIMENSIONS
        ]

    def rank_table(self) -> pd.DataFrame:
        """The dimension ranks in every grouping, one row per grouping (headings translated)."""
        tr = self.tr
        return pd.DataFrame(
            [
                {
                    tr("comparison.col.group_kind"): r.kind_label,
                    tr("comparison.col.group"): r.group_label,
                    tr("comparison.col.members"): r.members,
                    # Short headings: the four ranks fit the table's width without scrolling.
                    **{tr(f"dimension_short.{d}"): r.ranks[d] for d in DIMENSIONS},
                }
                for r in self.ranks
            ]
        )

    def trend_table(self, period: int) -> tuple[pd.DataFrame, list[str], list[str]]:
        """The changes over ``period`` years as shown, with the verdicts (own change, compared
        with the group) that colour its cells."""
        fmt, tr = self.formatter, self.tr
        rows = self.trends[self.trends["period"] == period]
        ids = rows["indicator_id"].tolist()
        columns: dict[str, list[str]] = {tr("common.indicator"): [fmt.name(i) for i in ids]}
        if rows["end_year"].nunique() > 1:
            columns[tr("comparison.col.years")] = [
                f"{s}–{e}" for s, e in zip(rows["start_year"], rows["end_year"], strict=True)
            ]
        columns[tr("comparison.col.own_change")] = [
            change_text(fmt, i, c, v)
            for i, c, v in zip(ids, rows["change"], rows["verdict"], strict=True)
        ]
        columns[tr("comparison.col.group_change")] = [
            change_text(fmt, i, c, v)
            for i, c, v in zip(ids, rows["group_change"], rows["group_verdict"], strict=True)
        ]
        columns[tr("comparison.col.versus")] = [
            tr(f"profile.versus.{v}") for v in rows["versus_group"]
        ]
        return (
            pd.DataFrame(columns),
            rows["verdict"].tolist(),
            rows["versus_group"].tolist(),
        )

    def trend_years(self, period: int) -> str:
        rows = self.trends[self.trends["period"] == period]
        if rows.empty:
            return ""
        return f"{rows['start_year'].min()}–{rows['end_year'].max()}"

    def trend_series(self, indicator_id: str) -> pd.DataFrame:
        """The indicator over time: the municipality, the group's and the country's median
        (columns series, year, value), for a chart or its table. When the group is the whole
        country the two medians are one line, drawn once."""
        history = indicator_history(self._wide, indicator_id)
        if history.empty:
            return pd.DataFrame(columns=["series", "year", "value"])
        own = history.loc[self.code] if self.code in history.index else pd.Series(dtype=float)
        lines = [pd.DataFrame({"series": self.name, "year": own.index, "value": own.to_numpy()})]
        medians = {self.group.label: self.group.members, None: history.index}
        for label, members in zip(self.reference_series(), medians.values(), strict=True):
            lines.append(
                pd.DataFrame(
                    {
                        "series": label,
                        "year": history.columns,
                        "value": history.reindex(members).median().to_numpy(),
                    }
                )
            )
        frame = pd.concat(lines, ignore_index=True).drop_duplicates(["series", "year"])
        frame["year"] = frame["year"].astype(int)
        return frame

    def reference_series(self) -> tuple[str, str]:
        """The labels of the two median lines of :meth:`trend_series` (the same label twice
        when the group is the whole country)."""
        return (
            self.tr("common.median_of", group=self.group.label),
            self.tr("common.median_of", group=self.tr("common.whole_country")),
        )

    def chart_ids(self, count: int = 4) -> list[str]:
        """Indicators worth a small trend chart: the largest changes first, then the strengths
        and weak spots, each with figures for at least three years."""
        ids = [c.indicator_id for c in self.changes]
        ids += [h.indicator_id for h in (*self.strengths, *self.weaknesses)]
        chosen = []
        for ident in dict.fromkeys(ids):
            history = indicator_history(self._wide, ident)
            if self.code in history.index and history.loc[self.code].notna().sum() >= 3:
                chosen.append(ident)
        return chosen[:count]
