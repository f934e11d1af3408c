"""URL state: every page's view is in its link and a copied link restores it (AppTest layer).

NOTE: AppTest resets Streamlit's "uses a pages/ directory" flag before every run, so a
``switch_page`` would run the page script on its own, without app.py (no sidebar, no shared
state): not what the server does once st.navigation has run (and kuntadash.ui makes sure it
has). The ``through_app`` fixture turns the flag off, so every run goes through app.py.
"""

from __future__ import annotations

from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from tests import paths
from tests.apptest import open_profile_sections

REPO = paths.REPO
PAGES = ("overview", "municipality", "compare", "groups", "indicators", "event", "data")
STATEFUL_PREFIX = "w_"  # ui.state's widget keys: each is bound to a URL parameter
KINDS = ("selectbox", "multiselect", "text_input", "select_slider")


def _open(page: str, params: dict[str, str] | None = None) -> AppTest:
    """A fresh session (a new browser) opening ``page`` with ``params`` in its link."""
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    at.switch_page(f"pages/{page}.py")
    for name, value in (params or {}).items():
        at.query_params[name] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _url(at: AppTest) -> dict[str, str]:
    return {name: at.query_params[name] for name in at.query_params}


def _stateful(at: AppTest) -> dict[str, Any]:
    widgets = {}
    for kind in KINDS:
        for widget in at.get(kind):
            if widget.key and widget.key.startswith(STATEFUL_PREFIX):
                widgets[widget.key] = widget
    return widgets


def _values(at: AppTest) -> dict[str, Any]:
    return {key: widget.value for key, widget in sorted(_stateful(at).items())}


@pytest.fixture(scope="module")
def raw_options(sample_snapshot) -> list[Any]:
    """Every value a choice in the app can take (widget labels are formatted; AppTest sets raw
    values): languages, municipality codes, dimensions, indicators, years, groupings ..."""
    from kuntadash.domain.catalogue import DIMENSIONS, SDG_GOALS
    from kuntadash.domain.groups import GROUP_KINDS
    from kuntadash.domain.stats import STATISTICS
    from kuntadash.domain.trends import PERIODS
    from kuntadash.i18n import LANGUAGES
    from kuntadash.ui.widgets import PEER_COUNTS, PEER_WEIGHT_OPTIONS

    municipalities = sample_snapshot.municipalities
    return [
        *LANGUAGES,
        *DIMENSIONS,
        "",
        *GROUP_KINDS,
        *STATISTICS,
        *sorted(set(municipalities["municipality_type"])),
        *sorted(set(municipalities["region_code"])),
        *sample_snapshot.catalogue["id"],
        *municipalities["municipality_code"],
        *sorted({int(y) for y in sample_snapshot.values["year"]}, reverse=True),
        *PERIODS,
        *PEER_COUNTS,
        *PEER_WEIGHT_OPTIONS,
        *(str(goal) for goal in SDG_GOALS),
    ]


def _label(widget: Any, raw: Any) -> str | None:
    try:
        label = widget.format_func(raw)
    except (KeyError, TypeError, ValueError):
        return None
    return label if isinstance(label, str) else None


def _change(widget: Any, raw_options: list[Any]) -> None:
    """Move a widget off its current value to another valid one."""
    kind = type(widget).__name__
    if kind == "TextInput":
        widget.input("työ")
        return
    current = list(widget.value) if kind == "Multiselect" else [widget.value]
    candidates = [
        raw
        for raw in raw_options
        if raw not in current and raw is not None and _label(widget, raw) in widget.options
    ]
    assert candidates, f"no other option for {widget.key}"
    if kind == "Multiselect":
        widget.set_value([*current, candidates[0]])
    else:
        widget.set_value(candidates[0])


@pytest.mark.parametrize("page", PAGES)
def test_defaults_are_left_out_of_the_link(page):
    assert _url(_open(page)) == {}


