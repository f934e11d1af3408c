"""The frameworks' own words in the reader's language (kuntadash.ui.a11y): Streamlit's,
plotly's and MapLibre's screen-reader labels, tooltips, placeholders and the file uploader are
English in Streamlit 1.67 whatever the app's language. Here: how a label's language is told
(``foreign_labels``; the check that every label of every page, in fi, sv and en, is in the page's
language runs in test_official_browser's one visit per page and language), that switching to
English brings the frameworks' own words back, and the file uploader's words.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from kuntadash.i18n import LANGUAGES, translations
from kuntadash.store import read_snapshot
from kuntadash.store.locations import BUNDLED_SAMPLE_DIR
from kuntadash.ui.a11y import FRONTEND_WORDS
from tests.browser.conftest import SERVER_START_TIMEOUT, wait_ready
from tests.fixtures.admin import SECRET
from tools.devserver import serve_app

pytestmark = pytest.mark.browser
SAMPLE = read_snapshot(BUNDLED_SAMPLE_DIR)

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


# --- every label of every page in the page's language ----------------------------------------
_WORD = re.compile(r"[^\W\d_]{3,}")


def _words(text: str) -> set[str]:
    return {word.lower() for word in _WORD.findall(text)}


def _texts(lang: str) -> Iterator[str]:
    for texts in translations().values():
        text = texts.get(lang, "")
        yield from (text.values() if isinstance(text, dict) else [text])


def _place_names() -> set[str]:
    names = SAMPLE.municipalities[["name_fi", "name_sv"]].to_numpy().ravel()
    return set().union(*(_words(str(name)) for name in names))


def foreign_words() -> dict[str, set[str]]:
    """By language, the words that mark a label as written in another language.

    In fi and sv: every word of the English locale texts and of the frameworks' English
    (kuntadash.ui.a11y.FRONTEND_WORDS) that the language's own locale texts never use; in en:
    every word of the Finnish and Swedish locale texts that the English ones never use. A word
    both languages use (a proper name such as Sotkanet, a format such as PNG) marks nothing, and
    municipality names mark nothing. So a label fails when it holds a word that only the other
    language says: "Show/hide columns", "Scroll tabs right" or "Download plot as a PNG" in the
    Finnish view ("show", "columns", "scroll", "download" are English locale words no Finnish
    text uses), "Päävalikko" in the English one. Unlike a list of the frameworks' known labels,
    this catches a label nobody has listed yet, as long as one of its words is in our texts.
    """
    own = {lang: set().union(*map(_words, _texts(lang))) for lang in LANGUAGES}
    english = set().union(*map(_words, _texts("en")), *map(_words, FRONTEND_WORDS))
    places = _place_names()
    found = {lang: english - own[lang] - places for lang in ("fi", "sv")}
    found["en"] = (own["fi"] | own["sv"]) - own["en"] - english - places
    return found


FOREIGN = foreign_words()


def foreign_labels(labels: list[str], lang: str) -> list[str]:
    """The labels that hold a word of another language than ``lang`` (see foreign_words), or
    equal a framework's English label where ``lang`` is not English."""
    return sorted(
        {
            label
            for label in labels
            if _words(label) & FOREIGN[lang] or (lang != "en" and ENGLISH.match(label))
        }
    )


def test_the_label_check_finds_what_it_looks_for() -> None:
    for label in ("Show/hide columns", "Scroll tabs right", "Download plot as a PNG", "Search"):
        assert foreign_labels([label], "fi") == [label], label
        assert foreign_labels([label], "sv") == [label], label
    assert foreign_labels(["Päävalikko", "Sök"], "en") == ["Päävalikko", "Sök"]
    assert foreign_labels(["Koko näyttö", "Närpiö", "Helsinki", "PNG"], "fi") == []
    assert foreign_labels(["Helskärm", "Närpes"], "sv") == []
    assert foreign_labels(["Fullscreen", "Närpiö", "Main menu"], "en") == []


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
