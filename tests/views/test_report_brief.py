"""The municipality brief PDF (kuntadash.report.brief): layout over the profile's view — pages,
language, figures, sources, sample flag, the link and QR code back to the view, and no page
left mostly empty."""

from __future__ import annotations

import functools
import io
import re
from collections.abc import Callable
from datetime import date

import pytest
from PIL import Image
from pypdf import PdfReader

from kuntadash.domain.catalogue import format_value
from kuntadash.domain.stats import compute_profile
from kuntadash.naming import brief_filename
from kuntadash.report import brief as report
from kuntadash.report.brief import MIN_FILL, brief_pdf, build_brief, profile_link, qr_png
from kuntadash.store import read_snapshot
from kuntadash.views.profile import (
    ProfileView,
    build_profile_view,
    default_group,
    reference_years,
)
from kuntadash.views.profile import build as profile_build
from kuntadash.views.profile import numbers as profile_numbers
from tests.conftest import OFFICIAL_DIR

A4_POINTS = (595.28, 841.89)
TODAY = date(2026, 11, 23)
MM = 72 / 25.4


@pytest.fixture(scope="module")
def years(sample_snapshot):
    return reference_years(sample_snapshot)


@pytest.fixture(scope="module")
def official():
    return read_snapshot(OFFICIAL_DIR)


@pytest.fixture(scope="module")
def view_297(official) -> Callable[[str], ProfileView]:
    """The profile view of 297 on the official snapshot in ``lang`` as ``build_brief`` builds
    it (the municipality's type as its group, each indicator's latest common year), built once
    for the tests that read it and the brief laid out from it."""
    return functools.cache(lambda lang: build_profile_view(official, "297", lang))


@pytest.fixture(scope="module")
def brief_297(view_297) -> Callable[[str], bytes]:
    """``build_brief(official, "297", lang, today=TODAY)``: laid out once from that view."""
    return functools.cache(lambda lang: brief_pdf(view_297(lang), today=TODAY))


def _text(pdf: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(pdf))
    text = "\n".join(page.extract_text() for page in reader.pages)
    # Thousands are separated by a narrow no-break space; extraction may give any space.
    return reader, re.sub(r"[\s\u202f\u00a0]+", " ", text)


def _figures(snapshot, code, lang, years, indicator_ids) -> list[str]:
    """Each indicator's figure in the municipality's profile, as the brief writes it."""
    group = default_group(snapshot, code, lang)
    profile = compute_profile(snapshot.values, snapshot.catalogue, code, group.members, years)
    rows = profile.set_index("indicator_id")
    decimals = snapshot.catalogue.set_index("id")["decimals"]
    return [
        format_value(rows.at[i, "value"], int(decimals[i]), lang).replace("\u202f", " ")
        for i in indicator_ids
    ]


@pytest.mark.parametrize(
    ("lang", "code", "name", "sample_words", "sources_heading"),
    [
        ("fi", "091", "Helsinki", "ESIMERKKIAINEISTO", "Lähteet ja lisenssit"),
        ("en", "049", "Espoo", "SAMPLE DATA", "Sources and licences"),
        ("sv", "091", "Helsingfors", "EXEMPELDATA", "Källor och licenser"),
    ],
)
def test_brief_names_the_municipality_shows_its_figures_and_states_sources(
    sample_snapshot, years, lang, code, name, sample_words, sources_heading
):
    pdf = build_brief(sample_snapshot, code, lang, years=years, today=TODAY)
    reader, text = _text(pdf)
    assert 2 <= len(reader.pages) <= 4
    for page in reader.pages:
        assert (round(float(page.mediabox.width), 2), round(float(page.mediabox.height), 2)) == (
            A4_POINTS
        )
    assert name in text
    shown = ("unemployment_rate", "median_income", "ghg_emissions_per_resident")
    for figure in _figures(sample_snapshot, code, lang, years, shown):
        assert figure in text
    assert sources_heading in text
    assert "CC BY 4.0" in text  # the publishers' licence
    assert "2026-11-23" in text  # snapshot date
    assert sample_snapshot.version in text  # snapshot version
    assert sample_words in text
    assert reader.metadata.title.endswith(name)


