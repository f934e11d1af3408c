"""The one number formatter of pages, slides, downloads and the brief."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from kuntadash.views.format import MISSING, Formatter


@pytest.fixture(scope="module")
def catalogue() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id": ["rate", "count"],
            "decimals": [1, 0],
            "unit_fi": ["%", "asukasta"],
            "unit_sv": ["%", "invånare"],
            "unit_en": ["%", "residents"],
            "name_fi": ["Osuus", "Väkiluku"],
            "name_sv": ["Andel", "Folkmängd"],
            "name_en": ["Share", "Population"],
        }
    )


@pytest.mark.parametrize(
    ("lang", "rate", "count"),
    [
        ("fi", "8,1 %", "664\u202f028 asukasta"),
        ("sv", "8,1 %", "664\u202f028 invånare"),
        ("en", "8.1%", "664,028 residents"),
    ],
)
def test_values_in_each_language(catalogue, lang, rate, count):
    fmt = Formatter.from_catalogue(catalogue, lang)
    assert fmt.value("rate", 8.1) == rate
    assert fmt.value("count", 664_028) == count
    assert fmt.value("rate", 8.1, with_unit=False) == rate.replace("%", "").strip()


@pytest.mark.parametrize("missing", [None, float("nan"), pd.NA, math.nan])
def test_missing_is_a_dash_never_zero_or_nan(catalogue, missing):
    fmt = Formatter.from_catalogue(catalogue, "fi")
    assert fmt.value("rate", missing) == MISSING
    assert fmt.number(missing, 2) == MISSING


def test_negative_numbers_use_a_true_minus_in_finnish(catalogue):
    assert Formatter.from_catalogue(catalogue, "fi").number(-3.26, 1) == "−3,3"
    assert Formatter.from_catalogue(catalogue, "en").number(-1234.5, 1) == "-1,234.5"


def test_names_and_units(catalogue):
    fmt = Formatter.from_catalogue(catalogue, "sv")
    assert fmt.name("count") == "Folkmängd" and fmt.unit("count") == "invånare"
    assert fmt.name("unknown") == "unknown"
