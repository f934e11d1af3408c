"""What a snapshot lacks and where it would come from, in words (views layer, no streamlit).

A dimension without figures is not just "missing": the pages say whose data an update brings
for it (Traficom's broadband availability, SYKE's emissions …), read from the catalogue, so the
words follow the catalogue when indicators are added. Only indicators the served snapshot lacks
are named, and of those only the ones with a better direction when ``directional`` is asked
(what a score would need).
"""

from __future__ import annotations

from collections.abc import Collection

import pandas as pd

from kuntadash import resources
from kuntadash.i18n import translate

NAMES_PER_PUBLISHER = 2


def arriving_sources(
    catalogue: pd.DataFrame,
    dimension: str,
    lang: str,
    present: Collection[str] = (),
    directional: bool = False,
) -> str:
    """A few of ``dimension``'s indicators the snapshot lacks, by publisher ("Fixed broadband
    of at least 100 Mbit/s, … and 1 more (Traficom); …"); "" when it lacks none."""
    documents = resources.read_sources_document() or {}
    present = set(present)
    # plain rows, grouped by publisher in catalogue order (a pandas groupby of a few dozen
    # rows cost more than the rest of a profile's sentence)
    by_publisher: dict[str, list[str]] = {}
    columns = ("id", "dimension", "direction", "publisher", f"name_{lang}")
    rows = zip(*(catalogue[column].tolist() for column in columns), strict=True)
    for ident, dim, direction, publisher, name in rows:
        if dim != dimension or ident in present or (directional and direction == "neutral"):
            continue
        if pd.isna(publisher):  # as a groupby would: no publisher, nobody to name
            continue
        by_publisher.setdefault(str(publisher), []).append(str(name))
    parts = []
    for publisher, names_of in by_publisher.items():
        names = (documents.get(publisher) or {}).get("name") or {}
        label = names.get(lang) or names.get("fi") or publisher
        shown = ", ".join(names_of[:NAMES_PER_PUBLISHER])
        rest = len(names_of) - NAMES_PER_PUBLISHER
        if rest > 0:
            shown = translate("coverage.and_more", lang, names=shown, count=rest)
        parts.append(f"{shown} ({label})")
    return "; ".join(parts)


def arriving_text(
    catalogue: pd.DataFrame,
    dimension: str,
    lang: str,
    present: Collection[str] = (),
    directional: bool = False,
) -> str:
    """The sentence saying what an update brings for ``dimension`` and from whom ("" when the
    snapshot already holds every indicator of it the catalogue knows)."""
    sources = arriving_sources(catalogue, dimension, lang, present, directional)
    if not sources:
        return ""
    return translate("coverage.arrives_from", lang, sources=sources)
