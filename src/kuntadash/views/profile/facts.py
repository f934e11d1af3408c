"""Who the municipality is: population, type, regions and groups, as label–value facts (views
layer)."""

from __future__ import annotations

import pandas as pd

from kuntadash.views.format import MISSING
from kuntadash.views.profile.model import Fact
from kuntadash.views.profile.words import _text


def _facts(info, population, code, groups, type_labels, lang, fmt, tr) -> tuple[list[Fact], str]:
    value = population.values.get(code)
    if value is None or pd.isna(value) or population.label_year is None:
        people = tr("common.population_missing")
    else:
        people = tr("common.population_value", value=fmt.number(value), year=population.label_year)
    type_key = info["municipality_type"]
    type_name = type_labels.get(type_key, type_key) if pd.notna(type_key) else None
    uncertain = bool(type_name) and bool(info["municipality_type_uncertain"])
    facts = [
        Fact(tr("common.population"), people),
        Fact(
            tr("common.municipality_type"),
            _text(type_name) + (f" ({tr('profile.uncertain_short')})" if uncertain else ""),
        ),
        Fact(tr("common.region"), _text(info.get(f"region_name_{lang}"))),
        Fact(tr("profile.subregion"), _text(info.get(f"subregion_name_{lang}"))),
        Fact(tr("common.wellbeing_county"), _text(info.get(f"wellbeing_county_name_{lang}"))),
    ]
    for kind, label in (
        ("urban_rural", "comparison.info_urban_rural"),
        ("size_class", "comparison.info_size"),
    ):
        group = groups[kind]
        facts.append(Fact(tr(label), group.label if group.key else MISSING))
    note = tr("profile.type_uncertain", type=type_name) if uncertain else ""
    return facts, note
