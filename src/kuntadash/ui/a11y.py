"""Accessibility helpers that Streamlit has no setting for (UI layer)."""

from __future__ import annotations

import json

import streamlit as st

from kuntadash.i18n import LANGUAGES


def render_document_language(lang: str) -> None:
    """Make ``<html lang>`` follow the chosen UI language, so screen readers read fi / sv / en
    with the right voice (WCAG 3.1.1).

    NOTE: Streamlit 1.67 always serves ``<html lang="en">`` and has no option to change it
    (``st.set_page_config`` has no language); the only way is a one-line script. It goes at the
    end of the sidebar so its empty element adds no visible gap. ``lang`` is one of our own
    language codes, never user text.
    """
    if lang not in LANGUAGES:
        return
    st.sidebar.html(
        f"<script>document.documentElement.lang = {json.dumps(lang)};</script>",
        unsafe_allow_javascript=True,
    )
