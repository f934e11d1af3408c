"""Where the profile's figures come from, as lines of text (views layer)."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from kuntadash import resources
from kuntadash.i18n import translate
from kuntadash.provenance import sources_of, value_source_ids
from kuntadash.store import Snapshot
from kuntadash.views.format import MISSING


def _source_lines(
    snapshot: Snapshot,
    profile: pd.DataFrame,
    present: frozenset[str],
    lang: str,
    source_ids: Mapping[tuple[str, int], tuple[str, ...]] | None = None,
) -> list[str]:
    """Where the figures shown come from, in words of ``lang``: the publishers of the
    indicators (with their licences), then the datasets the values were read from.

    ``source_ids``: :func:`kuntadash.provenance.value_source_ids` of the snapshot, when the
    caller holds it (read from the values otherwise)."""
    documents = resources.read_sources_document() or {}
    meta = snapshot.catalogue.set_index("id")
    ids = [i for i in profile["indicator_id"] if i in present]
    licence_word = translate("brief.licence", lang)
    lines = []
    for publisher in dict.fromkeys(str(meta.at[i, "publisher"]) for i in ids):
        names = (documents.get(publisher) or {}).get("name") or {}
        licences = sorted(
            {str(x) for x in meta.loc[meta["publisher"] == publisher, "licence"].dropna()}
        )
        lines.append(
            f"{names.get(lang) or names.get('fi') or publisher} — {licence_word} "
            + (", ".join(licences) or MISSING)
        )
    by_key = value_source_ids(snapshot.values) if source_ids is None else source_ids
    seen: set[str] = set()
    for ident, year in zip(profile["indicator_id"], profile["year"], strict=True):
        # only this value's key: sources_of would scan every key for it
        key = (str(ident), int(year))
        own = {key: by_key[key]} if key in by_key else {}
        for line in sources_of(snapshot.manifest, own, ident, [int(year)], lang):
            if line.id in seen:
                continue
            seen.add(line.id)
            words = (
                translate("profile.source_synthetic", lang)
                if line.synthetic
                else line.publisher + (f": {line.title}" if line.title else "")
            )
            if line.vintage and not line.synthetic:
                words += f" ({line.vintage})"
            if line.licence:
                words += f" — {licence_word} {line.licence}"
            if line.url and not line.synthetic:
                words += f" — {line.url}"
            lines.append(words)
    return lines
