"""A server's first moments: several people open deep links at once (a QR code shown at an
event, a replica restarted under load). Each gets its page through app.py, never a page file
run on its own (src/kuntadash/ui/entry.py explains Streamlit's race)."""

from __future__ import annotations

import contextlib
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext

from kuntadash.i18n import translate
from tests.browser.conftest import SAMPLE_DIR, fresh_page, run_streamlit, wait_ready

pytestmark = pytest.mark.browser

# (link, language, the page's heading or the municipality's name)
LINKS = (
    ("/municipality?lang=en&kunta=837", "en", "Tampere"),
    ("/compare?lang=sv", "sv", translate("compare.title", "sv")),
    ("/groups", "fi", translate("groups.title", "fi")),
    ("/indicators?lang=en", "en", translate("catalogue.title", "en")),
    ("/municipality?lang=sv&kunta=091", "sv", "Helsingfors"),
    ("/data", "fi", translate("data.page.title", "fi")),
)


def test_deep_links_opened_at_once_on_a_fresh_server_all_get_their_page(
    warm_context: BrowserContext, tmp_path: Path
) -> None:
    """Six tabs, each a session of its own on the new server (what the server sees of six
    visitors: the browser's cache only makes them arrive sooner)."""
    # A data folder of its own: the session's server keeps serving its own meanwhile.
    data = tmp_path / "data"
    shutil.copytree(SAMPLE_DIR, data, ignore=shutil.ignore_patterns(".cache", ".tmp-*"))
    with run_streamlit(data, tmp_path / "streamlit.log") as base, contextlib.ExitStack() as tabs:
        pages = [tabs.enter_context(fresh_page(warm_context)) for _ in LINKS]
        for page, (link, _, _) in zip(pages, LINKS, strict=True):
            page.goto(base + link, wait_until="commit")  # all sessions start together
        for page, (link, lang, heading) in zip(pages, LINKS, strict=True):
            wait_ready(page)
            assert page.locator("h1").first.inner_text().strip() == heading, link
            nav = page.get_by_test_id("stSidebarNavLink").all_inner_texts()
            assert translate("nav.overview", lang) in "\n".join(nav), (link, nav)
            assert not page.get_by_test_id("stException").count(), link
            assert not page.get_by_text("This app has encountered an error").count(), link
    log = (tmp_path / "streamlit.log").read_text(encoding="utf-8")
    assert "Uncaught app execution" not in log
