"""The baked static site (report.site): addresses, pages, the sitemap and the atomic swap.

Pages are baked for a handful of municipalities (a full bake takes minutes on a loaded 2-core
machine); the counts over all 308 come from the slugs and the sitemap, which cover every page.
"""

from __future__ import annotations

import gzip
import os
import re
from dataclasses import replace
from pathlib import Path
from xml.etree import ElementTree

import pytest

from kuntadash.i18n import LANGUAGES
from kuntadash.report import site
from kuntadash.store import read_snapshot
from tests import paths

REPO = paths.REPO
KUOPIO, NARPIO = "297", "545"
BASE = "https://kunta.example.fi"
SIZE_BUDGET = 60_000  # bytes gzipped


@pytest.fixture(scope="module")
def official():
    return read_snapshot(REPO / "data")


@pytest.fixture(scope="module")
def baked(official):
    return site.bake_files(official, base=BASE, workers=1, codes=[KUOPIO, NARPIO])


def test_slug_folds_letters_and_punctuation():
    assert site.slugify("Närpiö") == "narpio"
    assert site.slugify("Närpes") == "narpes"
    assert site.slugify("Åland – Mariehamn") == "aland-mariehamn"
    assert site.slugify("Koski Tl") == "koski-tl"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_slugs_are_unique_for_every_municipality(official, lang):
    slugs = site.site_slugs(official, lang)
    assert len(slugs) == 308
    assert len(set(slugs.values())) == 308
    assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", s) for s in slugs.values())


def test_addresses_use_the_name_in_the_page_language(official):
    assert site.baked_page_url(official, KUOPIO, "fi", BASE) == f"{BASE}/kunta/fi/kuopio/"
    assert site.baked_page_url(official, NARPIO, "sv", BASE) == f"{BASE}/kunta/sv/narpes/"
    assert site.baked_page_url(official, NARPIO, "fi", BASE) == f"{BASE}/kunta/fi/narpio/"


def test_sitemap_lists_every_page_with_its_alternates(baked):
    root = ElementTree.fromstring(baked["sitemap.xml"])
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}
    urls = root.findall("s:url", ns)
    assert len(urls) == 924
    locs = [u.find("s:loc", ns).text for u in urls]
    assert len(set(locs)) == 924 and all(loc.startswith(f"{BASE}/kunta/") for loc in locs)
    links = urls[0].findall("x:link", ns)
    assert {link.get("hreflang") for link in links} == {"fi", "sv", "en", "x-default"}
    assert b"Sitemap: https://kunta.example.fi/kunta/sitemap.xml" in baked["robots.txt"]


def test_pages_are_small_static_and_linked_between_languages(baked):
    for lang, slug in (("fi", "kuopio"), ("sv", "narpes"), ("en", "kuopio")):
        page = baked[f"{lang}/{slug}/index.html"]
        assert len(gzip.compress(page, 9)) < SIZE_BUDGET
        text = page.decode("utf-8")
        assert "<script" not in text.lower()
        assert not re.search(r"\bnan\b|\bNone\b", text)
        assert f'<html lang="{lang}">' in text
        hreflangs = dict(re.findall(r'rel="alternate" hreflang="([a-z-]+)" href="([^"]+)"', text))
        assert set(hreflangs) == {"fi", "sv", "en", "x-default"}
        assert hreflangs[lang] == f"{BASE}/kunta/{lang}/{slug}/"
        assert "@media print" in text
        assert 'property="og:image"' in text and 'name="twitter:card"' in text
        assert "<caption id=" in text and 'scope="col"' in text and 'scope="row"' in text
        assert "<svg" in text and 'class="me"' in text
        assert "kunta=" in text  # the link into the interactive app
        assert baked[f"{lang}/{slug}/card.png"].startswith(b"\x89PNG")


def test_finnish_page_has_no_english_headings(baked):
    text = baked["fi/kuopio/index.html"].decode("utf-8")
    for english in ("Strengths", "Weak spots", "Sources and licences", "Every indicator"):
        assert english not in text


def test_card_is_a_link_preview_size(baked):
    from PIL import Image

    with Image.open(__import__("io").BytesIO(baked["fi/kuopio/card.png"])) as image:
        assert image.size == (1200, 630)


