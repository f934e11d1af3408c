"""The overview's first screen answers, in headless Chromium: at 1400×900 the whole map of
Finland shows without scrolling beside the chosen municipality's figure and a ranked list that
marks it; at 390×844 the map starts on the first screen and the choices take one line, the rest
of them one tap away under one button, kept in the link.

The tests share one browser context (``warm_context``), each in a page of its own at its own
size: the app's scripts stay in the cache, as in a reader's browser."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from kuntadash.i18n import translate
from tests.browser.conftest import DESKTOP, PHONE, fresh_page, wait_ready, wait_rerun
from tests.browser.test_pages_browser import query, wait_map_drawn

pytestmark = pytest.mark.browser

KUOPIO = "297"
LEAKS = re.compile(r"\b(nan|None|NaT|<NA>)\b")
# The drawing inside the map component's shadow root: the box of every municipality drawn.
SHAPES_BOX_JS = """() => {
  for (const host of document.querySelectorAll('[data-testid=stBidiComponentIsolated]')) {
    const shapes = host.shadowRoot && host.shadowRoot.querySelector('.kd-map .kd-shapes');
    if (!shapes) continue;
    const legend = host.shadowRoot.querySelector('.kd-legend').getBoundingClientRect();
    const r = shapes.getBoundingClientRect();
    return {shapes: {x: r.x, y: r.y, width: r.width, height: r.height},
            legend: {x: legend.x, y: legend.y, width: legend.width, height: legend.height}};
  }
  return null;
}"""


@contextlib.contextmanager
def _open(
    context: BrowserContext, base: str, viewport: dict[str, int], lang: str
) -> Iterator[Page]:
    with fresh_page(context, viewport) as page:
        page.goto(f"{base}/?lang={lang}&kunta={KUOPIO}")
        wait_ready(page)
        wait_map_drawn(page)
        yield page


def _box(page: Page, selector: str) -> dict[str, float]:
    box = page.locator(selector).first.bounding_box()
    assert box is not None, f"{selector} is not on the page"
    return box


def _inside(box: dict[str, float], viewport: dict[str, int]) -> bool:
    return (
        box["x"] >= 0
        and box["y"] >= 0
        and box["x"] + box["width"] <= viewport["width"] + 0.5
        and box["y"] + box["height"] <= viewport["height"] + 0.5
    )


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_on_a_desktop_the_whole_map_shows_beside_the_figure_and_the_ranking(
    warm_context: BrowserContext, app_url: str, artifacts: Path, lang: str
) -> None:
    with _open(warm_context, app_url, DESKTOP, lang) as page:
        assert page.evaluate("document.querySelector('[data-testid=stMain]').scrollTop") == 0
        drawn = page.evaluate(SHAPES_BOX_JS)
        assert drawn is not None and drawn["shapes"]["height"] > 300, drawn
        map_box = _box(page, ".st-key-overview_map")
        # The whole map: its element, every municipality drawn and the legend, on screen.
        for name, box in (
            ("map", map_box),
            ("drawing", drawn["shapes"]),
            ("legend", drawn["legend"]),
        ):
            assert _inside(box, DESKTOP), (name, box)
        # The chosen municipality's figure and rank, beside the map.
        chosen = page.locator(".st-key-overview_chosen")
        expect(chosen).to_contain_text("Kuopio")
        chosen_box = _box(page, ".st-key-overview_chosen")
        assert _inside(chosen_box, DESKTOP) and chosen_box["x"] >= map_box["x"] + map_box["width"]
        # The ranked list: the top of the ranking and Kuopio's own row, marked, on screen.
        listed = page.locator(".st-key-overview_ranks")
        expect(listed).to_contain_text(translate("overview.ranks_title", lang))
        ranks = listed.locator("table")
        expect(ranks.locator("tbody tr").first.locator("td").first).to_have_text("1.")
        expect(ranks.locator("tr:has(strong)")).to_contain_text("Kuopio")
        list_box = _box(page, ".st-key-overview_ranks table")
        assert _inside(list_box, DESKTOP), list_box
        assert list_box["x"] >= map_box["x"] + map_box["width"], "the list is beside the map"
        text = page.get_by_test_id("stMain").inner_text()
        assert not LEAKS.search(text), LEAKS.search(text)
        page.screenshot(path=str(artifacts / f"overview-first-screen-{lang}.png"))


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_on_a_phone_the_map_starts_on_the_first_screen_and_the_choices_take_one_line(
    warm_context: BrowserContext, app_url: str, artifacts: Path, lang: str
) -> None:
    with _open(warm_context, app_url, PHONE, lang) as page:
        map_box = _box(page, ".st-key-overview_map")
        assert map_box["y"] + 200 < PHONE["height"], map_box
        main = page.get_by_test_id("stMain")
        more = page.locator(".st-key-overview_choices button").first
        choices = [
            main.get_by_role("combobox", name=translate("common.indicator", lang)),
            main.get_by_role("combobox", name=translate("common.year", lang)),
            more,
        ]
        boxes = [choice.bounding_box() for choice in choices]
        assert all(box is not None and _inside(box, PHONE) for box in boxes), boxes
        middles = [box["y"] + box["height"] / 2 for box in boxes]
        assert max(middles) - min(middles) < 8, f"the choices are not one line: {boxes}"
        expect(more).to_contain_text(translate("overview.more_choices", lang))
        page.screenshot(path=str(artifacts / f"overview-first-screen-{lang}-phone.png"))

        # The folded choices: one tap opens them, a choice there is kept in the link.
        more.click()
        region = page.get_by_role("combobox", name=translate("overview.filter_region", lang))
        for key in ("sdg.filter", "common.dimension", "overview.filter_type"):
            expect(page.get_by_role("combobox", name=translate(key, lang))).to_be_visible()
        region.click()
        option = page.get_by_role("option").nth(1)
        name = option.inner_text()
        option.click()
        wait_rerun(page)
        expect(page).to_have_url(re.compile(r"[?&]region="))
        chosen_region = query(page)["region"]
        page.goto(page.url)
        wait_ready(page)
        assert query(page)["region"] == chosen_region
        page.locator(".st-key-overview_choices button").first.click()
        expect(region).to_have_value(name)
