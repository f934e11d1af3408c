"""Links, downloads, the brief and event mode in headless Chromium (issue 5).

- A link copied from each page, opened in another reader's browser (``other_browser``: a
  Chromium of its own, no cookies, no storage, no session of the first one), shows the same
  view: same headings, same choices, same link.
- A freshly started server answers a deep link (/event?...) as its very first request.
- The CSV download holds exactly the rows of the table shown; the brief PDF downloads from the
  profile page and names the municipality.
- Event mode advances by itself and with the arrow keys.

A page load costs a few CPU-seconds of Chromium, a fresh browser context more (its cache is
empty): the pages that build a view, download or present are opened one by one in a context
kept for the module (``page`` below: a new page, so a new session on the server, in a browser
that has the app's scripts cached). The copied link is opened where the property says: in
another browser, where each page leaves no cookies or storage behind for the next.
"""

from __future__ import annotations

import io
import re
import shutil
import time
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pandas as pd
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect
from pypdf import PdfReader

from kuntadash.i18n import translate
from kuntadash.store import read_snapshot
from kuntadash.store.locations import BUNDLED_SAMPLE_DIR as SAMPLE_DIR
from tests.browser.conftest import (
    DESKTOP,
    download,
    fresh_page,
    run_streamlit,
    wait_ready,
    wait_rerun,
)

SAMPLE = read_snapshot(SAMPLE_DIR)
LARGE_CITIES = int((SAMPLE.municipalities["municipality_type"] == "large_city").sum())


def _query(url: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlparse(url).query).items()}


def _choose(page: Page, label: str, option: str, scope=None) -> None:
    """Pick ``option`` in a selectbox; typing first, since long option lists are virtualised."""
    before = page.url
    (scope or page).get_by_role("combobox", name=label).click()
    page.keyboard.type(option)
    page.get_by_role("option", name=option, exact=True).click()
    # Every choice is in the link: the link changing shows the rerun has started.
    page.wait_for_url(lambda url: url != before, timeout=30_000)
    wait_ready(page)


def _view(page: Page) -> dict[str, object]:
    """What a person sees of the view: headings, the value of every choice, the link."""
    main = page.get_by_test_id("stMain")
    return {
        "headings": [h.strip() for h in main.locator("h1, h2, h3").all_inner_texts()],
        "choices": [
            box.get_attribute("value") or box.input_value()
            for box in page.get_by_role("combobox").all()
        ],
        "tags": page.get_by_test_id("stMultiSelectTag").all_inner_texts(),
        "query": _query(page.url),
        "path": urlparse(page.url).path,
    }


def _open_fresh(browser: Browser, url: str) -> tuple[Page, object]:
    context = browser.new_context(viewport=DESKTOP, accept_downloads=True)
    page = context.new_page()
    page.goto(url)
    wait_ready(page)
    return page, context


def _nav(page: Page, label: str) -> None:
    link = page.get_by_test_id("stSidebarNavLink").filter(has_text=label).first
    path = urlparse(link.get_attribute("href") or "").path
    link.click()
    page.wait_for_url(lambda url: urlparse(url).path == path, timeout=30_000)
    wait_ready(page)
    expect(page.locator("h1").first).to_be_visible()


# Each case: the page's sidebar label (en) and the choices to make there, as (label, option).
CASES = {
    "overview": ("Overview map", [("Sustainability dimension", "Social sustainability")]),
    "municipality": ("Municipality profile", [("Comparison group", "Region")]),
    "compare": ("Compare", [("Year", "2019")]),
    "groups": ("Municipality groups", [("Year", "2020")]),
    "indicators": ("Indicators", [("Sustainability dimension", "Ecological sustainability")]),
}


@pytest.mark.parametrize("case", list(CASES))
def test_a_link_copied_from_a_page_restores_the_view_in_a_new_browser(
    page: Page, other_browser: BrowserContext, app_url: str, case: str
) -> None:
    label, choices = CASES[case]
    page.goto("/?lang=en")
    wait_ready(page)
    _choose(page, "Municipality", "Espoo – Esbo", scope=page.get_by_test_id("stSidebar"))
    if case != "overview":
        _nav(page, label)
    for choice_label, option in choices:
        boxes = page.get_by_test_id("stMain").get_by_role("combobox", name=choice_label)
        folded = page.locator(".st-key-overview_choices button").first  # the overview's Filter
        if boxes.count() == 0 and folded.count():
            folded.click()
            _choose(page, choice_label, option)
            folded.click()  # closed again, as a new visitor finds it
            expect(page.get_by_role("combobox", name=choice_label)).to_have_count(0)
            continue
        if boxes.count() == 0:
            pytest.fail(f"no '{choice_label}' choice on {case}")
        _choose(page, choice_label, option, scope=page.get_by_test_id("stMain"))
    seen = _view(page)
    assert seen["query"].get("kunta") == "049" and seen["query"].get("lang") == "en"
    copied = page.url

    with fresh_page(other_browser) as fresh:
        fresh.goto(copied)
        wait_ready(fresh)
        # The first run of a new session may still be drawing its lower widgets: poll a while.
        deadline = time.monotonic() + 30
        while (now := _view(fresh)) != seen and time.monotonic() < deadline:
            fresh.wait_for_timeout(500)
            wait_ready(fresh)
        assert now == seen
        expect(fresh.get_by_test_id("stException")).to_have_count(0)


