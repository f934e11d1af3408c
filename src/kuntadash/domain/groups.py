"""Comparison groups of municipalities: domain layer, pure pandas.

A comparison group answers "compared with whom?". The kinds are data:
``resources/groupings.yaml`` says, per kind, how a municipality gets its group key — a column
of the snapshot's municipalities table (type, region, sub-region, wellbeing services county), a
column whose values map to keys (Statistics Finland's urban / semi-urban / rural grouping),
population size classes (by the population the caller passes: the snapshot's own figures of one
year, see :mod:`kuntadash.domain.population`; without figures nobody has a size class), everyone
(``country``), or the municipality and its statistically nearest peers (``similar``, see
:mod:`kuntadash.domain.peers`). Adding a grouping is one entry there plus its texts.

A municipality without a key for a kind (e.g. a missing population) forms a one-member group, so
the app still shows it, and says so, instead of silently comparing it with nobody.

Labels and one-line definitions are translated with :func:`kuntadash.i18n.translate` (pure
Python), so charts and reports can use them without streamlit.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np
import pandas as pd

from kuntadash import resources
from kuntadash.i18n import translate

COUNTRY_KEY = "all"


@cache
def _registry() -> dict[str, Any]:
    return resources.read_resource_yaml("groupings.yaml")


def _kind(kind: str) -> dict[str, Any]:
    try:
        return _registry()["kinds"][kind]
    except KeyError:
        raise ValueError(f"{kind!r} is not a group kind (resources/groupings.yaml)") from None


def is_partition(kind: str) -> bool:
    """Whether ``kind`` splits the country into groups by a key (:func:`group_keys`); the
    similar municipalities are each municipality's own group instead."""
    return _kind(kind)["rule"] != "similar"


GROUP_KINDS: tuple[str, ...] = tuple(_registry()["profile_order"])
# Kinds that split the whole country into disjoint groups (the groups page offers these).
PARTITION_KINDS: tuple[str, ...] = tuple(_registry()["partition_order"])
DEFAULT_KIND: str = str(_registry()["default"])
# Statistics Finland's population size classes of municipalities: lower bound inclusive.
SIZE_CLASSES: tuple[tuple[str, float], ...] = tuple(
    (str(key), float(low)) for key, low in _registry()["kinds"]["size_class"]["classes"]
)


@dataclass(frozen=True)
class ComparisonGroup:
    """One comparison group as shown to a user."""

    kind: str  # one of GROUP_KINDS
    key: str  # the group's key within its kind ("" when the municipality has none)
    members: pd.Index  # municipality codes, the chosen municipality included
    label: str  # the group's name, e.g. "Seutukaupungit"
    definition: str  # one sentence: who is in it and by which classification


def _by_code(municipalities: pd.DataFrame) -> pd.DataFrame:
    if "municipality_code" in municipalities.columns:
        return municipalities.set_index("municipality_code")
    return municipalities


def size_class(
    population: pd.Series, classes: Sequence[tuple[str, float]] = SIZE_CLASSES
) -> pd.Series:
    """Population size class key of each municipality (missing population -> NaN)."""
    bounds = [low for _, low in classes] + [np.inf]
    labels = [key for key, _ in classes]
    classes = pd.cut(population.astype("float64"), bounds, right=False, labels=labels)
    return classes.astype("object").where(classes.notna(), np.nan)


def group_keys(
    municipalities: pd.DataFrame, kind: str, population: pd.Series | None = None
) -> pd.Series:
    """Group key of every municipality for a partitioning ``kind`` (NaN when unknown).

    ``population`` (code -> persons) is needed by population size classes only."""
    table = _by_code(municipalities)
    spec = _kind(kind)
    rule = spec["rule"]
    if rule in ("column", "mapped") and spec["column"] not in table.columns:
        # an older snapshot without this column: nobody has a group of this kind
        keys = pd.Series(np.nan, index=table.index)
    elif rule == "column":
        keys = table[spec["column"]]
    elif rule == "mapped":
        mapping = {int(k): str(v) for k, v in spec["keys"].items()}
        keys = (
            table[spec["column"]]
            .astype("float64")
            .map(lambda value: mapping.get(int(value)) if pd.notna(value) else np.nan)
        )
    elif rule == "population":
        population = pd.Series(np.nan, index=table.index) if population is None else population
        keys = size_class(population.reindex(table.index), _classes(spec))
    elif rule == "all":
        keys = pd.Series(COUNTRY_KEY, index=table.index)
    else:
        raise ValueError(f"{kind!r} is not a partitioning group kind")
    keys = keys.astype("object").where(keys.notna(), np.nan)
    keys.index.name = "municipality_code"
    return keys


def _classes(spec: Mapping[str, Any]) -> tuple[tuple[str, float], ...]:
    return tuple((str(key), float(low)) for key, low in spec["classes"])


