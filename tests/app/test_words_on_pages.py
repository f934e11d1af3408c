"""Every word in front of a user is in the user's language and means something to them: no
internal ids (catalogue ids, resource files, code paths), no "nan" / "None", no exception text,
and in the Finnish view none of a short list of English words. Scans everything each page
renders (texts, labels, options, help, captions, table headings and cells) with AppTest.

Streamlit's, plotly's and MapLibre's own English (tooltips, screen-reader labels, the file
uploader) live in the browser and are checked in tests/browser/test_official_browser.py (every
page) and tests/browser/test_words_browser.py.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pyarrow as pa
import pytest
from google.protobuf.message import Message
from streamlit.testing.v1 import AppTest

from kuntadash.resources import read_resource_yaml
from kuntadash.store.locations import DATA_DIR_ENV
from tests.apptest import run_page
from tests.conftest import OFFICIAL_DIR

CATALOGUE_IDS = [str(entry["id"]) for entry in read_resource_yaml("indicators.yaml")["indicators"]]
INTERNAL_IDS = re.compile(
    r"\b(?:" + "|".join(re.escape(i) for i in CATALOGUE_IDS if "_" in i) + r")\b"
)
INTERNAL = re.compile(
    r"\.ya?ml\b|\.py\b|\.parquet\b|\.\./|/work/|src/kuntadash|\bdocs/|"
    r"\b(?:nan|NaN|None|<NA>|NaT)\b|Traceback|Exception|Error:"
)
# English that must not reach a Finnish reader (whole words; the publishers' and
# licences' names such as "CC BY 4.0" are no such words).
ENGLISH = re.compile(
    r"\b(?:the|and|with|from|Download|Search|Choose|Upload|Help|Value|Year|Rank|Source|Unit|"
    r"Licence|Municipality|Indicator|better|worse|missing|sample|Statistics Finland)\b"
)
# Where a proto keeps identifiers, addresses or chart specifications rather than words.
_NOT_WORDS = {"id", "form_id", "key", "url", "spec", "config", "icon", "uuid", "styles", "css"}


def _words(message: Message) -> Iterator[str]:
    for field, value in message.ListFields():
        if field.name in _NOT_WORDS:
            continue
        values = value if _repeated(value) else [value]
        for item in values:
            if isinstance(item, Message):
                yield from _words(item)
            elif isinstance(item, str) and item.startswith("{"):
                yield from _json_words(item)  # a component's data: its texts, not its keys
            elif isinstance(item, str):
                yield item
            elif isinstance(item, bytes) and field.name in ("data", "display_values"):
                yield from _table_words(item)


def _json_words(text: str) -> Iterator[str]:
    try:
        document = json.loads(text)
    except ValueError:
        yield text
        return

    def values(node: Any) -> Iterator[str]:
        if isinstance(node, dict):
            for value in node.values():
                yield from values(value)
        elif isinstance(node, list):
            for value in node:
                yield from values(value)
        elif isinstance(node, str):
            yield node

    yield from values(document)


def _repeated(value: Any) -> bool:
    return hasattr(value, "__len__") and not isinstance(value, (str, bytes, Message))


def _table_words(arrow: bytes) -> Iterator[str]:
    """A table's headings and text cells (and the display text of its numbers)."""
    table = pa.ipc.open_stream(arrow).read_all().to_pandas()
    yield from (str(column) for column in table.columns)
    for column in table.columns:
        yield from (cell for cell in table[column].tolist() if isinstance(cell, str))


def _rendered(at: AppTest) -> list[str]:
    texts: list[str] = []

    def walk(node: Any) -> None:
        proto = getattr(node, "proto", None)
        if isinstance(proto, Message):
            texts.extend(_words(proto))
        for child in (getattr(node, "children", None) or {}).values():
            walk(child)

    walk(at.main)
    walk(at.sidebar)
    return texts


_ADDRESS = re.compile(r"https?://[^\s)]+")


