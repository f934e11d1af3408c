"""Named errors of the source adapters (sources layer).

A ``SourceError`` names the source and carries a message key of locales/data.yaml plus
parameters, so the CLI and the Data page show it in the user's language with what to do.
"""

from __future__ import annotations

from typing import Any

from kuntadash.errors import UserError


class SourceError(UserError):
    """Fetching or parsing a source failed; nothing was switched. ``key`` is a locale key."""

    def __init__(self, source: str, key: str, **params: Any):
        self.source = source
        super().__init__(key, source=source, **params)


class SourceFormatError(SourceError):
    """A response or file does not have the documented shape (truncated, unexpected schema)."""


class ReplayError(SourceError):
    """A replay folder cannot answer: a request has no entry, or the folder is not a usable
    recording (too many files, an over-large answer, an entry that cannot be read)."""


class RecordError(SourceError):
    """A recording folder cannot be written: not a folder, not empty, or a write failed."""