def test_index_lists_every_municipality_by_type(baked):
    text = baked["fi/index.html"].decode("utf-8")
    assert len(re.findall(r'<li><a href="[a-z0-9-]+/">', text)) == 308
    assert text.count("<h2>") == 4


def test_a_page_baked_after_its_neighbours_is_the_page_baked_alone(official):
    """A build keeps what its profiles share (a comparison group's figures and words, each
    language's labels) for the next municipality: Närpiö baked after two municipalities of its
    sub-region and region is, byte for byte, Närpiö baked on its own."""
    after = site.bake_files(official, base=BASE, workers=1, codes=["287", "231", NARPIO])
    alone = site.bake_files(official, base=BASE, workers=1, codes=[NARPIO])
    pages = [path for path in alone if path.count("/") == 2]
    assert len(pages) == 2 * len(LANGUAGES)
    assert all(after[path] == alone[path] for path in pages)


def test_names_from_the_data_are_escaped(official):
    municipalities = official.municipalities.copy()
    row = municipalities["municipality_code"] == KUOPIO
    municipalities.loc[row, "name_fi"] = "Kuo<script>alert(1)</script>pio"
    tampered = replace(official, municipalities=municipalities)
    files = site.bake_files(tampered, base=BASE, workers=1, codes=[KUOPIO])
    page = next(v for k, v in files.items() if k.startswith("fi/") and "kuo" in k).decode()
    assert "<script" not in page
    assert "Kuo&lt;script&gt;alert(1)&lt;/script&gt;pio" in page


def _small_build(snapshot, out, **kwargs):
    return site.build_site(snapshot, out, base=BASE, workers=1, codes=[KUOPIO], **kwargs)


def test_rebuild_keeps_unchanged_files_untouched(official, tmp_path):
    first = _small_build(official, tmp_path)
    page = tmp_path / "current" / "fi" / "kuopio" / "index.html"
    before = page.stat()
    os.utime(page, (before.st_atime, before.st_mtime - 3600))
    old_mtime = page.stat().st_mtime
    second = _small_build(official, tmp_path, force=True)
    assert second.folder != first.folder
    assert second.written == 0 and second.kept == first.written
    assert page.stat().st_mtime == old_mtime
    assert (tmp_path / "current").resolve() == second.folder


def test_rebuild_of_an_unchanged_snapshot_bakes_nothing(official, tmp_path, monkeypatch):
    first = _small_build(official, tmp_path)
    monkeypatch.setattr(site, "bake_files", _must_not_bake)
    again = _small_build(official, tmp_path)
    assert again.folder == first.folder == (tmp_path / "current").resolve()
    assert (again.pages, again.written, again.kept) == (first.pages, 0, first.written)


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(
            lambda snap: (replace(snap, manifest={**snap.manifest, "data_hash": "x"}), {}),
            id="data",
        ),
        pytest.param(lambda snap: (snap, {"base": "https://other.example.fi"}), id="address"),
    ],
)
def test_rebuild_bakes_again_when_data_or_address_changed(official, tmp_path, change):
    first = _small_build(official, tmp_path)
    snapshot, options = change(official)
    options = {"base": BASE, **options}
    again = site.build_site(snapshot, tmp_path, workers=1, codes=[KUOPIO], **options)
    assert again.folder != first.folder


def test_rebuild_bakes_again_when_the_served_files_were_touched(official, tmp_path):
    first = _small_build(official, tmp_path)
    (tmp_path / "current" / "fi" / "kuopio" / "card.png").unlink()
    again = _small_build(official, tmp_path)
    assert again.folder != first.folder and again.written == 1


def test_fingerprint_follows_the_program_files(official, tmp_path, monkeypatch):
    package = tmp_path / "kuntadash"
    (package / "report").mkdir(parents=True)
    (package / "report" / "site.py").write_text("a")
    monkeypatch.setattr(site, "__file__", str(package / "report" / "site.py"))
    before = site.build_fingerprint(official, BASE)
    (package / "report" / "templates.html.j2").write_text("b")
    assert site.build_fingerprint(official, BASE) != before


def _must_not_bake(*args, **kwargs):
    raise AssertionError("baked although nothing changed")


