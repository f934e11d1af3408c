"""Finding a municipality: either national name in every language, names in links.

The pure rules (kuntadash.views.municipalities) on the real register, then the app (AppTest):
a link naming a municipality opens it and the link then carries its code; an ambiguous or
unknown name is reported; the phone-width copy of the choice changes the same value.
"""

from __future__ import annotations

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from kuntadash.ui.widgets import escape_markdown
from kuntadash.views.municipalities import (
    LABEL_SEPARATOR,
    NameMatch,
    choice_labels,
    fold,
    resolve_municipality,
)
from tests import paths

REPO = paths.REPO


@pytest.fixture(scope="module")
def register(sample_snapshot) -> pd.DataFrame:
    return sample_snapshot.municipalities


def test_fold_ignores_case_accents_and_punctuation():
    assert fold("Närpiö") == fold("NARPIO") == "narpio"
    assert fold(" Pedersören  kunta ") == "pedersoren kunta"
    assert fold("Mänttä-Vilppula") == "mantta vilppula"
    assert fold("Jomala") != fold("Jomalaa")


@pytest.mark.parametrize(
    ("lang", "code", "label"),
    [
        ("fi", "545", "Närpiö – Närpes"),
        ("en", "545", "Närpiö – Närpes"),
        ("sv", "545", "Närpes – Närpiö"),
        ("fi", "091", "Helsinki – Helsingfors"),
        ("sv", "091", "Helsingfors – Helsinki"),
        ("fi", "005", "Alajärvi"),  # the same name in both languages: shown once
    ],
)
def test_labels_show_both_national_names_own_language_first(register, lang, code, label):
    assert choice_labels(register, lang)[code] == label


def test_labels_are_offered_in_the_order_of_the_readers_language(register):
    for lang in ("fi", "sv"):
        labels = list(choice_labels(register, lang).values())
        assert labels == sorted(labels, key=str.casefold)
        assert len(labels) == len(register)
    sv = list(choice_labels(register, "sv"))
    assert sv.index("091") < sv.index("092")  # Helsingfors before Vanda (Helsinki < Vantaa too)
    assert sv.index("049") < sv.index("091")  # Esbo before Helsingfors


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("297", "297"),
        ("91", "091"),  # a code without its leading zero
        ("Kuopio", "297"),
        ("KUOPIO", "297"),
        ("Helsingfors", "091"),
        ("helsinki", "091"),
        ("Närpes", "545"),
        ("Närpiö", "545"),
        ("narpio", "545"),  # accents left out
        ("Pedersore", "599"),  # the Swedish name of Pedersören kunta
        ("pedersören-kunta", "599"),
        ("Helsingf", "091"),  # the beginning of exactly one name
    ],
)
def test_a_code_or_any_name_finds_the_municipality(register, raw, code):
    assert resolve_municipality(raw, register) == NameMatch(code)


def test_a_beginning_shared_by_several_is_ambiguous_and_lists_them(register):
    match = resolve_municipality("Por", register)
    assert match.code is None and match.ambiguous
    names = set(register.set_index("municipality_code").loc[list(match.candidates), "name_fi"])
    assert {"Pori", "Pornainen", "Porvoo"} <= names


@pytest.mark.parametrize("raw", ["999", "Atlantis", "", "   ", "<script>"])
def test_no_match_is_neither_a_code_nor_ambiguous(register, raw):
    match = resolve_municipality(raw, register)
    assert match.code is None and not match.ambiguous


def _open(page: str = "overview", **params: str) -> AppTest:
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    at.switch_page(f"pages/{page}.py")
    for name, value in params.items():
        at.query_params[name] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _notices(at: AppTest) -> str:
    return " ".join(info.value for info in at.info)


@pytest.mark.parametrize(
    ("raw", "code"), [("Kuopio", "297"), ("närpes", "545"), ("NARPIO", "545"), ("Esbo", "049")]
)
def test_a_link_naming_a_municipality_opens_it_and_then_carries_its_code(raw, code):
    at = _open(kunta=raw)
    assert at.selectbox(key="w_kunta").value == code
    assert at.query_params["kunta"] == code
    assert "kunta=" not in _notices(at)


def test_a_link_naming_the_default_municipality_leaves_it_out_of_the_link():
    at = _open(kunta="Helsingfors", lang="sv")
    assert at.selectbox(key="w_kunta").value == "091"
    assert "kunta" not in at.query_params
    assert not at.info


def test_an_ambiguous_name_is_reported_with_the_candidates_and_the_default_kept():
    at = _open(kunta="Por", lang="en")
    notices = _notices(at)
    assert "fits several municipalities" in notices
    assert escape_markdown("Porvoo – Borgå") in notices and "Pori" in notices
    assert at.selectbox(key="w_kunta").value == "091"
    assert "kunta" not in at.query_params


def test_an_unknown_name_is_reported_as_text():
    at = _open(kunta="**Atlantis**")
    notices = _notices(at)
    assert "kunta=" + escape_markdown("**Atlantis**") in notices
    assert "**Atlantis**" not in notices  # shown as typed, not as bold markup
    assert at.selectbox(key="w_kunta").value == "091"


@pytest.mark.parametrize("page", ["overview", "municipality", "compare", "groups"])
def test_pages_showing_the_municipality_carry_their_own_choice(page):
    at = _open(page, kunta="297")
    on_page = at.selectbox(key="w_kunta_on_page")
    assert on_page.value == "297"
    assert on_page.format_func("545") == "Närpiö – Närpes"


@pytest.mark.parametrize("page", ["indicators", "event", "data"])
def test_other_pages_do_not(page):
    at = _open(page)
    assert "w_kunta_on_page" not in [box.key for box in at.selectbox]


def test_the_on_page_choice_and_the_sidebar_change_one_value():
    at = _open("compare", lang="sv")
    at.selectbox(key="w_kunta_on_page").set_value("545").run()
    assert not at.exception
    assert at.selectbox(key="w_kunta").value == "545"
    assert at.query_params["kunta"] == "545"
    at.selectbox(key="w_kunta").set_value("297").run()
    assert at.selectbox(key="w_kunta_on_page").value == "297"


def test_the_sidebar_choice_asks_the_phone_to_fold_the_sidebar_once():
    at = _open()
    assert not _close_scripts(at)
    at.selectbox(key="w_kunta").set_value("297").run()
    assert len(_close_scripts(at)) == 1
    at.selectbox(key="w_kunta_on_page").set_value("545").run()  # on the page: nothing to fold
    assert not _close_scripts(at)


def _close_scripts(at: AppTest) -> list[str]:
    bodies = [node.proto.body for node in at.get("html")]
    return [body for body in bodies if "stSidebarCollapseButton" in body]


def test_the_label_separator_is_what_the_labels_use():
    assert LABEL_SEPARATOR.strip() == "–"