def test_an_official_snapshot_is_not_marked_as_sample(official):
    # The committed official snapshot (the sample relabelled as official would still, rightly,
    # say that its figures are made up: every value records its synthetic source).
    _, text = _text(build_brief(official, "091", "fi", today=TODAY))
    assert "ESIMERKKIAINEISTO" not in text
    assert "esimerkkiaineisto" not in text
    assert "virallinen aineisto" in text


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_every_source_line_names_its_dataset_and_years_and_the_land_areas_are_among_them(
    official, view_297, lang
):
    # The brief and the baked pages list view.sources: each line a dataset with its title and
    # years (a publisher alone said nothing citeable), the descriptive ones (classifications,
    # the land areas behind the density shown among similar municipalities, the boundaries)
    # included.
    view = view_297(lang)
    manifest = {s["id"]: s for s in official.manifest["sources"]}
    for ident in ("nls_land_area_2023", "statfi_classification_key_2025", "statfi_wfs_2025"):
        source = manifest[ident]
        line = next(x for x in view.sources if source["title"][lang] in x)
        assert source["vintage"][lang] in line and "CC BY 4.0" in line, line
    for line in view.sources:
        title = next((s["title"][lang] for s in manifest.values() if s["title"][lang] in line), "")
        assert title, f"no dataset named: {line}"
    assert len(view.sources) == len(set(view.sources))


def test_the_brief_lists_the_land_area_source(brief_297):
    _, text = _text(brief_297("fi"))
    assert "Maanmittauslaitos: Hallinnolliset aluejaot 2023, kuntien maapinta-alat" in text


def test_a_missing_value_shows_as_a_dash_not_zero(sample_snapshot, years):
    values = sample_snapshot.values.copy()
    gone = (values["municipality_code"] == "091") & (values["indicator_id"] == "median_income")
    values.loc[gone, "value"] = float("nan")
    damaged = type(sample_snapshot)(
        manifest=sample_snapshot.manifest,
        municipalities=sample_snapshot.municipalities,
        boundaries=sample_snapshot.boundaries,
        values=values,
        catalogue=sample_snapshot.catalogue,
    )
    _, text = _text(build_brief(damaged, "091", "en", years=years, today=TODAY))
    line = next(part for part in text.split("Median income") if "2024" in part[:80])
    assert "2024 –" in line[:80]
    assert "nan" not in text.lower().split()


def test_file_name_says_what_is_inside_in_ascii(sample_snapshot):
    name = brief_filename(sample_snapshot, "599", "sv", TODAY)
    assert name == "kommunoversikt-599-pedersore-2026-11-23-sv-sample.pdf"
    assert name.isascii()


# --- layout over the view ------------------------------------------------------------------------


def test_page_one_answers_like_the_profiles_first_screen(sample_snapshot):
    view = build_profile_view(sample_snapshot, "837", "en")
    first = PdfReader(io.BytesIO(brief_pdf(view, today=TODAY))).pages[0].extract_text()
    first = re.sub(r"[\s\u202f\u00a0]+", " ", first)
    for summary in view.dimensions:
        assert summary.label in first and summary.score_text in first
        assert summary.reading[:40] in first
    for item in (*view.strengths, *view.weaknesses, *view.changes):
        assert item.name in first
    assert "Strengths" in first and "Weak spots" in first and "Changed most in 5 years" in first