def test_failed_build_leaves_the_served_site_intact(official, tmp_path, monkeypatch):
    first = _small_build(official, tmp_path)
    page = tmp_path / "current" / "fi" / "kuopio" / "index.html"
    content = page.read_bytes()
    folders = sorted(p.name for p in tmp_path.iterdir())

    def broken(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Path, "write_bytes", broken)
    monkeypatch.setattr(site, "_digest", lambda path: None)
    with pytest.raises(OSError):
        _small_build(official, tmp_path, force=True)
    assert (tmp_path / "current").resolve() == first.folder
    assert page.read_bytes() == content
    assert sorted(p.name for p in tmp_path.iterdir()) == folders  # nothing half-built left


def test_sweep_never_removes_folders_it_did_not_create(official, tmp_path):
    foreign = tmp_path / "site-notes"
    foreign.mkdir()
    for _ in range(3):
        _small_build(official, tmp_path, force=True)
    assert foreign.is_dir()
    builds = [p for p in tmp_path.iterdir() if not p.is_symlink() and (p / site.MARKER).is_file()]
    assert len(builds) == 2  # the current one and one before it


def test_pipeline_step_is_off_unless_configured(official, monkeypatch):
    monkeypatch.delenv(site.SITE_DIR_ENV, raising=False)
    assert site.rebuild_after_write(official) is None


def test_pipeline_step_reports_a_failure_instead_of_raising(official, tmp_path, monkeypatch):
    monkeypatch.setenv(site.SITE_DIR_ENV, str(tmp_path))

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(site, "bake_files", broken)
    note = site.rebuild_after_write(official)
    assert note is not None
    assert note.render("fi").startswith("Aineisto on tallennettu")
    assert "RuntimeError" in note.render("en")
    assert not (tmp_path / "current").exists()


def test_a_write_of_the_served_data_rebakes_the_configured_site(sample_copy, tmp_path, monkeypatch):
    """The command line registers the site step in finish(): a snapshot written to the served
    data folder rebakes the site and says so in the report's notes; one written elsewhere (a
    sample, a test folder) does not."""
    from kuntadash import cli
    from kuntadash.pipeline import finish as finishing

    monkeypatch.setattr(finishing, "AFTER_WRITE", [])
    cli._register_after_write()
    cli._register_after_write()  # registered once however often main() runs
    assert len(finishing.AFTER_WRITE) == 1
    served = tmp_path / "served"
    monkeypatch.setenv("KUNTADASH_DATA_DIR", str(served))
    monkeypatch.setenv(site.SITE_DIR_ENV, str(tmp_path / "site"))
    baked = []
    monkeypatch.setattr(site, "build_site", lambda snapshot, out: baked.append(out) or _Done())
    snapshot = read_snapshot(sample_copy)

    notes: list = []
    finishing.finish(snapshot, tmp_path / "elsewhere", notes)
    assert baked == [] and notes == []

    finishing.finish(snapshot, served, notes)
    assert baked == [tmp_path / "site"]
    assert notes[-1].render("fi").startswith("Sivusto valmis")


class _Done:
    folder, pages, written, kept, seconds = Path("x"), 924, 1, 0, 1.0


def test_cli_refuses_a_missing_snapshot_in_words(tmp_path, capsys):
    from kuntadash.cli import main

    code = main(["site", "build", "--out", str(tmp_path / "site"), "--data", str(tmp_path)])
    assert code == 1
    error = capsys.readouterr().err
    assert error.startswith("error: ") and "Traceback" not in error
    assert not (tmp_path / "site" / "current").exists()


def test_the_data_page_starts_a_separate_build_only_for_the_served_data(tmp_path, monkeypatch):
    """After an import on the Data page the pages are rebaked by a process of their own (the
    bounded import child never bakes), and only when a site folder is set and the import wrote
    the served data."""
    from kuntadash.ui import admin

    started = []
    monkeypatch.setattr(admin.subprocess, "Popen", lambda command, **kw: started.append(command))
    served = tmp_path / "served"
    monkeypatch.setenv("KUNTADASH_DATA_DIR", str(served))
    monkeypatch.delenv(site.SITE_DIR_ENV, raising=False)
    assert not admin.start_site_build(served)
    monkeypatch.setenv(site.SITE_DIR_ENV, str(tmp_path / "site"))
    assert not admin.start_site_build(tmp_path / "elsewhere")
    assert started == []
    assert admin.start_site_build(served)
    (command,) = started
    assert command[-4:] == ["--out", str(tmp_path / "site"), "--data", str(served)]
    assert command[1:5] == ["-m", "kuntadash.cli", "site", "build"]
