"""The municipality profile as a view model (views layer, no streamlit).

One :class:`ProfileView` answers what the profile page and the PDF brief both show: who the
municipality is, where it stands in each sustainability dimension against its comparison group,
its clearest strengths and weakest spots, what changed most in five years, its rank in every
grouping, its most similar municipalities and why, every indicator against the group, and the
trends. It is built once per page run (or brief) from the snapshot, the municipality, the
comparison group and the language; the page draws it and the brief lays it out on paper, so the
two never compute anything twice or disagree.

Every number is formatted by :class:`kuntadash.views.format.Formatter`; every word comes from the
locale files. Texts are plain (not markdown): whoever puts them into markdown escapes them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from kuntadash import resources
from kuntadash.domain.catalogue import DIMENSIONS
from kuntadash.domain.groups import (
    DEFAULT_KIND,
    GROUP_KINDS,
    ComparisonGroup,
    describe_group,
    is_partition,
    key_labels,
)
from kuntadash.domain.peers import (
    DEFAULT_PEER_COUNT,
    DEFAULT_WEIGHTS,
    REGISTER_VARIABLES,
    nearest_peers,
    standardise,
    structural_table,
)
from kuntadash.domain.population import PopulationYear, population_history, population_in
from kuntadash.domain.scores import DimensionScores, score_dimensions
from kuntadash.domain.stats import (
    Rank,
    latest_common_year,
    profile_from_table,
    reference_table,
    strengths_and_weaknesses,
)
from kuntadash.domain.trends import (
    PERIODS,
    compute_trends,
    indicator_history,
    trend_counts,
    typical_changes,
)
from kuntadash.i18n import translate
from kuntadash.provenance import sources_of, value_source_ids
from kuntadash.store import Snapshot
from kuntadash.views.coverage import arriving_text
from kuntadash.views.format import MISSING, Formatter

CHANGE_PERIOD = 5  # years of "what changed" on the first screen
HIGHLIGHTS = 3  # strengths, weak spots and changes named on the first screen
MIDDLE = 50.0  # the group's middle on the 0–100 position scale
LEVEL_POINTS = 2.5  # a score this close to the group's median reads "in the middle"
STATUSES = ("scored", "low_coverage", "context_only", "sparse", "missing")
TRENDS = ("better", "worse", "mixed", "unchanged", "unknown")


# --- inputs ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProfileInputs:
    """Tables the app already holds for the snapshot (ui.loaders caches them); whatever is
    absent is computed from the snapshot. ``peers`` (nearest_peers' frame) and ``weights`` are
    the similar municipalities in use; ``scores`` returns the dimension scores of a group kind
    (cached partition scores in the app), ``keys`` the group keys of a partitioning kind."""

    years: Mapping[str, int] | None = None
    wide: pd.DataFrame | None = None
    reference: pd.DataFrame | None = None
    population: PopulationYear | None = None
    structure: pd.DataFrame | None = None
    peers: pd.DataFrame | None = None
    weights: Mapping[str, float] | None = None
    scores: Callable[[str, pd.Index], DimensionScores] | None = None
    keys: Callable[[str], pd.Series] | None = None
    present: frozenset[str] | None = None  # ids of the indicators with any value


def reference_years(snapshot: Snapshot) -> dict[str, int]:
    """Each indicator's latest year with data for at least half the municipalities."""
    years = {
        ident: latest_common_year(snapshot.values, ident)
        for ident in snapshot.values["indicator_id"].unique()
    }
    return {ident: year for ident, year in years.items() if year is not None}


def wide_values(snapshot: Snapshot) -> pd.DataFrame:
    """Values with one column per indicator, indexed by (municipality_code, year)."""
    return snapshot.values.pivot_table(
        index=["municipality_code", "year"], columns="indicator_id", values="value", dropna=False
    )


def municipality_names(snapshot: Snapshot, lang: str) -> dict[str, str]:
    """Every municipality's name in ``lang`` (Swedish in sv where it has one, else Finnish)."""
    table = snapshot.municipalities.set_index("municipality_code")
    column = "name_sv" if lang == "sv" else "name_fi"
    return table[column].fillna(table["name_fi"]).astype(str).to_dict()


def default_group(snapshot: Snapshot, code: str, lang: str) -> ComparisonGroup:
    """The app's default comparison group of ``code`` (its municipality type)."""
    return describe_group(snapshot.municipalities, code, DEFAULT_KIND, lang)


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
    frame: pd.DataFrame  # display text, headings translated
    positions: tuple[float, ...]  # 0–100 per row (NaN for context indicators)
    verdicts: dict[int, tuple[str, ...]]  # period -> change verdict per row
    notice: str  # why the table is empty ("" when it has rows)


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
    peer_table: pd.DataFrame
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
    _wide: pd.DataFrame = field(repr=False, default_factory=pd.DataFrame)
    _names: Mapping[str, str] = field(repr=False, default_factory=dict)
    # How to build the parts only the folded sections and the brief show (see below).
    _later: Mapping[str, Callable[[], Any]] = field(repr=False, default_factory=dict)
    LATER: ClassVar[tuple[str, ...]] = ("ranks", "indicator_tables", "trend_lines", "sources")

    # Built on first use, then kept: the first screen does not need them, and the view is
    # shared, so a visitor who only reads the first screen does not pay for them.
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

    def tr(self, key: str, **values: object) -> str:
        return translate(key, self.lang, **values)

    @property
    def threshold(self) -> int:
        """The coverage rule in per cent."""
        return round(self.scores.threshold * 100)

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


# --- building ------------------------------------------------------------------------------------


def build_profile_view(
    snapshot: Snapshot,
    code: str,
    lang: str,
    group: ComparisonGroup | None = None,
    inputs: ProfileInputs | None = None,
) -> ProfileView:
    """The profile of ``code`` against ``group`` (default: its municipality type) in ``lang``."""
    inputs = inputs or ProfileInputs()

    def tr(key: str, **values: object) -> str:
        return translate(key, lang, **values)

    catalogue = snapshot.catalogue
    fmt = Formatter.from_catalogue(catalogue, lang)
    years = dict(inputs.years) if inputs.years is not None else reference_years(snapshot)
    wide = inputs.wide if inputs.wide is not None else wide_values(snapshot)
    reference = inputs.reference if inputs.reference is not None else reference_table(wide, years)
    codes = pd.Index(snapshot.municipalities["municipality_code"])
    population = inputs.population or population_in(population_history(snapshot.values), codes)
    names = municipality_names(snapshot, lang)
    name = names[code]
    raw = (
        inputs.structure
        if inputs.structure is not None
        else structural_table(snapshot.municipalities, reference, population.values)
    )
    weights = dict(inputs.weights or DEFAULT_WEIGHTS)
    if inputs.peers is not None:
        peers = inputs.peers
    else:
        peers = nearest_peers(standardise(raw), code, DEFAULT_WEIGHTS, DEFAULT_PEER_COUNT)
    peer_codes = [str(c) for c in peers["municipality_code"]]

    def describe(kind: str) -> ComparisonGroup:
        return describe_group(
            snapshot.municipalities,
            code,
            kind,
            lang,
            peers=peer_codes,
            names=names,
            population=population.values,
            population_year=population.label_year,
            keys=inputs.keys(kind) if inputs.keys is not None and is_partition(kind) else None,
        )

    group = group or describe(DEFAULT_KIND)
    # Every grouping once: the ranks table and the facts (urban-rural group, size class) share them.
    groups = {kind: group if kind == group.kind else describe(kind) for kind in GROUP_KINDS}

    def scores_for(kind: str, members: pd.Index) -> DimensionScores:
        if inputs.scores is not None:
            return inputs.scores(kind, members)
        return score_dimensions(reference, catalogue, members)

    scores = scores_for(group.kind, group.members)
    summary = scores.for_municipality(code)
    profile = profile_from_table(reference, catalogue, code, group.members, years)
    trends = compute_trends(wide, catalogue, code, group.members, years)
    meta = catalogue.set_index("id")
    present = (
        inputs.present
        if inputs.present is not None
        else frozenset(snapshot.values.loc[snapshot.values["value"].notna(), "indicator_id"])
    )

    dimensions = [
        _dimension_summary(row, scores, trends, meta, present, years, fmt, tr)
        for _, row in summary.iterrows()
    ]
    strongest, weakest = strengths_and_weaknesses(profile, count=HIGHLIGHTS, middle=MIDDLE)
    changes, changes_note = _largest_changes(trends, wide, years, fmt, tr)
    municipalities = snapshot.municipalities.set_index("municipality_code")
    type_labels = key_labels(snapshot.municipalities, "municipality_type", lang)

    def ranks() -> list[GroupRank]:
        result = []
        for kind, other in groups.items():
            other_scores = scores if kind == group.kind else scores_for(kind, other.members)
            other_summary = other_scores.for_municipality(code).set_index("dimension")
            result.append(
                GroupRank(
                    kind=kind,
                    kind_label=tr(f"groups.kind_short.{kind}"),
                    group_label=other.label,
                    members=len(other.members),
                    ranks={d: _compact_rank(other_summary.loc[d], tr) for d in DIMENSIONS},
                )
            )
        return result

    view = ProfileView(
        code=code,
        name=name,
        lang=lang,
        group=group,
        formatter=fmt,
        facts=[],
        type_note="",
        intro=tr("profile.intro", group=group.label, n=len(group.members)),
        dimensions=dimensions,
        strengths=[_highlight(r, fmt, tr) for _, r in strongest.iterrows()],
        weaknesses=[_highlight(r, fmt, tr) for _, r in weakest.iterrows()],
        changes=changes,
        changes_note=changes_note,
        peers=[],
        peer_table=pd.DataFrame(),
        peer_method="",
        scores=scores,
        score_frame=summary.assign(label=[tr(f"dimension.{d}") for d in summary["dimension"]]),
        profile=profile,
        trends=trends,
        years=years,
        is_sample=snapshot.is_sample,
        created=str(snapshot.manifest.get("created", ""))[:10],
        version=snapshot.version or MISSING,
        division_year=snapshot.division_year,
        _wide=wide,
        _names=names,
        _later={
            "ranks": ranks,
            "indicator_tables": lambda: _indicator_tables(profile, trends, meta, present, fmt, tr),
            "trend_lines": lambda: _trend_lines(trends, tr),
            "sources": lambda: _source_lines(snapshot, profile, present, lang),
        },
    )
    info = municipalities.loc[code]
    view.facts, view.type_note = _facts(info, population, code, groups, type_labels, lang, fmt, tr)
    view.peers = _peers(peers, raw, code, name, names, municipalities, type_labels, fmt, tr)
    view.peer_table = _peer_table(peers, raw, code, names, fmt, tr)
    view.peer_method = _peer_method(raw, weights, years, fmt, tr)
    return view


# --- facts ---------------------------------------------------------------------------------------


def _joined(*sentences: str) -> str:
    return " ".join(s for s in sentences if s)


def _text(value: object) -> str:
    return MISSING if value is None or pd.isna(value) or str(value) == "" else str(value)


def _facts(info, population, code, groups, type_labels, lang, fmt, tr) -> tuple[list[Fact], str]:
    value = population.values.get(code)
    if value is None or pd.isna(value) or population.label_year is None:
        people = tr("common.population_missing")
    else:
        people = tr("common.population_value", value=fmt.number(value), year=population.label_year)
    type_key = info["municipality_type"]
    type_name = type_labels.get(type_key, type_key) if pd.notna(type_key) else None
    uncertain = bool(type_name) and bool(info["municipality_type_uncertain"])
    facts = [
        Fact(tr("common.population"), people),
        Fact(
            tr("common.municipality_type"),
            _text(type_name) + (f" ({tr('profile.uncertain_short')})" if uncertain else ""),
        ),
        Fact(tr("common.region"), _text(info.get(f"region_name_{lang}"))),
        Fact(tr("profile.subregion"), _text(info.get(f"subregion_name_{lang}"))),
        Fact(tr("common.wellbeing_county"), _text(info.get(f"wellbeing_county_name_{lang}"))),
    ]
    for kind, label in (
        ("urban_rural", "comparison.info_urban_rural"),
        ("size_class", "comparison.info_size"),
    ):
        group = groups[kind]
        facts.append(Fact(tr(label), group.label if group.key else MISSING))
    note = tr("profile.type_uncertain", type=type_name) if uncertain else ""
    return facts, note


# --- dimensions ------------------------------------------------------------------------------


def _dimension_summary(row, scores, trends, meta, present, years, fmt, tr) -> DimensionSummary:
    dimension = row["dimension"]
    ids = meta.index[meta["dimension"] == dimension]
    with_values = [i for i in ids if i in present]
    directed = [i for i in with_values if meta.at[i, "direction"] != "neutral"]
    rank = Rank(
        rank=None if row["rank"] is None or pd.isna(row["rank"]) else int(row["rank"]),
        of=int(row["of"]),
        missing=int(row["missing"]),
    )
    score = float(row["score"]) if pd.notna(row["score"]) else np.nan
    if not with_values:
        status = "missing"
    elif not directed:
        status = "context_only"
    elif not any(i in years for i in directed):
        status = "sparse"
    elif np.isnan(score):
        status = "low_coverage"
    else:
        status = "scored"

    coverage = tr(
        "comparison.coverage_line",
        available=int(row["available"]),
        total=int(row["total"]),
        share=fmt.number(100 * row["coverage"] if pd.notna(row["coverage"]) else np.nan),
    )
    if status == "scored":
        score_text = tr("comparison.score_value", score=fmt.number(score))
        reading = tr(
            "profile.reading",
            rank=_rank_words(rank, tr),
            position=tr(f"profile.position.{_position(score, row)}"),
        )
    elif status == "low_coverage":
        score_text = tr("comparison.no_score")
        reading = _joined(
            tr(
                "profile.reading_low_coverage",
                available=int(row["available"]),
                total=int(row["total"]),
                threshold=round(scores.threshold * 100),
            ),
            arriving_text(meta.reset_index(), dimension, fmt.lang, present, directional=True),
        )
    elif status == "context_only":
        score_text = tr("comparison.no_score")
        reading = _joined(
            tr("profile.reading_context_only", names=", ".join(fmt.name(i) for i in with_values)),
            arriving_text(meta.reset_index(), dimension, fmt.lang, present, directional=True),
        )
    elif status == "sparse":
        score_text = tr("comparison.no_score")
        reading = tr("profile.reading_sparse")
    else:
        score_text = tr("profile.no_data_yet")
        reading = _joined(
            tr("profile.reading_missing"),
            arriving_text(meta.reset_index(), dimension, fmt.lang, present),
        )

    trend, trend_label, trend_text = "unknown", "", ""
    if status in ("scored", "low_coverage"):
        rows = trends[
            (trends["period"] == CHANGE_PERIOD)
            & (trends["dimension"] == dimension)
            & (trends["direction"] != "neutral")
        ]
        known = rows[rows["verdict"] != "missing"]
        if known.empty:
            trend_text = tr("profile.trend_unknown", years=CHANGE_PERIOD)
        else:
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
            span = ", ".join(f"{start}–{end}" for start, end in windows)
            trend_label = tr(f"profile.trend_label.{trend}", years=CHANGE_PERIOD)
            trend_text = tr("profile.trend_counts", years=span, **counts)
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
        trend=trend,
        trend_label=trend_label,
        trend_text=trend_text,
    )


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


