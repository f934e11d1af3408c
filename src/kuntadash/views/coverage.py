"""What a snapshot lacks and where it would come from, in words (views layer, no streamlit).

A dimension without figures is not just "missing": the pages say which publishers' data an
update brings for it (Traficom's broadband availability, Statistics Finland's …), read from the
catalogue, so the words follow the catalogue when indicators are added.
"""

from __future__ import annotations

import pandas as pd

from kuntadash import resources
from kuntadash.i18n import translate

NAMES_PER_PUBLISHER = 3


def arriving_sources(catalogue: pd.DataFrame, dimension: str, lang: str) -> str:
    """A few of ``dimension``'s indicators by publisher ("Fixed broadband of at least 100
    Mbit/s, … (Traficom); Jobs in information and communication, … (Statistics Finland)")."""
    documents = resources.read_sources_document() or {}
    rows = catalogue[catalogue["dimension"] == dimension]
    parts = []
    for publisher, group in rows.groupby("publisher", sort=False):
        names = (documents.get(str(publisher)) or {}).get("name") or {}
        label = names.get(lang) or names.get("fi") or str(publisher)
        shown = [str(n) for n in group[f"name_{lang}"].head(NAMES_PER_PUBLISHER)]
        more = " …" if len(group) > NAMES_PER_PUBLISHER else ""
        parts.append(f"{', '.join(shown)}{more} ({label})")
    return "; ".join(parts)


def arriving_text(catalogue: pd.DataFrame, dimension: str, lang: str) -> str:
    """The sentence saying what an update brings for ``dimension`` and from whom ("" when the
    catalogue has no indicators of it)."""
    sources = arriving_sources(catalogue, dimension, lang)
    if not sources:
        return ""
    return translate("coverage.arrives_from", lang, sources=sources)
