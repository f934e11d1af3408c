"""Every link or QR code in an output a reader takes away points at the public address when
one is set, and otherwise carries a sentence for the person holding it that the address works
only on the machine that made it: the profile page's share link, the PDF brief from the
profile page's button (its link is the page's share link), and the event slides' QR codes, in
fi, sv and en, with and without the public address. No output names the setting itself.

Where the operator serves the baked static pages (a public address and a site folder whose
current build holds the page), the same outputs share the municipality's baked page in the
reader's language instead (the brief keeps the view's link as a second one); wherever one of
the three is missing, they link as before. A tiny site of two municipalities is baked once.
"""

from __future__ import annotations

import functools
import html
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from pypdf import PdfReader
from streamlit.testing.v1 import AppTest

from kuntadash.i18n import LANGUAGES, translate
from kuntadash.links import (
    PUBLIC_URL_ENV,
    SITE_DIR_ENV,
    holder_warning,
    is_local_address,
    public_base_url,
    served_page_url,
    shared_profile_url,
)
from kuntadash.report import brief as brief_layout
from kuntadash.report import site
from kuntadash.report.brief import brief_pdf
from kuntadash.views.profile import ProfileView, build_profile_view, municipality_names
from tests.apptest import run_page
from tests.conftest import record_offered_files, route_pages_through_app

PUBLIC = "https://kunnat.example.fi/app"
BAKED = ("049", "091")  # the municipalities of the tiny baked site
# What the operator configured: a public address, a site folder, and whether the folder's
# current build holds the pages (only all three together serve them).
SHARING = {
    "baked page served": (True, "built", True),
    "no site folder": (True, None, False),
    "site folder without a build": (True, "empty", False),
    "no public address": (False, "built", False),
}


def _address(monkeypatch: pytest.MonkeyPatch, public: str | None) -> None:
    """The public address ``public`` (or none) and no site folder."""
    monkeypatch.delenv(SITE_DIR_ENV, raising=False)
    if public is None:
        monkeypatch.delenv(PUBLIC_URL_ENV, raising=False)
    else:
        monkeypatch.setenv(PUBLIC_URL_ENV, public + "/")


@pytest.fixture(params=[None, PUBLIC], ids=["no public address", "public address"])
def public(request, monkeypatch) -> str | None:
    _address(monkeypatch, request.param)
    return request.param


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def _pdf_links(reader: PdfReader) -> list[str]:
    return [
        annot.get_object()["/A"]["/URI"]
        for page in reader.pages
        for annot in page.get("/Annots", [])
        if "/A" in annot.get_object() and "/URI" in annot.get_object()["/A"]
    ]


@dataclass
class ProfilePage:
    """The profile page of 049 as the app showed it with the public address ``public`` (or
    none) and no site folder: the AppTest after the run, and every file its download buttons
    offer (by file name, a function of its bytes)."""

    public: str | None
    at: AppTest
    files: dict[str, Callable[[], bytes]]
    briefs: dict[str, tuple[str, list[str]]] = field(default_factory=dict)

    def brief(self, name: str) -> tuple[str, list[str]]:
        """The text (whitespace flattened) and the links of the brief offered as ``name``,
        built (with the same address, as the click does) and read on first use."""
        if name not in self.briefs:
            with pytest.MonkeyPatch.context() as patch:
                _address(patch, self.public)
                reader = PdfReader(io.BytesIO(self.files[name]()))
            text = _flat(" ".join(page.extract_text() for page in reader.pages))
            self.briefs[name] = text, _pdf_links(reader)
        return self.briefs[name]


@pytest.fixture(scope="module")
def profile_page() -> Callable[[str, str | None], ProfilePage]:
    """The profile page of 049 in ``lang`` with the public address ``public`` (or none), run
    once for the tests that only read it (its share element, its brief)."""

    @functools.cache
    def run(lang: str, public: str | None) -> ProfilePage:
        with pytest.MonkeyPatch.context() as patch:
            _address(patch, public)
            route_pages_through_app(patch)
            files = record_offered_files(patch)
            at = run_page("municipality", lang, kunta="049")
        return ProfilePage(public, at, files)

    return run


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_brief_from_the_profile_page_links_publicly_or_warns_its_holder(
    lang, public, profile_page
):
    page = profile_page(lang, public)
    at = page.at
    (name,) = [name for name in page.files if name.endswith(".pdf")]
    text, links = page.brief(name)
    assert links, "the brief carries its view's link"
    warning = _flat(translate("links.local.brief", lang))
    for link in links:
        assert "kunta=049" in link
        if public:
            assert link.startswith(PUBLIC + "/municipality?"), link
        else:
            assert is_local_address(link), link
    assert (warning in text) == (public is None), text[:600]
    assert "KUNTADASH_" not in text
    assert not at.exception


