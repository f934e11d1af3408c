"""The one kind of error a user reads (shared by every layer, no streamlit).

A ``UserError`` carries a translation key of resources/locales and its parameters, and is
rendered in the reader's language here, in one place: the CLI prints ``render(lang)`` after
``--lang``, the app after the session's language. Subclasses name where it happened (a source,
the store, an import, an update, the official build); none of them formats text itself.

A ``Message`` is one such sentence as plain data (key and parameters): an import's problems and
notes, the notes of the pipeline, parameters of other messages (a number, a name, a list); it
crosses the import worker's process boundary as it is.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
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


# A number inside a message, written the reader's way ("643 272" in Finnish and Swedish,
# "643,272" in English; missing as "–"). A message of its own so that it crosses the import
# worker's process boundary as plain data.
FIGURE_KEY = "data.figure"
# A municipality's name in the reader's language (the Finnish one in English), likewise.
NAME_KEY = "data.municipality_name"
MISSING_FIGURE = "–"


@dataclass(frozen=True)
class Message:
    """One translatable message: ``key`` in locales/data.yaml, ``params`` for its placeholders."""

    key: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def render(self, lang: str) -> str:
        if self.key == FIGURE_KEY:
            return format_figure(self.params.get("value"), lang, self.params.get("decimals"))
        if self.key == NAME_KEY:
            return str(self.params.get(f"name_{lang}") or self.params.get("name_fi") or "")
        params = {k: v.render(lang) if hasattr(v, "render") else v for k, v in self.params.items()}
        return translate(self.key, lang, **params)

    def __str__(self) -> str:
        return self.render("en")


@dataclass(frozen=True)
class Listing:
    """Items of a message parameter (texts or messages), each rendered, joined by ``separator``."""

    items: tuple[Message | str, ...]
    separator: str = "; "

    def render(self, lang: str) -> str:
        return self.separator.join(
            i.render(lang) if isinstance(i, Message) else str(i) for i in self.items
        )


def message(key: str, **params: Any) -> Message:
    return Message(key, params)


def figure(value: Any, decimals: int | None = None) -> Message:
    """``value`` as a number in a message (see ``FIGURE_KEY``); ``decimals`` fixes the digits
    after the point, else as many as the value needs (up to 3)."""
    number = float(value) if value is not None else math.nan
    return Message(FIGURE_KEY, {"value": number, "decimals": decimals})


def municipality_name(name_fi: str, name_sv: str) -> Message:
    """A municipality's name in a message, in the reader's language (see ``NAME_KEY``)."""
    return Message(NAME_KEY, {"name_fi": name_fi, "name_sv": name_sv})


def format_figure(value: Any, lang: str, decimals: int | None = None) -> str:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return MISSING_FIGURE
    if not math.isfinite(number):
        return MISSING_FIGURE
    if decimals is None:
        text = f"{number:,.0f}" if number.is_integer() else f"{number:,.3f}".rstrip("0")
    else:
        text = f"{number:,.{int(decimals)}f}"
    text = text.rstrip(".")
    if lang in ("fi", "sv"):
        text = text.replace(",", "\u00a0").replace(".", ",").replace("-", "\u2212")
    return text
