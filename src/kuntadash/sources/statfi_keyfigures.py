"""Statistics Finland municipal key figures (Kuntien avainluvut): labels of the PxWeb table.

The CSV download of the key-figure table names its columns by label only ("Employment rate, %,
2020"), without the contents code. This maps the table's English, Finnish and Swedish labels to
its contents codes (M140 ...), which the catalogue lists as ``source.code``.
NOTE: labels as in the table ``Kuntien_avainluvut/2021/kuntien_avainluvut_2021_aikasarja.px``
(definitions published with the table); check new vintages against the metadata.

Key figures whose contents code is not known offline carry their column labels in their
catalogue entry instead (``columns`` in indicators.yaml: shares of workplaces by sector, rental
dwellings, pensioners …), so a label lives in one place. The table's raw counts (excess of
births, net migration, number of families, household-dwelling units, employed labour force,
workplaces) are deliberately not in the catalogue: a count is not comparable between
municipalities of different sizes, and the rates made of them are published as key figures of
their own.
"""

from __future__ import annotations

import re
import unicodedata

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


_LABELS = {
    "M408": ("Degree of urbanisation, %", "Taajama-aste, %", "Tätortsgrad, %"),
    "M411": ("Population", "Väkiluku", "Folkmängd"),
    "M476": (
        "Population change from the previous year, %",
        "Väkiluvun muutos edellisestä vuodesta, %",
        "Befolkningsförändring från föregående år, %",
    ),
    "M391": (
        "Share of persons aged under 15 of the population, %",
        "Alle 15-vuotiaiden osuus väestöstä, %",
        "Andel personer under 15 år av befolkningen, %",
    ),
    "M421": (
        "Share of persons aged 15 to 64 of the population, %",
        "15-64-vuotiaiden osuus väestöstä, %",
        "Andel personer i åldern 15-64 år av befolkningen, %",
    ),
    "M478": (
        "Share of persons aged over 64 of the population, %",
        "Yli 64-vuotiaiden osuus väestöstä, %",
        "Andel personer över 64 år av befolkningen, %",
    ),
    "M404": (
        "Share of Swedish-speakers of the population, %",
        "Ruotsinkielisten osuus väestöstä, %",
        "Andel svenskspråkiga av befolkningen, %",
    ),
    "M410": (
        "Share of foreign citizens of the population, %",
        "Ulkomaan kansalaisten osuus väestöstä, %",
        "Andel utländska medborgare av befolkningen, %",
    ),
    "M486": (
        "Share of persons aged 15 or over with tertiary level qualifications, %",
        "Korkea-asteen tutkinnon suorittaneiden osuus 15 vuotta täyttäneistä, %",
        "Andel personer med examen på högre nivå av 15 år fyllda, %",
    ),
    "M140": ("Employment rate, %", "Työllisyysaste, %", "Sysselsättningsgrad, %"),
    "M162": (
        "Proportion of the unemployed among the labour force, %",
        "Työttömien osuus työvoimasta, %",
        "Andel arbetslösa av arbetskraften, %",
    ),
    "M485": (
        "Economic dependency ratio",
        "Taloudellinen huoltosuhde",
        "Ekonomisk försörjningskvot",
    ),
    "M151": ("Workplace self-sufficiency", "Työpaikkaomavaraisuus", "Arbetsplatssjälvförsörjning"),
    "M499": (
        "Annual contribution margin, EUR per capita",
        "Vuosikate, euroa/asukas",
        "Årsbidrag, euro/invånare",
    ),
    "M496": ("Loan stock, EUR per capita", "Lainakanta, euroa/asukas", "Lånestock, euro/invånare"),
    "M495": (
        "Group loan stock, EUR per capita",
        "Konsernin lainakanta, euroa/asukas",
        "Koncernens lånestock, euro/invånare",
    ),
}


def _code_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for code, labels in _LABELS.items():
        for label in labels:
            index.setdefault(label_key(label), code)
    for code, labels in _LABELS.items():  # then the same labels written without their unit
        for label in labels:
            index.setdefault(label_key(label_without_unit(label)), code)
    return index


KEY_FIGURE_CODES: dict[str, str] = _code_index()


def key_figure_code(label: object) -> str | None:
    """The contents code (M140 ...) of a key-figure column label in any of its spellings."""
    return KEY_FIGURE_CODES.get(label_key(label)) or KEY_FIGURE_CODES.get(
        label_key(label_without_unit(label))
    )


# Contents codes that hold the population (used as weights when harmonising rates).
POPULATION_CODES = frozenset({"M411", "vaesto", "vaerak-vaesto"})