@pytest.mark.parametrize("page", PAGES)
def test_a_copied_link_restores_every_choice_on_the_page(page, raw_options):
    at = _open(page, {"lang": "en"})
    keys = sorted(_stateful(at))
    assert keys, "every page has the shared language and municipality choices"
    for key in keys:
        widgets = _stateful(at)
        if key not in widgets:  # hidden by an earlier change (e.g. peers of a group kind)
            continue
        _change(widgets[key], raw_options)
        at.run()
        assert not at.exception, (key, [e.value for e in at.exception])
    link = _url(at)
    assert link, "changed choices show in the link"
    chosen = _values(at)

    fresh = _open(page, link)
    assert _values(fresh) == chosen
    assert _url(fresh) == link
    assert not fresh.info, [i.value for i in fresh.info]  # nothing rejected


def _notices(at: AppTest) -> str:
    return " ".join(i.value for i in at.info).replace("\\", "")


@pytest.mark.parametrize(
    ("page", "params", "fallback"),
    [
        ("overview", {"kunta": "999"}, {"w_kunta": "091"}),
        ("overview", {"indicator": "no_such_indicator"}, {"w_indicator": "unemployment_rate"}),
        ("overview", {"year": "1850"}, {"w_year": 2024}),
        ("overview", {"dim": "happiness"}, {"w_dim": "economic"}),
        ("overview", {"lang": "de"}, {"w_lang": "fi"}),
        ("municipality", {"kunta": "abc", "group": "galaxy"}, {"w_kunta": "091"}),
        ("municipality", {"indicator": "x"}, {"w_indicator": "unemployment_rate"}),
        ("compare", {"compare": "091,XYZ,049"}, {"w_compare": ["091", "049"]}),
        ("compare", {"year": "3000"}, {"w_year": 2024}),
        ("groups", {"groupby": "zodiac"}, {}),
        ("indicators", {"cdim": "nope"}, {"w_cdim": ""}),
        ("indicators", {"csdg": "18"}, {"w_csdg": ""}),
        ("overview", {"sdg": "climate"}, {"w_sdg": ""}),
        ("event", {"slide": "0"}, {}),
    ],
)
def test_an_invalid_link_value_is_refused_with_a_message_and_a_fallback(page, params, fallback):
    at = _open(page, params)
    if page == "municipality" and "indicator" in params:
        open_profile_sections(at)  # the trends' indicator is chosen in a folded section
    notices = _notices(at)
    for name, value in params.items():
        if name == "compare":  # the compare page names the codes it left out in its own words
            assert f"{value.split(',')[1]} " in notices
        else:
            assert f"{name}={value}" in notices
    values = _values(at)
    for key, expected in fallback.items():
        assert values[key] == expected
    for name in params:
        if name != "compare":
            assert name not in at.query_params  # the fallback is the default: left out


def test_switching_pages_leaves_only_the_new_pages_state_in_the_link():
    at = _open("overview", {"lang": "en", "kunta": "049", "indicator": "employment_rate"})
    at.switch_page("pages/indicators.py")
    at.run()
    assert not at.exception
    assert _url(at) == {"lang": "en", "kunta": "049"}
    at.switch_page("pages/overview.py")
    at.run()
    assert _url(at) == {"lang": "en", "kunta": "049", "indicator": "employment_rate"}


def test_a_goal_in_the_link_narrows_the_overviews_indicators():
    """The overview's goal filter leaves the dimensions and indicators that measure it; the
    dimension and indicator then default to the first of those, and stay out of the link."""
    from kuntadash.domain.catalogue import sdg_tags

    everything = _stateful(_open("overview", {"lang": "en"}))
    at = _open("overview", {"lang": "en", "sdg": "11"})
    widgets = _stateful(at)
    assert widgets["w_sdg"].value == "11"
    assert 11 in sdg_tags()[widgets["w_indicator"].value].goals
    assert len(widgets["w_indicator"].options) < len(everything["w_indicator"].options)
    assert _url(at) == {"lang": "en", "sdg": "11"}
