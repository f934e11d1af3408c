"""Import problems as translatable messages: a key in locales/data.yaml plus parameters.

``DataImportError`` is the one error the importer raises for bad input; it carries every
problem found (file, row or field named in the parameters) so the CLI and the Data page can show
them all in the user's language.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from kuntadash.errors import UserError
from kuntadash.i18n import translate

MAX_MESSAGES = 25
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


def _count(item: Message) -> int:
    """How many problems a message stands for ("… and N more" stands for N)."""
    if item.key == "data.error.more_problems":
        return int(item.params.get("count", 1))
    return 1


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


def row(number: int) -> Message:
    """'row N' in the reader's language (a parameter of other messages)."""
    return Message("data.where.row", {"n": number})


def item(number: int) -> Message:
    return Message("data.where.item", {"n": number})


class DataImportError(UserError):
    """Bad input: nothing was written. ``messages`` name the file, row or field of each problem."""

    def __init__(self, messages: Message | Iterable[Message], more: int = 0):
        """``more``: problems found but not kept (a reader keeps the first few of many)."""
        items = [messages] if isinstance(messages, Message) else list(messages)
        if len(items) > MAX_MESSAGES or more:
            extra = more + sum(_count(m) for m in items[MAX_MESSAGES:])
            items = [*items[:MAX_MESSAGES], message("data.error.more_problems", count=extra)]
        self.messages: list[Message] = items
        super().__init__(log="; ".join(m.render("en") for m in items))

    def render(self, lang: str) -> str:
        return "\n".join(m.render(lang) for m in self.messages)


def examples(items: Iterable[Any], shown: int = 5) -> str:
    """A short comma-separated list with a count of the rest (for messages)."""
    items = [str(i) for i in items]
    more = f" … (+{len(items) - shown})" if len(items) > shown else ""
    return ", ".join(items[:shown]) + more