# --- strengths, weak spots, changes ---------------------------------------------------------------


def _point_rank(row: pd.Series) -> Rank:
    return Rank(
        rank=None if row["rank"] is None or pd.isna(row["rank"]) else int(row["rank"]),
        of=int(row["of"]),
        missing=int(row["missing"]),
    )


def _highlight(row: pd.Series, fmt: Formatter, tr) -> Highlight:
    ident = row["indicator_id"]
    rank = _point_rank(row)
    value, median = fmt.value(ident, row["value"]), fmt.value(ident, row["group_median"])
    return Highlight(
        indicator_id=ident,
        name=fmt.name(ident),
        value_text=value,
        median_text=median,
        rank=rank,
        year=int(row["year"]),
        percentile=float(row["percentile"]),
        text=tr(
            "profile.highlight",
            value=value,
            year=int(row["year"]),
            median=median,
            rank=rank.rank if rank.rank is not None else MISSING,
            of=rank.of,
        ),
    )


def _largest_changes(trends, wide, years, fmt, tr) -> tuple[list[Change], str]:
    rows = trends[
        (trends["period"] == CHANGE_PERIOD)
        & trends["verdict"].isin(("better", "worse", "up", "down"))
    ]
    if rows.empty:
        known = trends[(trends["period"] == CHANGE_PERIOD) & (trends["verdict"] != "missing")]
        key = "profile.changes_none_moved" if len(known) else "profile.changes_none"
        return [], tr(key, years=CHANGE_PERIOD)
    typical = typical_changes(wide, {i: years[i] for i in rows["indicator_id"]}, CHANGE_PERIOD)
    size = (rows["change"].abs() / rows["indicator_id"].map(typical)).fillna(0.0)
    chosen = rows.assign(size=size.to_numpy()).sort_values(
        ["size", "indicator_id"], ascending=[False, True]
    )
    changes = []
    for _, row in chosen.head(HIGHLIGHTS).iterrows():
        ident = row["indicator_id"]
        changes.append(
            Change(
                indicator_id=ident,
                name=fmt.name(ident),
                verdict=row["verdict"],
                start_year=int(row["start_year"]),
                end_year=int(row["end_year"]),
                text=tr(
                    "profile.change_line",
                    # The unit once, after the later figure: "30 614 → 33 307 €/asukas".
                    start=fmt.value(ident, row["start_value"], with_unit=False),
                    end=fmt.value(ident, row["end_value"]),
                    years=f"{int(row['start_year'])}–{int(row['end_year'])}",
                    verdict=tr(f"profile.change_verdict.{row['verdict']}"),
                ),
            )
        )
    return changes, ""


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


