"""Cached reads of the served snapshot (UI layer).

The snapshot is read once per process and shared by every session (``cache_resource``: the
tables are treated as read-only, never mutated by pages). The snapshot's content hash is part of
every cache key, so an update or import is picked up on the next rerun.
"""

from __future__ import annotations

import gc
import json
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from kuntadash.store import Snapshot, read_manifest, read_snapshot
from kuntadash.store.locations import default_data_dir, sample_dir
from kuntadash.urlkeys import SAMPLE_DATASET

# The dataset choice (a link value) that opens the sample.
SAMPLE_CHOICE = SAMPLE_DATASET

_LOG = logging.getLogger(__name__)


def data_dir() -> Path:
    """The snapshot the app serves: ``$KUNTADASH_DATA_DIR``, else the repository's ``data/``.
    Updates and imports write here, whatever a session looks at."""
    return default_data_dir()


def viewed_dir() -> Path:
    """The snapshot this session looks at: the served one, or the made-up sample when the
    visitor chose it (a per-session choice; it changes nothing for other visitors)."""
    from kuntadash.ui import state

    if st.session_state.get(state.DATASET_KEY) == SAMPLE_CHOICE and sample_dir().is_dir():
        return sample_dir()
    return data_dir()


def snapshot_version(folder: Path) -> str:
    """Cheap per-rerun read of the manifest's content hash (the cache key)."""
    return str(read_manifest(folder).get("data_hash", ""))


@st.cache_resource(show_spinner=False, max_entries=4)
def _load_snapshot(folder: str, version: str) -> Snapshot:
    return read_snapshot(Path(folder))


def load_snapshot() -> Snapshot:
    """The snapshot this session looks at (see :func:`viewed_dir`), read once per process."""
    folder = viewed_dir()
    return _load_snapshot(str(folder), snapshot_version(folder))


def load_served_snapshot() -> Snapshot:
    """The served snapshot, whatever this session looks at."""
    folder = data_dir()
    return _load_snapshot(str(folder), snapshot_version(folder))


@st.cache_resource(show_spinner=False, max_entries=1)
def _settle_heap(version: str) -> str:
    # NOTE: Streamlit collects garbage after every script run (runner.postScriptGC). A full
    # collection walks every tracked object, and most of them are the libraries, the snapshot and
    # the caches, which live as long as the process: about 0.08 s of each 0.18 s rerun on this
    # machine. Freezing them moves them out of the collector's walk; the per-run garbage is still
    # collected. Unfreezing first lets the previous snapshot's objects go after an update.
    gc.unfreeze()
    gc.collect()
    gc.freeze()
    _LOG.info(
        "Settled %d long-lived objects for snapshot version %s", gc.get_freeze_count(), version
    )
    return version


def settle_heap(served: Snapshot) -> None:
    """Once per process and version of the ``served`` snapshot, after a run that built the
    caches: move the long-lived objects out of the garbage collector's per-rerun walk (see
    ``_settle_heap``). Only where Streamlit collects after each run (``runner.postScriptGC``,
    on by default): without that collection there is no walk to make cheaper."""
    if st.get_option("runner.postScriptGC"):
        _settle_heap(served.version)


@st.cache_resource(show_spinner=False, max_entries=4)
def _load_problems(folder: str, version: str) -> tuple[str, ...]:
    from kuntadash.store.validate import validate_snapshot

    problems = tuple(map(str, validate_snapshot(_load_snapshot(folder, version))))
    if problems:
        # The page shows a path-free notice; the operator finds the reasons here.
        _LOG.error("The snapshot in %s fails validation:\n%s", folder, "\n".join(problems))
    return problems


def load_problems(snapshot: Snapshot) -> tuple[str, ...]:
    """Why ``validate_snapshot`` rejects the served snapshot (empty when it is valid): the app
    serves only what ``kuntadash data check`` accepts. Checked once per snapshot version."""
    return _load_problems(str(snapshot.path), snapshot.version)


@st.cache_resource(show_spinner=False, max_entries=4)
def _load_present_ids(folder: str, version: str) -> frozenset[str]:
    from kuntadash.views.profile.inputs import present_ids

    return present_ids(_load_snapshot(folder, version))


def load_present_ids(snapshot: Snapshot) -> frozenset[str]:
    """Ids of the indicators with at least one value (not all missing) in the snapshot."""
    if snapshot.path is None:  # built in memory, not served from a folder
        from kuntadash.views.profile.inputs import present_ids

        return present_ids(snapshot)
    return _load_present_ids(str(snapshot.path), snapshot.version)


