"""Source steps: one function per adapter, all with one signature, registered from data.

``resources/sources.yaml`` names, per publisher, the adapters it serves and the function that
fetches them (``adapters: {pxweb: "kuntadash.sources.pxweb:fetch_step"}``; ``null`` when the
adapter's indicators come only from imported files). A step receives the catalogue entries of
its adapter and returns tidy values (with ``source_id``), the entries it could not fetch, and
what to record in the manifest. Adding a publisher is one module with a step plus one entry in
sources.yaml (see docs/DATA.md).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from kuntadash import resources

Progress = Callable[[str, float], None]
TIDY_COLUMNS = ("municipality_code", "indicator_id", "year", "value", "source_id")


@dataclass
class StepContext:
    """What a source step gets: the fetcher, the division and the entries to fetch."""

    fetcher: Any
    division_year: int
    codes: list[str]  # municipality codes of the division
    entries: list[dict[str, Any]]  # catalogue entries whose source.adapter is this step's
    publisher: Mapping[str, Any]  # the publisher's sources.yaml entry (name, api, licence …)
    report: Progress = lambda label, fraction: None
    last_years: int = 10


@dataclass
class StepResult:
    """What a source step returns."""

    source_id: str  # the manifest source its values name
    values: pd.DataFrame  # TIDY_COLUMNS; raw measures may use "adapter:code" ids (see derive)
    skipped: list[str] = field(default_factory=list)  # entry ids it could not fetch
    details: dict[str, Any] = field(default_factory=dict)  # extra manifest fields
    publisher_key: str = ""  # set by run_steps from the registration


Step = Callable[[StepContext], StepResult]


@dataclass(frozen=True)
class Registration:
    adapter: str
    publisher_key: str
    step: Step | None  # None: the adapter's indicators arrive only as imported files


def empty_values() -> pd.DataFrame:
    return pd.DataFrame(
        {
            c: pd.Series(dtype="int64" if c == "year" else "float64" if c == "value" else object)
            for c in TIDY_COLUMNS
        }
    )


def registered_steps() -> dict[str, Registration]:
    """Adapter name -> its registration, from sources.yaml."""
    found: dict[str, Registration] = {}
    for publisher_key, entry in (resources.read_sources_document() or {}).items():
        for adapter, target in ((entry or {}).get("adapters") or {}).items():
            found[str(adapter)] = Registration(str(adapter), publisher_key, _load(target))
    return found


def _load(target: str | None) -> Step | None:
    if not target:
        return None
    module, _, name = str(target).partition(":")
    return getattr(importlib.import_module(module), name)


def run_steps(
    fetcher: Any,
    division_year: int,
    codes: list[str],
    entries: list[dict[str, Any]],
    report: Progress,
    last_years: int = 10,
) -> tuple[list[StepResult], list[str]]:
    """Every registered step over its catalogue entries; returns the results and the ids of
    entries no step fetched (import-only adapters, adapters without a step, unknown ones)."""
    registrations = registered_steps()
    publishers = resources.read_sources_document() or {}
    by_adapter: dict[str, list[dict[str, Any]]] = {}
    for entry in entries:
        by_adapter.setdefault(str(entry["source"].get("adapter")), []).append(entry)
    results, skipped = [], []
    for adapter, chosen in by_adapter.items():
        registration = registrations.get(adapter)
        if registration is None or registration.step is None:
            skipped += [e["id"] for e in chosen]
            continue
        context = StepContext(
            fetcher,
            division_year,
            codes,
            chosen,
            publishers.get(registration.publisher_key) or {},
            report,
            last_years,
        )
        result = registration.step(context)
        result.publisher_key = registration.publisher_key
        results.append(result)
        skipped += result.skipped
    return results, skipped
