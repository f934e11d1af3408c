"""Numbers as a reader in one language expects them (views layer, no streamlit).

One formatter for every page, table, slide, download label and the PDF brief, so the same figure
never reads differently in two places: a thin space between thousands, a decimal comma in Finnish
and Swedish, the indicator's own decimals and unit, and a visible "–" for a missing value (never
0, never "nan").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd
from pandas.io.formats.style import Styler

from kuntadash.domain.catalogue import format_value

MISSING = "–"


@dataclass(frozen=True)
class Formatter:
    """Formats values of the catalogue's indicators in ``lang``."""

    lang: str
    decimals: Mapping[str, int] = field(default_factory=dict)
    units: Mapping[str, str] = field(default_factory=dict)
    names: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_catalogue(cls, catalogue: pd.DataFrame, lang: str) -> Formatter:
        """Decimals, unit and name of every catalogue row in ``lang`` (looked up in plain dicts:
        a page formats hundreds of values per run)."""
        ids = catalogue["id"].astype(str).tolist()
        decimals = [int(d) if pd.notna(d) else 0 for d in catalogue["decimals"]]
        units = [str(u) if pd.notna(u) else "" for u in catalogue[f"unit_{lang}"]]
        names = [
            str(n) if pd.notna(n) else i
            for n, i in zip(catalogue[f"name_{lang}"], ids, strict=True)
        ]
        return cls(
            lang,
            dict(zip(ids, decimals, strict=True)),
            dict(zip(ids, units, strict=True)),
            dict(zip(ids, names, strict=True)),
        )

    def value(self, indicator_id: str, value: object, with_unit: bool = True) -> str:
        """'8,1 %' (fi) or '8.1%' (en): the indicator's decimals and unit; "–" when missing."""
        unit = self.units.get(indicator_id, "") if with_unit else ""
        return format_value(value, self.decimals.get(indicator_id, 1), self.lang, unit)

    def number(self, value: object, decimals: int = 0, unit: str = "") -> str:
        """Any number in the reader's notation (counts, scores, distances)."""
        return format_value(value, decimals, self.lang, unit)

    def name(self, indicator_id: str) -> str:
        return self.names.get(indicator_id, indicator_id)

    def unit(self, indicator_id: str) -> str:
        return self.units.get(indicator_id, "")


_MAX_INFERRED_DECIMALS = 3


def localized_numbers(
    table: pd.DataFrame | Styler,
    lang: str,
    decimals: Mapping[str, int] | None = None,
) -> Styler:
    """``table`` with its numbers shown in ``lang``'s notation ("8,1" in fi / sv, "8.1" in
    en; thin-space thousands; "–" when missing) through the shared Formatter, while the cells
    stay numbers, so a column still sorts as numbers.

    ``decimals`` names the decimals of columns (by heading); other columns of fractional
    numbers get the fewest decimals (at most 3) that show every value exactly; whole-number
    columns not named (years, counts) are left as they are. A Styler keeps its colours."""
    styler = table if isinstance(table, Styler) else table.style
    frame = styler.data
    formatter = Formatter(lang)
    wanted = dict(decimals or {})
    for column in frame.columns:
        series = frame[column]
        if pd.api.types.is_bool_dtype(series) or not pd.api.types.is_numeric_dtype(series):
            continue
        if column in wanted:
            places = int(wanted[column])
        elif pd.api.types.is_float_dtype(series):
            places = _decimals_needed(series)
        else:
            continue
        styler = styler.format(
            lambda value, places=places: formatter.number(value, places),
            subset=[column],
            na_rep=MISSING,
        )
    return styler


def _decimals_needed(series: pd.Series) -> int:
    values = series.dropna().astype("float64")
    for places in range(_MAX_INFERRED_DECIMALS):
        if ((values - values.round(places)).abs() < 1e-9).all():
            return places
    return _MAX_INFERRED_DECIMALS