def _trend_lines(trends: pd.DataFrame, tr) -> list[str]:
    lines = []
    for period in PERIODS:
        label = (
            tr("comparison.period_label_one")
            if period == 1
            else tr("comparison.period_label", n=period)
        )
        # Counted are the indicators with a better direction; a context figure's change (the
        # population's, say) does not make the count of better and worse ones meaningful.
        rows = trends[(trends["period"] == period) & (trends["direction"] != "neutral")]
        if rows["change"].notna().any():
            counts = trend_counts(trends, period)
            missing = int(rows["verdict"].eq("missing").sum())
            lines.append(tr("profile.trend_summary", period=label, missing=missing, **counts))
        else:
            lines.append(tr("profile.trend_unavailable", period=label))
    return lines


# --- similar municipalities ------------------------------------------------------------------


def _variable_label(variable: str, fmt: Formatter, tr) -> str:
    if variable in REGISTER_VARIABLES:
        return tr(f"comparison.var.{variable}")
    return fmt.name(variable)


def _variable_value(variable: str, value: float, fmt: Formatter, tr) -> str:
    if variable == "population":
        return fmt.number(value, 0, tr("comparison.unit.residents"))
    if variable == "population_density":
        return fmt.number(value, 1, tr("comparison.unit.density"))
    return fmt.value(variable, value)


