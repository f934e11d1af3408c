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
