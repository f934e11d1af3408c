"""Source steps: one function per adapter, all with one signature, registered from data.

``resources/sources.yaml`` names, per publisher, the adapters it serves and the function that
fetches them (``adapters: {pxweb: "kuntadash.sources.pxweb:fetch_step"}``; ``null`` when the
adapter's indicators come only from imported files). A step receives the catalogue entries of
its adapter and returns tidy values (with ``source_id``), the entries it could not fetch, and
what to record in the manifest. Adding a publisher is one module with a step plus one entry in
sources.yaml (see docs/DATA.md). The signature itself (``StepContext`` → ``StepResult``) is
the sources layer's (:mod:`kuntadash.sources.step`); here the steps are found and run.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any

from kuntadash import resources
from kuntadash.sources.step import Progress, Skipped, Step, StepContext, StepResult, skip


@dataclass(frozen=True)
class Registration:
    adapter: str
    publisher_key: str
    step: Step | None  # None: the adapter's indicators arrive only as imported files


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