def _share_element(at) -> tuple[str, str]:
    """The profile page's share element: (the address in its copyable box, the words around
    it: heading, caption and warning)."""
    (url,) = [c.value for c in at.code if c.value.startswith("http")]
    words = " ".join(
        [m.value for m in at.markdown]
        + [c.value for c in at.caption]
        + [w.value for w in at.warning]
    )
    return url, words


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_profile_pages_share_link_points_publicly_or_warns_its_holder(
    lang, public, profile_page
):
    at = profile_page(lang, public).at
    url, words = _share_element(at)
    assert translate("profile.share_title", lang) in words
    assert "kunta=049" in url
    if public:
        assert url.startswith(PUBLIC + "/municipality?"), url
    else:
        assert is_local_address(url), url
    warnings = " ".join(w.value for w in at.warning)
    assert (translate("links.local.page", lang) in warnings) == (public is None)
    assert (translate("profile.share_view", lang) in words) == (public is not None)
    assert "KUNTADASH_" not in words


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_slides_qr_codes_point_publicly_or_say_they_work_only_here(lang, public):
    at = run_page("event", lang, kunta="049", slide="5")
    bodies = " ".join(node.proto.body for node in at.get("html"))
    urls = re.findall(r'data-url="([^"]+)"', bodies)
    assert urls, "the slide has a QR code"
    captions = " ".join(c.value for c in at.caption)
    warnings = " ".join(w.value for w in at.warning)
    slide_warning = translate("links.local.slides", lang)
    for url in urls:
        if public:
            assert url.startswith(PUBLIC + "/"), url
        else:
            assert is_local_address(url), url
    assert (slide_warning in captions) == (public is None)
    assert ("localhost" in warnings) == (public is None)
    assert "KUNTADASH_" not in captions + warnings


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_holder_warning_follows_the_address(lang, public):
    base = public_base_url()
    assert (holder_warning(base, lang, "brief") is None) == (public is not None)
    assert holder_warning("http://[::1]:8501/x", lang, "slides")
    assert holder_warning("http://127.0.0.1:8611/municipality", lang, "brief")
    assert holder_warning("https://kunnat.example.fi/", lang, "brief") is None
    assert (holder_warning(base, lang, "page") is None) == (public is not None)
    with pytest.raises(ValueError):
        holder_warning(base, lang, "poster")


# --- the baked pages, where they are served ------------------------------------------------------


@pytest.fixture(scope="module")
def baked_site(tmp_path_factory, sample_snapshot) -> Path:
    out = tmp_path_factory.mktemp("site")
    site.build_site(sample_snapshot, out, base=PUBLIC, workers=1, codes=list(BAKED))
    return out


def _configure(monkeypatch, tmp_path, baked_site, name: str) -> bool:
    """Set the operator's configuration ``name`` (a key of SHARING); whether pages are served."""
    public, folder, served = SHARING[name]
    if public:
        monkeypatch.setenv(PUBLIC_URL_ENV, PUBLIC + "/")
    else:
        monkeypatch.delenv(PUBLIC_URL_ENV, raising=False)
    if folder is None:
        monkeypatch.delenv(SITE_DIR_ENV, raising=False)
    else:
        monkeypatch.setenv(SITE_DIR_ENV, str(baked_site if folder == "built" else tmp_path))
    return served


@pytest.fixture(params=list(SHARING))
def sharing(request, monkeypatch, tmp_path, baked_site) -> tuple[bool, bool]:
    """Every configuration of SHARING in turn: (a public address is set, pages are served)."""
    served = _configure(monkeypatch, tmp_path, baked_site, request.param)
    return SHARING[request.param][0], served


@pytest.fixture(params=["baked page served", "site folder without a build"])
def served(request, monkeypatch, tmp_path, baked_site) -> bool:
    """The two configurations the app's pages are run with (an app run takes seconds)."""
    return _configure(monkeypatch, tmp_path, baked_site, request.param)


def _baked_address(baked_site: Path, snapshot, code: str, lang: str) -> str:
    """The baked page's public address, checked against the build: it holds that page."""
    url = site.baked_page_url(snapshot, code, lang, PUBLIC)
    assert url.startswith(f"{PUBLIC}/kunta/{lang}/"), url
    page = url.removeprefix(f"{PUBLIC}/kunta/")
    assert (baked_site / site.CURRENT / page / "index.html").is_file(), page
    return url


def _assert_interactive(link: str, code: str, public: bool) -> None:
    """A link as every output made it before there were baked pages."""
    assert f"kunta={code}" in link, link
    assert "/kunta/" not in link, link
    if public:
        assert link.startswith(PUBLIC + "/"), link
    else:
        assert is_local_address(link), link


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("code", BAKED)
def test_the_shared_profile_address_is_the_baked_page_only_where_it_is_served(
    sample_snapshot, baked_site, sharing, lang, code
):
    names = municipality_names(sample_snapshot, lang)
    interactive = "http://localhost:8501/municipality?kunta=" + code
    shared = shared_profile_url(code, lang, names, interactive)
    if sharing[1]:
        assert shared == served_page_url(code, lang, names)
        assert shared == _baked_address(baked_site, sample_snapshot, code, lang)
    else:
        assert served_page_url(code, lang, names) is None
        assert shared == interactive


