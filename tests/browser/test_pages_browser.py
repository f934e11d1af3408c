"""End-to-end tests in headless Chromium on the sample snapshot: every page draws when reached
through the navigation, its made-up-data notice is visible and uncovered, and its download
buttons deliver files; the map shows all municipalities, widgets update the view, the language
switch, a URL restore, the CSV download of a table.

Screenshots of every page at desktop width (1400×900) are kept under ``test-artifacts/pages/``
for a person to look at (every page in every language, at desktop and phone width, on the
official snapshot: test_official_browser).

Each test opens its page (a session of its own on the server) in a browser context kept for the
module, which keeps the app's scripts in its cache between tests, as a reader's browser does;
what the first visit fetches is checked in a new context of its own.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from kuntadash.charts.palette import BACKGROUND, BORDER, MUTED_COLOUR, TEXT_COLOUR
from kuntadash.i18n import translate
from kuntadash.store import read_snapshot
from kuntadash.store.locations import BUNDLED_SAMPLE_DIR as SAMPLE_DIR
from tests.browser.conftest import READY_TIMEOUT_MS, download, wait_ready, wait_rerun

SAMPLE = read_snapshot(SAMPLE_DIR)
MUNICIPALITY_COUNT = len(SAMPLE.municipalities)
LANGUAGE_LABEL = "Kieli · Språk · Language"
LANGUAGE_OPTION = {"fi": "Suomi", "sv": "Svenska", "en": "English"}

# The overview map (our component, kuntadash.ui.map) lives in a shadow root. Its state: the
# municipalities drawn (a path with a shape on screen and a colour), their codes and colours in
# drawing order, the chosen one, and the id of the map object (kept while it is updated in
# place). null while the map is not there yet.
MAP_STATE_JS = """() => {
  for (const host of document.querySelectorAll('[data-testid=stBidiComponentIsolated]')) {
    const root = host.shadowRoot && host.shadowRoot.querySelector('.kd-map');
    if (!root) continue;
    const paths = [...root.querySelectorAll('.kd-shapes path')];
    const drawn = paths.filter(p => {
      const box = p.getBBox();
      return box.width > 0 && box.height > 0 && p.getAttribute('fill');
    });
    return {
      drawn: drawn.length,
      codes: drawn.map(p => p.dataset.code),
      fills: paths.map(p => p.getAttribute('fill')),
      selected: root.dataset.selected,
      outline: root.querySelector('.kd-selected').getAttribute('d'),
      instance: root.dataset.instance,
      updates: Number(root.dataset.updates),
    };
  }
  return null;
}"""


def _t(key: str, lang: str = "fi") -> str:
    return translate(key, lang)


def map_state(page: Page) -> dict:
    state = page.evaluate(MAP_STATE_JS)
    assert state is not None, "no map on the page"
    return state


def wait_map_drawn(page: Page, expected: int = MUNICIPALITY_COUNT, after: int = 0) -> int:
    """Wait until the map has drawn ``expected`` municipalities (and applied more than ``after``
    updates); returns the count."""
    check = (
        f"() => {{ const s = ({MAP_STATE_JS})(); "
        f"return s && s.drawn >= {expected} && s.updates > {after} ? s.drawn : false; }}"
    )
    try:
        handle = page.wait_for_function(check, timeout=60_000)
    except Exception:  # report what was drawn, not just a timeout
        drawn = page.evaluate(MAP_STATE_JS)
        raise AssertionError(f"map drew {drawn and drawn['drawn']}, expected {expected}") from None
    return int(handle.json_value())


def choose(page: Page, label: str, option: str, scope: Page | None = None) -> None:
    """Pick ``option`` in the selectbox labelled ``label`` (a combobox in Streamlit 1.67)."""
    (scope or page).get_by_role("combobox", name=label).click()
    page.get_by_role("option", name=option, exact=True).click()


def query(page: Page) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlparse(page.url).query).items()}


def assert_no_error(page: Page) -> None:
    expect(page.get_by_test_id("stException")).to_have_count(0)
    # st.error boxes; the sample notice is a warning, not an error.
    expect(page.locator("[data-testid=stAlertContentError]")).to_have_count(0)
    expect(page.get_by_text("Running...")).to_have_count(0)


def nav_pages(page: Page) -> list[tuple[str, str]]:
    """(url path, label) of every page in the sidebar navigation."""
    links = page.get_by_test_id("stSidebarNavLink")
    result = []
    for i in range(links.count()):
        href = links.nth(i).get_attribute("href") or ""
        result.append((urlparse(href).path.strip("/"), links.nth(i).inner_text().split("\n")[-1]))
    return result


def assert_notice_uncovered(page: Page, text: str) -> None:
    """The notice holding ``text`` is there once, and nothing is drawn over it (the event mode
    once slid the sample notice under Streamlit's fixed header, leaving an empty yellow
    strip)."""
    notice = page.get_by_test_id("stAlert").filter(has_text=text)
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


def check_download_buttons(page: Page, path: str, target: Path) -> int:
    """Click every download button on the page; each must deliver a non-empty file."""
    buttons = page.get_by_test_id("stDownloadButton")
    clicked = 0
    for i in range(buttons.count()):
        button = buttons.nth(i).locator("button").first
        if not button.is_visible():  # inside folded expanders (a section, the table alternative)
            # A button in another tab is inert: leave it.
            if button.evaluate("e => !!e.closest('[inert]')"):
                continue
            folded = buttons.nth(i).locator("xpath=ancestor::details")  # the outermost first
            for j in range(folded.count()):
                if not folded.nth(j).evaluate("e => e.open"):
                    folded.nth(j).locator("xpath=./summary").click()
            expect(button).to_be_visible()
        clicked += 1
        # The PDF brief is built on the click: give a loaded machine time for it.
        file = download(page, button, 150_000)
        saved = target / f"{path or 'overview'}-{i}-{file.suggested_filename}"
        file.save_as(saved)
        assert saved.stat().st_size > 0, f"empty download {saved.name} on /{path}"
        wait_ready(page)
    return clicked


def test_every_page_draws_through_the_navigation_with_its_notice_and_downloads(
    page: Page, artifacts: Path, tmp_path: Path
) -> None:
    shots = artifacts / "pages"
    shots.mkdir(exist_ok=True)
    downloads_dir = tmp_path / "downloads"
    downloads_dir.mkdir()
    downloads = 0
    page.goto("/")
    wait_ready(page)
    pages = nav_pages(page)
    labels = [label for _, label in pages]
    assert len(labels) == len(set(labels)), f"a page is listed twice in the sidebar: {labels}"
    for key in ("nav.overview", "nav.municipality", "nav.compare", "nav.indicators"):
        assert _t(key) in labels
    for path, label in pages:
        # Switch pages the way a user does: through the sidebar.
        link = page.get_by_test_id("stSidebarNavLink").filter(has_text=label)
        if link.is_visible():
            link.click()
        else:  # a full-screen page (event mode) hides the sidebar
            page.goto(f"/{path}")
        page.wait_for_url(re.compile(rf"/{re.escape(path)}(\?|$)"))
        wait_ready(page)
        expect(page.locator("h1").first).to_be_visible()
        assert_no_error(page)
        assert_notice_uncovered(page, translate("common.sample_notice", "fi"))
        if page.locator("[data-testid=stPlotlyChart]").count():
            # attached, not visible: a chart may sit in a folded section, drawn all the same
            page.wait_for_selector(
                "[data-testid=stPlotlyChart] .main-svg", state="attached", timeout=30_000
            )
        if page.locator(".kd-map").count():
            wait_map_drawn(page)
        page.screenshot(path=str(shots / f"{path or 'overview'}-desktop.png"), full_page=True)
        downloads += check_download_buttons(page, path, downloads_dir)
    # The table alternatives offer CSV and Excel downloads (pages/overview.py and others).
    assert downloads >= 2, "no page offered a download button"
    # Every page at phone width, in every language: test_official_browser.


def test_overview_map_draws_every_municipality_and_loads_nothing_from_another_host(
    context: BrowserContext,
) -> None:
    """The map draws every municipality with its legend; and offline by design: no tiles, no
    CDN, no font or icon service, and the first page does not fetch plotly's 4.7 MB chunk,
    which only the pages with plotly charts need. A first visit: a new context (pytest-
    playwright's), its cache empty, so every request shows."""
    page = context.new_page()
    page.set_default_timeout(READY_TIMEOUT_MS)
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto("/")
    wait_ready(page)
    assert wait_map_drawn(page) == MUNICIPALITY_COUNT
    assert sorted(map_state(page)["codes"]) == sorted(SAMPLE.municipalities["municipality_code"])
    # The legend: the colour scale between the values at its ends.
    legend = page.locator(".kd-map .kd-legend")
    expect(legend.locator(".kd-bar")).to_have_count(1)
    expect(legend).to_contain_text("%")
    assert not page.locator("[data-testid=stPlotlyChart]").count(), "the overview loads no plotly"
    page.wait_for_timeout(500)
    origin = urlparse(page.url).netloc
    elsewhere = [
        url
        for url in requested
        if urlparse(url).scheme in ("http", "https", "ws", "wss") and urlparse(url).netloc != origin
    ]
    assert not elsewhere, elsewhere
    assert not [url for url in requested if "plotly" in url.lower()]
    assert [url for url in requested if "/app/static/map/" in url], "outlines come by URL"


def test_overview_widget_change_updates_map_in_place_and_url(page: Page) -> None:
    page.goto("/")
    wait_ready(page)
    wait_map_drawn(page)
    before = map_state(page)
    economic = SAMPLE.catalogue[SAMPLE.catalogue["dimension"] == "economic"]
    target = economic.iloc[2]
    choose(page, _t("common.indicator"), str(target["name_fi"]))
    expect(page.locator("h3").filter(has_text=str(target["name_fi"]))).to_have_count(1)
    wait_ready(page)
    wait_map_drawn(page, after=before["updates"])
    after = map_state(page)
    assert after["fills"] != before["fills"], "the map still shows the previous indicator"
    assert after["instance"] == before["instance"], "the map was rebuilt, not updated in place"
    assert query(page).get("indicator") == target["id"]

    # A filter fades the municipalities outside it but still draws all of them.
    page.locator(".st-key-overview_choices button").first.click()  # the folded choices
    choose(page, _t("overview.filter_type"), page_option_text(page, "overview.filter_type", 1))
    # The click returns before the rerun starts: wait for its effect, not for "ready".
    expect(page).to_have_url(re.compile(r"[?&]type="))
    wait_ready(page)
    assert wait_map_drawn(page, after=after["updates"]) == MUNICIPALITY_COUNT
    faded = map_state(page)
    assert MUTED_COLOUR in faded["fills"]
    assert faded["instance"] == before["instance"]
    expect(page.locator(".kd-map .kd-legend")).to_contain_text(_t("map.muted"))


def test_an_indicator_change_does_not_resend_the_municipality_lists(page: Page) -> None:
    # .streamlit/config.toml (global.minCachedMessageSize): the browser keeps elements of 1 kB
    # and more, so unchanged select boxes come back as references, not as 308 names each.
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    frames: list[bytes] = []
    page.on("websocket", lambda ws: ws.on("framereceived", lambda frame: frames.append(frame)))
    page.goto("/")
    wait_ready(page)
    wait_map_drawn(page)
    before = map_state(page)
    frames.clear()
    economic = SAMPLE.catalogue[SAMPLE.catalogue["dimension"] == "economic"]
    choose(page, _t("common.indicator"), str(economic.iloc[1]["name_fi"]))
    wait_ready(page)
    wait_map_drawn(page, after=before["updates"])
    page.wait_for_timeout(300)  # the run's last messages
    messages = []
    for frame in frames:
        message = ForwardMsg()
        message.ParseFromString(frame if isinstance(frame, bytes) else frame.encode())
        messages.append(message)
    full_lists = [
        m.delta.new_element.selectbox.label
        for m in messages
        if m.WhichOneof("type") == "delta"
        and m.delta.new_element.WhichOneof("type") == "selectbox"
        and len(m.delta.new_element.selectbox.options) >= MUNICIPALITY_COUNT
    ]
    assert not full_lists, f"re-sent in full: {full_lists}"
    assert sum(m.WhichOneof("type") == "ref_hash" for m in messages) >= 2
    # They are still there and still show the chosen municipality.
    sidebar = page.get_by_test_id("stSidebar")
    expect(sidebar.get_by_role("combobox", name=_t("common.municipality"))).to_have_value(
        re.compile(".+")
    )


def test_clicking_a_municipality_on_the_map_chooses_it(page: Page) -> None:
    page.goto("/")
    wait_ready(page)
    wait_map_drawn(page)
    instance = map_state(page)["instance"]
    municipalities = SAMPLE.municipalities.set_index("municipality_code")
    page.locator(".kd-map .kd-shapes path[data-code='837']").click()
    page.wait_for_url(re.compile(r"[?&]kunta=837(&|$)"))
    wait_ready(page)
    sidebar = page.get_by_test_id("stSidebar")
    # the option shows both names where they differ ("Tampere – Tammerfors")
    expect(sidebar.get_by_role("combobox", name=_t("common.municipality"))).to_have_value(
        re.compile("^" + re.escape(str(municipalities.at["837", "name_fi"])))
    )
    page.wait_for_function(f"() => ({MAP_STATE_JS})().selected === '837'")
    state = map_state(page)
    assert state["outline"], "the chosen municipality is outlined"
    assert state["instance"] == instance
    # The choice holds on the other pages.
    sidebar.get_by_test_id("stSidebarNavLink").filter(has_text=_t("nav.municipality")).click()
    wait_ready(page)
    expect(page.locator("h1").first).to_contain_text(str(municipalities.at["837", "name_fi"]))


def test_map_saves_as_svg_and_png_and_zooms(page: Page, tmp_path: Path) -> None:
    page.goto("/")
    wait_ready(page)
    wait_map_drawn(page)
    saved = {}
    for kind in ("svg", "png"):
        saved_file = download(page, page.get_by_role("button", name=_t(f"map.save_{kind}")))
        target = tmp_path / saved_file.suggested_filename
        saved_file.save_as(target)
        assert target.name.startswith("kuntadash-map-") and target.suffix == f".{kind}"
        saved[kind] = target.read_bytes()
    assert saved["svg"].count(b"<path") >= MUNICIPALITY_COUNT
    # The map's own colours are the palette's, which the server writes as CSS properties.
    for colour in (BACKGROUND, TEXT_COLOUR, BORDER):
        assert f'"{colour}"'.encode() in saved["svg"], colour
    assert saved["png"].startswith(b"\x89PNG")
    # Zooming moves the view, not the map object.
    before = map_state(page)
    svg = page.locator(".kd-map svg[role=img]")
    view = svg.get_attribute("viewBox")
    page.get_by_role("button", name=_t("map.zoom_in")).click()
    assert svg.get_attribute("viewBox") != view
    page.get_by_role("button", name=_t("map.reset")).click()
    assert svg.get_attribute("viewBox") == view
    assert map_state(page)["instance"] == before["instance"]


def page_option_text(page: Page, label_key: str, index: int) -> str:
    """The text of option ``index`` of a selectbox (opens and closes its list)."""
    box = page.get_by_role("combobox", name=_t(label_key))
    box.click()
    text = page.get_by_role("option").nth(index).inner_text()
    page.keyboard.press("Escape")
    return text


def wait_document_language(page: Page, lang: str) -> None:
    """<html lang> is set by a script that runs when the sidebar renders: poll for it."""
    page.wait_for_function("lang => document.documentElement.lang === lang", arg=lang)


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_language_switch(page: Page, lang: str) -> None:
    page.goto("/")
    wait_ready(page)
    wait_document_language(page, "fi")
    choose(page, LANGUAGE_LABEL, LANGUAGE_OPTION[lang])
    expect(page.get_by_test_id("stSidebarNavLink").first).to_contain_text(_t("nav.overview", lang))
    wait_ready(page)
    expect(page.locator("h1").first).to_have_text(_t("overview.title", lang))
    expect(page).to_have_url(re.compile(rf"[?&]lang={lang}(&|$)"))
    wait_document_language(page, lang)
    # The language sticks when moving to another page.
    page.get_by_test_id("stSidebarNavLink").filter(has_text=_t("nav.compare", lang)).click()
    expect(page.locator("h1").first).to_have_text(_t("compare.title", lang))
    wait_ready(page)
    expect(page).to_have_url(re.compile(rf"/compare\?(.*&)?lang={lang}(&|$)"))


def test_url_restores_the_view(page: Page) -> None:
    social = SAMPLE.catalogue[SAMPLE.catalogue["dimension"] == "social"].iloc[3]
    municipalities = SAMPLE.municipalities.set_index("municipality_code")
    url = f"/?lang=en&dim=social&indicator={social['id']}&year=2019&kunta=837"
    page.goto(url)
    wait_ready(page)
    heading = f"{social['name_en']}, 2019"
    expect(page.locator("h3").filter(has_text=heading)).to_have_count(1)
    expect(page.get_by_role("combobox", name=_t("common.indicator", "en"))).to_have_value(
        str(social["name_en"])
    )
    sidebar = page.get_by_test_id("stSidebar")
    expect(sidebar.get_by_role("combobox", name=_t("common.municipality", "en"))).to_have_value(
        f"{municipalities.at['837', 'name_fi']} – {municipalities.at['837', 'name_sv']}"
    )
    wait_map_drawn(page)
    # The selected municipality is outlined on the map.
    state = map_state(page)
    assert state["selected"] == "837" and state["outline"]
    # Reloading the copied link gives the same view.
    page.reload()
    wait_ready(page)
    expect(page.locator("h3").filter(has_text=heading)).to_have_count(1)
    assert query(page)["indicator"] == social["id"]


def test_invalid_url_value_is_reported_and_replaced(page: Page) -> None:
    page.goto("/?indicator=no_such_indicator")
    wait_ready(page)
    expect(page.get_by_text("no_such_indicator")).to_have_count(1)
    assert_no_error(page)
    wait_map_drawn(page)


def test_table_alternative_downloads_as_csv(page: Page, tmp_path: Path) -> None:
    """The table alternative downloads through the app's own CSV button (which neutralises
    spreadsheet formulas); Streamlit's own toolbar export is switched off."""
    page.goto("/")
    wait_ready(page)
    page.get_by_test_id("stExpander").filter(has_text=_t("common.show_table")).first.click()
    wait_rerun(page)
    frame = page.get_by_test_id("stDataFrame").first
    expect(frame).to_be_visible()
    frame.hover()
    expect(frame.get_by_role("button", name=re.compile("Download", re.IGNORECASE))).to_have_count(0)
    button = page.get_by_test_id("stDownloadButton").filter(has_text="CSV").first.locator("button")
    target = tmp_path / "table.csv"
    download(page, button.first).save_as(target)
    text = target.read_text(encoding="utf-8-sig")
    assert _t("common.municipality") in text
    rows = [line for line in text.splitlines() if line.strip()]
    assert len(rows) >= MUNICIPALITY_COUNT + 1  # a header and every municipality
