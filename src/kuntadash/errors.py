"""The one kind of error a user reads (shared by every layer, no streamlit).

A ``UserError`` carries a translation key of resources/locales and its parameters, and is
rendered in the reader's language here, in one place: the CLI prints ``render(lang)`` after
``--lang``, the app after the session's language. Subclasses name where it happened (a source,
the store, an import, an update, the official build); none of them formats text itself.
"""

from __future__ import annotations

from typing import Any

from kuntadash.i18n import translate


class UserError(Exception):
    """An error whose message is a sentence for the user: ``key`` and ``params`` translate.

    ``str()`` of the error is its English rendering (for logs); a subclass may pass a more
    technical ``log`` text for the operator's log instead (never shown to visitors)."""

    key = "common.error"

    def __init__(self, key: str | None = None, /, *, log: str | None = None, **params: Any):
        if key is not None:
            self.key = key
        self.params: dict[str, Any] = params
        super().__init__(log if log is not None else self.render("en"))

    def render(self, lang: str) -> str:
        params = {k: v.render(lang) if hasattr(v, "render") else v for k, v in self.params.items()}
        return translate(self.key, lang, **params)
