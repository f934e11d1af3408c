"""What an import matches against: the division's codes and names, merger table, catalogue.

Built once per import from the bundled resources (and the existing snapshot, if any).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import pandas as pd

from kuntadash import resources
from kuntadash.domain.catalogue import series_breaks
from kuntadash.domain.harmonise import (
    DivisionChange,
    merger_map,
    read_division_changes,
    read_first_division_year,
)
from kuntadash.domain.population import population_history
from kuntadash.i18n import LANGUAGES
from kuntadash.importing.text import normalise_label
from kuntadash.sources.statfi_keyfigures import label_key, label_without_unit

SUPPORTED_DIVISION_YEARS = (2025, 2026)
# Area rows of statistical tables that are not municipalities: skipped and reported, not errors.
AGGREGATE_NAMES = frozenset(
    normalise_label(n)
    for n in (
        "WHOLE COUNTRY",
        "KOKO MAA",
        "HELA LANDET",
        "Koko maa",
        "Finland",
        "Suomi",
        "Mainland Finland",
        "Manner-Suomi",
        "Fasta Finland",
        "Ahvenanmaa",
        "Åland",
    )
)


@dataclass
class ImportContext:
    """Codes and names of the target division and the catalogue entries known to the import."""

    division_year: int
    register: pd.DataFrame
    changes: list[DivisionChange]
    catalogue: dict[str, dict[str, Any]]  # indicator id -> catalogue document entry
    names: dict[str, set[str]] = field(default_factory=dict)  # normalised name -> codes
    aggregates: set[str] = field(default_factory=set)
    # Population figures already in the snapshot being extended (index code, one column per
    # year): what per-resident figures derived during the import are divided by.
    population: pd.DataFrame = field(default_factory=pd.DataFrame)
    first_division_year: int | None = None  # the merger table is complete from this division

    # Options of this import (``kuntadash data import --year`` / ``--replace-indicator``).
    figures_year: int | None = None
    # Whether a blank new value may replace an existing figure (pipeline.assemble).
    allow_blanking: bool = False
    replace_indicators: frozenset[str] = frozenset()
    figures_year_used: bool = False
    # Sotkanet region id -> municipality code, from a regions list among the import's files.
    sotkanet_regions: dict[int, str] | None = None
    _labels: dict[str, str] | None = field(default=None, repr=False)

    # The register and merger table do not change during an import, and these are asked once
    # per row: computed once, so reading a table stays linear in its rows.
    @cached_property
    def codes(self) -> frozenset[str]:
        return frozenset(self.register["municipality_code"])

    @cached_property
    def mapping(self) -> dict[str, str]:
        return merger_map(self.changes, self.division_year)

    def known_code(self, code: str) -> bool:
        return code in self.codes or code in self.mapping

    def add_catalogue_entry(self, entry: Mapping[str, Any]) -> None:
        self.catalogue[str(entry["id"])] = dict(entry)
        self._labels = None

    def indicator_by_source_code(self, code: str, adapters: tuple[str, ...] = ()) -> str | None:
        """The catalogue id whose source code is ``code`` (optionally of the given adapters)."""
        wanted = str(code).strip()
        for ident, entry in self.catalogue.items():
            source = entry.get("source") or {}
            if adapters and source.get("adapter") not in adapters:
                continue
            own = str(source.get("code") or "")
            if own and (own == wanted or own.split("-")[-1] == wanted.split("-")[-1]):
                return ident
        return None

    def indicator_by_label(self, label: str) -> str | None:
        """The catalogue id whose name (any language), id or listed column label is ``label``,
        compared by ``label_key`` (case, whitespace, dashes and punctuation around the unit do not
        matter); failing that, the label without its unit ("Työllisyysaste (%)")."""
        if self._labels is None:
            self._labels = self._label_index()
        return self._labels.get(label_key(label)) or self._labels.get(
            label_key(label_without_unit(label))
        )

    def _label_index(self) -> dict[str, str]:
        index: dict[str, str] = {}
        for ident, entry in self.catalogue.items():
            candidates = [ident, *(entry.get("name") or {}).values(), *(entry.get("columns") or [])]
            for candidate in candidates:
                # the first indicator to claim a label keeps it (bundled entries come first)
                index.setdefault(label_key(candidate), ident)
        index.pop("", None)
        return index


def build_context(
    division_year: int,
    existing_catalogue: pd.DataFrame | None = None,
    existing_values: pd.DataFrame | None = None,
    register: pd.DataFrame | None = None,
) -> ImportContext:
    """What an import of the ``division_year`` division matches against: the bundled register
    (or ``register``), the merger table, the catalogue (and the existing snapshot's entries and
    population figures)."""
    if register is None:
        register = resources.read_municipality_register(division_year)
    division_document = resources.read_resource_yaml("division_changes.yaml")
    changes = read_division_changes(division_document)
    document = resources.read_indicator_catalogue_document()
    catalogue = {str(e["id"]): dict(e) for e in document.get("indicators") or []}
    if existing_catalogue is not None and len(existing_catalogue):
        for row in existing_catalogue.to_dict("records"):
            if row["id"] not in catalogue:
                catalogue[str(row["id"])] = entry_from_catalogue_row(row)
    context = ImportContext(division_year, register, changes, catalogue)
    if existing_values is not None:
        context.population = population_history(existing_values)
    context.first_division_year = read_first_division_year(division_document)
    for row in register.itertuples():
        for name in (row.name_fi, row.name_sv):
            if isinstance(name, str) and name.strip():
                context.names.setdefault(normalise_label(name), set()).add(row.municipality_code)
    for change in changes:
        if change.year > division_year:
            continue
        for name in (change.name_fi, change.name_sv):
            if name:
                context.names.setdefault(normalise_label(name), set()).add(change.absorbed)
    context.aggregates = set(AGGREGATE_NAMES)
    for column in (f"region_name_{lang}" for lang in LANGUAGES):
        context.aggregates |= {normalise_label(n) for n in register[column].dropna()}
    return context


def entry_from_catalogue_row(row: Mapping[str, Any]) -> dict[str, Any]:
    """A catalogue document entry rebuilt from a flat catalogue.parquet row."""
    return {
        "id": row["id"],
        "dimension": row["dimension"],
        "decimals": int(row["decimals"]),
        "direction": row["direction"],
        "aggregation": row["aggregation"],
        "cadence": row.get("cadence"),
        **{
            f: {lang: row.get(f"{f}_{lang}", "") for lang in LANGUAGES}
            for f in ("name", "definition", "interpretation", "unit")
        },
        # a missing table or code is NaN in the parquet row, and would read back as "nan"
        "source": {
            k: None if pd.isna(row.get(k)) else row.get(k)
            for k in ("publisher", "adapter", "table", "code", "licence")
        },
        "valid_range": [float(row["valid_min"]), float(row["valid_max"])],
        "direction_note": {
            lang: _optional_text(row.get(f"direction_note_{lang}")) for lang in LANGUAGES
        },
        "breaks": [{"year": item.year, "reason": dict(item.reason)} for item in series_breaks(row)],
    }


def _optional_text(value: Any) -> str:
    return value if isinstance(value, str) else ""
