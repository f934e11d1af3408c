"""Typing a name without its accents finds the municipality, in headless Chromium: "narpio"
and Enter chooses Närpiö in the Finnish, Swedish and English UI, in the sidebar, in the phone
copy at the top of the page and in the compare page's list; the typed-text option reads in the
reader's language. Screenshots of the open list are kept in test-artifacts/.

The tests share one browser context (``warm_context``), each in a page of its own: the app's
scripts stay in the cache, as in a reader's browser.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import Page, expect

from kuntadash.i18n import translate
from tests.browser.conftest import ARTIFACTS, DESKTOP, wait_ready

SHOWN = {"fi": "Närpiö – Närpes", "sv": "Närpes – Närpiö", "en": "Närpiö – Närpes"}


def _query(url: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlparse(url).query).items()}


def _type_and_enter(page: Page, combobox, typed: str, lang: str, shot: str) -> None:
    before = page.url
    combobox.click()
    page.keyboard.type(typed)
    offered = translate("frontend.find_typed", lang, text=typed)
    expect(page.get_by_role("option", name=offered, exact=True)).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / shot))
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: url != before, timeout=30_000)
    wait_ready(page)


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_narpio_typed_in_the_sidebar_chooses_narpio(page: Page, app_url: str, lang: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.set_viewport_size(DESKTOP)
    page.goto(f"{app_url}/?lang={lang}")
    wait_ready(page)
    sidebar = page.get_by_test_id("stSidebar")
    label = translate("common.municipality", lang)
    choice = sidebar.get_by_role("combobox", name=label, exact=True)
    _type_and_enter(page, choice, "narpio", lang, f"search-narpio-desktop-{lang}.png")
    assert _query(page.url).get("kunta") == "545"
    expect(choice).to_have_value(SHOWN[lang])
    page.screenshot(path=str(ARTIFACTS / f"search-narpio-chosen-desktop-{lang}.png"))


def test_narpio_typed_at_the_top_of_the_page_on_a_phone(phone: Page, app_url: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    phone.goto(f"{app_url}/municipality")
    wait_ready(phone)
    main = phone.get_by_test_id("stMain")
    choice = main.get_by_role("combobox", name="Kunta", exact=True)
    _type_and_enter(phone, choice, "narpio", "fi", "search-narpio-phone-fi.png")
    assert _query(phone.url).get("kunta") == "545"
    expect(choice).to_have_value(SHOWN["fi"])
    phone.screenshot(path=str(ARTIFACTS / "search-narpio-chosen-phone-fi.png"))


def test_a_name_fitting_several_is_reported_in_the_readers_language(
    page: Page, app_url: str
) -> None:
    page.goto(f"{app_url}/?lang=sv")
    wait_ready(page)
    sidebar = page.get_by_test_id("stSidebar")
    choice = sidebar.get_by_role("combobox", name="Kommun", exact=True)
    choice.click()
    page.keyboard.type("por")
    page.keyboard.press("Enter")
    notice = sidebar.get_by_test_id("stAlert").filter(has_text="Björneborg")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("Borgå")
    assert "kunta" not in _query(page.url)
    page.screenshot(path=str(ARTIFACTS / "search-por-ambiguous-desktop-sv.png"))


def test_narpes_typed_into_the_compare_list_adds_narpio(page: Page, app_url: str) -> None:
    page.goto(f"{app_url}/compare?lang=en")
    wait_ready(page)
    main = page.get_by_test_id("stMain")
    listbox = main.get_by_role("combobox", name="Municipalities", exact=False).first
    before = page.url
    listbox.click()
    page.keyboard.type("narpes")
    option = page.get_by_role("option", name="Find by name: narpes", exact=True)
    expect(option).to_be_visible()
    option.click()
    page.wait_for_url(lambda url: url != before, timeout=30_000)
    wait_ready(page)
    assert "545" in _query(page.url).get("compare", "").split(",")


def test_enter_in_the_compare_list_adds_the_typed_name_not_a_lookalike(
    page: Page, app_url: str
) -> None:
    """Swedish labels such as "Kristinestad" hold n, a, r, p in that order: Streamlit's default
    letter-by-letter filter would offer them first, and Enter would add one of them."""
    page.goto(f"{app_url}/compare?lang=sv")
    wait_ready(page)
    main = page.get_by_test_id("stMain")
    listbox = main.get_by_role("combobox", name="Kommuner att jämföra", exact=False).first
    before = page.url
    listbox.click()
    page.keyboard.type("narp")
    expect(page.get_by_role("option", name="Sök med namnet: narp", exact=True)).to_be_visible()
    expect(page.get_by_role("option", name="Kristinestad – Kristiinankaupunki")).to_have_count(0)
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: url != before, timeout=30_000)
    wait_ready(page)
    assert "545" in _query(page.url).get("compare", "").split(",")