def _check(rendered: list[str], lang: str) -> None:
    assert rendered, "the page rendered text"
    # Addresses (a link's target) are not words, and a script (the page language and the
    # frameworks' words, kuntadash.ui.a11y) is not shown.
    texts = [_ADDRESS.sub("", t) for t in rendered if not t.lstrip().startswith("<script")]
    internal = sorted({m.group(0) for t in texts for m in INTERNAL_IDS.finditer(t)})
    assert not internal, f"internal ids in front of a user: {internal}"
    leaks = sorted({t[:120] for t in texts if INTERNAL.search(t)})
    assert not leaks, f"files, paths, nan/None or errors in front of a user: {leaks}"
    if lang == "fi":
        english = sorted({t[:120] for t in texts if ENGLISH.search(t)})
        assert not english, f"English in the Finnish view: {english}"


@pytest.mark.parametrize("page", ["overview", "municipality"])
def test_the_official_snapshot_says_what_brings_the_missing_dimension(page, monkeypatch):
    """The technological dimension has no official figures offline: the page names what an
    update brings and from whom (Traficom's broadband availability), not only that it lacks."""
    monkeypatch.setenv(DATA_DIR_ENV, str(OFFICIAL_DIR))
    # markdown escapes removed: the card's reading is escaped (ui.widgets.escape_markdown)
    said = " ".join(_rendered(run_page(page, "en", kunta="091"))).replace("\\", "")
    assert "Traficom" in said and "Fixed broadband of at least 100 Mbit/s" in said


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_an_uncertain_municipality_type_is_explained_in_words(lang):
    at = run_page("municipality", lang, kunta="016")  # Asikkala: frame municipality, uncertain
    texts = _rendered(at)
    _check(texts, lang)
    # the type is named in the sentence, and what it means for the comparison is said
    said = {
        "fi": (r"Kuntatyyppi( \([^)]*\))? on epävarma", "toiseen vertailuryhmään"),
        "sv": (r"Kommuntypen( \([^)]*\))? är osäker", "annan jämförelsegrupp"),
        "en": (r"type( \([^)]*\))? is uncertain", "another comparison group"),
    }[lang]
    plain = [text.replace("\\", "") for text in texts]  # as read: markdown escapes removed
    assert any(re.search(said[0], text) and said[1] in text for text in plain)


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_the_tax_rate_with_its_break_and_value_choice(lang):
    """The indicator with the most words of its own: direction note, break, changes."""
    for page in ("compare", "groups", "indicators"):
        _check(
            _rendered(run_page(page, lang, indicator="municipal_tax_rate", dim="economic")), lang
        )


def test_the_scan_finds_what_it_looks_for():
    """The patterns catch what they are for (a scan that finds nothing proves nothing)."""
    with pytest.raises(AssertionError, match="internal ids"):
        _check(["Indikaattori buildings_built_2010_or_later_share"], "fi")
    for leak in ("municipality_types_2025.yaml", "None", "arvo nan", "../shared/opendata"):
        with pytest.raises(AssertionError, match="files, paths"):
            _check([leak], "fi")
    with pytest.raises(AssertionError, match="English"):
        _check(["Download the table"], "fi")
    _check(["Lähde: Tilastokeskus (CC BY 4.0)", "Työttömien osuus 8,1 %"], "fi")


def test_the_scan_reads_tables_captions_and_options():
    texts = _rendered(run_page("indicators", "fi"))
    assert "Kunnallisveroprosentti" in texts  # a table cell
    assert "Määritelmä" in texts  # a table heading
    assert any(t.startswith("Julkaisijan taulukko ja koodi") for t in texts)  # a caption
    assert "Taloudellinen kestävyys" in texts  # a select box option


@pytest.mark.parametrize(
    ("name", "label"),
    [
        # read aloud as written: no backslash in the screen-reader label
        ("Korkea-asteen tutkinnon suorittaneet", "Korkea-asteen tutkinnon suorittaneet"),
        ("Yli 64-vuotiaiden osuus (%)", "Yli 64-vuotiaiden osuus (%)"),
        # markup is still shown as typed
        ("**x**", r"\*\*x\*\*"),
        ("<b>x</b>", r"\<b\>x\</b\>"),
        ("[a](javascript:x)", r"\[a\](javascript\:x)"),
        (":red[x]", r"\:red\[x\]"),
        ("- x", r"\- x"),
        ("1. x", r"1\. x"),
    ],
)
def test_widget_labels_escape_only_what_could_be_markup(name, label):
    from kuntadash.ui.widgets import escape_label

    assert escape_label(name) == label
