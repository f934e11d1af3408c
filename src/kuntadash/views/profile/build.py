"""Building a :class:`ProfileView`: the snapshot's tables, the comparison groups, the scores,
and every part of the view from them (views layer)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd

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
    nearest_peers,
    standardise,
    structural_table,
)
from kuntadash.domain.population import PopulationYear, population_history, population_in
from kuntadash.domain.scores import DimensionScores, score_dimensions
from kuntadash.domain.small_numbers import SMALL_POPULATION
from kuntadash.domain.stats import reference_table
from kuntadash.i18n import DEFAULT_LANGUAGE, translate
from kuntadash.store import Snapshot
from kuntadash.views.format import MISSING, Formatter
from kuntadash.views.profile.dimensions import _dimension_summary, arriving_words
from kuntadash.views.profile.facts import _facts
from kuntadash.views.profile.goals import goal_standings
from kuntadash.views.profile.highlights import _highlight, _largest_changes, _trend_lines
from kuntadash.views.profile.inputs import (
    ProfileInputs,
    kept,
    municipality_names,
    present_ids,
    reference_years,
    wide_values,
)
from kuntadash.views.profile.model import GroupRank, ProfileView
from kuntadash.views.profile.numbers import ProfileNumbers, compute_profile_numbers
from kuntadash.views.profile.peers import _peer_method, _peer_table, _peers
from kuntadash.views.profile.sources import _source_lines
from kuntadash.views.profile.tables import _indicator_tables
from kuntadash.views.profile.words import _compact_rank
from kuntadash.views.small import SmallPopulation


def build_profile_view(
    snapshot: Snapshot,
    code: str,
    lang: str,
    group: ComparisonGroup | None = None,
    inputs: ProfileInputs | None = None,
    numbers: ProfileNumbers | None = None,
) -> ProfileView:
    """The profile of ``code`` against ``group`` (default: its municipality type) in ``lang``.

    ``numbers``: :func:`profile_numbers` of the same municipality and group, when the caller
    words one profile in several languages (computed here otherwise)."""
    inputs = inputs or ProfileInputs()

    def tr(key: str, **values: object) -> str:
        return translate(key, lang, **values)

    catalogue = snapshot.catalogue
    memo = inputs.memo
    fmt = kept(memo, ("formatter", lang), lambda: Formatter.from_catalogue(catalogue, lang))
    tables = _tables(snapshot, code, lang, inputs)
    group, groups = _groups(snapshot, code, lang, group, tables)
    years = tables.years
    numbers = _checked(numbers, snapshot, code, group, tables)
    scores, summary = numbers.scores, numbers.summary
    profile, trends = numbers.profile, numbers.trends
    small = SmallPopulation.of(snapshot, lang)
    meta = kept(memo, "catalogue_by_id", lambda: catalogue.set_index("id"))
    present = tables.present

    arriving = _arriving(meta, present, lang, memo)
    trend_of = numbers.dimension_trends.get
    dimensions = [
        _dimension_summary(
            row, scores, trend_of(row["dimension"]), meta, present, years, fmt, tr, arriving
        )
        for _, row in summary.iterrows()
    ]
    strongest, weakest = numbers.strongest, numbers.weakest
    changes, changes_note = _largest_changes(
        numbers.changed, numbers.known_changes, numbers.changes_left_out, fmt, tr
    )
    later: dict[str, Callable[[], Any]] = {
        "peer_table": lambda: _peer_table(tables.peers, tables.raw, code, tables.names, fmt, tr),
        "ranks": lambda: _ranks(groups, numbers, tr),
        "indicator_tables": lambda: _indicator_tables(
            profile, trends, meta, present, fmt, tr, small, arriving
        ),
        "trend_lines": lambda: _trend_lines(trends, tr),
        "sources": lambda: _source_lines(snapshot, profile, present, lang, inputs.source_ids),
        "goals": lambda: goal_standings(profile, fmt),
    }
    return ProfileView(
        code=code,
        name=tables.names[code],
        lang=lang,
        group=group,
        formatter=fmt,
        **_who(snapshot, code, lang, tables, groups, fmt, tr),
        intro=tr("profile.intro", group=group.label, n=len(group.members)),
        dimensions=dimensions,
        strengths=[_highlight(r, fmt, tr) for _, r in strongest.iterrows()],
        weaknesses=[_highlight(r, fmt, tr) for _, r in weakest.iterrows()],
        changes=changes,
        changes_note=changes_note,
        scores=scores,
        score_frame=summary.assign(label=[tr(f"dimension.{d}") for d in summary["dimension"]]),
        profile=profile,
        trends=trends,
        years=years,
        is_sample=snapshot.is_sample,
        created=str(snapshot.manifest.get("created", ""))[:10],
        version=snapshot.version or MISSING,
        division_year=snapshot.division_year,
        **_small_notes(small, profile, numbers.changes_left_out),
        _wide=tables.wide,
        _names=tables.names,
        _later=later,
    )


def _checked(
    numbers: ProfileNumbers | None, snapshot: Snapshot, code: str, group, tables: _Tables
) -> ProfileNumbers:
    """The figures given, when they are those of ``code`` against ``group``; computed here when
    none are given."""
    if numbers is None:
        return _numbers(snapshot, code, group, tables)
    if not numbers.fits(code, group):
        raise ValueError(f"the figures given are not those of {code!r} against {group.kind!r}")
    return numbers


def _arriving(
    meta: pd.DataFrame, present: frozenset[str], lang: str, memo: dict | None
) -> Callable[..., str]:
    """What an update brings for a dimension, in ``lang``: the same for every municipality, so
    kept in the build's ``memo`` where there is one."""
    words_of = arriving_words(meta, present, lang)

    def arriving(dimension: str, directional: bool = False) -> str:
        return kept(
            memo,
            ("arriving", dimension, lang, directional),
            lambda: words_of(dimension, directional),
        )

    return arriving


