"""Event mode (pages/event.py): the slide sequence, its advance rule, and the page advancing."""

from __future__ import annotations

import html
import re

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from kuntadash.store.locations import DATA_DIR_ENV
from kuntadash.ui.links import is_local_address, qr_png, view_url
from kuntadash.ui.slides import TIMER_SLACK_S, advance_due, next_index
from kuntadash.ui.widgets import escape_markdown
from kuntadash.views.event import EVENT_INDICATORS, Slide, build_slides
from tests import paths
from tests.conftest import OFFICIAL_DIR

REPO = paths.REPO


def _event(**params: str) -> AppTest:
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    at.switch_page("pages/event.py")
    for name, value in params.items():
        at.query_params[name] = value
    at.run()
    assert not at.exception
    return at


def _catalogue(rows: list[tuple[str, str]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["id", "dimension"])


def test_slides_are_one_map_per_dimension_then_the_profile():
    catalogue = _catalogue(
        [
            ("employment_rate", "economic"),
            ("unemployment_rate", "economic"),
            ("population_change", "social"),
            ("ghg_emissions_per_resident", "ecological"),
            ("broadband_100mbit_share", "technological"),
        ]
    )
    slides = build_slides(catalogue)
    assert [s.kind for s in slides] == ["map"] * 4 + ["profile"]
    assert [s.indicator_id for s in slides[:4]] == [
        EVENT_INDICATORS[d] for d in ("economic", "social", "ecological", "technological")
    ]


def test_a_dimension_without_its_headline_indicator_falls_back_and_an_empty_one_is_skipped():
    slides = build_slides(_catalogue([("employment_rate", "economic"), ("gini", "social")]))
    assert slides == [
        Slide("map", "economic", "employment_rate"),
        Slide("map", "social", "gini"),
        Slide("profile"),
    ]


@pytest.mark.parametrize(
    ("index", "step", "expected"), [(0, 1, 1), (4, 1, 0), (0, -1, 4), (2, -1, 1)]
)
def test_next_index_wraps_round(index, step, expected):
    assert next_index(index, 5, step) == expected


def test_advance_is_due_only_after_the_interval():
    assert not advance_due(100.0, 100.0 + 15 - TIMER_SLACK_S - 0.1, 15)
    assert advance_due(100.0, 100.0 + 15 - TIMER_SLACK_S, 15)
    assert advance_due(100.0, 130.0, 15)


def _heading(at: AppTest) -> str:
    return at.title[0].value


def test_event_mode_advances_with_next_and_previous_and_wraps(through_app):
    at = _event(lang="en")
    assert _heading(at) == "Economic sustainability"
    assert "View 1 of 5" in [c.value for c in at.caption]
    at.button(key="event_next").click().run()
    assert _heading(at) == "Social sustainability"
    assert at.query_params["slide"] == ["2"] or at.query_params["slide"] == "2"
    for _ in range(3):
        at.button(key="event_next").click().run()
    assert not at.exception
    assert _heading(at) == "Helsinki"  # the profile summary of the sidebar's municipality
    assert len(at.metric) == 4  # one score per dimension
    at.button(key="event_next").click().run()
    assert _heading(at) == "Economic sustainability"
    assert "slide" not in at.query_params  # back at the default: left out of the link
    at.button(key="event_previous").click().run()
    assert _heading(at) == "Helsinki"


def test_each_slide_has_a_qr_code_of_its_view(through_app):
    at = _event(lang="en", kunta="049", slide="5")
    assert _heading(at) == "Espoo"
    links = [c.value for c in at.caption if c.value.startswith("http")]
    assert links == ["http://localhost:8501/municipality?lang=en&kunta=049"]


def test_view_links_leave_defaults_out_and_qr_codes_are_png():
    url = view_url(
        "http://kone:8501",
        "",
        {"lang": ("fi", "fi"), "dim": ("social", "economic"), "indicator": ("x", "x")},
    )
    assert url == "http://kone:8501/?dim=social"
    assert view_url("http://kone:8501", "municipality", {}) == "http://kone:8501/municipality"
    assert qr_png(url).startswith(b"\x89PNG")


def test_pause_stops_the_timer_and_play_restarts_it(through_app):
    at = _event()
    at.button(key="event_pause").click().run()
    assert at.button(key="event_pause").label == "Jatka"
    assert any("pysäytetty" in c.value for c in at.caption)
    at.button(key="event_pause").click().run()
    assert at.button(key="event_pause").label == "Pysäytä"


def test_a_slide_or_interval_not_on_offer_is_refused_with_a_message(through_app):
    at = _event(slide="9", every="7")
    assert _heading(at) == "Taloudellinen kestävyys"
    notices = " ".join(i.value for i in at.info)
    assert "slide=9" in notices and "every=7" in notices
    assert "slide" not in at.query_params and "every" not in at.query_params


# --- In a real room: the QR code's address, context indicators, tables ---------------------


@pytest.mark.parametrize(
    ("url", "local"),
    [
        ("http://localhost:8501", True),
        ("http://LOCALHOST:8501/app", True),
        ("http://kone.localhost:8501", True),
        ("http://127.0.0.1:8501", True),
        ("http://127.1.2.3", True),
        ("http://[::1]:8501", True),
        ("http://0.0.0.0:8501", True),
        ("http://192.168.1.20:8501", False),
        ("https://kunnat.example.fi/app", False),
        ("http://[2001:db8::1]:8501", False),
    ],
)
def test_local_addresses_are_recognised(url, local):
    assert is_local_address(url) is local


def _warnings(at: AppTest) -> str:
    return " ".join(w.value for w in at.warning)


def _qr_links(at: AppTest) -> list[str]:
    return [c.value for c in at.caption if c.value.startswith("http")]


def _qr_attributes(at: AppTest) -> list[str]:
    bodies = [node.proto.body for node in at.get("html")]
    return [html.unescape(url) for url in re.findall(r'data-url="([^"]+)"', " ".join(bodies))]


def test_a_local_address_is_warned_about_in_words_for_the_room():
    at = _event(lang="en")
    warning = _warnings(at)
    assert "cannot open" in warning and "public address" in warning
    assert "KUNTADASH_" not in warning  # a setting's name means nothing to the audience
    assert escape_markdown("http://localhost:8501") in warning


def test_the_public_url_is_what_the_qr_codes_point_to(monkeypatch):
    monkeypatch.setenv("KUNTADASH_PUBLIC_URL", "https://kunnat.example.fi/app/")
    at = _event(lang="en", kunta="049", slide="5")
    assert "cannot open" not in _warnings(at)  # (the sample's own notice stays)
    expected = "https://kunnat.example.fi/app/municipality?lang=en&kunta=049"
    assert _qr_links(at) == [expected]
    assert _qr_attributes(at) == [expected]


def test_a_configured_local_public_url_is_warned_about_too(monkeypatch):
    monkeypatch.setenv("KUNTADASH_PUBLIC_URL", "http://127.0.0.1:8501")
    assert "cannot open" in _warnings(_event(lang="en"))


def test_a_dimension_falls_back_to_an_indicator_with_a_direction_first():
    catalogue = pd.DataFrame(
        {
            "id": ["degree_of_urbanisation", "waste_per_resident"],
            "dimension": ["ecological", "ecological"],
            "direction": ["neutral", "lower_better"],
        }
    )
    assert build_slides(catalogue)[0] == Slide("map", "ecological", "waste_per_resident")
    only_context = catalogue.iloc[:1]
    assert build_slides(only_context)[0] == Slide("map", "ecological", "degree_of_urbanisation")


@pytest.fixture
def official(monkeypatch):
    """The committed official snapshot, whose ecological slide is a context indicator."""
    monkeypatch.setenv(DATA_DIR_ENV, str(OFFICIAL_DIR))


def test_a_context_indicator_is_neither_ranked_nor_a_top_three(official):
    at = _event(lang="en", slide="3")
    assert _heading(at) == "Ecological sustainability"
    texts = " ".join(m.value for m in at.markdown)
    assert "Top three" not in texts and "Rank " not in texts
    assert "no better direction, so no rank" in texts
    table = at.dataframe[0].value
    assert "Rank" not in table.columns
    values = table["Value (%)"]  # in order of size, largest first
    numbers = pd.to_numeric(values.str.replace("%", "").str.replace(",", ""), errors="coerce")
    assert numbers.dropna().is_monotonic_decreasing


def test_a_directional_slide_ranks_and_names_its_top_three(official):
    at = _event(lang="en", slide="1")
    texts = " ".join(m.value for m in at.markdown)
    assert "Top three" in texts and "Rank " in texts
    assert "Rank" in at.dataframe[0].value.columns


@pytest.mark.parametrize("slide", ["1", "2", "3", "4", "5"])
def test_every_slide_has_its_figures_as_a_table(slide):
    at = _event(lang="en", slide=slide)
    assert len(at.dataframe) == 1
    assert at.dataframe[0].value.shape[0] >= 4
    assert any(e.label == "Show as a table" for e in at.expander)
