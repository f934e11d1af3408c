"""Breaks in a series on the pages: marked on trend charts, said in captions, and a change
across a break is never called better or worse (the catalogue's ``breaks``)."""

from __future__ import annotations

import json

import pytest

from tests.apptest import run_page

TAX = {"indicator": "municipal_tax_rate", "dim": "economic"}


@pytest.mark.parametrize(
    ("lang", "words"),
    [("fi", "sarjan katko 2023"), ("sv", "seriebrott 2023"), ("en", "series break 2023")],
)
def test_compare_does_not_judge_a_change_across_the_tax_reform(lang, words):
    at = run_page("compare", lang, **TAX)
    changes = at.dataframe[-1].value
    five_years = changes.iloc[:, 2]  # municipality, 1 year, 5 years, 10 years
    assert five_years.str.contains(words).all(), five_years.tolist()
    judged = {"fi": "parempaan|huonompaan", "sv": "bättre|sämre", "en": r"\(better|\(worse"}[lang]
    assert not five_years.str.contains(judged).any()
    one_year = changes.iloc[:, 1]  # 2023 -> 2024 is inside the new series: judged as usual
    assert not one_year.str.contains(words).any()


def test_compare_captions_say_why_and_name_the_value_choice():
    at = run_page("compare", **TAX)
    captions = " ".join(c.value for c in at.caption).replace("\\", "")
    assert "Aikasarjassa on katko vuonna 2023" in captions
    assert "Arvovalinta" in captions  # the tax rate's direction note


def test_groups_trend_chart_marks_the_break():
    at = run_page("groups", **TAX)
    figures = [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]
    trend = figures[-1]
    lines = [s for s in trend["layout"].get("shapes", []) if s.get("type") == "line"]
    assert [s["x0"] for s in lines] == [2022.5]
    assert any(a["text"] == "Sarjan katko 2023" for a in trend["layout"]["annotations"])


def test_an_indicator_without_breaks_draws_none():
    at = run_page("groups")
    trend = json.loads(at.get("plotly_chart")[-1].proto.spec)
    assert not [s for s in trend["layout"].get("shapes", []) if s.get("type") == "line"]


def test_indicators_page_shows_the_value_choice_and_the_break_next_to_the_direction():
    at = run_page("indicators", q="veroprosentti")
    listing = at.dataframe[0].value
    row = listing[listing["Indikaattori"] == "Kunnallisveroprosentti"].iloc[0]
    assert row["Suunta"] == "Pienempi on parempi"
    assert row["Huomio suunnasta"].startswith("Arvovalinta")
    assert row["Sarjan katkot"] == "2023"
    details = " ".join(m.value for m in at.markdown).replace("\\", "")
    assert "Aikasarjan katko 2023." in details