def test_a_fresh_server_answers_a_deep_link_first(browser: Browser, tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(SAMPLE_DIR, data, ignore=shutil.ignore_patterns(".cache", ".tmp-*"))
    with run_streamlit(data, tmp_path / "streamlit.log") as base:
        page, context = _open_fresh(browser, f"{base}/event?kunta=049&slide=5&lang=en")
        try:
            expect(page.locator("h1").first).to_have_text("Espoo")
            expect(page.get_by_test_id("stException")).to_have_count(0)
            assert _query(page.url) == {"kunta": "049", "slide": "5", "lang": "en"}
            # The session that opened the link keeps its link up to date afterwards.
            page.keyboard.press("ArrowLeft")
            expect(page.locator("h1").first).to_have_text("Technological sustainability")
            page.wait_for_url(lambda url: _query(url).get("slide") == "4", timeout=15_000)
        finally:
            context.close()


@pytest.mark.parametrize(
    ("lang", "name", "separator", "decimal"),
    [
        ("en", "kuntadash-unemployment-rate-2024-large-city-en.csv", ",", "."),
        ("fi", "kuntadash-unemployment-rate-2024-large-city-fi-puolipiste.csv", ";", ","),
    ],
)
def test_the_csv_download_holds_exactly_the_rows_shown(
    page: Page, tmp_path: Path, lang: str, name: str, separator: str, decimal: str
) -> None:
    page.goto(f"/?lang={lang}&type=large_city")
    wait_ready(page)
    page.get_by_test_id("stExpander").filter(
        has_text=translate("common.show_table", lang)
    ).first.click()
    wait_rerun(page)  # the table and its downloads are built once the section is opened
    button = page.get_by_role("button", name=translate("share.download_csv", lang))
    expect(button).to_be_visible()
    saved = download(page, button)
    assert saved.suggested_filename == name
    target = tmp_path / saved.suggested_filename
    saved.save_as(target)
    table = pd.read_csv(target, encoding="utf-8-sig", sep=separator, decimal=decimal)
    rank, value = translate("share.col.rank", lang), translate("share.col.value", lang)
    assert len(table) == LARGE_CITIES
    large = {"en": "Large cities", "fi": "Suuret kaupungit"}[lang]
    assert set(table[translate("share.col.municipality_type", lang)]) == {large}
    assert table[rank].dtype == "int64" and table[rank].is_monotonic_increasing
    assert table[value].dtype == "float64"


def test_the_brief_downloads_from_the_profile_page(page: Page) -> None:
    page.goto("/municipality?lang=en&kunta=049")
    wait_ready(page)
    brief = download(page, page.get_by_role("button", name="Download brief (PDF)"), 90_000)
    assert re.fullmatch(
        r"municipality-brief-049-espoo-\d{4}-\d{2}-\d{2}-en-sample\.pdf",
        brief.suggested_filename,
    )
    reader = PdfReader(io.BytesIO(Path(brief.path()).read_bytes()))
    assert 2 <= len(reader.pages) <= 4
    text = reader.pages[0].extract_text()
    assert "Espoo" in text and "SAMPLE DATA" in text


def test_event_mode_advances_by_itself_and_with_the_arrow_keys(page: Page) -> None:
    # 10 s between slides. The browser's timer keeps its phase from the first run (an arrow
    # key's run restarts the slide's time on the server, not the timer), so both arrow keys
    # below must reach the server within 10 s of the automatic step (they took about 2 s on a
    # loaded 2-core machine), and the first slide is read as soon as it is drawn, without
    # waiting for the run to end, within 10 s of the timer's start.
    page.goto("/event?lang=en&every=10")
    heading = page.locator("h1").first
    expect(heading).to_have_text("Economic sustainability")
    wait_ready(page)
    expect(page.get_by_test_id("stSidebar")).to_be_hidden()
    expect(heading).to_have_text("Social sustainability", timeout=35_000)
    assert _query(page.url)["slide"] == "2"
    page.keyboard.press("ArrowRight")
    expect(heading).to_have_text("Ecological sustainability", timeout=15_000)
    page.keyboard.press("ArrowLeft")
    expect(heading).to_have_text("Social sustainability", timeout=15_000)
    # The QR code of the view, drawn locally (a data URI, no request to anywhere).
    qr = page.get_by_role("img", name="Scan to open this view on your own device")
    expect(qr).to_have_count(1)
    assert (qr.get_attribute("src") or "").startswith("data:image/png;base64,")
