"""Every core page runs on the sample snapshot in every language, and its main widgets work."""

from __future__ import annotations

import ast

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from kuntadash.domain.groups import PARTITION_KINDS, distinct_labels
from kuntadash.i18n import translate
from tests.apptest import open_groups_tables
from tests.conftest import REPO

CORE_PAGES = (
    "pages/overview.py",
    "pages/municipality.py",
    "pages/compare.py",
    "pages/indicators.py",
)


def _app(lang: str = "fi", **params: str) -> AppTest:
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=90)
    if lang != "fi":
        at.query_params["lang"] = lang
    for key, value in params.items():
        at.query_params[key] = value
    return at


def _run_page(at: AppTest, page: str) -> AppTest:
    """Open ``page`` directly, as a copied link to it does."""
    at.switch_page(page)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
@pytest.mark.parametrize("page", CORE_PAGES)
def test_page_runs_in_every_language_and_says_it_is_sample_data(page, lang):
    at = _run_page(_app(lang), page)
    assert at.title, "every page has a title"
    notice = {"fi": "Esimerkkiaineisto", "sv": "Exempeldata", "en": "Sample data"}[lang]
    assert any(notice in w.value for w in at.warning)


def test_overview_changes_indicator_and_year():
    at = _run_page(_app(), "pages/overview.py")
    indicator = at.selectbox(key="w_indicator")
    second = indicator.options[1]
    indicator.select_index(1).run()
    assert not at.exception
    # the subheader is markdown with the data escaped (ui.widgets.escape_markdown)
    assert at.subheader[0].value.replace("\\", "").startswith(second)
    year = at.selectbox(key="w_year")
    year.select(year.options[-1]).run()
    assert at.subheader[0].value.replace("\\", "").endswith(year.options[-1])
    assert at.query_params["year"] == year.options[-1]


def test_overview_dimension_limits_the_indicators():
    at = _run_page(_app(), "pages/overview.py")
    before = at.selectbox(key="w_indicator").options
    at.selectbox(key="w_dim").select_index(2).run()
    after = at.selectbox(key="w_indicator").options
    assert not at.exception and set(before).isdisjoint(after)


def test_overview_type_filter_is_written_to_the_url():
    at = _run_page(_app(), "pages/overview.py")
    at.selectbox(key="w_type").select_index(1).run()
    assert not at.exception
    assert at.query_params["type"] == "large_city"


def test_sidebar_municipality_is_shared_with_the_profile():
    at = _app("sv")
    at.run()
    at.selectbox(key="w_kunta").set_value("049").run()
    assert at.query_params["kunta"] == "049"
    at.switch_page("pages/municipality.py")
    at.run()
    assert not at.exception
    assert at.title[0].value == "Esbo"
    assert at.selectbox(key="w_lang").value == "sv"


def test_link_restores_municipality_and_rejects_an_unknown_one():
    at = _run_page(_app(kunta="837"), "pages/municipality.py")
    assert at.title[0].value == "Tampere"
    bad = _app("en", kunta="588")
    bad.run()
    assert any("kunta=588" in info.value for info in bad.info)
    assert "kunta" not in bad.query_params
    bad.switch_page("pages/municipality.py")
    bad.run()
    assert bad.title[0].value == "Helsinki"


def test_compare_needs_two_municipalities_and_draws_them():
    at = _run_page(_app(compare="091,049,837"), "pages/compare.py")
    assert at.multiselect(key="w_compare").value == ["091", "049", "837"]
    at.multiselect(key="w_compare").set_value(["091"]).run()
    assert not at.exception
    assert any("kaksi" in info.value for info in at.info)


def test_indicator_search_filters_the_catalogue():
    at = _run_page(_app("en"), "pages/indicators.py")
    total = len(at.expander)
    at.text_input(key="w_q").input("unemploy").run()
    assert not at.exception
    assert 0 < len(at.expander) < total


@pytest.mark.parametrize("page", sorted(p.name for p in (REPO / "pages").glob("*.py")))
def test_every_page_first_makes_sure_it_runs_through_app_py(page):
    """Its first statement after the imports is require_app() (kuntadash.ui.entry)."""
    tree = ast.parse((REPO / "pages" / page).read_text(encoding="utf-8"))
    body = [
        node
        for node in tree.body
        if not isinstance(node, (ast.Import, ast.ImportFrom))
        and not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant))
    ]
    first = body[0]
    assert isinstance(first, ast.Expr) and isinstance(first.value, ast.Call), ast.dump(first)
    assert getattr(first.value.func, "id", None) == "require_app", ast.dump(first)