def test_the_brief_computes_nothing_the_view_already_holds(sample_snapshot, monkeypatch):
    view = build_profile_view(sample_snapshot, "091", "fi")
    # The parts the first screen does not show are built on first use, by the view, once.
    later = (view.ranks, view.indicator_tables, view.trend_lines, view.sources)
    assert all(part for part in later)
    assert view.ranks is later[0] and view.indicator_tables is later[1]

    def refuse(*args, **kwargs):
        raise AssertionError("the brief recomputed what the view holds")

    for name in (
        "score_dimensions",
        "profile_from_table",
        "compute_trends",
        "strengths_and_weaknesses",
        "nearest_peers",
        "describe_group",
        "reference_table",
    ):
        # the view's builders: its words (build) and its language-free figures (numbers)
        homes = [m for m in (profile_build, profile_numbers) if hasattr(m, name)]
        assert homes, name
        for module in homes:
            monkeypatch.setattr(module, name, refuse)
    monkeypatch.setattr(report, "build_profile_view", refuse)
    _, text = _text(brief_pdf(view, today=TODAY))
    assert "Helsinki" in text


def test_the_brief_links_to_the_exact_view_with_a_qr_code(sample_snapshot, monkeypatch):
    view = build_profile_view(sample_snapshot, "049", "sv")
    link = "https://kunta.example/municipality?lang=sv&kunta=049&group=similar&peers=5"
    reader = PdfReader(io.BytesIO(brief_pdf(view, link=link, today=TODAY)))
    first = reader.pages[0]
    assert link in re.sub(r"\s+", "", first.extract_text())
    uris = {annot.get_object()["/A"]["/URI"] for annot in first.get("/Annots", [])}
    assert uris == {link}
    # The QR code drawn is exactly the code of that link.
    expected = Image.open(io.BytesIO(qr_png(link))).convert("L")
    drawn = [image.image.convert("L") for image in first.images]
    assert any(i.size == expected.size and i.tobytes() == expected.tobytes() for i in drawn)
    # Without a link from the app: the public address when set, the view's own parameters.
    monkeypatch.setenv("KUNTADASH_PUBLIC_URL", "https://kunta.example/")
    assert profile_link(view) == (
        "https://kunta.example/municipality?lang=sv&kunta=049&group=municipality_type"
        "&dataset=sample"
    )


def page_fills(pdf: bytes) -> list[float]:
    """How far down each page its content (text, images, table cells) reaches, measured in the
    PDF itself: 0 = nothing below the top margin, 1 = down to the bottom margin."""
    reader = PdfReader(io.BytesIO(pdf))
    fills = []
    for page in reader.pages:
        top = float(page.mediabox.height) - report.TOP_MM * MM
        bottom = report.BOTTOM_MM * MM  # the footer is below this line
        lowest = [top]

        def text(words, cm, tm, font, size, lowest=lowest, bottom=bottom):
            y = tm[5] * cm[3] + cm[5]
            if words.strip() and y > bottom:
                lowest.append(y)

        def operator(op, args, cm, tm, lowest=lowest, bottom=bottom):
            if op == b"Do" and cm[5] > bottom - 1:  # an image
                lowest.append(cm[5])
            elif op == b"re" and len(args) == 4:  # a filled or outlined cell
                y = float(args[1]) * cm[3] + cm[5]
                low = min(y, y + float(args[3]) * cm[3])
                if low > bottom - 1:
                    lowest.append(low)

        page.extract_text(visitor_text=text, visitor_operand_before=operator)
        fills.append((top - min(lowest)) / (top - bottom))
    return fills


@pytest.mark.parametrize(
    ("data", "code", "lang"),
    [
        ("sample", "837", "fi"),
        ("sample", "035", "sv"),
        ("official", "091", "sv"),  # long Swedish texts pushed the sources onto a page of their own
        ("official", "312", "fi"),
        ("official", "837", "en"),
    ],
)
def test_no_page_is_mostly_empty(sample_snapshot, official, data, code, lang):
    snapshot = sample_snapshot if data == "sample" else official
    fills = page_fills(build_brief(snapshot, code, lang, today=TODAY))
    assert len(fills) >= 2
    assert min(fills) >= MIN_FILL, [round(f, 2) for f in fills]