@st.cache_resource(show_spinner=False, max_entries=4)
def _load_geojson(folder: str, version: str) -> dict[str, Any]:
    boundaries = _load_snapshot(folder, version).boundaries
    # Feature ids are the municipality codes, so plotly joins on them directly.
    collection = json.loads(boundaries.set_index("municipality_code").to_json(drop_id=False))
    for feature in collection["features"]:
        feature["properties"] = {}
    return collection


def load_geojson(snapshot: Snapshot) -> dict[str, Any]:
    """Boundaries as a GeoJSON dict keyed by municipality code (shared, do not mutate)."""
    return _load_geojson(str(snapshot.path), snapshot.version)


@st.cache_resource(show_spinner=False, max_entries=4)
def _load_map_geometry(folder: str, version: str) -> Any:
    from kuntadash.i18n import LANGUAGES
    from kuntadash.views.map import map_geometry

    snapshot = _load_snapshot(folder, version)
    table = snapshot.municipalities.set_index("municipality_code")
    # The names a reader of each language sees (as ``widgets.municipality_names``).
    names = {
        lang: table["name_sv" if lang == "sv" else "name_fi"].fillna(table["name_fi"]).astype(str)
        for lang in LANGUAGES
    }
    return map_geometry(snapshot.boundaries, names)


def load_map_geometry(snapshot: Snapshot) -> Any:
    """The overview map's outlines and names (a ``views.map.MapGeometry``), built once per
    snapshot version and shared by every session."""
    return _load_map_geometry(str(snapshot.path), snapshot.version)


@st.cache_resource(show_spinner=False, max_entries=4)
def _load_wide_values(folder: str, version: str) -> pd.DataFrame:
    values = _load_snapshot(folder, version).values
    return values.pivot(index=["municipality_code", "year"], columns="indicator_id", values="value")


def load_wide_values(snapshot: Snapshot) -> pd.DataFrame:
    """Values as one column per indicator, indexed by (municipality_code, year)."""
    return _load_wide_values(str(snapshot.path), snapshot.version)


@st.cache_resource(show_spinner=False, max_entries=4)
def _load_reference_years(folder: str, version: str) -> dict[str, int]:
    from kuntadash.views.profile.inputs import reference_years

    return reference_years(_load_snapshot(folder, version))


def load_reference_years(snapshot: Snapshot) -> dict[str, int]:
    """Each indicator's latest year with data for at least half the municipalities."""
    return _load_reference_years(str(snapshot.path), snapshot.version)


@st.cache_resource(show_spinner=False, max_entries=4)
def _load_population_history(folder: str, version: str) -> pd.DataFrame:
    from kuntadash.domain.population import population_history

    return population_history(_load_snapshot(folder, version).values)


def load_population_history(snapshot: Snapshot) -> pd.DataFrame:
    """The snapshot's population figures: index code, one column per year (shared)."""
    return _load_population_history(str(snapshot.path), snapshot.version)


@st.cache_resource(show_spinner=False, max_entries=32)
def _load_population_weights(folder: str, version: str, years: tuple[int, ...]) -> pd.DataFrame:
    from kuntadash.domain.population import population_by_year

    history = _load_population_history(folder, version)
    municipalities = _load_snapshot(folder, version).municipalities
    codes = pd.Index(municipalities["municipality_code"]).union(history.index)
    return population_by_year(history, codes, list(years))


def load_population_weights(snapshot: Snapshot, codes: pd.Index, years: list[int]) -> pd.DataFrame:
    """``domain.population.population_by_year`` of ``codes`` (shared, do not mutate): each
    municipality's weight depends on its own figures only, so the table of every municipality
    is built once per snapshot version and set of years (65 ms per groups-page run otherwise)."""
    table = _load_population_weights(
        str(snapshot.path), snapshot.version, tuple(int(y) for y in years)
    )
    return table.reindex(codes)


@st.cache_resource(show_spinner=False, max_entries=4)
def _load_population(folder: str, version: str) -> Any:
    from kuntadash.domain.population import population_in

    codes = pd.Index(_load_snapshot(folder, version).municipalities["municipality_code"])
    return population_in(_load_population_history(folder, version), codes)


def load_population(snapshot: Snapshot) -> Any:
    """Population of every municipality in the latest year with figures (a PopulationYear;
    the basis of size classes, density and similar municipalities)."""
    return _load_population(str(snapshot.path), snapshot.version)


@st.cache_resource(show_spinner=False, max_entries=4)
def _load_value_sources(folder: str, version: str) -> dict[tuple[str, int], tuple[str, ...]]:
    from kuntadash.provenance import value_source_ids

    return value_source_ids(_load_snapshot(folder, version).values)


