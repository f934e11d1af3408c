"""Every link or QR code in an output a reader takes away points at the public address when
one is set, and otherwise carries a sentence for the person holding it that the address works
only on the machine that made it: the PDF brief from the profile page's button (its link is
the page's share link), and the event slides' QR codes, in fi, sv and en, with and without
the public address. No output names the setting itself.
"""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from kuntadash.i18n import LANGUAGES, translate
from kuntadash.links import PUBLIC_URL_ENV, holder_warning, is_local_address, public_base_url
from tests.apptest import run_page

PUBLIC = "https://kunnat.example.fi/app"


@pytest.fixture(params=[None, PUBLIC], ids=["no public address", "public address"])
def public(request, monkeypatch) -> str | None:
    if request.param is None:
        monkeypatch.delenv(PUBLIC_URL_ENV, raising=False)
    else:
        monkeypatch.setenv(PUBLIC_URL_ENV, request.param + "/")
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


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_brief_from_the_profile_page_links_publicly_or_warns_its_holder(
    lang, public, offered_files
):
    at = run_page("municipality", lang, kunta="049")
    (name,) = [name for name in offered_files if name.endswith(".pdf")]
    reader = PdfReader(io.BytesIO(offered_files[name]()))
    text = _flat(" ".join(page.extract_text() for page in reader.pages))
    links = _pdf_links(reader)
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
    with pytest.raises(ValueError):
        holder_warning(base, lang, "poster")
