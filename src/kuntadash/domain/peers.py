"""Similar municipalities: statistical nearest neighbours on structural variables (domain layer).

Method, stated in the app next to the result:

1. Structural variables describe the conditions a municipality works in, not how well it does:
   population (the snapshot's own figures, latest year) and population density (that
   population over the land area in the municipalities table) and catalogue indicators in their
   reference year (``STRUCTURAL_VARIABLES``). Population and density are compared on a
   log scale (10 000 vs 20 000 residents differ as much as 100 000 vs 200 000).
2. Every variable is standardised over all municipalities (z-score: minus the mean, divided by
   the standard deviation), so one standard deviation counts the same in every variable.
3. Distance = the square root of the weighted mean of squared standardised differences over the
   variables both municipalities have (weight > 0). A candidate sharing less than half of the
   total weight with the municipality is not compared. Ties are broken by municipality code.
4. The reason a peer is similar: the variables (weight > 0) where the two differ least in
   standardised units, at most ``REASON_COUNT`` of them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from kuntadash import resources
from kuntadash.domain.catalogue import indicators_with_role
from kuntadash.domain.population import population_density

# The order of the weights in a shared link (URL ``pw``, one number per variable), kept in
# resources/peers.yaml: the variables named there keep their places when the catalogue is
# reordered, a structural indicator added to the catalogue goes after them.
LINK_ORDER: tuple[str, ...] = tuple(resources.read_peers_document()["link_order"])


def in_link_order(variables: Sequence[str]) -> tuple[str, ...]:
    """``variables`` with those in LINK_ORDER first, in its order; the rest after, as given."""
    position = {variable: i for i, variable in enumerate(LINK_ORDER)}
    return tuple(sorted(variables, key=lambda v: position.get(v, len(LINK_ORDER))))


# Population and density and the catalogue's indicators with the role "structural".
STRUCTURAL_VARIABLES: tuple[str, ...] = in_link_order(
    ("population", "population_density", *indicators_with_role("structural"))
)
# Not read from the reference table: population of the latest year and density from it.
REGISTER_VARIABLES = ("population", "population_density")
LOG_SCALED = ("population", "population_density")
DEFAULT_WEIGHTS: dict[str, float] = dict.fromkeys(STRUCTURAL_VARIABLES, 1.0)
DEFAULT_PEER_COUNT = 10
REASON_COUNT = 3
MIN_SHARED_WEIGHT = 0.5


def structural_table(
    municipalities: pd.DataFrame, reference: pd.DataFrame, population: pd.Series
) -> pd.DataFrame:
    """Raw structural variables: index municipality code, one column per variable available.

    ``reference`` is the reference-year table (index code, one column per indicator) and
    ``population`` the population by code (:func:`kuntadash.domain.population.population_in`);
    variables without any figure are left out rather than invented.
    """
    table = (
        municipalities.set_index("municipality_code")
        if "municipality_code" in municipalities.columns
        else municipalities
    )
    population = population.reindex(table.index).astype("float64")
    columns = {}
    if population.notna().any():
        columns["population"] = population
        columns["population_density"] = population_density(population, table["land_area_km2"])
    for variable in STRUCTURAL_VARIABLES:
        if variable not in REGISTER_VARIABLES and variable in reference.columns:
            columns[variable] = reference[variable].reindex(table.index).astype("float64")
    result = pd.DataFrame(columns, index=table.index)
    result.index.name = "municipality_code"
    return result


def standardise(table: pd.DataFrame, log_columns: tuple[str, ...] = LOG_SCALED) -> pd.DataFrame:
    """Z-scores of every column (log first for ``log_columns``; log of <= 0 is missing).

    A column with no spread gives 0 for everyone with a value (it separates no one).
    """
    result = {}
    for column in table.columns:
        values = table[column].astype("float64")
        if column in log_columns:
            values = np.log(values.where(values > 0))
        spread = values.std(ddof=0)
        centred = values - values.mean()
        result[column] = centred / spread if spread and spread > 0 else centred * 0.0
    return pd.DataFrame(result, index=table.index)


def _usable_weights(z: pd.DataFrame, weights: Mapping[str, float]) -> pd.Series:
    usable = pd.Series({v: float(weights.get(v, 0.0)) for v in z.columns}, dtype="float64").clip(
        lower=0
    )
    usable = usable[usable > 0]
    if usable.empty:
        raise ValueError("at least one structural variable needs a weight above zero")
    return usable


def peer_distances(z: pd.DataFrame, code: str, weights: Mapping[str, float]) -> pd.DataFrame:
    """Distance from ``code`` to every other municipality, with the shared weight share.

    Columns: ``distance`` (NaN when not comparable) and ``shared_weight`` (0–1).
    """
    w = _usable_weights(z, weights)
    own = z.loc[code, w.index]
    others = z.loc[z.index != code, w.index]
    diff_sq = (others - own) ** 2
    present = diff_sq.notna()
    shared = present.mul(w, axis=1).sum(axis=1)
    weighted = diff_sq.fillna(0.0).mul(w, axis=1).sum(axis=1)
    distance = np.sqrt(weighted / shared.where(shared > 0))
    share = shared / w.sum()
    distance = distance.where(share >= MIN_SHARED_WEIGHT)
    return pd.DataFrame({"distance": distance, "shared_weight": share})


def explain_similarity(
    z: pd.DataFrame,
    code: str,
    peer: str,
    weights: Mapping[str, float],
    count: int = REASON_COUNT,
) -> list[str]:
    """The variables (weight > 0, both present) where ``peer`` is closest to ``code``."""
    variables = _usable_weights(z, weights).index
    gaps = np.abs(
        z.loc[peer, variables].to_numpy("float64") - z.loc[code, variables].to_numpy("float64")
    )
    return _closest(variables, gaps, count)


def _closest(variables: pd.Index, gaps: np.ndarray, count: int) -> list[str]:
    """The ``count`` variables with the smallest gaps (missing left out), ties in the order of
    ``variables``."""
    order = np.argsort(gaps, kind="stable")  # NaN last
    return [str(variables[i]) for i in order if not np.isnan(gaps[i])][:count]


def nearest_peers(
    z: pd.DataFrame,
    code: str,
    weights: Mapping[str, float] | None = None,
    n: int = DEFAULT_PEER_COUNT,
) -> pd.DataFrame:
    """The ``n`` municipalities nearest to ``code``, nearest first.

    Columns: ``municipality_code``, ``distance``, ``shared_weight`` and ``similar_on`` (list of
    variable ids, closest first). Fewer than ``n`` rows when fewer are comparable.
    """
    weights = DEFAULT_WEIGHTS if weights is None else weights
    if z.columns.empty or code not in z.index:
        # no structural variable in the data (e.g. no population and no key figures): nobody
        # can be called similar
        return pd.DataFrame(
            columns=["municipality_code", "distance", "shared_weight", "similar_on"]
        )
    distances = peer_distances(z, code, weights).dropna(subset=["distance"])
    distances = distances.rename_axis("municipality_code").reset_index()
    nearest = distances.sort_values(["distance", "municipality_code"]).head(n)
    # explain_similarity for every peer at once
    variables = _usable_weights(z, weights).index
    own = z.loc[code, variables].to_numpy("float64")
    gaps = np.abs(z.loc[nearest["municipality_code"], variables].to_numpy("float64") - own)
    nearest["similar_on"] = [_closest(variables, row, REASON_COUNT) for row in gaps]
    return nearest.reset_index(drop=True)


def order_by_similarity(
    z: pd.DataFrame,
    code: str,
    candidates: Sequence[str],
    weights: Mapping[str, float] | None = None,
) -> list[str]:
    """``candidates`` (``code`` left out) from the most to the least similar to ``code``; those
    that cannot be compared come last in their given order. Ties are broken by code."""
    weights = DEFAULT_WEIGHTS if weights is None else weights
    others = [c for c in dict.fromkeys(candidates) if c != code]
    if z.columns.empty or code not in z.index:
        return others
    distance = peer_distances(z, code, weights)["distance"].reindex(others)
    comparable = sorted(
        (c for c in others if pd.notna(distance[c])), key=lambda c: (distance[c], c)
    )
    return comparable + [c for c in others if pd.isna(distance[c])]