def test_a_municipality_left_out_of_the_build_is_shared_interactively(
    sample_snapshot, baked_site, monkeypatch, tmp_path
):
    assert _configure(monkeypatch, tmp_path, baked_site, "baked page served")
    names = municipality_names(sample_snapshot, "fi")
    (other,) = [code for code in sorted(names) if code not in BAKED][:1]
    assert shared_profile_url(other, "fi", names, "x") == "x"
    assert shared_profile_url("999", "fi", names, "x") == "x"  # not a municipality


@pytest.fixture(scope="module")
def brief_view(sample_snapshot) -> Iterator[Callable[[str, str], ProfileView]]:
    """The view ``build_brief(sample_snapshot, code, lang)`` lays out (the municipality's type
    as its group, each indicator's latest common year), built once for every setting's brief,
    and its charts drawn once for them too (a third of a brief's time): the settings decide
    only the links."""
    drawn: dict[int, tuple[ProfileView, object]] = {}
    draw = brief_layout._charts

    def charts(view: ProfileView) -> object:
        if id(view) not in drawn:
            drawn[id(view)] = (view, draw(view))  # the view kept, so its id stays its own
        return drawn[id(view)][1]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(brief_layout, "_charts", charts)
        yield functools.cache(lambda code, lang: build_profile_view(sample_snapshot, code, lang))


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_brief_links_the_baked_page_where_it_is_served(
    sample_snapshot, baked_site, sharing, lang, brief_view
):
    code = BAKED[0]
    reader = PdfReader(io.BytesIO(brief_pdf(brief_view(code, lang))))
    text = _flat(" ".join(page.extract_text() for page in reader.pages))
    links = _pdf_links(reader)
    public, served = sharing
    if served:
        baked = _baked_address(baked_site, sample_snapshot, code, lang)
        assert links[0] == baked, links  # the QR code's
        assert baked in links
        assert f"{translate('brief.link_page', lang)} {baked}" in text
        interactive = [link for link in links if link != baked]
        assert interactive, "the view's link stays, second"
        for link in interactive:
            _assert_interactive(link, code, public=True)
        assert _flat(translate("brief.link_interactive", lang)) in text
    else:
        assert links
        for link in links:
            _assert_interactive(link, code, public)
        assert translate("brief.link_page", lang) not in text
    warning = _flat(translate("links.local.brief", lang))
    assert (warning in text) == (not public), text[:600]
    assert "KUNTADASH_" not in text


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_profile_pages_share_link_is_the_baked_page_where_it_is_served(
    lang, served, sample_snapshot, baked_site, offered_files
):
    """The profile's share link, shown on the page, is the one its brief carries (QR code and
    first link)."""
    at = run_page("municipality", lang, kunta=BAKED[0])
    (name,) = [name for name in offered_files if name.endswith(".pdf")]
    reader = PdfReader(io.BytesIO(offered_files[name]()))
    links = _pdf_links(reader)
    shown, words = _share_element(at)
    assert shown == links[0], (shown, links)
    if served:
        assert links[0] == _baked_address(baked_site, sample_snapshot, BAKED[0], lang), links
        assert any(link.startswith(PUBLIC + "/municipality?") for link in links), links
        assert translate("profile.share_baked", lang) in words
    else:
        for link in links:
            _assert_interactive(link, BAKED[0], public=True)
        assert translate("profile.share_view", lang) in words
    assert translate("links.local.page", lang) not in words
    assert not at.exception


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_profile_slides_qr_code_is_the_baked_page_where_it_is_served(
    lang, served, sample_snapshot, baked_site
):
    code = BAKED[1]
    at = run_page("event", lang, kunta=code, slide="5")
    bodies = " ".join(node.proto.body for node in at.get("html"))
    (url,) = map(html.unescape, re.findall(r'data-url="([^"]+)"', bodies))
    captions = " ".join(c.value for c in at.caption)
    if served:
        assert url == _baked_address(baked_site, sample_snapshot, code, lang)
    else:
        _assert_interactive(url, code, public=True)
    assert url in captions, "the address is written under the QR code"
    assert translate("links.local.slides", lang) not in captions


def test_a_map_slide_keeps_the_interactive_view(served, baked_site):
    at = run_page("event", "fi", kunta=BAKED[0], slide="1")
    bodies = " ".join(node.proto.body for node in at.get("html"))
    urls = re.findall(r'data-url="([^"]+)"', bodies)
    assert urls
    assert all(url.startswith(PUBLIC + "/") and "/kunta/" not in url for url in urls), urls
