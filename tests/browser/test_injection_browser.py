"""Hostile data in a real browser (issue 7, item 3): names with ``<script>``, ``<img onerror>``
and markdown are shown literally on every page, no dialog ever opens, and nothing of them
becomes an element (script, image, javascript: link, bold text).

The server serves the hostile snapshot of tests/app/test_reliability_injection.py (the committed
sample with markup in municipality, region, indicator, unit and source texts).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from kuntadash.i18n import translate
from tests.app.test_reliability_injection import (
    HOSTILE_NAMES,
    IMG,
    LINK,
    SCRIPT,
    build_hostile_snapshot,
)
from tests.browser.conftest import run_streamlit, wait_ready
from tests.browser.test_pages_browser import wait_map_drawn

pytestmark = pytest.mark.browser

PAGES = ("", "municipality", "compare", "groups", "indicators", "data")
# (Plotly draws chart text itself: it shows unknown tags as text, keeps a few of its own (b, i,
# br, sub, sup, span style, a with http/https/mailto links only) and drops javascript: links.)
# Elements the payloads would create if they were interpreted anywhere in the page.
INJECTED_JS = r"""() => ({
  scripts: Array.from(document.querySelectorAll('script'))
    .filter(s => (s.textContent || '').includes('alert(1)')).length,
  images: document.querySelectorAll('img[src="x"], img[onerror]').length,
  js_links: Array.from(document.querySelectorAll('a')).filter(a => /^\s*javascript:/i.test(
    a.getAttribute('href') || a.getAttribute('xlink:href') || '')).length,
  bold_x: Array.from(document.querySelectorAll('[data-testid=stMarkdownContainer] strong'))
    .filter(b => b.textContent.trim() === 'x').length,
  text: document.body.innerText,
})"""


@pytest.fixture(scope="module")
def hostile_url(tmp_path_factory) -> Iterator[str]:
    folder = build_hostile_snapshot(tmp_path_factory.mktemp("hostile-browser") / "data")
    log = tmp_path_factory.mktemp("hostile-log") / "streamlit.log"
    with run_streamlit(folder, log) as base:
        yield base


def _open(page: Page, url: str, dialogs: list[str]) -> dict:
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(url)
    wait_ready(page)
    page.wait_for_timeout(1500)  # plotly draws after the script run; give onerror a chance
    return page.evaluate(INJECTED_JS)


@pytest.mark.parametrize("path", PAGES)
def test_no_dialog_and_nothing_interpreted(page: Page, hostile_url: str, path: str):
    dialogs: list[str] = []
    found = _open(page, f"{hostile_url}/{path}?kunta=091", dialogs)
    assert dialogs == []
    assert (found["scripts"], found["images"], found["js_links"], found["bold_x"]) == (0, 0, 0, 0)


def test_names_read_literally(page: Page, hostile_url: str, artifacts: Path):
    dialogs: list[str] = []
    found = _open(page, f"{hostile_url}/municipality?kunta=091", dialogs)
    page.screenshot(path=str(artifacts / "injection-municipality.png"))  # for a person
    heading = page.locator("h1").first.inner_text()
    assert heading.strip() == HOSTILE_NAMES["091"][0]  # "Helsinki <script>alert(1)</script>"
    assert f"Uusimaa {IMG}" in found["text"]
    # The wellbeing services county is in the folded facts section: unfold it and read again.
    page.get_by_text(translate("profile.facts_title", "fi")).first.click()
    wait_ready(page)
    found = page.evaluate(INJECTED_JS)
    assert (found["scripts"], found["images"], found["js_links"], found["bold_x"]) == (0, 0, 0, 0)
    assert f"Vantaa {LINK}" in found["text"]
    assert "**x**" in found["text"]
    assert dialogs == []


def test_map_shows_names_as_text(page: Page, hostile_url: str):
    """The overview map lives in a shadow root (not searched above): its hover names the
    municipality literally and nothing of the name becomes an element there."""
    dialogs: list[str] = []
    _open(page, f"{hostile_url}/?kunta=091", dialogs)
    wait_map_drawn(page)
    helsinki = page.locator(".kd-map .kd-shapes path[data-code='091']")
    helsinki.scroll_into_view_if_needed()
    box = helsinki.bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    tip = page.locator(".kd-map .kd-tip b")
    expect(tip).to_have_text(HOSTILE_NAMES["091"][0])
    inside = page.evaluate(
        """() => { const root = document.querySelector('[data-testid=stBidiComponentIsolated]')
                     .shadowRoot;
                   return root.querySelectorAll('script, img, a, iframe').length; }"""
    )
    assert inside == 0
    assert dialogs == []


def test_invalid_link_values_read_literally(page: Page, hostile_url: str):
    dialogs: list[str] = []
    found = _open(page, f"{hostile_url}/?indicator={IMG}&kunta={SCRIPT}", dialogs)
    assert IMG in found["text"] and SCRIPT in found["text"]
    assert (found["scripts"], found["images"]) == (0, 0)
    assert dialogs == []
