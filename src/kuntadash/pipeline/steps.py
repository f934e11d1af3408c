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
from kuntadash.i18n import translate

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


@dataclass(frozen=True)
class Skipped:
    """A catalogue entry a step did not fetch, and why: ``reason`` is a locale key
    (``data.skip.*`` in locales/data.yaml) and ``params`` its placeholders. The update keeps the
    entry's values from the current snapshot and names it with its reason in the report."""

    indicator_id: str
    reason: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def render(self, lang: str) -> str:
        return translate(
            "data.note.skipped_indicator",
            lang,
            id=self.indicator_id,
            reason=translate(self.reason, lang, **self.params),
        )


@dataclass(frozen=True)
class Note:
    """Something a step reports that is not a skipped indicator (a municipality without a
    file, names it could not place): ``key`` in locales/data.yaml, ``params`` its placeholders."""

    key: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def render(self, lang: str) -> str:
        return translate(self.key, lang, **self.params)


def skip(entry: Mapping[str, Any], reason: str, **params: Any) -> Skipped:
    """The entry skipped for ``reason`` (a ``data.skip.*`` key)."""
    return Skipped(str(entry["id"]), f"data.skip.{reason}", params)


@dataclass
class StepResult:
    """What a source step returns."""

    source_id: str  # the manifest source its values name
    values: pd.DataFrame  # TIDY_COLUMNS; raw measures may use "adapter:code" ids (see derive)
    skipped: list[Skipped] = field(default_factory=list)  # entries it did not fetch, and why
    details: dict[str, Any] = field(default_factory=dict)  # extra manifest fields
    notes: list[Note] = field(default_factory=list)  # what else to report
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
) -> tuple[list[StepResult], list[Skipped]]:
    """Every registered step over its catalogue entries; returns the results and the entries
    not fetched with their reasons (import-only adapters, unknown ones, and what each step
    skipped: a code missing from the source, a title that no longer matches, a 404 …)."""
    registrations = registered_steps()
    publishers = resources.read_sources_document() or {}
    by_adapter: dict[str, list[dict[str, Any]]] = {}
    for entry in entries:
        by_adapter.setdefault(str(entry["source"].get("adapter")), []).append(entry)
    results: list[StepResult] = []
    skipped: list[Skipped] = []
    for adapter, chosen in by_adapter.items():
        registration = registrations.get(adapter)
        if registration is None or registration.step is None:
            reason = "unknown_adapter" if registration is None else "import_only"
            skipped += [skip(e, reason, adapter=adapter) for e in chosen]
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