@dataclass(frozen=True)
class _Tables:
    """The snapshot's tables a profile is read from: the app's (``ProfileInputs``) where it
    passed them, computed here otherwise."""

    inputs: ProfileInputs
    catalogue: pd.DataFrame
    years: dict[str, int]
    wide: pd.DataFrame
    reference: pd.DataFrame
    population: PopulationYear
    names: dict[str, str]
    raw: pd.DataFrame  # the structural variables of similarity
    weights: dict[str, float]
    peers: pd.DataFrame  # nearest_peers' frame
    present: frozenset[str]

    def scores(self, kind: str, members: pd.Index) -> DimensionScores:
        if self.inputs.scores is not None:
            return self.inputs.scores(kind, members)
        return score_dimensions(self.reference, self.catalogue, members)


def _small_notes(
    small: SmallPopulation, profile: pd.DataFrame, changes_left_out: list[str]
) -> dict[str, str]:
    """What "†" means under the tables, and that the strengths, weak spots and largest changes
    left figures resting on a small population out (each "" when none)."""
    flags = profile[SMALL_POPULATION]
    ranked = flags & profile["percentile"].notna()
    ids = [*profile.loc[ranked, "indicator_id"], *changes_left_out]
    return {
        "small_note": small.note(profile["indicator_id"], flags),
        "highlights_note": small.left_out(ids, [bool(ids)], "small.left_out_lists"),
    }


def profile_numbers(
    snapshot: Snapshot,
    code: str,
    group: ComparisonGroup | None = None,
    inputs: ProfileInputs | None = None,
) -> ProfileNumbers:
    """The language-free figures of ``code``'s profile against ``group`` (default: its
    municipality type), for :func:`build_profile_view` in each language."""
    inputs = inputs or ProfileInputs()
    tables = _tables(snapshot, code, DEFAULT_LANGUAGE, inputs)
    group, _ = _groups(snapshot, code, DEFAULT_LANGUAGE, group, tables, every=False)
    return _numbers(snapshot, code, group, tables)


def _numbers(
    snapshot: Snapshot, code: str, group: ComparisonGroup, tables: _Tables
) -> ProfileNumbers:
    flags = SmallPopulation.of(snapshot, DEFAULT_LANGUAGE).flags
    return compute_profile_numbers(
        code,
        group,
        tables.catalogue,
        tables.wide,
        tables.reference,
        tables.years,
        tables.scores,
        flags,
        tables.inputs.memo,
    )


