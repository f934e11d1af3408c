"""Hostile data in a real browser (issue 7, item 3): names with ``<script>``, ``<img onerror>``
and markdown are shown literally on every page, no dialog ever opens, and nothing of them
becomes an element (script, image, javascript: link, bold text).

The server serves the hostile snapshot of tests/app/test_reliability_injection.py (the committed
sample with markup in municipality, region, indicator, unit and source texts).

The pages are opened one by one in a browser context kept for the module (its cache keeps the
app's scripts, as a reader's browser does); the two views that more than one test reads (the
overview and the profile of Helsinki) are loaded once and read by each of them, their dialogs
counted from the load to the last test.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from kuntadash.i18n import translate
from tests.app.test_reliability_injection import (
    HOSTILE_NAMES,
    IMG,
    LINK,
    SCRIPT,
    build_hostile_snapshot,
)
from tests.browser.conftest import DESKTOP, READY_TIMEOUT_MS, run_streamlit, wait_ready
from tests.browser.drawing import wait_drawn
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
# The views read by more than one test: loaded once per module.
SHARED = ("/?kunta=091", "/municipality?kunta=091")


@pytest.fixture(scope="module")
def hostile_url(tmp_path_factory) -> Iterator[str]:
    folder = build_hostile_snapshot(tmp_path_factory.mktemp("hostile-browser") / "data")
    log = tmp_path_factory.mktemp("hostile-log") / "streamlit.log"
    with run_streamlit(folder, log) as base:
        yield base


@dataclass
class Visit:
    page: Page
    dialogs: list[str]  # every dialog the page opened since it was loaded
    found: dict  # INJECTED_JS once the page had drawn


@pytest.fixture(scope="module")
def shared_visits() -> Iterator[dict[str, Visit]]:
    visits: dict[str, Visit] = {}
    yield visits
    for visit in visits.values():
        _close(visit.page)


@pytest.fixture
def visit(
    warm_context: BrowserContext, hostile_url: str, shared_visits: dict[str, Visit]
) -> Iterator[Callable[[str], Visit]]:
    """``visit(url)``: a new page of ``url`` on the hostile server, in the reader's browser,
    drawn; the views in SHARED are kept open for the next test that reads them."""
    own: list[Page] = []

    def _visit(url: str) -> Visit:
        if url in shared_visits:
            return shared_visits[url]
        page = warm_context.new_page()
        page.set_viewport_size(DESKTOP)
        page.set_default_timeout(READY_TIMEOUT_MS)
        dialogs: list[str] = []
        found = _open(page, hostile_url + url, dialogs)
        made = Visit(page, dialogs, found)
        if url in SHARED:
            shared_visits[url] = made
        else:
            own.append(page)
        return made

    yield _visit
    for page in own:
        _close(page)


def _close(page: Page) -> None:
    """Close ``page``, leaving no storage of the hostile server's origin behind in the reader's
    browser."""
    page.evaluate("() => { localStorage.clear(); sessionStorage.clear(); }")
    page.close()


def _open(page: Page, url: str, dialogs: list[str]) -> dict:
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(url)
    wait_ready(page)
    # plotly and the map draw after the script run: wait for them, and give onerror its chance
    wait_drawn(page, timeout=READY_TIMEOUT_MS)
    if page.locator("[data-testid=stBidiComponentIsolated]").count():
        wait_map_drawn(page)
    wait_drawn(page, timeout=READY_TIMEOUT_MS)
    return page.evaluate(INJECTED_JS)


@pytest.mark.parametrize("path", PAGES)
def test_no_dialog_and_nothing_interpreted(visit: Callable[[str], Visit], path: str):
    seen = visit(f"/{path}?kunta=091")
    found = seen.found
    assert seen.dialogs == []
    assert (found["scripts"], found["images"], found["js_links"], found["bold_x"]) == (0, 0, 0, 0)


def test_names_read_literally(visit: Callable[[str], Visit], artifacts: Path):
    seen = visit("/municipality?kunta=091")
    page, found, dialogs = seen.page, seen.found, seen.dialogs
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


def test_map_shows_names_as_text(visit: Callable[[str], Visit]):
    """The overview map lives in a shadow root (not searched above): its hover names the
    municipality literally and nothing of the name becomes an element there."""
    seen = visit("/?kunta=091")
    page, dialogs = seen.page, seen.dialogs
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


def test_invalid_link_values_read_literally(visit: Callable[[str], Visit]):
    seen = visit(f"/?indicator={IMG}&kunta={SCRIPT}")
    found = seen.found
    assert IMG in found["text"] and SCRIPT in found["text"]
    assert (found["scripts"], found["images"]) == (0, 0)
    assert seen.dialogs == []
