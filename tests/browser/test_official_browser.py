"""The committed snapshot of official figures in a real browser: every page draws at desktop and
phone width in fi, sv and en, the map shows all 308 municipalities with their real borders, no
page prints "nan", and the made-up sample is a per-session choice that others never see.

Screenshots go to ``test-artifacts/official/`` for a person to look at.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from kuntadash.i18n import translate
from tests.browser.conftest import DESKTOP, PHONE, run_streamlit, wait_ready
from tests.browser.test_pages_browser import assert_no_error, nav_pages, wait_map_drawn
from tests.conftest import OFFICIAL_DIR

PAGES = ("", "municipality", "compare", "groups", "indicators", "event", "data")
# Words that must never reach a reader: a missing value printed by Python or pandas.
LEAKS = re.compile(r"\b(nan|None|NaT|<NA>)\b")


@pytest.fixture(scope="module")
def official_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    target = tmp_path_factory.mktemp("official") / "data"
    shutil.copytree(OFFICIAL_DIR, target)
    log = tmp_path_factory.mktemp("official-log") / "streamlit.log"
    with run_streamlit(target, log) as base:
        yield base


def _main_text(page: Page) -> str:
    return page.locator("[data-testid=stMain]").inner_text()


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_every_page_draws_the_official_figures(
    browser: Browser, official_url: str, artifacts: Path, lang: str
) -> None:
    shots = artifacts / "official"
    shots.mkdir(exist_ok=True)
    for width, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        context = browser.new_context(base_url=official_url, viewport=viewport)
        page = context.new_page()
        page.set_default_timeout(60_000)
        try:
            for path in PAGES:
                page.goto(f"/{path}?lang={lang}" if lang != "fi" else f"/{path}")
                wait_ready(page)
                expect(page.locator("h1").first).to_be_visible()
                assert_no_error(page)
                text = _main_text(page)
                assert not LEAKS.search(text), f"/{path} ({lang}, {width}): {LEAKS.search(text)}"
                # Official data: the made-up-sample notice must not be there.
                assert translate("common.sample_notice", lang)[:30] not in text
                page.screenshot(
                    path=str(shots / f"{path or 'overview'}-{lang}-{width}.png"), full_page=True
                )
        finally:
            context.close()


def test_overview_map_draws_every_municipality_with_real_borders(
    browser: Browser, official_url: str
) -> None:
    context = browser.new_context(base_url=official_url, viewport=DESKTOP)
    page = context.new_page()
    page.set_default_timeout(60_000)
    try:
        page.goto("/")
        wait_ready(page)
        assert wait_map_drawn(page, 308) == 308
        caption = _main_text(page)
        # The caption names where the figures come from, in Finnish, and the merged municipality.
        assert "Tilastokeskus" in caption and "Kuntien avainluvut" in caption
        assert "Mäntyharju (Pertunmaa)" in caption
        link = page.get_by_role("link", name=re.compile("Kuntien avainluvut"))
        expect(link.first).to_have_attribute("href", re.compile(r"^https://pxdata\.stat\.fi/"))
    finally:
        context.close()


def test_the_sample_is_a_choice_of_one_session_only(browser: Browser, official_url: str) -> None:
    notice = translate("common.sample_notice", "fi")[:30]
    chooser = browser.new_context(base_url=official_url, viewport=DESKTOP)
    other = browser.new_context(base_url=official_url, viewport=DESKTOP)
    try:
        page = chooser.new_page()
        page.set_default_timeout(60_000)
        page.goto("/")
        wait_ready(page)
        assert notice not in _main_text(page)
        sidebar = page.get_by_test_id("stSidebar")
        sidebar.get_by_role("combobox", name=translate("common.dataset", "fi")).click()
        page.get_by_role("option", name=translate("common.dataset_sample", "fi")).click()
        page.wait_for_url(re.compile(r"dataset=sample"))
        wait_ready(page)
        expect(page.get_by_text(notice)).to_be_visible()
        # Another visitor, at the same time, still sees the official figures.
        visitor = other.new_page()
        visitor.set_default_timeout(60_000)
        visitor.goto("/")
        wait_ready(visitor)
        assert notice not in _main_text(visitor)
        assert [p for p, _ in nav_pages(visitor)]  # the other session works normally
    finally:
        chooser.close()
        other.close()
