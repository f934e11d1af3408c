"""The municipality brief PDF (kuntadash.brief): pages, language, figures, sources, sample flag."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from pypdf import PdfReader

from kuntadash.brief import build_brief, default_group, reference_years
from kuntadash.domain.catalogue import format_value
from kuntadash.domain.stats import compute_profile
from kuntadash.naming import brief_filename

A4_POINTS = (595.28, 841.89)
TODAY = date(2026, 11, 23)


@pytest.fixture(scope="module")
def years(sample_snapshot):
    return reference_years(sample_snapshot)


def _text(pdf: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(pdf))
    text = "\n".join(page.extract_text() for page in reader.pages)
    # Thousands are separated by a narrow no-break space; extraction may give any space.
    return reader, re.sub(r"[\s\u202f\u00a0]+", " ", text)


def _figure(snapshot, code, lang, years, indicator_id) -> str:
    group = default_group(snapshot, code, lang)
    profile = compute_profile(snapshot.values, snapshot.catalogue, code, group.members, years)
    row = profile.set_index("indicator_id").loc[indicator_id]
    decimals = int(snapshot.catalogue.set_index("id").at[indicator_id, "decimals"])
    return format_value(row["value"], decimals, lang).replace("\u202f", " ")


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
    for indicator_id in ("unemployment_rate", "median_income", "ghg_emissions_per_resident"):
        assert _figure(sample_snapshot, code, lang, years, indicator_id) in text
    assert sources_heading in text
    assert "CC BY 4.0" in text  # the publishers' licence
    assert "2026-11-23" in text  # snapshot date
    assert sample_snapshot.version in text  # snapshot version
    assert sample_words in text
    assert reader.metadata.title.endswith(name)


def test_an_official_snapshot_is_not_marked_as_sample(sample_snapshot, years):
    official = sample_snapshot.with_manifest(sample=False)
    _, text = _text(build_brief(official, "091", "fi", years=years, today=TODAY))
    assert "ESIMERKKIAINEISTO" not in text
    assert "esimerkkiaineisto" not in text
    assert "virallinen aineisto" in text


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


def test_file_name_says_what_is_inside_in_ascii(sample_snapshot):
    name = brief_filename(sample_snapshot, "599", "sv", TODAY)
    assert name == "kommunoversikt-599-pedersore-2026-11-23-sv-sample.pdf"
    assert name.isascii()
