"""The committed snapshot of official figures in a real browser, and every page the navigation
lists, in fi, sv and en, in one visit per page (and one more at phone width).

A page load is the costliest step of the browser suite (about 3 CPU-seconds of Chromium and
the server's run on a shared 2-core machine), so everything that must hold on *every* page is
checked on the same load, here, rather than by one module per property, and each page is
loaded in Finnish and then switched to Swedish and English in the sidebar, as a reader does (a
rerun costs about a third of a load):

- it draws: a heading, no error, nothing printed as "nan" or "None", and no made-up-sample
  notice (official data);
- axe-core finds no serious or critical violation, every folded part open;
- every aria-label, title, data-title and placeholder (Streamlit's, plotly's and MapLibre's
  included, every chart's mode bar and every table's toolbar shown) is in the page's language
  (``tests.browser.test_words_browser.foreign_labels``);
- at phone width it draws too: loaded at that width in Finnish, the default language (a
  reader's phone opening a link), and in Swedish and English the same page with its window
  narrowed (a load per page costs more than every other check on it together).

A page without the language choice (the event slides) is loaded from its link in each
language. Loading a page from a link in a language is checked in test_links_browser and
test_pages_browser.

The pages come from app.py's navigation (``tests.apptest.app_pages``), so a page added there is
walked here too. Besides: the map shows all 308 municipalities with their real borders, and the
made-up sample is a per-session choice that others never see. Screenshots go to
``test-artifacts/official/`` and axe's findings to ``test-artifacts/axe/``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from kuntadash.i18n import LANGUAGES, translate
from tests.apptest import app_pages
from tests.browser.conftest import DESKTOP, PHONE, fresh_page, wait_ready
from tests.browser.drawing import resize, wait_drawn
from tests.browser.test_accessibility import blocking, open_expanders, run_axe
from tests.browser.test_pages_browser import (
    LANGUAGE_LABEL,
    LANGUAGE_OPTION,
    assert_no_error,
    choose,
    nav_pages,
    wait_document_language,
    wait_map_drawn,
)
from tests.browser.test_words_browser import WORDS_JS, foreign_labels

# The first page the navigation lists is the default one, at the root.
PAGES = ["", *app_pages()[1:]]
# Words that must never reach a reader: a missing value printed by Python or pandas.
LEAKS = re.compile(r"\b(nan|None|NaT|<NA>)\b")


def _main_text(page: Page) -> str:
    return page.locator("[data-testid=stMain]").inner_text()


def _open(page: Page, base: str, path: str, lang: str) -> Page:
    page.goto(f"{base}/{path}?lang={lang}" if lang != "fi" else f"{base}/{path}")
    wait_ready(page)
    return page


def _draws(page: Page, path: str, lang: str, width: str) -> None:
    expect(page.locator("h1").first).to_be_visible()
    assert_no_error(page)
    text = _main_text(page)
    assert not LEAKS.search(text), f"/{path} ({lang}, {width}): {LEAKS.search(text)}"
    # Official data: the made-up-sample notice must not be there.
    assert translate("common.sample_notice", lang)[:30] not in text


TO_TOP_JS = "() => document.querySelector('[data-testid=stMain]').scrollTo(0, 0)"
# A chart's mode bar (plotly's) and a table's toolbar (Streamlit's), which show under the pointer.
TOOLBARS = {"stPlotlyChart": ".modebar", "stDataFrame": "[data-testid=stElementToolbar]"}


def _labels(page: Page) -> set[str]:
    """Every label on the page, with each visible chart's mode bar and table's toolbar in it: a
    toolbar not yet in the page is brought by hovering its element and waited for (in
    Streamlit 1.67 and plotly 7 both are in the page already, hidden, and are read as they are;
    were one drawn only under the pointer, this hovers for it)."""
    labels = set(page.evaluate(WORDS_JS)["labels"])
    for testid, toolbar in TOOLBARS.items():
        for element in page.locator(f"[data-testid={testid}]").all():
            if element.is_visible() and not element.locator(toolbar).count():
                element.hover()
                element.locator(toolbar).first.wait_for(state="attached")
                labels |= set(page.evaluate(WORDS_JS)["labels"])
    # the language choice is named in every language on purpose, to be found by anyone
    return labels - {LANGUAGE_LABEL, ""}


def _name(path: str, lang: str) -> str:
    return f"{path or 'overview'}-{lang}"


def _at_phone_width(page: Page, path: str, lang: str, shots: Path) -> None:
    """At phone width: it draws; the screenshot shows the page's first screen."""
    _draws(page, path, lang, "phone")
    page.evaluate(TO_TOP_JS)
    page.screenshot(path=str(shots / f"{_name(path, lang)}-phone.png"), full_page=True)


