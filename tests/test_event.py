"""Event mode (pages/event.py): the slide sequence, its advance rule, and the page advancing."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from kuntadash.ui.links import qr_png, view_url
from kuntadash.ui.slides import (
    EVENT_INDICATORS,
    TIMER_SLACK_S,
    Slide,
    advance_due,
    build_slides,
    next_index,
)

REPO = Path(__file__).resolve().parents[1]



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
