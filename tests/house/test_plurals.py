"""Numbers of things read right with 1 and with many, in every language: plural forms in the
locale files (``{one: …, other: …}`` chosen by ``count``) and a walk over every text that
states a number."""

from __future__ import annotations

import re

import pytest

from kuntadash.i18n import (
    LANGUAGES,
    PLURAL_FORMS,
    is_plural,
    plural_form,
    translate,
    translations,
)

_PLACEHOLDER = re.compile(r"\{(\w+)\}")
# Placeholders that hold a number of things (a count, a group's size, a number of years).
NUMBERS = ("count", "n", "better", "worse", "unchanged", "missing", "years")
# The plural noun after "1" is the mistake; each language's nouns that the texts count.
AFTER_ONE = {
    "en": re.compile(
        r"\b1 (?:municipalities|indicators|problems|values|files|columns|figures|groups|rows|"
        r"years|yrs|sheets)\b"
    ),
    "fi": re.compile(
        r"\b1 (?:kuntaa|indikaattoria|ongelmaa|tiedostoa|vuotta|muuta|arvoa|saraketta|"
        r"ryhmää|samankaltaisinta|lukua|riviä|välilehteä)\b"
    ),
    "sv": re.compile(r"\b1 (?:kommuner|indikatorer|filer|grupper|kolumner|värden|rader|flikar)\b"),
}


def _placeholders(key: str) -> set[str]:
    return {
        name for text in translations()[key].values() for name in _PLACEHOLDER.findall(str(text))
    }


def _render(key: str, lang: str, number_name: str, number: int) -> str:
    values: dict[str, object] = {name: "X" for name in _placeholders(key)}
    values[number_name] = number
    if is_plural(key) and number_name != "count":
        values["count"] = 2
    return translate(key, lang, **values)


_COUNTED = sorted(
    (key, name) for key in translations() for name in _placeholders(key) if name in NUMBERS
)


def test_the_walk_finds_the_texts_it_is_meant_for():
    keys = {key for key, _ in _COUNTED}
    assert {"profile.trend_summary", "coverage.snapshot_invalid", "catalogue.intro"} <= keys


@pytest.mark.parametrize(("key", "name"), _COUNTED)
@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_number_of_one_reads_in_the_singular(key, name, lang):
    text = _render(key, lang, name, 1)
    wrong = AFTER_ONE[lang].search(text)
    assert not wrong, f"{key} ({lang}) with {name}=1 reads {text!r}"


_PLURAL_KEYS = sorted(key for key in translations() if is_plural(key))


def test_plural_keys_exist_and_each_has_forms_in_some_language():
    assert len(_PLURAL_KEYS) >= 5
    for key in _PLURAL_KEYS:
        assert any(isinstance(text, dict) for text in translations()[key].values()), key


@pytest.mark.parametrize("key", _PLURAL_KEYS)
@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_plural_text_takes_its_one_form_for_1_and_its_other_form_for_2(key, lang):
    forms = translations()[key][lang]
    if isinstance(forms, str):  # a language whose words do not change with the number
        forms = {form: forms for form in PLURAL_FORMS}
    assert set(forms) == set(PLURAL_FORMS), (key, lang)
    values = {name: "X" for name in _placeholders(key)}
    one = translate(key, lang, **{**values, "count": 1})
    two = translate(key, lang, **{**values, "count": 2})
    assert one == forms["one"].format(**{**values, "count": 1}), (key, lang)
    assert two == forms["other"].format(**{**values, "count": 2}), (key, lang)
    assert "2" in two, f"{key} ({lang}): the other form does not state its number"
    assert set(_PLACEHOLDER.findall(forms["other"])) >= set(_PLACEHOLDER.findall(forms["one"]))


@pytest.mark.parametrize(
    ("count", "form"),
    [
        (1, "one"),
        (1.0, "one"),
        (0, "other"),
        (2, "other"),
        (21, "other"),
        (1.5, "other"),
        ("1", "one"),
    ],
)
def test_plural_form_rule(count, form):
    assert plural_form(count) == form


def test_the_trend_summary_counts_each_part_by_its_own_number():
    one = translate(
        "profile.trend_summary", "en", period="5 years", better=1, worse=2, unchanged=0, missing=3
    )
    assert "1 indicator got better" in one, one
    many = translate(
        "profile.trend_summary", "fi", period="5 v", better=2, worse=1, unchanged=0, missing=3
    )
    assert "2 indikaattoria parani" in many, many
    assert "1 indikaattori parani" in translate(
        "profile.trend_summary", "fi", period="5 v", better=1, worse=1, unchanged=0, missing=0
    )


def test_a_plural_text_without_a_count_is_refused():
    key = _PLURAL_KEYS[0]
    with pytest.raises(TypeError):
        translate(key, "fi", **{name: "X" for name in _placeholders(key) if name != "count"})
