"""The profile in headless Chromium: pick a municipality in the sidebar, open the profile, and
see its four dimension scores and its ten most similar municipalities with the reason."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from kuntadash.i18n import translate
from tests.browser.conftest import wait_ready

pytestmark = pytest.mark.browser


def _t(key: str, lang: str = "fi", **values: object) -> str:
    return translate(key, lang, **values)


def test_profile_shows_scores_and_peers_for_a_chosen_municipality(
    page: Page, artifacts: Path
) -> None:
    page.goto("/")
    wait_ready(page)
    sidebar = page.get_by_test_id("stSidebar")
    sidebar.get_by_role("combobox", name=_t("common.municipality")).click()
    page.keyboard.type("Tampe")  # 308 options: the list is virtualised, so filter it first
    page.get_by_role("option", name="Tampere – Tammerfors", exact=True).click()
    wait_ready(page)
    page.get_by_test_id("stSidebarNavLink").filter(has_text=_t("nav.municipality")).click()
    wait_ready(page)
    main = page.get_by_test_id("stMain")
    expect(main.get_by_role("heading", name="Tampere", exact=True)).to_be_visible()

    # Four dimension scores, each with its coverage.
    metrics = page.get_by_test_id("stMetric")
    expect(metrics).to_have_count(4)
    for index in range(4):
        expect(metrics.nth(index).get_by_test_id("stMetricValue")).to_have_text(
            re.compile(r"^\d+ / 100$")
        )
    expect(main.get_by_text(re.compile(r"^Kattavuus \d+/\d+ indikaattoria")).first).to_be_visible()

    # Ten similar municipalities, numbered, each with the reason it is similar.
    heading = main.get_by_role("heading", name=_t("comparison.peers_title"))
    heading.scroll_into_view_if_needed()
    peer_items = main.locator("ol > li").filter(has_text=_t("comparison.similar_on"))
    expect(peer_items).to_have_count(10)
    expect(peer_items.first).to_contain_text("(Tampere:")
    assert not any("**Tampere**" in text for text in peer_items.all_inner_texts())

    # The choice of group is kept in the link.
    group = main.get_by_role("combobox", name=_t("comparison.group_select"))
    group.scroll_into_view_if_needed()
    group.click()
    page.keyboard.type("Samankalt")
    page.get_by_role("option", name=_t("groups.kind.similar"), exact=True).click()
    wait_ready(page)
    expect(
        main.get_by_text(re.compile("Tampere ja samankaltaiset kunnat, 11 kuntaa"))
    ).to_be_visible()
    assert "group=similar" in page.url
    page.screenshot(path=str(artifacts / "profile-similar-fi.png"), full_page=True)
