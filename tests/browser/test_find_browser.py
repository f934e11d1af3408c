"""Finding one's municipality, comparing it, and showing it in a room, in headless Chromium.

- On a phone (390×844) the municipality is chosen on the page itself, on the first screen,
  without opening the sidebar; a choice made in the sidebar folds the sidebar away.
- The search finds Swedish names in the Finnish UI and Finnish names in the Swedish UI.
- The compare chart's two median labels never cover each other, at phone or desktop width.
- Event mode: the QR code carries the address the app was opened at (with a warning that phones
  cannot open a local one) or the configured public address, and every slide fits 1366×768,
  1400×900 and 1920×1080 with its QR code in view.

The tests share one browser context (``warm_context``), each in a page of its own at its own
size: the app's scripts stay in the cache, as in a reader's browser.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import BrowserContext, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from kuntadash.store.locations import BUNDLED_SAMPLE_DIR as SAMPLE_DIR
from tests.browser.conftest import (
    ARTIFACTS,
    PHONE,
    SERVER_START_TIMEOUT,
    fresh_page,
    wait_ready,
)
from tests.browser.drawing import CHARTS_SETTLED_JS
from tools.devserver import serve_app

PUBLIC_URL = "https://kunnat.example.fi/esitys"
SLIDES = 5  # the sample has data in every dimension: four maps and the profile
SCREENS = (
    {"width": 1366, "height": 768},
    {"width": 1400, "height": 900},
    {"width": 1920, "height": 1080},
)


def _query(url: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlparse(url).query).items()}


def _pick(page: Page, scope, label: str, typed: str, option: str) -> None:
    """Type into the ``label`` combobox inside ``scope`` and pick ``option``; wait for the rerun."""
    before = page.url
    scope.get_by_role("combobox", name=label, exact=True).click()
    page.keyboard.type(typed)
    page.get_by_role("option", name=option, exact=True).click()
    page.wait_for_url(lambda url: url != before, timeout=30_000)
    wait_ready(page)


def test_on_a_phone_the_municipality_is_chosen_on_the_first_screen(
    phone: Page, app_url: str
) -> None:
    phone.goto(f"{app_url}/")
    wait_ready(phone)
    sidebar = phone.get_by_test_id("stSidebar")
    assert sidebar.get_attribute("data-collapsed") == "true"  # folded away on a phone
    main = phone.get_by_test_id("stMain")
    choice = main.get_by_role("combobox", name="Kunta", exact=True)
    expect(choice).to_be_visible()
    box = choice.bounding_box()
    assert box is not None and box["y"] + box["height"] <= PHONE["height"]  # no scrolling
    _pick(phone, main, "Kunta", "Närpes", "Närpiö – Närpes")
    assert _query(phone.url).get("kunta") == "545"
    assert sidebar.get_attribute("data-collapsed") == "true"  # never had to open it
    expect(main.get_by_test_id("stMarkdown").filter(has_text="Närpiö:").first).to_be_visible()
    phone.screenshot(path=str(ARTIFACTS / "phone-choice-fi.png"))


def test_a_choice_in_the_sidebar_folds_it_away_on_a_phone(phone: Page, app_url: str) -> None:
    phone.goto(f"{app_url}/compare?lang=sv")
    wait_ready(phone)
    phone.get_by_test_id("stExpandSidebarButton").click()
    sidebar = phone.get_by_test_id("stSidebar")
    expect(sidebar).to_have_attribute("data-collapsed", "false")
    _pick(phone, sidebar, "Kommun", "Kuopio", "Kuopio")
    expect(sidebar).to_have_attribute("data-collapsed", "true", timeout=15_000)
    choice = phone.get_by_test_id("stMain").get_by_role("combobox", name="Kommun", exact=True)
    expect(choice).to_have_value("Kuopio")


@pytest.mark.parametrize(
    ("lang", "label", "typed", "option", "code"),
    [
        ("fi", "Kunta", "Närpes", "Närpiö – Närpes", "545"),  # Swedish name, Finnish UI
        ("fi", "Kunta", "Helsingfors", "Helsinki – Helsingfors", None),  # the default
        ("sv", "Kommun", "Vantaa", "Vanda – Vantaa", "092"),  # Finnish name, Swedish UI
        ("en", "Municipality", "Kristinestad", "Kristiinankaupunki – Kristinestad", "287"),
    ],
)
def test_the_search_finds_either_national_name_in_every_language(
    page: Page, app_url: str, lang: str, label: str, typed: str, option: str, code: str | None
) -> None:
    """Chosen in the sidebar on a desktop: the page itself offers no second choice (that one is
    for phones), and the sidebar stays open after the choice."""
    start = "091" if code else "297"  # start elsewhere when the pick is the default
    page.goto(f"{app_url}/?lang={lang}&kunta={start}")
    wait_ready(page)
    sidebar = page.get_by_test_id("stSidebar")
    main = page.get_by_test_id("stMain")
    expect(main.get_by_role("combobox", name=label, exact=True)).to_be_hidden()
    _pick(page, sidebar, label, typed, option)
    assert _query(page.url).get("kunta") == code  # the default is left out of the link
    expect(sidebar).to_have_attribute("data-collapsed", "false")


def test_a_link_may_name_the_municipality(page: Page, app_url: str) -> None:
    page.goto(f"{app_url}/compare?lang=en&kunta=narpes")
    wait_ready(page)
    page.wait_for_url(lambda url: _query(url).get("kunta") == "545", timeout=30_000)
    expect(
        page.get_by_test_id("stSidebar").get_by_role("combobox", name="Municipality", exact=True)
    ).to_have_value("Närpiö – Närpes")


def _overlaps(a: dict, b: dict) -> bool:
    return not (
        a["x"] + a["width"] <= b["x"]
        or b["x"] + b["width"] <= a["x"]
        or a["y"] + a["height"] <= b["y"]
        or b["y"] + b["height"] <= a["y"]
    )


@pytest.mark.parametrize("viewport", [PHONE, {"width": 1400, "height": 900}])
def test_the_two_median_labels_never_cover_each_other(
    warm_context: BrowserContext, app_url: str, viewport: dict
) -> None:
    with fresh_page(warm_context, viewport) as page:
        page.goto(f"{app_url}/compare?lang=fi&kunta=297")
        wait_ready(page)
        chart = page.get_by_test_id("stPlotlyChart").first
        labels = chart.locator("g.legend text.legendtext")
        expect(labels).to_have_count(2)
        boxes = [labels.nth(i).bounding_box() for i in range(2)]
        frame = chart.bounding_box()
        assert all(box and frame for box in boxes)
        texts = [labels.nth(i).text_content() or "" for i in range(2)]
        assert all(text.startswith("Mediaani:") for text in texts), texts
        assert not _overlaps(boxes[0], boxes[1]), boxes
        for box in boxes:  # wholly inside the chart, readable
            assert frame["x"] <= box["x"] and box["x"] + box["width"] <= frame["x"] + frame["width"]
        page.screenshot(path=str(ARTIFACTS / f"compare-medians-{viewport['width']}.png"))


# --- Event mode ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def public_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app served with KUNTADASH_PUBLIC_URL set, as for a talk."""
    data = tmp_path_factory.mktemp("public") / "data"
    shutil.copytree(SAMPLE_DIR, data, ignore=shutil.ignore_patterns(".cache", ".tmp-*"))
    log = tmp_path_factory.mktemp("public-log") / "streamlit.log"
    with serve_app(
        data_dir=data,
        log_path=log,
        env={"KUNTADASH_PUBLIC_URL": PUBLIC_URL},
        start_timeout_s=SERVER_START_TIMEOUT,
    ) as server:
        yield server.base


