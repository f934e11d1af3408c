"""The markers that keep the fast lane fast are applied from the code (tests/kinds.py), and a
test that runs the app without its marker fails instead of slowing the fast lane down."""

from __future__ import annotations

import itertools
from pathlib import Path
from types import SimpleNamespace

import pytest
import streamlit.testing.v1

from tests import apptest, kinds
from tests.fixtures import kinds_samples

RUNS_APP = [
    "constructs",
    "through_a_helper",
    "through_the_suite_helper",
    "through_a_module_attribute",
    "in_a_nested_function",
    "in_a_lambda",
    "in_a_comprehension",
    "with_a_local_import",
    "served_app",
    "runs_a_script_in_a_child",
]
RUNS_NO_APP = ["only_reads_one", "opens_a_folded_table", "pure", "starts_a_child"]

# The functions are looked up by name (vars), so that this module's own code names none of them.


@pytest.mark.parametrize("name", RUNS_APP)
def test_code_that_constructs_an_apptest_runs_the_app(name):
    assert kinds.runs_app(vars(kinds_samples)[name])


@pytest.mark.parametrize("name", RUNS_NO_APP)
def test_code_that_only_handles_one_does_not(name):
    assert not kinds.runs_app(vars(kinds_samples)[name])


def test_code_that_starts_a_process_is_slow():
    assert kinds.starts_processes(vars(kinds_samples)["starts_a_child"])
    assert kinds.starts_processes(vars(kinds_samples)["runs_a_script_in_a_child"])
    assert not kinds.starts_processes(vars(kinds_samples)["constructs"])


def test_the_suite_helpers_are_seen_for_what_they_do():
    assert kinds.runs_app(vars(apptest)["run_page"])
    assert not kinds.runs_app(vars(apptest)["open_profile_sections"])
    assert not kinds.runs_app(len), "code outside the suite is not followed"


def _item(path: Path, function: str = "pure", fixtures: dict | None = None, params=None):
    fixtures = fixtures or {}
    return SimpleNamespace(
        path=path,
        function=vars(kinds_samples)[function],
        fixturenames=[*fixtures],
        _fixtureinfo=SimpleNamespace(
            name2fixturedefs={
                name: [SimpleNamespace(func=vars(kinds_samples)[f])] for name, f in fixtures.items()
            }
        ),
        callspec=SimpleNamespace(params=params or {}),
    )


def test_an_item_is_marked_by_its_folder_its_fixtures_and_its_code():
    suite = kinds.SUITE
    assert kinds.kinds(_item(suite / "test_x.py")) == set()
    assert kinds.kinds(_item(suite / "browser" / "test_x.py")) == {"browser"}
    assert kinds.kinds(_item(suite / "deploy" / "test_x.py")) == {"nginx"}
    assert kinds.kinds(_item(suite / "test_x.py", fixtures={"opendata": "pure"})) == {"opendata"}
    assert kinds.kinds(_item(suite / "test_x.py", "through_a_helper")) == {"app"}
    assert kinds.kinds(_item(suite / "test_x.py", fixtures={"app": "served_app"})) == {"app"}
    params = {"make": vars(kinds_samples)["constructs"]}
    assert kinds.kinds(_item(suite / "test_x.py", params=params)) == {"app"}
    assert kinds.kinds(_item(suite / "test_x.py", "starts_a_child")) == {"slow"}


def test_this_test_is_in_the_fast_lane(request):
    assert request.node.get_closest_marker("app") is None
    assert kinds.kinds(request.node) == set()


def test_an_apptest_the_marking_cannot_see_fails_the_unmarked_test():
    app_test = getattr(streamlit.testing.v1, "App" + "Test")  # out of the code reading's sight
    with pytest.raises(kinds.UnmarkedAppRun, match="has no `app` marker"):
        app_test.from_string("import streamlit as st\nst.write('hi')")


def test_a_shared_fixture_that_runs_the_app_is_seen_to(request):
    """The shared ``page_run`` of every page runs the app while a session starts, before any
    test's guard could refuse it: the code reading must see it, so that every test using it is
    marked ``app`` and the fast lane never runs the app through a fixture."""
    (definition, *_) = request._fixturemanager.getfixturedefs("page_run", request.node)
    assert kinds.runs_app(definition.func)


def _marked(path: str, *markers: str) -> SimpleNamespace:
    marks = [SimpleNamespace(name=name) for name in markers]
    return SimpleNamespace(path=Path(path), iter_markers=lambda: iter(marks), name=path)


def test_the_longest_files_are_handed_out_first_each_in_its_own_order():
    a1, a2 = _marked("tests/a.py"), _marked("tests/a.py", "app")
    b1, b2 = _marked("tests/b.py", "browser"), _marked("tests/b.py")
    c1 = _marked("tests/c.py", "slow")
    items = [a1, b1, c1, a2, b2]  # a file may come split by pytest's own grouping
    kinds.heaviest_files_first(items)
    assert items == [b1, b2, c1, a1, a2]


def test_the_whole_suite_comes_file_by_file(request):
    # pytest-xdist's --dist loadfile hands out whole files: each file's items come together.
    paths = [Path(item.path) for item in request.session.items]
    changes = sum(1 for before, after in itertools.pairwise(paths) if before != after)
    assert changes + 1 == len(set(paths))
