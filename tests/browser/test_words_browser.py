"""The frameworks' own words in the reader's language (kuntadash.ui.a11y): Streamlit's,
plotly's and MapLibre's screen-reader labels, tooltips, placeholders and the file uploader are
English in Streamlit 1.67 whatever the app's language; in the Finnish and Swedish views none of
them may be left, and switching to English brings the frameworks' own words back.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from kuntadash.i18n import translate
from kuntadash.store.locations import BUNDLED_SAMPLE_DIR
from kuntadash.ui.a11y import FRONTEND_WORDS
from tests.browser.conftest import SERVER_START_TIMEOUT, wait_ready, wait_rerun
from tests.fixtures.admin import SECRET
from tools.devserver import serve_app

pytestmark = pytest.mark.browser

# Every label, tooltip and placeholder on the page, and its visible text.
WORDS_JS = """() => {
  const values = [];
  for (const name of ['aria-label', 'title', 'data-title', 'placeholder']) {
    for (const e of document.querySelectorAll('[' + name + ']')) values.push(e.getAttribute(name));
  }
  return {labels: values, text: document.body.innerText};
}"""


def _english_pattern() -> re.Pattern[str]:
    """The frameworks' English words, "{name}" parts matching anything."""
    parts = []
    for english in FRONTEND_WORDS:
        pieces = re.split(r"\{\w+\}", english)
        parts.append(".+".join(re.escape(piece) for piece in pieces))
    return re.compile("^(?:" + "|".join(sorted(parts, key=len, reverse=True)) + ")$")


ENGLISH = _english_pattern()


def _framework_english(page: Page) -> list[str]:
    found = page.evaluate(WORDS_JS)
    lines = [line.strip() for line in found["text"].splitlines()]
    return sorted({v for v in [*found["labels"], *lines] if v and ENGLISH.match(v)})


@pytest.mark.parametrize("lang", ["fi", "sv"])
@pytest.mark.parametrize("path", ["", "compare", "indicators", "municipality"])
def test_no_framework_english_is_left(page: Page, path: str, lang: str) -> None:
    page.goto(f"/{path}?lang={lang}")
    wait_ready(page)
    if not path:  # the overview sends its table once the table is opened
        page.get_by_test_id("stExpander").filter(
            has_text=translate("common.show_table", lang)
        ).first.click()
        wait_rerun(page)
    # the tables' toolbars, the charts' mode bars and the map controls are on the page
    expect(
        page.locator("[data-testid=stPlotlyChart], [data-testid=stDataFrame]").first
    ).to_be_attached()
    expect(page.locator(f"[aria-label='{translate('frontend.main_menu', lang)}']")).to_have_count(1)
    assert _framework_english(page) == []


def test_switching_to_english_brings_the_frameworks_words_back(page: Page) -> None:
    page.goto("/compare")
    wait_ready(page)
    expect(page.locator("[aria-label='Päävalikko']")).to_have_count(1)
    expect(page.get_by_text("Siirry sisältöön")).to_have_count(1)
    page.get_by_role("combobox", name="Kieli · Språk · Language").click()
    page.get_by_role("option", name="English", exact=True).click()
    wait_ready(page)
    expect(page.locator("[aria-label='Main menu']")).to_have_count(1)
    expect(page.locator("[aria-label='Päävalikko']")).to_have_count(0)
    expect(page.get_by_text("Skip to main content")).to_have_count(1)
    labels = page.evaluate(WORDS_JS)["labels"]
    assert any(label.startswith("Remove ") for label in labels)  # the multiselect's chips
    assert not any(label.startswith("Poista ") for label in labels)


@pytest.fixture(scope="module")
def admin_url(tmp_path_factory) -> Iterator[str]:
    data = tmp_path_factory.mktemp("words-admin") / "data"
    shutil.copytree(BUNDLED_SAMPLE_DIR, data)
    env = {"KUNTADASH_ADMIN_SECRET": SECRET}
    with serve_app(data_dir=data, env=env, start_timeout_s=SERVER_START_TIMEOUT) as server:
        yield server.base


def test_the_file_uploader_speaks_finnish(admin_url: str, page: Page) -> None:
    page.goto(f"{admin_url}/data")
    wait_ready(page)
    page.get_by_text("Kirjaudu ylläpitäjänä").click()
    page.get_by_label("Ylläpidon salasana").fill(SECRET)
    page.get_by_role("button", name="Kirjaudu", exact=True).click()
    wait_ready(page)
    uploader = page.get_by_test_id("stFileUploaderDropzone")
    expect(uploader).to_contain_text("Valitse tiedostot")
    expect(uploader).to_contain_text("tiedostoa kohden")
    expect(uploader).not_to_contain_text("Upload")
    expect(uploader).not_to_contain_text("per file")
    assert _framework_english(page) == []