def _qr(page: Page) -> tuple[str, str]:
    """The address in the QR code's data attribute and the one written under it."""
    image = page.locator(".st-key-event_qr img")
    expect(image).to_have_count(1)
    written = page.locator(".st-key-event_qr").get_by_test_id("stCaptionContainer").last
    return image.get_attribute("data-url") or "", (written.text_content() or "").strip()


def test_the_qr_code_points_where_the_app_was_opened_and_warns_that_phones_cannot(
    page: Page, app_url: str
) -> None:
    page.goto(f"{app_url}/event?lang=en&kunta=049&slide=5&every=60")
    wait_ready(page)
    expected = f"{app_url}/municipality?lang=en&kunta=049"
    assert _qr(page) == (expected, expected)
    warning = page.get_by_test_id("stAlert").filter(has_text="cannot open")
    expect(warning).to_be_visible()
    expect(warning).not_to_contain_text("KUNTADASH_")
    page.keyboard.press("ArrowRight")  # the first slide: the overview of this dimension
    expect(page.locator("h1").first).to_have_text("Economic sustainability")
    expect(page.locator(".st-key-event_qr img")).to_have_attribute(
        "data-url", f"{app_url}/?lang=en&kunta=049"
    )


def test_the_qr_code_points_to_the_public_address_when_one_is_set(
    warm_context: BrowserContext, public_app: str
) -> None:
    with fresh_page(warm_context, SCREENS[0]) as page:
        page.goto(f"{public_app}/event?lang=sv&kunta=Esbo&slide=5&every=60")
        wait_ready(page)
        expected = f"{PUBLIC_URL}/municipality?lang=sv&kunta=049"
        assert _qr(page) == (expected, expected)
        expect(page.get_by_test_id("stAlert").filter(has_text="QR-kodernas adress")).to_have_count(
            0
        )


