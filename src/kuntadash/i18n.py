"""Translations of UI texts: one YAML file per UI area under resources/locales, every key with
fi / sv / en. Pure Python (no streamlit) so charts, the PDF brief and the CLI can use it too;
the UI reads the current language from session state through ``kuntadash.ui.i18n``.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from kuntadash import resources

LANGUAGES = ("fi", "sv", "en")
DEFAULT_LANGUAGE = "fi"
LANGUAGE_NAMES = {"fi": "Suomi", "sv": "Svenska", "en": "English"}


class MissingTranslationError(KeyError):
    """A UI text key has no translation: add it to a file in resources/locales."""


@cache
def translations() -> dict[str, dict[str, str]]:
    """Every UI text key with its texts, merged from all locale files (duplicates refused)."""
    merged: dict[str, dict[str, str]] = {}
    for name in resources.locale_files():
        for key, texts in resources.read_locale_file(name).items():
            if key in merged:
                raise ValueError(f"UI text key {key!r} is defined twice (second in {name})")
            merged[key] = texts
    return merged


def translate(key: str, lang: str, **values: Any) -> str:
    """The text for ``key`` in ``lang`` with ``{placeholders}`` filled from ``values``."""
    try:
        texts = translations()[key]
    except KeyError as exc:
        raise MissingTranslationError(key) from exc
    text = texts.get(lang) or texts[DEFAULT_LANGUAGE]
    return text.format(**values) if values else text
