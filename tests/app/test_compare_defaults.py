"""Compare starts from the peers that matter (AppTest layer, and the bar chart's labels).

By default the chosen municipality and its most similar municipalities (the profile's list);
one click adds the rest of them, or the municipality type's members; the default follows the
municipality until the reader edits it; names work in compare links; the two median labels
can never lie on top of each other.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from kuntadash.charts.series import build_bar_figure
from kuntadash.domain.peers import (
    DEFAULT_WEIGHTS,
    nearest_peers,
    order_by_similarity,
    standardise,
    structural_table,
)
from kuntadash.domain.population import population_history, population_in
from kuntadash.domain.stats import latest_common_year, reference_table
from tests import paths

REPO = paths.REPO


@pytest.fixture(scope="module")
def z(sample_snapshot) -> pd.DataFrame:
    """The standardised structural table, computed here as the domain defines it."""
    values = sample_snapshot.values
    wide = values.pivot(index=["municipality_code", "year"], columns="indicator_id", values="value")
    years = {i: latest_common_year(values, i) for i in values["indicator_id"].unique()}
    reference = reference_table(wide, {i: y for i, y in years.items() if y is not None})
    codes = pd.Index(sample_snapshot.municipalities["municipality_code"])
    population = population_in(population_history(values), codes).values
    return standardise(structural_table(sample_snapshot.municipalities, reference, population))


def _similar(z: pd.DataFrame, code: str) -> list[str]:
    return nearest_peers(z, code, DEFAULT_WEIGHTS, 10)["municipality_code"].tolist()


def _compare(**params: str) -> AppTest:
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    at.switch_page("pages/compare.py")
    for name, value in params.items():
        at.query_params[name] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _chosen(at: AppTest) -> list[str]:
    return list(at.multiselect(key="w_compare").value)


def test_the_default_is_the_municipality_and_its_most_similar(z):
    at = _compare(kunta="297")
    assert _chosen(at) == ["297", *_similar(z, "297")[:4]]
    assert "compare" not in at.query_params  # the default is left out of the link


def test_the_default_follows_the_municipality_until_edited(z):
    at = _compare(kunta="297")
    at.selectbox(key="w_kunta").set_value("049").run()
    assert _chosen(at) == ["049", *_similar(z, "049")[:4]]
    edited = ["049", "091", "837"]
    at.multiselect(key="w_compare").set_value(edited).run()
    at.selectbox(key="w_kunta").set_value("297").run()
    assert not at.exception
    assert _chosen(at) == edited  # the reader's own comparison is kept
    assert at.query_params["compare"] == ",".join(edited)


def test_one_click_adds_the_similar_municipalities_up_to_ten(z):
    at = _compare(kunta="297", lang="en")
    button = at.button(key="compare_add_similar")
    assert "Kuopio" in button.label
    button.click().run()
    assert _chosen(at) == ["297", *_similar(z, "297")[:9]]
    assert at.button(key="compare_add_similar").disabled  # full: nothing more fits
    assert at.button(key="compare_add_type").disabled


def test_one_click_adds_the_types_members_most_similar_first(sample_snapshot, z):
    municipalities = sample_snapshot.municipalities.set_index("municipality_code")
    large = municipalities.index[municipalities["municipality_type"] == "large_city"]
    at = _compare(kunta="091", compare="091,297", lang="en")
    button = at.button(key="compare_add_type")
    assert "Large cities" in button.label
    button.click().run()
    ordered = [c for c in order_by_similarity(z, "091", list(large)) if c != "297"]
    assert _chosen(at) == ["091", "297", *ordered][:10]
    assert len(large) > 3  # the type adds something to compare with


def test_a_removed_municipality_comes_back_with_the_similar_ones(z):
    at = _compare(kunta="297", compare="049,091")
    at.button(key="compare_add_similar").click().run()
    assert _chosen(at)[:3] == ["049", "091", "297"]


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_a_compare_link_without_a_municipality_anchors_on_the_first_compared(lang):
    # The link compares Kuopio and Närpes and names no municipality: the buttons must not speak
    # of the default municipality (Helsinki), and the link written back stays exact.
    at = _compare(compare="Atlantis,297,545", lang=lang)
    assert at.session_state["kunta"] == "297"
    assert at.query_params["kunta"] == "297"  # written back: the link stays exact
    labels = {b.key: b.label for b in at.button if b.key and b.key.startswith("compare_add")}
    assert "Kuopio" in labels["compare_add_similar"]
    assert "Helsinki" not in labels["compare_add_similar"]
    assert "Helsingfors" not in labels["compare_add_similar"]
    assert _chosen(at)[:2] == ["297", "545"]
    at.button(key="compare_add_similar").click().run()
    assert _chosen(at)[:2] == ["297", "545"] and len(_chosen(at)) > 2


def test_a_named_municipality_stays_the_anchor_of_a_compare_link():
    at = _compare(kunta="091", compare="297,545")
    assert at.session_state["kunta"] == "091"
    assert "Helsinki" in at.button(key="compare_add_similar").label


def test_names_work_in_a_compare_link_and_unknown_ones_are_reported():
    at = _compare(compare="Kuopio,närpes,Atlantis,Helsingfors,Por")
    assert _chosen(at) == ["297", "545", "091"]
    notices = " ".join(info.value for info in at.info)
    assert "Atlantis" in notices and "Por" in notices  # neither dropped silently


def test_order_by_similarity_puts_the_nearest_first_and_the_incomparable_last():
    z = pd.DataFrame(
        {"population": [0.0, 0.1, 2.0, np.nan], "population_change": [0.0, 0.1, 2.0, np.nan]},
        index=["001", "002", "003", "004"],
    )
    assert order_by_similarity(z, "001", ["004", "003", "001", "002"]) == ["002", "003", "004"]


def _bars() -> pd.DataFrame:
    return pd.DataFrame(
        {"name": ["A", "B", "C"], "value": [12.1, 12.4, 14.0], "highlight": [False, True, False]}
    )


def test_median_labels_are_legend_entries_above_the_plot_never_at_the_lines():
    # Two medians 0.02 apart: as labels at their lines they would cover each other.
    figure = build_bar_figure(
        _bars(),
        unit="%",
        lang="fi",
        decimals=1,
        references={"Mediaani: Suuret kaupungit": 12.30, "Mediaani: Koko maa": 12.32},
    )
    assert not figure.layout.annotations  # nothing is drawn next to a line
    assert [shape.x0 for shape in figure.layout.shapes] == [12.30, 12.32]
    entries = [trace for trace in figure.data if trace.showlegend]
    assert [trace.name for trace in entries] == [
        "Mediaani: Suuret kaupungit (12,3 %)",
        "Mediaani: Koko maa (12,3 %)",
    ]
    assert [trace.line.dash for trace in entries] == ["dash", "dash"]
    assert entries[0].line.color != entries[1].line.color
    legend = figure.layout.legend
    assert legend.orientation == "h" and legend.yanchor == "bottom" and legend.y >= 1
    assert figure.layout.showlegend is True
    assert list(figure.data[0].y) == ["A", "B", "C"]  # the legend adds no bar category


def test_a_missing_median_draws_neither_line_nor_label():
    figure = build_bar_figure(
        _bars(), unit="%", lang="en", decimals=1, references={"Median: X": np.nan, "Median: Y": 3}
    )
    assert [trace.name for trace in figure.data if trace.showlegend] == ["Median: Y (3.0%)"]
    assert len(figure.layout.shapes) == 1
    assert not build_bar_figure(_bars(), unit="%", lang="en", decimals=1).layout.showlegend


def test_a_link_is_read_only_up_to_its_first_hundred_parts():
    from kuntadash.ui.state import MAX_LINK_PARTS, _link_parts

    many = ",".join(f"x{i}" for i in range(5000))
    assert _link_parts(many) == [f"x{i}" for i in range(MAX_LINK_PARTS)]
    assert _link_parts(" 297, ,297,545 ") == ["297", "545"]
    # Past the bound a compare link's municipality is not looked for: the default stays, and
    # the page still answers with what it read.
    at = _compare(compare=f"{many},297,545")
    assert at.session_state["kunta"] == "091"
    assert not at.exception