def _peers(peers, raw, code, name, names, municipalities, type_labels, fmt, tr) -> list[Peer]:
    result = []
    for peer, distance, similar_on in zip(
        peers["municipality_code"], peers["distance"], peers["similar_on"], strict=True
    ):
        kind = municipalities.at[peer, "municipality_type"]
        reasons = tuple(
            tr(
                "comparison.reason_item",
                variable=_variable_label(v, fmt, tr),
                peer=_variable_value(v, raw.at[peer, v], fmt, tr),
                own=_variable_value(v, raw.at[code, v], fmt, tr),
                name=name,
            )
            for v in similar_on
        )
        result.append(
            Peer(
                code=str(peer),
                name=names[peer],
                type_label=_text(type_labels.get(kind, kind) if pd.notna(kind) else None),
                distance=float(distance),
                reasons=reasons,
            )
        )
    return result


def _peer_table(peers, raw, code, names, fmt, tr) -> pd.DataFrame:
    codes = [code, *[str(c) for c in peers["municipality_code"]]]
    table = raw.reindex(codes)
    return pd.DataFrame(
        {
            tr("comparison.col.peer"): [names[c] for c in codes],
            tr("profile.col.difference"): [
                MISSING,
                *[fmt.number(d, 2) for d in peers["distance"]],
            ],
            **{
                _variable_label(v, fmt, tr): [_variable_value(v, x, fmt, tr) for x in table[v]]
                for v in table.columns
            },
        }
    )


