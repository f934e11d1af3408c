"""Statistics Finland municipal key figures (Kuntien avainluvut): labels of the PxWeb table.

The CSV download of the key-figure table names its columns by label only ("Employment rate, %,
2020"), without the contents code. This maps the table's English, Finnish and Swedish labels to
its contents codes (M140 ...), which the catalogue lists as ``source.code``.
NOTE: labels as in the table ``Kuntien_avainluvut/2021/kuntien_avainluvut_2021_aikasarja.px``
(definitions published with the table); check new vintages against the metadata.
"""

from __future__ import annotations


def normalise_label(text: object) -> str:
    """Case- and whitespace-insensitive form of a label (same rule as the importer's)."""
    return " ".join(str(text).replace("\ufeff", "").split()).casefold()


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

KEY_FIGURE_CODES: dict[str, str] = {
    normalise_label(label): code for code, labels in _LABELS.items() for label in labels
}
# Contents codes that hold the population (used as weights when harmonising rates).
POPULATION_CODES = frozenset({"M411", "vaesto", "vaerak-vaesto"})
