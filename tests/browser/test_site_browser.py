"""The baked static pages in headless Chromium: axe-core finds no serious or critical
violation, the page reads without JavaScript, and screenshots are kept for a look."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page

from kuntadash.report import site
from kuntadash.store import read_snapshot
from tests.browser.conftest import PHONE, REPO
from tests.browser.test_accessibility import blocking, run_axe

PAGES = (("fi", "kuopio"), ("sv", "narpes"), ("en", "kuopio"))
DESKTOP = {"width": 1400, "height": 900}


@pytest.fixture
def page(browser) -> Iterator[Page]:
    """A page of its own (not pytest-playwright's, which would start the app for a base URL)."""
    context = browser.new_context(viewport=DESKTOP)
    yield context.new_page()
    context.close()


@pytest.fixture(scope="module")
def baked_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site")
    snapshot = read_snapshot(REPO / "data")
    site.build_site(snapshot, out, workers=1, codes=["297", "545"])
    return out / site.CURRENT


@pytest.mark.parametrize(("lang", "slug"), PAGES)
def test_baked_page_passes_axe(page: Page, baked_site: Path, axe_source, artifacts, lang, slug):
    page.set_viewport_size(DESKTOP)
    page.goto((baked_site / lang / slug / "index.html").as_uri())
    violations = run_axe(page, axe_source)
    target = artifacts / "axe" / f"site-{lang}-{slug}.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(violations, ensure_ascii=False, indent=2), encoding="utf-8")
    assert not blocking(violations), blocking(violations)


def test_index_page_passes_axe(page: Page, baked_site: Path, axe_source):
    page.goto((baked_site / "fi" / "index.html").as_uri())
    assert not blocking(run_axe(page, axe_source))


@pytest.mark.parametrize(("lang", "slug"), PAGES[:2])
def test_baked_page_screenshots(browser, baked_site: Path, artifacts, lang, slug):
    for name, size in (("desktop", DESKTOP), ("phone", PHONE)):
        context = browser.new_context(viewport=size, java_script_enabled=False)
        page = context.new_page()
        page.goto((baked_site / lang / slug / "index.html").as_uri())
        assert page.locator("h1").inner_text()
        assert page.locator("table caption").count() >= 1
        # Nothing runs off the side (a source's long address did on a phone): a wide table
        # scrolls in its own box, the page itself does not.
        widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert widths[0] <= widths[1], (name, widths)
        page.screenshot(path=str(artifacts / f"site-{lang}-{slug}-{name}.png"), full_page=False)
        context.close()