def _peer_method(raw, weights, years, fmt, tr) -> str:
    structural = [v for v in raw.columns if v not in REGISTER_VARIABLES and v in years]
    span = [years[v] for v in structural]

    def weight(variable: str) -> str:
        value = float(weights.get(variable, 0))
        return fmt.number(value, 0 if value.is_integer() else 1)

    text = ", ".join(f"{_variable_label(v, fmt, tr)} {weight(v)}" for v in raw.columns)
    return tr("profile.peers_method", years=_span(span) if span else MISSING, weights=text)


def _span(values: Sequence[int]) -> str:
    return str(min(values)) if min(values) == max(values) else f"{min(values)}–{max(values)}"


# --- indicator tables ------------------------------------------------------------------------


def _indicator_tables(profile, trends, meta, present, fmt, tr) -> list[IndicatorTable]:
    changes = {p: trends[trends["period"] == p].set_index("indicator_id") for p in PERIODS}
    tables = []
    for dimension in DIMENSIONS:
        rows = profile[profile["dimension"] == dimension]
        ids = rows["indicator_id"].tolist()
        frame = pd.DataFrame(
            {
                tr("common.indicator"): [fmt.name(i) for i in ids],
                tr("comparison.col.value"): [
                    fmt.value(i, v) for i, v in zip(ids, rows["value"], strict=True)
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
            )
        )
    return tables


# --- sources -------------------------------------------------------------------------------------


def _source_lines(
    snapshot: Snapshot, profile: pd.DataFrame, present: frozenset[str], lang: str
) -> list[str]:
    """Where the figures shown come from, in words of ``lang``: the publishers of the
    indicators (with their licences), then the datasets the values were read from."""
    documents = resources.read_sources_document() or {}
    meta = snapshot.catalogue.set_index("id")
    ids = [i for i in profile["indicator_id"] if i in present]
    licence_word = translate("brief.licence", lang)
    lines = []
    for publisher in dict.fromkeys(str(meta.at[i, "publisher"]) for i in ids):
        names = (documents.get(publisher) or {}).get("name") or {}
        licences = sorted(
            {str(x) for x in meta.loc[meta["publisher"] == publisher, "licence"].dropna()}
        )
        lines.append(
            f"{names.get(lang) or names.get('fi') or publisher} — {licence_word} "
            + (", ".join(licences) or MISSING)
        )
    by_key = value_source_ids(snapshot.values)
    seen: set[str] = set()
    for ident, year in zip(profile["indicator_id"], profile["year"], strict=True):
        for line in sources_of(snapshot.manifest, by_key, ident, [int(year)], lang):
            if line.id in seen:
                continue
            seen.add(line.id)
            words = (
                translate("profile.source_synthetic", lang)
                if line.synthetic
                else line.publisher + (f": {line.title}" if line.title else "")
            )
            if line.vintage and not line.synthetic:
                words += f" ({line.vintage})"
            if line.licence:
                words += f" — {licence_word} {line.licence}"
            if line.url and not line.synthetic:
                words += f" — {line.url}"
            lines.append(words)
    return lines