def _tables(snapshot: Snapshot, code: str, lang: str, inputs: ProfileInputs) -> _Tables:
    years = dict(inputs.years) if inputs.years is not None else reference_years(snapshot)
    wide = inputs.wide if inputs.wide is not None else wide_values(snapshot)
    reference = inputs.reference if inputs.reference is not None else reference_table(wide, years)
    codes = pd.Index(snapshot.municipalities["municipality_code"])
    population = inputs.population or population_in(population_history(snapshot.values), codes)
    raw = (
        inputs.structure
        if inputs.structure is not None
        else structural_table(snapshot.municipalities, reference, population.values)
    )
    if inputs.peers is not None:
        peers = inputs.peers
    else:
        peers = nearest_peers(standardise(raw), code, DEFAULT_WEIGHTS, DEFAULT_PEER_COUNT)
    present = inputs.present if inputs.present is not None else present_ids(snapshot)
    return _Tables(
        inputs=inputs,
        catalogue=snapshot.catalogue,
        years=years,
        wide=wide,
        reference=reference,
        population=population,
        names=kept(inputs.memo, ("names", lang), lambda: municipality_names(snapshot, lang)),
        raw=raw,
        weights=dict(inputs.weights or DEFAULT_WEIGHTS),
        peers=peers,
        present=present,
    )


def _groups(
    snapshot: Snapshot,
    code: str,
    lang: str,
    group: ComparisonGroup | None,
    tables: _Tables,
    every: bool = True,
) -> tuple[ComparisonGroup, dict[str, ComparisonGroup]]:
    """The comparison group (default: the municipality type) and, with ``every``, ``code``'s
    group of every grouping, described once: the ranks table and the facts (urban-rural group,
    size class) share them."""
    peer_codes = [str(c) for c in tables.peers["municipality_code"]]
    keys = tables.inputs.keys

    memo = tables.inputs.memo

    def described(kind: str) -> ComparisonGroup:
        labels = None
        if memo is not None and is_partition(kind):
            labels = kept(
                memo,
                ("key_labels", kind, lang),
                lambda: key_labels(snapshot.municipalities, kind, lang),
            )
        return describe_group(
            snapshot.municipalities,
            code,
            kind,
            lang,
            peers=peer_codes,
            names=tables.names,
            population=tables.population.values,
            population_year=tables.population.label_year,
            keys=keys(kind) if keys is not None and is_partition(kind) else None,
            labels=labels,
        )

    def describe(kind: str) -> ComparisonGroup:
        # A group of a partition is the same group for each of its members: described once
        # per language (a municipality without a key is alone in its own).
        if keys is None or memo is None or not is_partition(kind):
            return described(kind)
        key = keys(kind).get(code)
        if not isinstance(key, str):
            return described(kind)
        return kept(memo, ("group", kind, key, lang), lambda: described(kind))

    group = group or describe(DEFAULT_KIND)
    if not every:
        return group, {}
    return group, {kind: group if kind == group.kind else describe(kind) for kind in GROUP_KINDS}


def _who(snapshot, code, lang, tables: _Tables, groups, fmt, tr) -> dict[str, Any]:
    """Who the municipality is (facts, the type's uncertainty) and who resembles it (the
    similar municipalities, their table and the method), as :class:`ProfileView` fields."""
    memo = tables.inputs.memo
    municipalities = kept(
        memo,
        "municipalities_by_code",
        lambda: snapshot.municipalities.set_index("municipality_code"),
    )
    type_labels = kept(
        memo,
        ("key_labels", "municipality_type", lang),
        lambda: key_labels(snapshot.municipalities, "municipality_type", lang),
    )
    info = municipalities.loc[code]
    facts, type_note = _facts(info, tables.population, code, groups, type_labels, lang, fmt, tr)
    peers, raw, names = tables.peers, tables.raw, tables.names
    return {
        "facts": facts,
        "type_note": type_note,
        "peers": _peers(peers, raw, code, names[code], names, municipalities, type_labels, fmt, tr),
        "peer_method": _peer_method(raw, tables.weights, tables.years, fmt, tr),
    }


def _ranks(groups, numbers: ProfileNumbers, tr) -> list[GroupRank]:
    """The municipality's dimension ranks in every grouping."""
    result = []
    for kind, other in groups.items():
        other_summary = numbers.summary_in(kind, other.members)
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
