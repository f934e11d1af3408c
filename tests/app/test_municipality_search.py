"""A typed name finds its municipality regardless of accents, case and hyphens, by its Finnish
or Swedish name or the beginning of a word, in every choice of a municipality (the sidebar, the
phone copy at the top of a page, the compare page's list) and every UI language.

The browser's own filtering of a selectbox matches labels letter by letter ("narpio" does not
find "Närpiö"); a name confirmed with Enter reaches the server as text, which
``views.municipalities.resolve_municipality`` reads. These tests send that text as the browser
does (the widget's string value); tests/browser/test_search_browser.py types it.
"""

from __future__ import annotations

import pytest
from streamlit.proto.SelectWidgetFilterMode_pb2 import SelectWidgetFilterMode
from streamlit.testing.v1.element_tree import Multiselect, Selectbox, WidgetState

from kuntadash.i18n import LANGUAGES
from kuntadash.views.municipalities import resolve_municipality
from tests.apptest import app_pages, run_page

NARPIO = "545"


@pytest.mark.parametrize(
    "typed", ["narp", "narpio", "NARPIO", "Närpiö", "Närpes", "narpes", "  Narpes "]
)
def test_every_spelling_of_a_name_and_its_beginning_finds_the_municipality(sample_snapshot, typed):
    assert resolve_municipality(typed, sample_snapshot.municipalities).code == NARPIO


@pytest.mark.parametrize(
    "typed", ["Mänttä-Vilppula", "mantta vilppula", "mantta-vilppula", "manttavilppula", "vilppula"]
)
def test_hyphens_spacing_and_a_later_word_find_the_municipality(sample_snapshot, typed):
    assert resolve_municipality(typed, sample_snapshot.municipalities).code == "508"


def test_a_beginning_shared_by_several_is_not_guessed(sample_snapshot):
    match = resolve_municipality("por", sample_snapshot.municipalities)
    assert match.ambiguous and {"609", "611", "638"} <= set(match.candidates)


class _Typed(Selectbox):
    """The selectbox as the browser leaves it after text was typed and Enter pressed."""

    typed = ""

    @property
    def _widget_state(self) -> WidgetState:
        return WidgetState(id=self.id, string_value=self.typed)


def _type_into(at, key: str, text: str):
    box = at.selectbox(key=key)
    box.__class__ = _Typed
    box.typed = text
    return at.run()


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("key", ["w_kunta", "w_kunta_on_page"])
def test_typing_narpio_into_a_choice_chooses_narpio_in_every_language(lang, key):
    at = run_page("overview", lang)
    at = _type_into(at, key, "narpio")
    assert not at.exception, [e.value for e in at.exception]
    assert at.session_state["kunta"] == NARPIO
    assert at.query_params["kunta"] == NARPIO
    # both copies of the choice now show it, and no notice says otherwise
    assert at.selectbox(key="w_kunta").value == NARPIO
    assert at.selectbox(key="w_kunta_on_page").value == NARPIO
    assert not [i for i in at.info if "narpio" in i.value]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_name_that_fits_several_is_reported_next_to_the_choice(lang):
    at = run_page("overview", lang)
    before = at.session_state["kunta"]
    at = _type_into(at, "w_kunta", "por")
    assert not at.exception
    assert at.session_state["kunta"] == before
    notices = [i.value for i in at.sidebar.info]
    assert any("Pori" in text and "Porvoo" in text for text in notices), notices
    assert at.selectbox(key="w_kunta").value == before


def test_a_name_that_fits_none_is_reported_and_changes_nothing():
    at = run_page("overview", "en")
    at = _type_into(at, "w_kunta_on_page", "Atlantis")
    assert at.session_state["kunta"] == "091"
    assert any("Atlantis" in i.value for i in at.main.info), [i.value for i in at.info]
    assert not any("Atlantis" in i.value for i in at.sidebar.info)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_compare_list_adds_a_typed_name(lang):
    at = run_page("compare", lang)
    box: Multiselect = at.multiselect(key="w_compare")
    before = list(box.value)
    box.set_value([*before, "narpes"])
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.session_state["compare"] == [*before, NARPIO]
    assert NARPIO in at.query_params["compare"].split(",")


PAGES = app_pages()


@pytest.mark.parametrize("page", PAGES)
def test_every_list_of_municipalities_on_every_page_takes_a_typed_name(page):
    """Whatever page lists the municipalities to choose from, now or added later, lets the
    reader type a name (the widget accepts text, which the finder reads) and narrows its list
    by a part of the label."""
    at = run_page(page, "sv")
    widgets = [*at.selectbox, *at.multiselect]
    lists = [w for w in widgets if len(w.options) >= 300]
    assert lists, "the sidebar's choice at least"
    for widget in lists:
        assert widget.proto.accept_new_options, (page, widget.label)
        assert widget.proto.filter_mode == SelectWidgetFilterMode.FILTER_MODE_CONTAINS, (
            page,
            widget.label,
        )
