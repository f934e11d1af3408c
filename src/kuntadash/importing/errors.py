"""Import problems (importing layer): ``DataImportError`` and the places messages name.

``DataImportError`` is the one error the importer raises for bad input; it carries every
problem found (file, row or field named in the parameters, each a :class:`kuntadash.errors.
Message`) so the CLI and the Data page can show them all in the user's language.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from kuntadash.errors import Message, UserError, message

MAX_MESSAGES = 25


def _count(item: Message) -> int:
    """How many problems a message stands for ("… and N more" stands for N)."""
    if item.key == "data.error.more_problems":
        return int(item.params.get("count", 1))
    return 1


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