@pytest.fixture
def unsettled_heap(monkeypatch):
    """No long-lived objects frozen yet in this process, none left frozen afterwards; the
    list of freezes made in between."""
    import gc

    from streamlit import config

    from kuntadash.ui.loaders import _settle_heap

    freezes = []
    real_freeze = gc.freeze
    monkeypatch.setattr(gc, "freeze", lambda: freezes.append(real_freeze()))
    # As a server runs (tests/conftest.py turns the collection after each run off elsewhere).
    collects = config.get_option("runner.postScriptGC")
    config.set_option("runner.postScriptGC", True)
    _settle_heap.clear()
    gc.unfreeze()
    yield freezes
    config.set_option("runner.postScriptGC", collects)
    _settle_heap.clear()
    gc.unfreeze()


def test_a_run_moves_the_long_lived_objects_out_of_the_per_rerun_collection(unsettled_heap):
    # Streamlit collects garbage after every run; walking the libraries and caches each time
    # took about 0.08 s of a 0.18 s rerun. The first run freezes them (ui.loaders.settle_heap).
    import gc

    at = _run_page(_app(), "pages/overview.py")
    assert gc.get_freeze_count() > 10_000, "the imported libraries and the snapshot are frozen"
    at.selectbox(key="w_indicator").select_index(1).run()
    assert not at.exception
    assert len(unsettled_heap) == 1, "frozen once per snapshot version, not on every run"


def test_without_a_collection_after_each_run_nothing_is_frozen(unsettled_heap):
    # A runner that does not collect after its runs (runner.postScriptGC off) has no per-run
    # walk to make cheaper: the app leaves the heap alone.
    import gc

    from streamlit import config

    config.set_option("runner.postScriptGC", False)
    _run_page(_app(), "pages/overview.py")
    assert unsettled_heap == [] and gc.get_freeze_count() == 0


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
@pytest.mark.parametrize("kind", PARTITION_KINDS)
def test_groups_page_runs_for_every_grouping_of_the_default_municipality(kind, lang):
    # Helsinki's sub-region is called "Helsinki": its column and line once took the
    # municipality's own name, and the table could not be drawn (found by bench/load.py).
    at = open_groups_tables(_run_page(_app(lang, groupby=kind, kunta="091"), "pages/groups.py"))
    assert at.selectbox(key="w_groupby").value == kind
    columns = [str(c) for c in at.dataframe[-1].value.columns]
    assert len(columns) == len(set(columns)), columns
    if kind == "subregion":
        qualifier = translate("groups.kind_short.subregion", lang).lower()
        helsinki = {"fi": "Helsinki", "sv": "Helsingfors", "en": "Helsinki"}[lang]
        assert helsinki in columns and f"{helsinki} ({qualifier})" in columns


def test_distinct_labels_qualify_only_a_label_that_is_taken():
    labels = {"011": "Helsinki", "021": "Turku", "031": "Vakka-Suomi"}
    assert distinct_labels(labels, {"Helsinki", "Koko maa"}, "seutukunta") == {
        "011": "Helsinki (seutukunta)",
        "021": "Turku",
        "031": "Vakka-Suomi",
    }


def test_the_profile_is_built_once_per_municipality_and_choice(monkeypatch):
    # Building the profile was the heaviest work of any page; reruns and other visitors reuse it
    # (ui.loaders.load_profile), and any change of what it depends on builds it anew.
    import kuntadash.views.profile as profile
    from kuntadash.ui.loaders import _load_profile

    built = []
    real = profile.build_profile_view
    monkeypatch.setattr(
        profile, "build_profile_view", lambda *a, **k: built.append(a[1:3]) or real(*a, **k)
    )
    _load_profile.clear()
    at = _run_page(_app(kunta="091"), "pages/municipality.py")
    at.run()
    assert built == [("091", "fi")]
    at.selectbox(key="w_kunta").select("837").run()
    assert not at.exception
    assert built[-1] == ("837", "fi") and len(built) == 2
    at.selectbox(key="w_group").select("region").run()
    assert len(built) == 3, "another comparison group is another profile"
    _load_profile.clear()


def test_shared_population_weights_equal_the_ones_computed_for_the_page(sample_snapshot):
    # The groups page takes its yearly weights from a table built once for every municipality
    # (ui.loaders.load_population_weights); they must be what population_by_year gives for the
    # page's own municipalities, including ones missing from the population figures.
    from kuntadash.domain.population import population_by_year
    from kuntadash.ui.loaders import load_population_history, load_population_weights

    history = load_population_history(sample_snapshot)
    codes = pd.Index([*history.index[5:40], "999"], name="municipality_code")
    years = [int(history.columns.min()) - 3, *map(int, history.columns), 2099]
    shared = load_population_weights(sample_snapshot, codes, years)
    pd.testing.assert_frame_equal(shared, population_by_year(history, codes, years))
    assert shared.loc["999"].isna().all(), "missing stays missing"