def group_order(kind: str, keys: Sequence[str]) -> list[str]:
    """Display order of a kind's group keys (types and classes in their natural order)."""
    spec = _kind(kind)
    natural = spec.get("order")
    if natural is None and spec["rule"] == "mapped":
        natural = list(spec["keys"].values())
    if natural is None and spec["rule"] == "population":
        natural = [key for key, _ in _classes(spec)]
    present = [k for k in dict.fromkeys(keys) if isinstance(k, str)]
    if natural is None:
        return sorted(present)
    return [k for k in natural if k in present] + sorted(k for k in present if k not in natural)


def group_members(
    municipalities: pd.DataFrame,
    code: str,
    kind: str,
    peers: Sequence[str] | None = None,
    population: pd.Series | None = None,
    keys: pd.Series | None = None,
) -> pd.Index:
    """Codes of the municipalities in ``code``'s group of ``kind`` (``code`` included).

    ``keys``: :func:`group_keys` of ``kind``, when the caller already has them."""
    if not is_partition(kind):
        return pd.Index([code, *[p for p in (peers or ()) if p != code]], name="municipality_code")
    if keys is None:
        keys = group_keys(municipalities, kind, population)
    own = keys.get(code, np.nan)
    if not isinstance(own, str):
        return pd.Index([code], name="municipality_code")
    return pd.Index(keys.index[keys == own], name="municipality_code")


def type_labels(lang: str) -> dict[str, str]:
    """Names of the Kuntaliitto types in ``lang`` (from the types resource file), capitalised."""
    labels = resources.read_municipality_types_document().get("labels") or {}
    result = {}
    for key, texts in labels.items():
        text = str((texts or {}).get(lang) or (texts or {}).get("fi") or key)
        result[key] = text[:1].upper() + text[1:]
    return result


def key_labels(municipalities: pd.DataFrame, kind: str, lang: str) -> dict[str, str]:
    """Display name of every group key of ``kind`` in ``lang``."""
    spec = _kind(kind)
    rule = spec["rule"]
    if rule == "column" and spec.get("labels") == "types":
        return type_labels(lang)
    if rule == "column":
        table = _by_code(municipalities)
        names = str(spec["names"]).format(lang=lang)
        if spec["column"] not in table.columns or names not in table.columns:
            return {}
        pairs = table[[spec["column"], names]].drop_duplicates(spec["column"])
        return dict(zip(pairs[spec["column"]], pairs[names].astype(str), strict=True))
    if rule == "mapped":
        prefix = spec["labels"]
        return {str(key): translate(f"{prefix}.{key}", lang) for key in spec["keys"].values()}
    if rule == "population":
        return {key: translate(f"{spec['labels']}.{key}", lang) for key, _ in _classes(spec)}
    if rule == "all":
        return {COUNTRY_KEY: translate(f"groups.kind.{kind}", lang)}
    raise ValueError(f"{kind!r} has no fixed group keys")


def distinct_labels(
    labels: Mapping[str, str], taken: Iterable[str], qualifier: str
) -> dict[str, str]:
    """``labels`` with each one that equals a name in ``taken`` qualified, as in "Helsinki
    (seutukunta)": a sub-region is named after its centre, and where its line or column stands
    beside the municipality's own, the two must not share a name."""
    taken = set(taken)
    return {
        key: f"{label} ({qualifier})" if label in taken else label for key, label in labels.items()
    }


def describe_group(
    municipalities: pd.DataFrame,
    code: str,
    kind: str,
    lang: str,
    peers: Sequence[str] | None = None,
    names: Mapping[str, str] | None = None,
    population: pd.Series | None = None,
    population_year: int | None = None,
    keys: pd.Series | None = None,
    labels: Mapping[str, str] | None = None,
) -> ComparisonGroup:
    """``code``'s comparison group of ``kind`` with its translated label and definition.

    ``names`` (code -> municipality name) is used for the label of the ``similar`` group;
    ``population`` and ``population_year`` (the year of those figures) for ``size_class``;
    ``keys`` (:func:`group_keys` of ``kind`` for that population) and ``labels``
    (:func:`key_labels` of ``kind`` in ``lang``) save computing them again.
    """
    if keys is None and is_partition(kind):
        keys = group_keys(municipalities, kind, population)
    members = group_members(municipalities, code, kind, peers, population, keys)
    count = len(members)
    if not is_partition(kind):
        own = (names or {}).get(code, code)
        return ComparisonGroup(
            kind,
            code,
            members,
            translate("groups.similar_label", lang, name=own),
            translate("groups.definition.similar", lang, n=count - 1, name=own),
        )
    key = keys.get(code, np.nan)
    if not isinstance(key, str):
        return ComparisonGroup(
            kind,
            "",
            members,
            translate("groups.no_group", lang),
            translate("groups.definition.none", lang, kind=translate(f"groups.kind.{kind}", lang)),
        )
    if labels is None:
        labels = key_labels(municipalities, kind, lang)
    label = labels.get(key, key)
    definition = translate(f"groups.definition.{kind}", lang, group=label, n=count)
    if _kind(kind)["rule"] == "population" and population_year is not None:
        definition += " " + translate("groups.size_year", lang, year=population_year)
    return ComparisonGroup(kind, key, members, label, definition)
