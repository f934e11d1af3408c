"""Checks the source steps make before trusting an answer (sources layer): whether an error is a
"not found" that concerns one indicator only, and whether the title a service gives a code is
still the one the catalogue expects.

A renamed code, a removed file or a title that now names another series skips only the
indicators concerned (``sources.step.Skipped``); other failures stop the update.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from typing import Any

from kuntadash.sources.errors import SourceError

NOT_FOUND = frozenset({404, 410})
_DASHES = re.compile(r"[\u2010-\u2015\u2212]")
_SPACE = re.compile(r"\s+")


def is_not_found(error: SourceError, also: frozenset[int] = frozenset()) -> bool:
    """True when the service answered that the address does not exist (HTTP 404 or 410, plus
    the statuses in ``also``), i.e. this one table, file or indicator is gone."""
    return error.key == "data.error.source_http" and error.params.get("status") in (
        NOT_FOUND | also
    )


def normalise_title(text: object) -> str:
    """A title for comparison: case, spacing and dash forms do not count ("25 - 64-vuotiaat,
    % vastaavan ikäisestä" equals "25–64-vuotiaat, % vastaavanikäisestä"); words, numbers
    and punctuation do."""
    folded = unicodedata.normalize("NFKC", str(text)).casefold()
    return _SPACE.sub("", _DASHES.sub("-", folded))


def expected_titles(entry: Mapping[str, Any]) -> dict[str, str]:
    """The titles the catalogue expects the source to give the entry's code, by language
    (``source.title``: a mapping by language, or one text meaning Finnish); empty = no check."""
    title = (entry.get("source") or {}).get("title")
    if isinstance(title, str) and title.strip():
        return {"fi": title}
    if isinstance(title, Mapping):
        return {str(k): str(v) for k, v in title.items() if str(v).strip()}
    return {}


def title_mismatch(expected: Mapping[str, str], found: Mapping[str, str]) -> tuple[str, str] | None:
    """None when a language the catalogue names has the same title at the source (or nothing is
    expected); else (expected, found) texts of the first such language, for the report."""
    compared = [lang for lang in expected if found.get(lang)]
    if not expected:
        return None
    if any(normalise_title(expected[lang]) == normalise_title(found[lang]) for lang in compared):
        return None
    lang = compared[0] if compared else next(iter(expected))
    return expected[lang], str(found.get(lang) or "")
