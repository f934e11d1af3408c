"""Figures resting on a small population, as readers see them (views layer, no streamlit).

:class:`SmallPopulation` flags a table's figures (``domain.small_numbers``) and writes the mark
beside them: "†" after a value, a hover line on a map, a note under a table or a list, the rule
once on the Indicators page. Every page, slide and the brief build their marks here, so the mark
reads the same everywhere; the figures themselves are never changed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

import pandas as pd

from kuntadash.domain.catalogue import small_population_thresholds
from kuntadash.domain.population import population_history
from kuntadash.domain.small_numbers import every_population_in, small_population_flags
from kuntadash.i18n import translate
from kuntadash.store import Snapshot
from kuntadash.views.format import Formatter
from kuntadash.views.memo import once_per_snapshot


@dataclass(frozen=True)
class SmallPopulation:
    """The small-population marks of one snapshot in one language."""

    lang: str
    history: pd.DataFrame  # domain.population.population_history
    thresholds: Mapping[str, int]
    # domain.small_numbers.every_population_in of ``history`` by year, kept per snapshot
    population_of: Callable[[int | None], pd.Series] | None = None

    @classmethod
    def of(
        cls, snapshot: Snapshot, lang: str, history: pd.DataFrame | None = None
    ) -> SmallPopulation:
        population_of = None
        if history is None:
            history = once_per_snapshot(
                snapshot, "population_history", lambda: population_history(snapshot.values)
            )
            population_of = _population_of(
                history, once_per_snapshot(snapshot, "population_by_year", dict)
            )
        return cls(lang, history, small_population_thresholds(), population_of)

    def flags(self, rows: pd.DataFrame) -> pd.Series:
        """True for each row (``municipality_code``, ``indicator_id``, ``year``, ``value``)
        resting on a small population."""
        return small_population_flags(rows, self.history, self.thresholds, self.population_of)

    def flags_of(self, indicator_id: str, year: object, values: pd.Series) -> pd.Series:
        """The flags of one indicator's ``values`` (by municipality code) in ``year``."""
        rows = pd.DataFrame(
            {
                "municipality_code": values.index.astype(str),
                "indicator_id": indicator_id,
                "year": year,
                "value": values.to_numpy(),
            },
            index=values.index,
        )
        return self.flags(rows)

    def mark(self, text: str, small: object) -> str:
        """``text`` with the mark after it when ``small``."""
        return marked(text, small, self.lang)

    def _threshold(self, indicator_ids: Iterable[str]) -> str:
        return _thresholds_text(
            (self.thresholds[i] for i in indicator_ids if i in self.thresholds), self.lang
        )

    def hover(self, indicator_id: str, small: object) -> str:
        """The map's hover line for a small-population figure ("" otherwise)."""
        if not bool(small):
            return ""
        return translate("small.hover", self.lang, threshold=self._threshold([indicator_id]))

    def note(self, indicator_ids: Iterable[str], flags: Iterable[object]) -> str:
        """The note under a table or list that shows a marked figure ("" when none is)."""
        if not any(bool(flag) for flag in flags):
            return ""
        return translate("small.note", self.lang, threshold=self._threshold(indicator_ids))

    def left_out(
        self, indicator_ids: Iterable[str], flags: Iterable[object], key: str = "small.left_out"
    ) -> str:
        """Under a top or bottom list: that small-population figures were left out of it ("" when
        none was); ``key`` names the lists where one note stands under several."""
        if not any(bool(flag) for flag in flags):
            return ""
        return translate(key, self.lang, threshold=self._threshold(indicator_ids))


def _population_of(
    history: pd.DataFrame, kept: dict[int | None, pd.Series]
) -> Callable[[int | None], pd.Series]:
    """Every municipality's population for a figure of a year, each year's worked out once
    (in ``kept``, which lives as long as the snapshot: every table flagged looks up the same
    few years)."""

    def population_of(year: int | None) -> pd.Series:
        if year not in kept:
            kept[year] = every_population_in(history, year)
        return kept[year]

    return population_of


def small_population_rule(lang: str) -> str:
    """The rule of marking and of lists, stated once (the Indicators page, under the table whose
    column ``small.limit`` gives each indicator's threshold), with the catalogue's
    thresholds."""
    threshold = _thresholds_text(small_population_thresholds().values(), lang)
    column = translate("small.limit", lang)
    return translate("small.rule", lang, threshold=threshold, column=column)


def _thresholds_text(thresholds: Iterable[int], lang: str) -> str:
    """'1 000' (or '1 000 / 2 000' where the indicators differ), in ``lang``'s notation."""
    fmt = Formatter(lang)
    return " / ".join(fmt.number(value) for value in sorted(set(thresholds)))


def marked(text: str, small: object, lang: str) -> str:
    """``text`` with the small-population mark after it when ``small`` ("4,0 % †")."""
    return f"{text} {translate('small.mark', lang)}" if bool(small) else text


def with_hover(rank_text: str, hover: str) -> str:
    """A map hover's rank line with the small-population line after it."""
    return " · ".join(part for part in (rank_text, hover) if part)
