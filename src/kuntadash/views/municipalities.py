"""Finding a municipality by either of its names (views layer, no streamlit).

Every municipality is offered under both national names where they differ ("Närpiö – Närpes"),
the name in the reader's language first, so a search for the Finnish or the Swedish name finds
it in every UI language. A link, or a name typed into the choice, may name the municipality
instead of giving its code (``?kunta=Kuopio``, ``?kunta=helsingfors``, "narpio"): names are
compared without regard to case, accents, hyphens or spacing, by the whole name, its beginning
or the beginning of one of its words ("vilppula" for Mänttä-Vilppula), and a beginning that fits
several municipalities is reported, not guessed.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from kuntadash.i18n import LANGUAGES

NAME_COLUMNS = tuple(f"name_{lang}" for lang in LANGUAGES)
LABEL_SEPARATOR = " – "
_NOT_WORD = re.compile(r"[^0-9a-z]+")


def fold(text: object) -> str:
    """``text`` for comparing names: lower case, accents dropped (ä → a, å → a, ö → o),
    punctuation and spacing reduced to single spaces. 'Pedersören kunta' → 'pedersoren kunta'."""
    decomposed = unicodedata.normalize("NFKD", str(text).casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _NOT_WORD.sub(" ", plain).strip()


def _names(row: pd.Series) -> list[str]:
    names = []
    for column in NAME_COLUMNS:
        value = row.get(column)
        if value is not None and not pd.isna(value) and str(value).strip():
            names.append(str(value).strip())
    return names


def display_name(row: pd.Series, lang: str) -> str:
    """The name in ``lang``: Swedish in sv where the municipality has one, else Finnish."""
    preferred = row.get("name_sv") if lang == "sv" else None
    if preferred is None or pd.isna(preferred) or not str(preferred).strip():
        preferred = row.get("name_fi")
    return str(preferred)


def choice_labels(municipalities: pd.DataFrame, lang: str) -> dict[str, str]:
    """Option label by code, in the order to offer them (by the name in ``lang``).

    'Närpiö – Närpes' in fi and en, 'Närpes – Närpiö' in sv; a single name where the Finnish
    and Swedish names are the same ('Alajärvi').
    """
    labels = {}
    for _, row in municipalities.iterrows():
        own = display_name(row, lang)
        other = row.get("name_fi") if lang == "sv" else row.get("name_sv")
        label = own
        if other is not None and not pd.isna(other) and fold(other) != fold(own):
            label = f"{own}{LABEL_SEPARATOR}{other}"
        labels[str(row["municipality_code"])] = label
    return dict(sorted(labels.items(), key=lambda item: (item[1].casefold(), item[0])))


@dataclass(frozen=True)
class NameMatch:
    """What a link's municipality value names: ``code`` when exactly one municipality fits,
    else ``candidates`` (codes, several when the value is ambiguous, none when unknown)."""

    code: str | None
    candidates: tuple[str, ...] = ()

    @property
    def ambiguous(self) -> bool:
        return self.code is None and len(self.candidates) > 1


def _forms(name: str) -> tuple[str, str]:
    """A folded name and the same without spaces ('mantta vilppula', 'manttavilppula')."""
    return name, name.replace(" ", "")


def resolve_municipality(raw: str, municipalities: pd.DataFrame) -> NameMatch:
    """The municipality a link's or a search's ``raw`` value means: its code ('297', also '91'
    for '091'), or any of its names in fi / sv / en compared by :func:`fold` ('KUOPIO',
    'Narpes', 'mantta-vilppula', 'manttavilppula'), or the beginning of exactly one
    municipality's name ('Helsingf', 'narp'), or failing that of one word of its names
    ('vilppula'). A beginning shared by several municipalities gives them all as candidates;
    no match gives none."""
    text = str(raw).strip()
    codes = [str(code) for code in municipalities["municipality_code"]]
    if text in codes:
        return NameMatch(text)
    if text.isdigit() and text.zfill(3) in codes:
        return NameMatch(text.zfill(3))
    wanted = fold(text)
    if not wanted:
        return NameMatch(None)
    folded = [
        (str(row["municipality_code"]), [fold(name) for name in _names(row)])
        for _, row in municipalities.iterrows()
    ]
    wanted_forms = set(_forms(wanted))
    exact = _unique(
        code for code, names in folded if any(wanted_forms & set(_forms(n)) for n in names)
    )
    if exact:
        return NameMatch(exact[0]) if len(exact) == 1 else NameMatch(None, tuple(exact))
    starting = _unique(
        code
        for code, names in folded
        if any(form.startswith(w) for n in names for form in _forms(n) for w in wanted_forms)
    )
    if not starting:
        starting = _unique(
            code
            for code, names in folded
            if any(word.startswith(wanted) for n in names for word in n.split(" "))
        )
    if len(starting) == 1:
        return NameMatch(starting[0])
    return NameMatch(None, tuple(starting))


def _unique(codes: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(codes))
