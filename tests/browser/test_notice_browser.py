"""The sample-data notice is really visible on every page: present, and not covered by anything
(the event mode once slid it under Streamlit's fixed header, leaving an empty yellow strip)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from kuntadash.i18n import translate
from tests.browser.conftest import wait_ready

pytestmark = pytest.mark.browser

PAGES = ("", "municipality", "compare", "groups", "indicators", "event", "data")


@pytest.mark.parametrize("path", PAGES, ids=lambda p: p or "overview")
def test_sample_notice_is_visible_and_uncovered(page: Page, path: str) -> None:
    page.goto(f"/{path}")
    wait_ready(page)
    notice = page.get_by_test_id("stAlert").filter(has_text=translate("common.sample_notice", "fi"))
    assert notice.count() == 1
    box = notice.bounding_box()
    assert box is not None and box["height"] > 20
    # The element drawn at the notice's text line must belong to the notice itself.
    covered_by = page.evaluate(
        """([x, y]) => {
            const hit = document.elementFromPoint(x, y);
            if (hit && hit.closest('[data-testid=stAlert]')) return null;
            return hit ? hit.outerHTML.slice(0, 120) : 'nothing';
        }""",
        [box["x"] + box["width"] / 2, box["y"] + box["height"] / 2],
    )
    assert covered_by is None, f"the notice is covered by {covered_by}"