def _speaks(page: Page, path: str, lang: str, shots: Path, axe_source: str) -> None:
    """At desktop width: it draws, the main menu is named in ``lang``, axe finds nothing
    serious with every folded part open, and every label is in ``lang``."""
    name = _name(path, lang)
    _draws(page, path, lang, "desktop")
    main_menu = page.locator(f"[aria-label='{translate('frontend.main_menu', lang)}']")
    expect(main_menu).to_have_count(1)
    page.screenshot(path=str(shots / f"{name}-desktop.png"), full_page=True)
    open_expanders(page)
    wait_drawn(page)  # plotly draws what the expanders revealed
    violations = run_axe(page, axe_source)
    axe = shots.parent / "axe"
    axe.mkdir(exist_ok=True)
    (axe / f"{name}.json").write_text(
        json.dumps(violations, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    assert not blocking(violations), json.dumps(blocking(violations), ensure_ascii=False)
    labels = _labels(page)
    assert labels, "the page carries labels"
    assert foreign_labels(list(labels), lang) == []


def _switch(page: Page, base: str, path: str, lang: str) -> None:
    """The page in ``lang``: chosen in the sidebar as a reader does (a rerun), or, on a page
    that offers no choice (the event slides), loaded from its link."""
    choice = page.get_by_role("combobox", name=LANGUAGE_LABEL)
    if not choice.count():
        _open(page, base, path, lang)
        return
    choose(page, LANGUAGE_LABEL, LANGUAGE_OPTION[lang])
    wait_document_language(page, lang)
    wait_ready(page)
    expect(page).to_have_url(re.compile(rf"[?&]lang={lang}(&|$)"))


@pytest.mark.parametrize("path", PAGES)
def test_every_page_draws_passes_axe_and_speaks_each_language(
    warm_context: BrowserContext,
    official_url: str,
    axe_source: str,
    artifacts: Path,
    path: str,
) -> None:
    """The page loaded in Finnish, then the language chosen in the sidebar as a reader does
    (a rerun, not a load), each language checked at desktop width and then at phone width
    with the window narrowed; and the page loaded at phone width in Finnish."""
    shots = artifacts / "official"
    shots.mkdir(exist_ok=True)
    first, *others = LANGUAGES
    with fresh_page(warm_context, DESKTOP) as page:
        _open(page, official_url, path, first)
        _speaks(page, path, first, shots, axe_source)
        for lang in others:
            resize(page, DESKTOP)
            _switch(page, official_url, path, lang)
            _speaks(page, path, lang, shots, axe_source)
            # At phone width, the same page: the window narrowed (sections open).
            page.mouse.move(0, 0)  # no tooltip left from the labels' hovering
            resize(page, PHONE)
            _at_phone_width(page, path, lang, shots)
    # Loaded at phone width, in the default language: a reader's phone opening the link.
    with fresh_page(warm_context, PHONE) as page:
        _open(page, official_url, path, first)
        _at_phone_width(page, path, first, shots)


def test_overview_map_draws_every_municipality_with_real_borders(
    warm_context: BrowserContext, official_url: str
) -> None:
    with fresh_page(warm_context, DESKTOP) as page:
        page.goto(official_url)
        wait_ready(page)
        assert wait_map_drawn(page, 308) == 308
        caption = _main_text(page)
        # The caption names where the figures come from, in Finnish, and the merged municipality.
        assert "Tilastokeskus" in caption and "Kuntien avainluvut" in caption
        assert "Mäntyharju (Pertunmaa)" in caption
        link = page.get_by_role("link", name=re.compile("Kuntien avainluvut"))
        expect(link.first).to_have_attribute("href", re.compile(r"^https://pxdata\.stat\.fi/"))


def test_the_sample_is_a_choice_of_one_session_only(
    warm_context: BrowserContext, browser: Browser, official_url: str
) -> None:
    """One reader chooses the made-up sample; another visitor at the same time, in a browser of
    their own, still sees the official figures."""
    notice = translate("common.sample_notice", "fi")[:30]
    other = browser.new_context(base_url=official_url, viewport=DESKTOP)
    try:
        with fresh_page(warm_context, DESKTOP) as page:
            page.goto(official_url)
            wait_ready(page)
            assert notice not in _main_text(page)
            sidebar = page.get_by_test_id("stSidebar")
            sidebar.get_by_role("combobox", name=translate("common.dataset", "fi")).click()
            page.get_by_role("option", name=translate("common.dataset_sample", "fi")).click()
            page.wait_for_url(re.compile(r"dataset=sample"))
            wait_ready(page)
            expect(page.get_by_text(notice)).to_be_visible()
            visitor = other.new_page()
            visitor.set_default_timeout(60_000)
            visitor.goto("/")
            wait_ready(visitor)
            assert notice not in _main_text(visitor)
            assert [p for p, _ in nav_pages(visitor)]  # the other session works normally
    finally:
        other.close()