def test_the_fill_measure_sees_an_almost_empty_page(sample_snapshot):
    # The measure itself: a last page holding a line or two reads as nearly empty.
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_font("helvetica", size=10)
    pdf.add_page()
    for _ in range(60):
        pdf.cell(0, 4, "text", new_x="LMARGIN", new_y="NEXT")
    pdf.add_page()
    pdf.cell(0, 4, "one line")
    fills = page_fills(bytes(pdf.output()))
    assert fills[0] > 0.8 and fills[1] < 0.1


def test_a_brief_is_the_same_whatever_briefs_were_written_before_it(view_297):
    """The type faces are parsed once per process and shared by every brief, and writing a
    PDF subsets its fonts: a brief written after others is byte for byte the one written
    first in a process (the Swedish brief uses letters the English one does not)."""
    report._faces.cache_clear()
    swedish = brief_pdf(view_297("sv"), link="https://x.example/", today=TODAY)
    report._faces.cache_clear()
    brief_pdf(view_297("en"), link="https://x.example/", today=TODAY)
    assert brief_pdf(view_297("sv"), link="https://x.example/", today=TODAY) == swedish


# --- built once, shared, one build per session at a time (kuntadash.ui.downloads) -------------
def _view(snapshot, code="091", lang="fi"):
    return build_profile_view(snapshot, code, lang, default_group(snapshot, code, lang))


def test_the_brief_key_changes_with_everything_the_brief_shows(sample_snapshot):
    from kuntadash.ui.downloads import brief_key

    view, today = _view(sample_snapshot), date(2026, 1, 5)
    key = brief_key(view, "https://x/profiili?kunta=091", today)
    assert key == brief_key(_view(sample_snapshot), "https://x/profiili?kunta=091", today)
    others = [
        brief_key(_view(sample_snapshot, lang="sv"), "https://x/profiili?kunta=091", today),
        brief_key(_view(sample_snapshot, code="092"), "https://x/profiili?kunta=091", today),
        brief_key(view, "https://x/profiili?kunta=091&group=region", today),
        brief_key(view, "https://x/profiili?kunta=091", date(2026, 1, 6)),
    ]
    assert all(other != key for other in others)


def test_sessions_asking_for_the_same_brief_at_once_share_one_build():
    import threading
    import time

    from kuntadash.ui.downloads import BriefCache

    cache, started = BriefCache(limit=2), threading.Barrier(8)

    def build() -> bytes:
        time.sleep(0.2)
        return b"%PDF brief"

    def ask() -> None:
        started.wait()
        assert cache.get(("v1", "091", "fi"), build) == b"%PDF brief"

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert cache.builds == 1
    for code in ("092", "093", "094"):  # bounded: the oldest briefs make room
        cache.get(("v1", code, "fi"), build)
    assert len(cache) == 2 and cache.builds == 4


def test_a_session_builds_one_brief_at_a_time():
    import threading
    import time

    from kuntadash.ui.downloads import BriefCache, serialised

    cache, lock = BriefCache(), threading.Lock()
    running, most = 0, 0
    guard = threading.Lock()

    def build() -> bytes:
        nonlocal running, most
        with guard:
            running += 1
            most = max(most, running)
        time.sleep(0.05)
        with guard:
            running -= 1
        return b"%PDF"

    clicks = [
        threading.Thread(target=serialised(lock, lambda n=n: cache.get(n, build))) for n in range(6)
    ]
    for click in clicks:
        click.start()
    for click in clicks:
        click.join(timeout=30)
    assert most == 1 and cache.builds == 6


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_the_first_pages_facts_are_whole_however_long(view_297, brief_297, lang):
    """Every fact on page one, label and value, is there whole: a long one wraps in its cell
    (the English "Wellbeing services county" of North Savo was cut to "Wellbeing services
    coun…")."""
    view = view_297(lang)
    reader = PdfReader(io.BytesIO(brief_297(lang)))
    page = " ".join(reader.pages[0].extract_text().split())
    assert "…" not in page
    for fact in view.facts:
        assert " ".join(f"{fact.label}:".split()) in page, fact.label
        assert " ".join(fact.value.split()) in page, fact.value
