"""What a municipality profile is built from: the snapshot's tables, which the app caches and
passes in, and the helpers that compute them otherwise (views layer)."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

import pandas as pd

from kuntadash.domain.groups import DEFAULT_KIND, ComparisonGroup, describe_group
from kuntadash.domain.population import PopulationYear
from kuntadash.domain.scores import DimensionScores
from kuntadash.domain.stats import latest_common_years
from kuntadash.store import Snapshot

T = TypeVar("T")


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
    # provenance.value_source_ids: (indicator id, year) -> the source ids of its values
    source_ids: Mapping[tuple[str, int], tuple[str, ...]] | None = None
    # Where profiles built from these same tables keep what they share (a comparison group's
    # figures, the labels of a language): a dict that lives as long as the tables do (one
    # build of the static pages); None keeps nothing, each profile computes its own.
    memo: dict[Hashable, Any] | None = None


def kept(memo: dict[Hashable, Any] | None, key: Hashable, compute: Callable[[], T]) -> T:
    """``compute()``, computed once per ``memo`` (:attr:`ProfileInputs.memo`) and ``key``;
    every time when there is no memo. ``key`` names everything the result depends on beyond
    the tables the memo belongs with. Treat the result as read-only: it is shared."""
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    return memo[key]


def reference_years(snapshot: Snapshot) -> dict[str, int]:
    """Each indicator's latest year with data for at least half the municipalities."""
    return latest_common_years(snapshot.values)


def present_ids(snapshot: Snapshot) -> frozenset[str]:
    """Ids of the indicators with at least one value (not all missing) in ``snapshot``."""
    values = snapshot.values
    return frozenset(values.loc[values["value"].notna(), "indicator_id"].unique())


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
