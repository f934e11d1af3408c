"""Translations of UI texts: one YAML file per UI area under resources/locales, every key with
fi / sv / en. Pure Python (no streamlit) so charts, the PDF brief and the CLI can use it too;
the UI reads the current language from session state through ``kuntadash.ui.i18n``.

A text that states a number of things has plural forms: per language a mapping
``{one: "{count} kunta", other: "{count} kuntaa"}``, chosen by the ``count`` value (Finnish,
Swedish and English all use "one" for exactly 1 and "other" for every other number); a language
whose words do not change keeps a plain text. A text stating a number inside a longer sentence,
or several numbers, names each counted phrase as a key of its own below it: the phrase for the
placeholder ``{better}`` of ``profile.trend_summary`` is ``profile.trend_summary.better``, a
plural text rendered with ``count`` = the value given for ``better``; so callers pass numbers
and never choose forms themselves.
"""

from __future__ import annotations

from functools import cache
from numbers import Number
from typing import Any

from kuntadash import resources

LANGUAGES = ("fi", "sv", "en")
DEFAULT_LANGUAGE = "fi"
LANGUAGE_NAMES = {"fi": "Suomi", "sv": "Svenska", "en": "English"}
PLURAL_FORMS = ("one", "other")
COUNT = "count"

Text = str | dict[str, str]


class MissingTranslationError(KeyError):
    """A UI text key has no translation: add it to a file in resources/locales."""


@cache
def translations() -> dict[str, dict[str, Text]]:
    """Every UI text key with its texts, merged from all locale files (duplicates refused)."""
    merged: dict[str, dict[str, Text]] = {}
    for name in resources.locale_files():
        for key, texts in resources.read_locale_file(name).items():
            if key in merged:
                raise ValueError(f"UI text key {key!r} is defined twice (second in {name})")
            for lang, text in texts.items():
                if isinstance(text, dict) and set(text) != set(PLURAL_FORMS):
                    raise ValueError(
                        f"UI text key {key!r} ({lang}) has forms {sorted(text)}, "
                        f"expected exactly {list(PLURAL_FORMS)}"
                    )
            merged[key] = texts
    return merged


def plural_form(count: object) -> str:
    """'one' for exactly 1 (also 1.0), else 'other': the rule of fi, sv and en alike (CLDR:
    one when the integer part is 1 and no decimals are shown)."""
    if isinstance(count, Number) and not isinstance(count, bool):
        return "one" if count == 1 else "other"
    return "one" if str(count).strip() == "1" else "other"


def is_plural(key: str) -> bool:
    """Whether ``key``'s texts have plural forms (chosen by ``count``)."""
    texts = translations().get(key) or {}
    return any(isinstance(text, dict) for text in texts.values())


def translate(key: str, lang: str, **values: Any) -> str:
    """The text for ``key`` in ``lang`` with ``{placeholders}`` filled from ``values``; the
    plural form by ``values["count"]`` where the text has forms, and each counted part
    (``key.<placeholder>``, see the module's docstring) rendered with its own number."""
    table = translations()
    try:
        texts = table[key]
    except KeyError as exc:
        raise MissingTranslationError(key) from exc
    if is_plural(key) and COUNT not in values:
        raise TypeError(f"UI text {key!r} has plural forms: give it a count")
    text = texts.get(lang) or texts[DEFAULT_LANGUAGE]
    if isinstance(text, dict):
        text = text[plural_form(values[COUNT])]
    if not values:
        return text
    parts = {
        name: translate(f"{key}.{name}", lang, count=value)
        for name, value in values.items()
        if f"{key}.{name}" in table and is_plural(f"{key}.{name}") and not is_plural(key)
    }
    return text.format(**{**values, **parts})
