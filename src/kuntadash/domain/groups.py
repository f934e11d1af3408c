"""Comparison groups of municipalities: domain layer, pure pandas.

A comparison group answers "compared with whom?". Every kind maps each municipality to one group
key from columns of the snapshot's municipalities table, except ``similar`` (the municipality and
its statistically nearest peers, see :mod:`kuntadash.domain.peers`) and ``country`` (everyone):

- ``municipality_type``: the Kuntaliitto network type (``municipality_type`` column, assignments
  in resources/municipality_types_2025.yaml);
- ``region``: the region (maakunta, ``region_code``);
- ``wellbeing_county``: the wellbeing services county (``wellbeing_county_code``);
- ``urban_rural``: Statistics Finland's statistical grouping of municipalities (urban,
  semi-urban, rural; ``urban_rural_group`` 1 / 2 / 3);
- ``size_class``: population size class, Statistics Finland's bounds (``SIZE_CLASSES``), by the
  population the caller passes (the snapshot's own ``population`` figures of one year, see
  :mod:`kuntadash.domain.population`); without population figures nobody has a size class;
- ``country``: all municipalities of the division;
- ``similar``: the municipality and its N most similar municipalities.

A municipality without a key for a kind (e.g. a missing population) forms a one-member group, so
the app still shows it, and says so, instead of silently comparing it with nobody.

Labels and one-line definitions are translated with :func:`kuntadash.i18n.translate` (pure
Python), so charts and reports can use them without streamlit.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from kuntadash import resources
from kuntadash.i18n import translate

GROUP_KINDS = (
    "municipality_type",
    "region",
    "wellbeing_county",
    "urban_rural",
    "size_class",
    "country",
    "similar",
)
# Kinds that split the whole country into disjoint groups (the groups page offers these).
PARTITION_KINDS = ("municipality_type", "urban_rural", "size_class", "region", "wellbeing_county")
DEFAULT_KIND = "municipality_type"
COUNTRY_KEY = "all"

URBAN_RURAL = {1: "urban", 2: "semi_urban", 3: "rural"}
# Statistics Finland's population size classes of municipalities: lower bound inclusive.
SIZE_CLASSES: tuple[tuple[str, float], ...] = (
    ("under_2000", 0),
    ("2000_4999", 2_000),
    ("5000_9999", 5_000),
    ("10000_19999", 10_000),
    ("20000_49999", 20_000),
    ("50000_99999", 50_000),
    ("100000_plus", 100_000),
)
_TYPE_ORDER = ("large_city", "regional_city", "frame", "small_rural")


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


def size_class(population: pd.Series) -> pd.Series:
    """Population size class key of each municipality (missing population -> NaN)."""
    bounds = [low for _, low in SIZE_CLASSES] + [np.inf]
    labels = [key for key, _ in SIZE_CLASSES]
    classes = pd.cut(population.astype("float64"), bounds, right=False, labels=labels)
    return classes.astype("object").where(classes.notna(), np.nan)


def group_keys(
    municipalities: pd.DataFrame, kind: str, population: pd.Series | None = None
) -> pd.Series:
    """Group key of every municipality for a partitioning ``kind`` (NaN when unknown).

    ``population`` (code -> persons) is needed by ``size_class`` only."""
    table = _by_code(municipalities)
    if kind == "municipality_type":
        keys = table["municipality_type"]
    elif kind == "region":
        keys = table["region_code"]
    elif kind == "wellbeing_county":
        keys = table["wellbeing_county_code"]
    elif kind == "urban_rural":
        keys = (
            table["urban_rural_group"]
            .astype("float64")
            .map(lambda value: URBAN_RURAL.get(int(value)) if pd.notna(value) else np.nan)
        )
    elif kind == "size_class":
        population = (
            pd.Series(np.nan, index=table.index) if population is None else population
        )
        keys = size_class(population.reindex(table.index))
    elif kind == "country":
        keys = pd.Series(COUNTRY_KEY, index=table.index)
    else:
        raise ValueError(f"{kind!r} is not a partitioning group kind")
    keys = keys.astype("object").where(keys.notna(), np.nan)
    keys.index.name = "municipality_code"
    return keys


def group_order(kind: str, keys: Sequence[str]) -> list[str]:
    """Display order of a kind's group keys (types and classes in their natural order)."""
    natural = {
        "municipality_type": _TYPE_ORDER,
        "urban_rural": tuple(URBAN_RURAL.values()),
        "size_class": tuple(key for key, _ in SIZE_CLASSES),
    }.get(kind)
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
) -> pd.Index:
    """Codes of the municipalities in ``code``'s group of ``kind`` (``code`` included)."""
    if kind == "similar":
        return pd.Index([code, *[p for p in (peers or ()) if p != code]], name="municipality_code")
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
    table = _by_code(municipalities)
    if kind == "municipality_type":
        return type_labels(lang)
    if kind in ("region", "wellbeing_county"):
        prefix = "region" if kind == "region" else "wellbeing_county"
        pairs = table[[f"{prefix}_code", f"{prefix}_name_{lang}"]].drop_duplicates()
        codes, names = pairs[f"{prefix}_code"], pairs[f"{prefix}_name_{lang}"].astype(str)
        return dict(zip(codes, names, strict=True))
    if kind == "urban_rural":
        return {key: translate(f"groups.urban_rural.{key}", lang) for key in URBAN_RURAL.values()}
    if kind == "size_class":
        return {key: translate(f"groups.size.{key}", lang) for key, _ in SIZE_CLASSES}
    if kind == "country":
        return {COUNTRY_KEY: translate("groups.kind.country", lang)}
    raise ValueError(f"{kind!r} has no fixed group keys")


def describe_group(
    municipalities: pd.DataFrame,
    code: str,
    kind: str,
    lang: str,
    peers: Sequence[str] | None = None,
    names: Mapping[str, str] | None = None,
    population: pd.Series | None = None,
    population_year: int | None = None,
) -> ComparisonGroup:
    """``code``'s comparison group of ``kind`` with its translated label and definition.

    ``names`` (code -> municipality name) is used for the label of the ``similar`` group;
    ``population`` and ``population_year`` (the year of those figures) for ``size_class``.
    """
    members = group_members(municipalities, code, kind, peers, population)
    count = len(members)
    if kind == "similar":
        own = (names or {}).get(code, code)
        return ComparisonGroup(
            kind,
            code,
            members,
            translate("groups.similar_label", lang, name=own),
            translate("groups.definition.similar", lang, n=count - 1, name=own),
        )
    keys = group_keys(municipalities, kind, population)
    key = keys.get(code, np.nan)
    if not isinstance(key, str):
        return ComparisonGroup(
            kind,
            "",
            members,
            translate("groups.no_group", lang),
            translate("groups.definition.none", lang, kind=translate(f"groups.kind.{kind}", lang)),
        )
    label = key_labels(municipalities, kind, lang).get(key, key)
    definition = translate(f"groups.definition.{kind}", lang, group=label, n=count)
    if kind == "size_class" and population_year is not None:
        definition += " " + translate("groups.size_year", lang, year=population_year)
    return ComparisonGroup(kind, key, members, label, definition)
