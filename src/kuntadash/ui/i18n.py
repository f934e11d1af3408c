"""UI-side translation: ``t(key)`` in the language chosen in the sidebar (UI layer)."""

from __future__ import annotations

from typing import Any

import streamlit as st

from kuntadash.i18n import DEFAULT_LANGUAGE, LANGUAGES, translate
from kuntadash.ui.state import LANG_KEY


def current_language() -> str:
    lang = st.session_state.get(LANG_KEY, DEFAULT_LANGUAGE)
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


def t(key: str, **values: Any) -> str:
    return translate(key, current_language(), **values)
