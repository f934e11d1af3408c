"""Labels and texts that need no streamlit (views layer): data shown literally in markdown and
widget labels, year spans, source words, and the names of former municipalities.

``kuntadash.ui.widgets`` draws with them and keeps their names importable for the pages.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from functools import cache
from types import MappingProxyType

import pandas as pd

from kuntadash import resources

_ASCII_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")


def escape_markdown(text: object) -> str:
    """``text`` shown literally where Streamlit renders markdown (st.markdown, title, header,
    caption, info / error, expander, tab and metric labels, help).

    Use it on every piece of data put there: names and units from a snapshot, values from a
    link or an uploaded file. Every ASCII punctuation mark is backslash-escaped (CommonMark) and
    line breaks become spaces, so ``<script>``, ``**x**`` or ``[a](javascript:...)`` appear as
    typed, never as markup, links or HTML.
    """
    return _ASCII_PUNCTUATION.sub(r"\\\1", " ".join(str(text).splitlines()))


# Characters that can start markup in a widget label (emphasis, code, links, directives such as
# :red[..] and :material/..:, LaTeX, HTML, entities); "-", ".", "(" and the like cannot there.
_LABEL_MARKUP = re.compile(r"([\\`*_\[\]~:$<>{}|!&#])")
_LABEL_LINE_START = re.compile(r"^(\s*)([-+>=]|\d+[.)])")


def escape_label(text: object) -> str:
    """``text`` shown literally as a widget's label, escaping only what could be markup there.

    A label is markdown, and the browser's screen-reader label (aria-label) is the same string
    with its backslashes; :func:`escape_markdown` would make a screen reader read
    "Korkea backslash asteen". Here "Korkea-asteen tutkinnon suorittaneet" stays as it is,
    while ``**x**``, ``<b>``, ``[a](b)`` and ``:red[x]`` are still shown as typed."""
    flat = " ".join(str(text).splitlines())
    flat = _LABEL_MARKUP.sub(r"\\\1", flat)
    # a list or quote marker at the start: "- x" -> "\\- x", "1. x" -> "1\\. x"
    return _LABEL_LINE_START.sub(
        lambda m: m.group(1) + m.group(2)[:-1] + "\\" + m.group(2)[-1], flat
    )


def capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]


def year_span(year: int | Sequence[int]) -> str:
    """'2015–2024', or '2020' when every year is the same one."""
    years = years_list(year) or []
    if not years:
        return "–"
    low, high = min(years), max(years)
    return str(low) if low == high else f"{low}–{high}"


def years_list(year: int | Sequence[int] | None) -> list[int] | None:
    if year is None:
        return None
    if isinstance(year, Sequence):
        return [int(y) for y in year]
    return [int(year)]


def plain_value(value: object) -> str:
    """A catalogue or manifest cell as text: None, NaN and <NA> become ""."""
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA:
        return ""
    text = str(value).strip()
    return "" if text.lower() in ("nan", "none", "<na>") else text


def source_words(line: object, markdown: bool) -> str:
    """'Tilastokeskus: Kuntien avainluvut … (CC BY 4.0)' with the dataset linked (the vintage,
    file and checksum are on the Data page)."""
    publisher, title = line.publisher, line.title  # type: ignore[attr-defined]
    licence, url = line.licence, line.url  # type: ignore[attr-defined]
    if markdown:
        publisher, title, licence = map(escape_markdown, (publisher, title, licence))
        if title and url:
            title = f"[{title}]({url})"
    words = publisher + (f": {title}" if title else "")
    if licence:
        words += f" ({licence})"
    return words


@cache
def merged_names() -> Mapping[str, str]:
    """Names of municipalities that no longer exist, by their old code (the bundled list, read
    once per process: parsing it took a fifth of an overview rerun)."""
    document = resources.read_resource_yaml("division_changes.yaml") or {}
    return MappingProxyType(
        {
            str(c["absorbed"]).zfill(3): str(c.get("name_fi") or c["absorbed"])
            for c in document.get("changes") or []
        }
    )