def load_value_sources(snapshot: Snapshot) -> dict[tuple[str, int], tuple[str, ...]]:
    """(indicator id, year) -> ids of the manifest sources its values came from (shared)."""
    if snapshot.path is None:  # built in memory (tests, the brief): not cached
        from kuntadash.provenance import value_source_ids

        return value_source_ids(snapshot.values)
    return _load_value_sources(str(snapshot.path), snapshot.version)


# --- Comparison tables: computed once per snapshot version ----------------------------------


@st.cache_resource(show_spinner=False, max_entries=4)
def _load_reference_table(folder: str, version: str) -> pd.DataFrame:
    from kuntadash.domain.stats import reference_table

    return reference_table(
        _load_wide_values(folder, version), _load_reference_years(folder, version)
    )


def load_reference_table(snapshot: Snapshot) -> pd.DataFrame:
    """Each indicator's values in its reference year: index municipality code (shared)."""
    return _load_reference_table(str(snapshot.path), snapshot.version)


@st.cache_resource(show_spinner=False, max_entries=4)
def _load_structure(folder: str, version: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    from kuntadash.domain.peers import standardise, structural_table

    raw = structural_table(
        _load_snapshot(folder, version).municipalities,
        _load_reference_table(folder, version),
        _load_population(folder, version).values,
    )
    return raw, standardise(raw)


def load_structure(snapshot: Snapshot) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Structural variables for similar municipalities: (raw values, standardised)."""
    return _load_structure(str(snapshot.path), snapshot.version)


@st.cache_resource(show_spinner=False, max_entries=16)
def _load_group_keys(folder: str, version: str, kind: str) -> pd.Series:
    from kuntadash.domain.groups import group_keys

    snapshot = _load_snapshot(folder, version)
    return group_keys(snapshot.municipalities, kind, _load_population(folder, version).values)


def load_group_keys(snapshot: Snapshot, kind: str) -> pd.Series:
    """Every municipality's group key of the partitioning ``kind``, size classes by the latest
    population figures (shared, do not mutate)."""
    return _load_group_keys(str(snapshot.path), snapshot.version, kind)


@st.cache_resource(show_spinner=False, max_entries=16)
def _load_partition_scores(folder: str, version: str, kind: str) -> Any:
    from kuntadash.domain.scores import score_dimensions

    snapshot = _load_snapshot(folder, version)
    reference = _load_reference_table(folder, version)
    keys = _load_group_keys(folder, version, kind)
    return score_dimensions(reference, snapshot.catalogue, keys.index, groups=keys)


def load_partition_scores(snapshot: Snapshot, kind: str) -> Any:
    """Dimension scores of every municipality within its own group of ``kind`` (shared)."""
    return _load_partition_scores(str(snapshot.path), snapshot.version, kind)


@st.cache_resource(show_spinner=False, max_entries=4)
def _load_value_formats(folder: str, version: str) -> dict[str, tuple[int, dict[str, str]]]:
    from kuntadash.i18n import LANGUAGES

    catalogue = _load_snapshot(folder, version).catalogue
    return {
        str(row["id"]): (
            int(row["decimals"]) if pd.notna(row["decimals"]) else 0,
            {lang: str(row[f"unit_{lang}"]) for lang in LANGUAGES},
        )
        for _, row in catalogue.iterrows()
    }


def describe_comparison_group(
    snapshot: Snapshot, code: str, kind: str, lang: str, peers: Sequence[str] | None
) -> Any:
    """``code``'s ``domain.groups.ComparisonGroup`` of ``kind``, labelled in ``lang``; size
    classes by the snapshot's latest population figures (``peers``: the similar municipalities
    in use)."""
    from kuntadash.domain.groups import describe_group, is_partition
    from kuntadash.views.profile import municipality_names

    population = load_population(snapshot)
    return describe_group(
        snapshot.municipalities,
        code,
        kind,
        lang,
        peers=peers,
        names=municipality_names(snapshot, lang),
        population=population.values,
        population_year=population.label_year,
        keys=load_group_keys(snapshot, kind) if is_partition(kind) else None,
    )


@st.cache_resource(show_spinner=False, max_entries=48)
def _load_profile(
    folder: str,
    version: str,
    code: str,
    lang: str,
    kind: str,
    weights: tuple[tuple[str, float], ...],
    count: int,
) -> tuple[Any, Any]:
    from kuntadash.domain.groups import is_partition
    from kuntadash.domain.peers import nearest_peers
    from kuntadash.domain.scores import score_dimensions
    from kuntadash.views.profile import ProfileInputs, build_profile_view

    snapshot = _load_snapshot(folder, version)
    structure, standardised = load_structure(snapshot)
    peers = nearest_peers(standardised, code, dict(weights), count)
    group = describe_comparison_group(
        snapshot, code, kind, lang, peers["municipality_code"].tolist()
    )

    def scores(kind: str, members: pd.Index) -> Any:
        # the cached tables of the fixed groupings; the similar municipalities over their members
        if not is_partition(kind):
            return score_dimensions(load_reference_table(snapshot), snapshot.catalogue, members)
        return load_partition_scores(snapshot, kind)

    view = build_profile_view(
        snapshot,
        code,
        lang,
        group,
        ProfileInputs(
            years=load_reference_years(snapshot),
            wide=load_wide_values(snapshot),
            reference=load_reference_table(snapshot),
            population=load_population(snapshot),
            structure=structure,
            peers=peers,
            weights=dict(weights),
            scores=scores,
            keys=lambda kind: load_group_keys(snapshot, kind),
            present=load_present_ids(snapshot),
            source_ids=load_value_sources(snapshot),
        ),
    )
    return group, view


def load_profile(
    snapshot: Snapshot, code: str, lang: str, kind: str, weights: dict[str, float], count: int
) -> tuple[Any, Any]:
    """The municipality's comparison group of ``kind`` and its whole profile (a
    ``views.profile.ProfileView``, with the similar municipalities of ``weights`` and ``count``),
    built once per snapshot version and choice and shared between sessions: never mutate them.
    Building it was the heaviest work of any page (0.3 s); a visitor going back and forth, or the
    next visitor opening the same municipality, finds it ready."""
    return _load_profile(
        str(snapshot.path), snapshot.version, code, lang, kind, tuple(weights.items()), count
    )


# The latest table of each kind, by (folder, version): see load_value_formats.
_LATEST: dict[str, tuple[tuple[str, str], Any]] = {}


def _latest(kind: str, snapshot: Snapshot, build: Any) -> Any:
    """``build(folder, version)`` (an st.cache_resource function) for ``snapshot``, kept in a
    plain dict too for lookups made many times per rerun: st.cache_resource hashes its arguments
    on every call (~0.2 ms)."""
    key = (str(snapshot.path), snapshot.version)
    hit = _LATEST.get(kind)
    if hit is None or hit[0] != key:
        hit = (key, build(*key))
        _LATEST[kind] = hit
    return hit[1]


def load_value_formats(snapshot: Snapshot) -> dict[str, tuple[int, dict[str, str]]]:
    """Decimals and unit in each language of every indicator, by id (shared, do not mutate).

    Formatting goes through this table: looking the catalogue row up once per value (308 times
    per map rerun) cost more than the rest of the overview page's Python together; the lookup
    itself is a plain dict's (see :func:`_latest`; 60 ms per overview rerun otherwise).
    """
    return _latest("value_formats", snapshot, _load_value_formats)


@st.cache_resource(show_spinner=False, max_entries=4)
def _load_catalogue_rows(folder: str, version: str) -> dict[str, pd.Series]:
    catalogue = _load_snapshot(folder, version).catalogue
    return {str(row["id"]): row for _, row in catalogue.iterrows()}


def load_catalogue_rows(snapshot: Snapshot) -> dict[str, pd.Series]:
    """The catalogue row of every indicator, by id (shared, do not mutate): a page asks for
    several rows per rerun, and selecting one from the catalogue costs about 1 ms each time."""
    return _latest("catalogue_rows", snapshot, _load_catalogue_rows)


@st.cache_resource(show_spinner=False, max_entries=12)
def _load_choice_labels(folder: str, version: str, lang: str) -> dict[str, str]:
    from kuntadash.views.municipalities import choice_labels

    return choice_labels(_load_snapshot(folder, version).municipalities, lang)


def load_choice_labels(snapshot: Snapshot, lang: str) -> dict[str, str]:
    """Municipality option labels in ``lang`` ('Närpiö – Närpes'), in the order offered
    (shared, do not mutate)."""
    if snapshot.path is None:  # built in memory, not served from a folder
        from kuntadash.views.municipalities import choice_labels

        return choice_labels(snapshot.municipalities, lang)
    return _load_choice_labels(str(snapshot.path), snapshot.version, lang)


@st.cache_resource(show_spinner=False, max_entries=12)
def _load_formatter(folder: str, version: str, lang: str) -> Any:
    from kuntadash.views.format import Formatter

    return Formatter.from_catalogue(_load_snapshot(folder, version).catalogue, lang)


def load_formatter(snapshot: Snapshot, lang: str) -> Any:
    """The :class:`~kuntadash.views.format.Formatter` of the snapshot's catalogue in ``lang``."""
    if snapshot.path is None:  # built in memory, not served from a folder
        from kuntadash.views.format import Formatter

        return Formatter.from_catalogue(snapshot.catalogue, lang)
    return _load_formatter(str(snapshot.path), snapshot.version, lang)
