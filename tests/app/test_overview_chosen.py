"""The overview shows where the chosen municipality stands without a tooltip (AppTest layer):
its figure and rank as text above the map, and its row highlighted in the table."""

from __future__ import annotations

import re

import pytest
from streamlit.testing.v1 import AppTest

from kuntadash.domain.stats import rank_values, values_for
from kuntadash.ui.widgets import escape_markdown
from kuntadash.views.format import Formatter
from tests.apptest import open_overview_table, run_page


def _overview(**params: str) -> AppTest:
    return run_page("overview", **params)


def _expected(snapshot, code: str, indicator: str, lang: str) -> tuple[str, int, int]:
    year = int(snapshot.values.loc[snapshot.values["indicator_id"] == indicator, "year"].max())
    series = values_for(snapshot.values, indicator, year)
    direction = snapshot.catalogue.set_index("id").at[indicator, "direction"]
    rank = int(rank_values(series, direction)[code])
    value = Formatter.from_catalogue(snapshot.catalogue, lang).value(indicator, series[code])
    return value, rank, int(series.notna().sum())


def _chosen_text(at: AppTest) -> str:
    return " ".join(m.value for m in at.markdown if m.value.startswith("**"))


@pytest.mark.parametrize(
    ("lang", "words"),
    [("fi", "sija {rank}/{of}"), ("sv", "placering {rank}/{of}"), ("en", "rank {rank} of {of}")],
)
def test_the_chosen_figure_and_rank_are_text_above_the_map(sample_snapshot, lang, words):
    at = _overview(kunta="297", lang=lang)
    value, rank, of = _expected(sample_snapshot, "297", "unemployment_rate", lang)
    text = _chosen_text(at)
    assert text.startswith("**Kuopio**:")
    assert escape_markdown(value) in text and words.format(rank=rank, of=of) in text


def test_a_context_indicator_is_put_in_order_of_size_not_ranked(sample_snapshot):
    at = _overview(kunta="297", lang="en", dim="social", indicator="share_aged_65_plus")
    text = _chosen_text(at)
    assert "by size" in text and "rank" not in text.lower().replace("by size", "")


def _styled_rows(at: AppTest) -> set[int]:
    """The rows of the table that carry the chosen-row style (bold on a tint)."""
    styler = at.dataframe[0].proto.arrow_data.styler
    rules = [rule for rule in styler.styles.split("}") if "font-weight: bold" in rule]
    return {int(row) for rule in rules for row in re.findall(r"_row(\d+)_col", rule)}


def test_the_chosen_row_is_highlighted_in_place(sample_snapshot):
    at = open_overview_table(_overview(kunta="297", lang="en"))
    shown = at.dataframe[0].value
    assert list(shown.columns[:2]) == ["Rank", "Municipality"]  # nothing added: CSV = table
    assert shown["Rank"].dropna().is_monotonic_increasing  # the ranking order is kept
    position = shown["Municipality"].tolist().index("Kuopio")
    assert _styled_rows(at) == {position}
    _, rank, _ = _expected(sample_snapshot, "297", "unemployment_rate", "en")
    assert int(shown["Rank"].iloc[position]) == rank


def test_a_filtered_out_municipality_keeps_its_text_but_no_row():
    at = open_overview_table(_overview(kunta="297", lang="en", type="small_rural"))
    assert _chosen_text(at).startswith("**Kuopio**:")
    shown = at.dataframe[0].value
    assert "Kuopio" not in set(shown["Municipality"])
    assert not at.dataframe[0].proto.arrow_data.styler.styles
