"""The one signature of every source step (sources layer): what a step gets and returns.

A step (``fetch_step`` of a publisher's module, registered in ``resources/sources.yaml``) takes
a :class:`StepContext` and returns a :class:`StepResult`: tidy values with ``source_id``, the
catalogue entries it did not fetch and why (:class:`Skipped`), notes, and what to record in the
manifest. The pipeline finds and runs the steps (``pipeline.steps.run_steps``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

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


def empty_values() -> pd.DataFrame:
    return pd.DataFrame(
        {
            c: pd.Series(dtype="int64" if c == "year" else "float64" if c == "value" else object)
            for c in TIDY_COLUMNS
        }
    )
