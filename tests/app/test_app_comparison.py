"""The profile and groups pages on the sample snapshot: every language, group choice, peers."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from kuntadash.domain.groups import GROUP_KINDS
from kuntadash.i18n import translate
from kuntadash.store.locations import DATA_DIR_ENV
from kuntadash.ui.widgets import escape_markdown
from tests.apptest import open_groups_tables, open_profile_sections
from tests.conftest import REPO, SAMPLE_DIR

PROFILE = "pages/municipality.py"
GROUPS = "pages/groups.py"
PEER_ITEM = re.compile(r"^\d+\. \*\*", re.MULTILINE)


def _open(page: str, lang: str = "fi", **params: str) -> AppTest:
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=90)
    if lang != "fi":
        at.query_params["lang"] = lang
    for key, value in params.items():
        at.query_params[key] = value
    at.switch_page(page)  # a link opens the page directly
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _markdown(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown)


def _peer_list(at: AppTest) -> str:
    lists = [m.value for m in at.markdown if PEER_ITEM.search(m.value)]
    assert len(lists) == 1, "one numbered list of similar municipalities"
    return lists[0]


SCORE_TEXT = {
    "fi": ("/ 100", "Ei pisteitä"),
    "sv": ("/ 100", "Ingen poäng"),
    "en": ("/ 100", "No score"),
}
REASON = {"fi": "samankaltainen näiltä osin", "sv": "lik i dessa avseenden", "en": "alike in"}
TRENDS = {
    "fi": "indikaattoria parani",
    "sv": "indikatorer blev bättre",
    "en": "indicators got better",
}
# The details a reader opens on purpose, in this order below the first screen.
SECTIONS = (
    "profile.facts_title",
    "profile.section.scores",
    "comparison.ranks_title",
    "profile.section.peers",
    "profile.section.indicators",
    "profile.section.trends",
)


@pytest.mark.parametrize(("lang", "code"), [("fi", "091"), ("sv", "035"), ("en", "853")])
def test_profile_shows_scores_peers_ranks_and_trends(lang, code):
    at = _open(PROFILE, lang, kunta=code)
    # The first screen: four dimension scores, each with a sentence on where it stands.
    assert len(at.metric) == 4
    assert all(any(s in m.value for s in SCORE_TEXT[lang]) for m in at.metric)
    # The details, each in its own section, closed until opened.
    labels = [e.label for e in at.expander]
    assert labels == [translate(key, lang) for key in SECTIONS]
    assert not any(e.proto.expanded for e in at.expander)
    # Folded, the heavy sections are not even built: no tables of ranks or indicators sent.
    assert not [d for d in at.dataframe if len(d.value) == len(GROUP_KINDS)]
    assert not at.tabs
    open_profile_sections(at)
    assert [e.label for e in at.expander] == labels
    # Ten similar municipalities, each with a reason; the municipality itself is not one.
    peers = _peer_list(at)
    assert len(PEER_ITEM.findall(peers)) == 10
    assert peers.count(REASON[lang]) == 10
    # Rank in every group kind: one row each (the sub-region among them).
    kind_column = translate("comparison.col.group_kind", lang)
    ranks = [d.value for d in at.dataframe if kind_column in d.value.columns]
    assert len(ranks) == 1 and len(ranks[0]) == len(GROUP_KINDS) == 8
    assert translate("groups.kind_short.subregion", lang) in set(ranks[0][kind_column])
    # The scores' detail states each dimension's coverage.
    coverage = translate("comparison.coverage_line", lang, available=0, total=0, share=0)
    assert _markdown(at).count(coverage.split(" ")[0]) >= 4
    # Trends summarised with better / worse counts.
    assert TRENDS[lang] in _markdown(at)


def test_changing_the_group_to_similar_names_both_groups_and_recomputes():
    at = open_profile_sections(_open(PROFILE, "en", kunta="091"))
    before = [m.value for m in at.metric]
    assert "23 municipalities" in _markdown(at)  # large cities
    at.selectbox(key="w_group").set_value("similar").run()
    assert not at.exception
    text = _markdown(at)
    assert "**Group shown:** Similar municipalities" in text
    assert "computed over:** Helsinki and similar municipalities, 11 municipalities" in text
    assert [m.value for m in at.metric] != before
    assert at.query_params["group"] == "similar"


def test_a_one_member_group_is_flagged():
    # Helsinki is its own wellbeing services county.
    at = _open(PROFILE, "fi", kunta="091", group="wellbeing_county")
    assert any("vain 1 kunta," in i.value for i in at.info)  # the singular after 1
    assert all(m.value == "50 / 100" for m in at.metric)


def test_an_invalid_group_in_the_link_falls_back_to_the_type():
    at = _open(PROFILE, "en", group="nonsense")
    assert at.selectbox(key="w_group").value == "municipality_type"
    assert "group" not in at.query_params


def test_peer_count_and_weights_change_the_peer_list_and_the_link():
    at = _open(PROFILE, "fi", kunta="837")
    default = _peer_list(at)
    at.selectbox(key="w_peers").set_value(5).run()
    assert len(PEER_ITEM.findall(_peer_list(at))) == 5
    assert at.query_params["peers"] == "5"
    at.select_slider(key="w_pw_population").set_value(3.0).run()
    at.select_slider(key="w_pw_tertiary_education_share").set_value(0.0).run()
    assert not at.exception
    assert at.query_params["pw"] == "3,1,1,1,1,1,0"
    weighted = _peer_list(at)
    assert weighted != default[: len(weighted)]
    assert "Korkea-asteen" not in weighted.split(REASON["fi"])[1].split("\n")[0]


def test_weights_from_a_link_are_restored_and_all_zero_falls_back():
    at = _open(PROFILE, "en", kunta="837", pw="0,0,0,0,0,0,0")
    assert any("weight above 0" in w.value for w in at.warning)
    assert len(PEER_ITEM.findall(_peer_list(at))) == 10  # default weights used meanwhile
    restored = _open(PROFILE, "en", kunta="837", pw="2,1,1,1,1,1,0.5")
    assert restored.select_slider(key="w_pw_population").value == 2.0
    assert restored.select_slider(key="w_pw_tertiary_education_share").value == 0.5


def _statistics_table(at: AppTest, lang: str):
    column = translate("groups.col.n", lang)
    tables = [d.value for d in at.dataframe if column in d.value.columns]
    assert len(tables) == 1
    return tables[0]


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_groups_page_draws_distribution_medians_and_table(lang):
    at = _open(GROUPS, lang, kunta="091")
    assert len(at.subheader) == 3
    table = _statistics_table(at, lang)
    assert len(table) == 4  # the four municipality types
    assert table.iloc[:, 1].sum() + table.iloc[:, 2].sum() == 308  # with data + without
    # The chart's table alternative lists every municipality with its rank in its group; folded,
    # it is not even sent.
    assert not [d for d in at.dataframe if len(d.value) == 308]
    open_groups_tables(at)
    listing = [d.value for d in at.dataframe if len(d.value) == 308]
    assert len(listing) == 1 and listing[0][translate("comparison.col.rank", lang)].iloc[0] == 1


def test_groups_page_grouping_and_statistic_are_stateful():
    at = _open(GROUPS, "en", kunta="091")
    at.selectbox(key="w_groupby").set_value("size_class").run()
    assert not at.exception
    assert len(_statistics_table(at, "en")) == 7
    assert at.query_params["groupby"] == "size_class"
    at.selectbox(key="w_stat").set_value("weighted_mean").run()
    assert at.subheader[2].value.startswith("Population-weighted mean")
    at.selectbox(key="w_groupby").set_value("region").run()
    assert not at.exception
    assert any("only the municipality's own group" in c.value for c in at.caption)


def _short_of_the_coverage_rule(folder) -> tuple[str, str, int, int] | None:
    """A municipality of the snapshot in ``folder`` and a dimension where it holds some but too
    few of the dimension's figures for a score (its type's scores, as the profile opens), found
    from the data: (code, dimension, available, total), or None."""
    from kuntadash.domain.groups import DEFAULT_KIND, group_keys
    from kuntadash.domain.population import population_history, population_in
    from kuntadash.domain.scores import score_dimensions
    from kuntadash.domain.stats import reference_table
    from kuntadash.store import read_snapshot
    from kuntadash.views.profile import reference_years, wide_values

    snapshot = read_snapshot(folder)
    reference = reference_table(wide_values(snapshot), reference_years(snapshot))
    codes = pd.Index(snapshot.municipalities["municipality_code"])
    population = population_in(population_history(snapshot.values), codes)
    keys = group_keys(snapshot.municipalities, DEFAULT_KIND, population.values)
    scores = score_dimensions(reference, snapshot.catalogue, keys.index, groups=keys)
    short = (scores.coverage < scores.threshold) & (scores.available > 0)
    for dimension in short.columns:
        for code in short.index[short[dimension]]:
            return (
                code,
                dimension,
                int(scores.available.at[code, dimension]),
                scores.totals[dimension],
            )
    return None


def test_the_coverage_rule_shows_no_score_with_the_reason(monkeypatch):
    # the sample where it has such a case, else the committed official data (whose social
    # dimension has too few figures for many municipalities)
    cases = ((f, _short_of_the_coverage_rule(f)) for f in (SAMPLE_DIR, REPO / "data"))
    folder, case = next(((f, c) for f, c in cases if c is not None), (None, None))
    assert case is not None, "no snapshot has a municipality short of the coverage rule"
    monkeypatch.setenv(DATA_DIR_ENV, str(folder))
    code, dimension, available, total = case
    at = _open(PROFILE, "en", kunta=code)
    values = {m.label: m.value for m in at.metric}
    assert values[translate(f"dimension.{dimension}", "en")] == "No score"
    reason = translate(
        "profile.reading_low_coverage", "en", available=available, total=total, threshold=60
    )
    assert escape_markdown(reason) in _markdown(at)


def test_compare_page_uses_the_comparison_group_and_shows_changes():
    at = _open("pages/compare.py", "en", kunta="091", compare="091,049,837")
    changes = [d.value for d in at.dataframe if "Change 1 yr" in d.value.columns]
    assert len(changes) == 1
    table = changes[0]
    assert table.iloc[:, 0].tolist() == ["Helsinki", "Espoo", "Tampere", "Median: Large cities"]
    assert table["Change 10 yr"].eq("–").all()  # the sample starts in 2015
    assert table["Change 1 yr"].str.match(r"^[↑↓→] ").all()
    at.selectbox(key="w_group").set_value("region").run()
    assert not at.exception
    changes = [d.value for d in at.dataframe if "Change 1 yr" in d.value.columns]
    assert changes[0].iloc[-1, 0] == "Median: Uusimaa"
    assert any(
        "Comparison group: The municipalities of the same region" in c.value for c in at.caption
    )
