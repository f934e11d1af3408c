"""Statistics Finland municipal key figures (Kuntien avainluvut): labels of the PxWeb table.

The CSV download of the key-figure table names its columns by label only ("Employment rate, %,
2020"), without the contents code. Every key figure the catalogue reads from the table carries
the table's English, Finnish and Swedish labels in its entry (``columns`` in indicators.yaml), so
a label lives in one place; this maps those labels to the entry's contents code (M140 ...,
``source.code``), for the key figures whose code is known.
NOTE: labels as in the table ``Kuntien_avainluvut/2021/kuntien_avainluvut_2021_aikasarja.px``
(definitions published with the table); check new vintages against the metadata.

The table's raw counts (excess of births, net migration, number of families, household-dwelling
units, employed labour force, workplaces) are deliberately not in the catalogue: a count is not
comparable between municipalities of different sizes, and the rates made of them are published
as key figures of their own.
"""

from __future__ import annotations

import re
import unicodedata

from kuntadash import resources
from kuntadash.domain.population import POPULATION
from kuntadash.i18n import LANGUAGES

# Letters and digits (any script), and the per-cent sign; everything else separates words.
_WORDS = re.compile(r"[^\W_]+|%")
# What may end a label as its unit: "(%)", "[EUR]", ", %", ", euroa/asukas", " %", " - %".
_UNIT_TAIL = re.compile(r"\s*(?:\([^()]*\)|\[[^\[\]]*\]|,[^,]*|[-–—:;]?\s*%)\s*$")
# Words of the units in the key-figure labels (fi / sv / en). Only a tail made of these is a
# unit: "Employment rate, men" must not lose "men" and become "Employment rate".
_UNIT_WORDS = frozenset(
    {
        "%",
        "eur",
        "euro",
        "euroa",
        "per",
        "capita",
        "asukas",
        "asukasta",
        "kohden",
        "invånare",
        "1",
        "000",
        "1000",
        "henkeä",
        "henkilöä",
        "persons",
        "personer",
        "lkm",
        "kpl",
        "st",
        "km2",
        "ha",
        "t",
        "kt",
        "co2",
        "co2e",
        "tonnia",
        "ton",
        "tonnes",
    }
)


def label_key(text: object) -> str:
    """The form in which column labels are compared: case, accents kept; whitespace, dashes and
    punctuation ignored, so "Työllisyysaste, %", "Työllisyysaste (%)", "työllisyysaste %" and
    "15–64-vuotiaiden" / "15-64-vuotiaiden" meet.

    NOTE: Statistics Finland has written the same key-figure label with a comma, brackets or
    nothing before the unit, with hyphens or en dashes, over the years' table vintages and in its
    fi / sv / en downloads; the words and the unit stay the same.
    """
    text = unicodedata.normalize("NFKC", str(text))
    # soft hyphens, zero-width spaces and BOMs would split a word in two
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    return " ".join(_WORDS.findall(text.casefold()))


def label_without_unit(label: object) -> str:
    """``label`` without a trailing unit ("Työllisyysaste, %" -> "Työllisyysaste", "Loan
    stock, EUR per capita" -> "Loan stock"); the label itself when its tail is not a unit or
    nothing would be left."""
    text = str(label).strip()
    match = _UNIT_TAIL.search(text)
    if match is None or not set(label_key(match.group()).split()) <= _UNIT_WORDS:
        return text
    stripped = text[: match.start()]
    return stripped if label_key(stripped) else text


# The key-figure table's folder in Statistics Finland's PxWeb database (its vintages and
# "uusin", the latest): catalogue entries read from it carry the table's column labels.
KEY_FIGURE_TABLES = "Kuntien_avainluvut/"
# NOTE: the table's population column (M411, "Väkiluku") is the catalogue's population
# indicator, which is read from the population statistics instead (source.code vaerak-vaesto);
# its labels are that indicator's names.
POPULATION_CODE = "M411"


def key_figure_labels() -> dict[str, tuple[str, ...]]:
    """Contents code -> the labels the key-figure table gives its column, from the catalogue:
    the ``columns`` of its entries of that table whose code is known, and the population's names
    for :data:`POPULATION_CODE`."""
    labels: dict[str, tuple[str, ...]] = {}
    for entry in resources.read_indicator_catalogue_document().get("indicators") or []:
        source = entry.get("source") or {}
        if entry["id"] == POPULATION:
            labels[POPULATION_CODE] = tuple(entry["name"][lang] for lang in LANGUAGES)
        elif source.get("code") and str(source.get("table") or "").startswith(KEY_FIGURE_TABLES):
            labels[str(source["code"])] = tuple(entry.get("columns") or ())
    return labels


def _code_index() -> dict[str, str]:
    index: dict[str, str] = {}
    labels = key_figure_labels()
    for code, texts in labels.items():
        for label in texts:
            index.setdefault(label_key(label), code)
    for code, texts in labels.items():  # then the same labels written without their unit
        for label in texts:
            index.setdefault(label_key(label_without_unit(label)), code)
    return index


KEY_FIGURE_CODES: dict[str, str] = _code_index()


def key_figure_code(label: object) -> str | None:
    """The contents code (M140 ...) of a key-figure column label in any of its spellings."""
    return KEY_FIGURE_CODES.get(label_key(label)) or KEY_FIGURE_CODES.get(
        label_key(label_without_unit(label))
    )


# Contents codes that hold the population (used as weights when harmonising rates).
POPULATION_CODES = frozenset({POPULATION_CODE, "vaesto", "vaerak-vaesto"})
