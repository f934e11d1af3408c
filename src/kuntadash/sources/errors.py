"""Named errors of the source adapters (sources layer).

A ``SourceError`` names the source and carries a message key of locales/data.yaml plus
parameters, so the CLI and the Data page show it in the user's language with what to do.
"""

from __future__ import annotations

from typing import Any

from kuntadash.i18n import translate


class SourceError(Exception):
    """Fetching or parsing a source failed; nothing was switched. ``key`` is a locale key."""

    def __init__(self, source: str, key: str, **params: Any):
        self.source = source
        self.key = key
        self.params = {"source": source, **params}
        super().__init__(self.render("en"))

    def render(self, lang: str) -> str:
        return translate(self.key, lang, **self.params)


class SourceFormatError(SourceError):
    """A response or file does not have the documented shape (truncated, unexpected schema)."""
