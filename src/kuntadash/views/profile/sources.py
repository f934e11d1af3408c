"""Where the profile's figures come from, as lines of text (views layer)."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from kuntadash import resources
from kuntadash.i18n import translate
from kuntadash.provenance import SourceLine, describe_source, sources_of, value_source_ids
from kuntadash.store import Snapshot
from kuntadash.views.format import MISSING


def _source_lines(
    snapshot: Snapshot,
    profile: pd.DataFrame,
    present: frozenset[str],
    lang: str,
    source_ids: Mapping[tuple[str, int], tuple[str, ...]] | None = None,
) -> list[str]:
    """Where the figures shown come from, in words of ``lang``, each dataset with its title,
    years, licence and address: first the datasets the values were read from, then those that
    describe the municipalities (names and groupings, land areas behind the population density,
    boundaries). A publisher is named alone, with its licences, only for indicators whose values
    name no dataset (an import's file without one, say).

    ``source_ids``: :func:`kuntadash.provenance.value_source_ids` of the snapshot, when the
    caller holds it (read from the values otherwise)."""
    by_key = value_source_ids(snapshot.values) if source_ids is None else source_ids
    licence_word = translate("brief.licence", lang)
    lines: list[str] = []
    seen: set[str] = set()
    unsourced: list[str] = []
    for ident, year in zip(profile["indicator_id"], profile["year"], strict=True):
        # only this value's key: sources_of would scan every key for it
        key = (str(ident), int(year))
        own = {key: by_key[key]} if key in by_key else {}
        found = sources_of(snapshot.manifest, own, ident, [int(year)], lang)
        if not found and ident in present:
            unsourced.append(str(ident))
        for line in found:
            if line.id not in seen:
                seen.add(line.id)
                lines.append(_words(line, licence_word, lang))
    for line in _describing_sources(snapshot, by_key, lang):
        if line.id not in seen:
            seen.add(line.id)
            lines.append(_words(line, licence_word, lang))
    return lines + _publisher_lines(snapshot, unsourced, lang, licence_word)


def _words(line: SourceLine, licence_word: str, lang: str) -> str:
    if line.synthetic:
        words = translate("profile.source_synthetic", lang)
    else:
        words = line.publisher + (f": {line.title}" if line.title else "")
        if line.vintage:
            words += f" ({line.vintage})"
    if line.licence:
        words += f" — {licence_word} {line.licence}"
    if line.url and not line.synthetic:
        words += f" — {line.url}"
    return words


def _describing_sources(
    snapshot: Snapshot, by_key: Mapping[tuple[str, int], tuple[str, ...]], lang: str
) -> list[SourceLine]:
    """The snapshot's sources that no value names: those of the register and the boundaries
    (names, groupings, land areas), which the facts, the density and the map rest on."""
    of_values = {ident for found in by_key.values() for ident in found}
    return [
        describe_source(source, lang)
        for source in snapshot.manifest.get("sources") or []
        if isinstance(source, Mapping) and str(source.get("id")) not in of_values
    ]


def _publisher_lines(
    snapshot: Snapshot, indicator_ids: list[str], lang: str, licence_word: str
) -> list[str]:
    """The catalogue's publisher of each indicator that names no dataset, with its licences."""
    if not indicator_ids:
        return []
    documents = resources.read_sources_document() or {}
    meta = snapshot.catalogue.set_index("id")
    lines = []
    for publisher in dict.fromkeys(str(meta.at[i, "publisher"]) for i in indicator_ids):
        names = (documents.get(publisher) or {}).get("name") or {}
        licences = sorted(
            {str(x) for x in meta.loc[meta["publisher"] == publisher, "licence"].dropna()}
        )
        lines.append(
            f"{names.get(lang) or names.get('fi') or publisher} — {licence_word} "
            + (", ".join(licences) or MISSING)
        )
    return lines