def _fits(page: Page, viewport: dict) -> list[str]:
    """What of the slide is out of view: nothing scrolls, title and QR code wholly visible."""
    problems = []
    scroll = page.get_by_test_id("stMain").evaluate("m => [m.scrollHeight, m.clientHeight]")
    if scroll[0] > scroll[1] + 1:
        problems.append(f"the slide scrolls: {scroll}")
    for name, locator in (
        ("title", page.locator("h1").first),
        ("QR code", page.locator(".st-key-event_qr img")),
        ("chart", page.get_by_test_id("stPlotlyChart").first),
    ):
        box = locator.bounding_box()
        if box is None:
            problems.append(f"no {name}")
        elif box["y"] < 0 or box["y"] + box["height"] > viewport["height"] + 0.5:
            problems.append(f"{name} out of view vertically: {box}")
        elif box["x"] < 0 or box["x"] + box["width"] > viewport["width"] + 0.5:
            problems.append(f"{name} out of view horizontally: {box}")
    return problems


CHART_SIZES_JS = """() => [...document.querySelectorAll('[data-testid=stPlotlyChart]')]
  .map(chart => {
    const svg = chart.querySelector('svg.main-svg'), box = chart.getBoundingClientRect();
    const drawn = svg && svg.getBoundingClientRect();
    return {box: [box.width, box.height], drawn: drawn && [drawn.width, drawn.height]};
  })"""
NEXT_FRAMES_JS = "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"


def _settle(page: Page) -> list[str]:
    """Wait until the charts have followed the window and two frames are drawn; what did not."""
    try:
        page.wait_for_function(CHARTS_SETTLED_JS, timeout=30_000)
    except PlaywrightTimeoutError:
        return [f"the charts did not take their boxes' size: {page.evaluate(CHART_SIZES_JS)}"]
    page.evaluate(NEXT_FRAMES_JS)
    return []


def _slide_number(url: str) -> int:
    return int(_query(url).get("slide", "1"))  # the first slide is left out of the link


@pytest.mark.parametrize("lang", ["fi", "en"])
def test_every_slide_fits_the_screen_with_its_qr_code(
    warm_context: BrowserContext, app_url: str, lang: str
) -> None:
    """Each slide at each screen size of SCREENS. The first slide is loaded at the smallest
    size, the next ones reached with the → key as a presenter does (a rerun draws the slide;
    a page load costs about 3 CPU-seconds of Chromium), and each is laid out at every size by
    resizing the window (the slides' layout is CSS and the charts follow their container, so a
    resize lays the slide out as a load at that size does): the smallest screen comes last,
    after the largest, and the next slide is drawn at it."""
    # The local server shows the address warning too: the tallest case.
    problems = {}
    with fresh_page(warm_context, SCREENS[0]) as page:
        page.goto(f"{app_url}/event?lang={lang}&slide=1&every=60")
        wait_ready(page)
        for slide in range(1, SLIDES + 1):
            if slide > 1:
                page.keyboard.press("ArrowRight")  # the link follows in the run that draws it
                page.wait_for_url(lambda url, n=slide: _slide_number(url) == n, timeout=30_000)
                wait_ready(page)
            assert _slide_number(page.url) == slide
            expect(page.locator(".st-key-event_qr img")).to_be_visible()
            for viewport in (*SCREENS[1:], SCREENS[0]):
                page.set_viewport_size(viewport)
                size = f"{viewport['width']}x{viewport['height']}"
                if found := _settle(page) or _fits(page, viewport):
                    problems[f"{slide} at {size}"] = found
                page.screenshot(path=str(ARTIFACTS / f"event-{lang}-{size}-{slide}.png"))
    assert not problems, problems
