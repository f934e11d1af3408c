"""Which kind of test an item is, for the markers that keep the fast lane fast (test helper).

tests/conftest.py marks every collected item from here, so a new test written like its
neighbours is marked without anyone remembering to:

- ``app``: runs the app in-process with Streamlit's AppTest (seconds each). Seen in the code:
  the test, a fixture it uses, or any helper of the test suite they call (followed through the
  module's names, to any depth, e.g. ``tests.apptest.run_page``) names ``AppTest``.
- ``browser``: lives under tests/browser/ (a real server and Chromium).
- ``nginx``: lives under tests/deploy/ (replicas behind nginx).
- ``opendata``: uses the ``opendata`` fixture (real official files from ../shared/opendata).
- ``slow``: starts another process (``subprocess``, ``sys.executable``, the import worker's
  ``start_import`` / ``start_upload_import`` / ``import_uploads``, the development server's
  ``serve_app``): a CLI run, a child killed at a chosen point, a script run elsewhere, an import
  in its own process, a real server; or builds a whole PDF brief or baked site in-process
  (``build_brief``, ``brief_pdf``, ``build_site``, ``bake_files``: seconds each).

What the code reading cannot see (an AppTest reached through a string, a module-scoped
fixture), ``refuse_unmarked_app_runs`` catches when it happens: an AppTest constructed by a test
without the ``app`` marker fails that test, so the fast lane never silently runs the app.
"""

from __future__ import annotations

import functools
import inspect
import types
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest

SUITE = Path(__file__).resolve().parent
APP = "app"
SLOW = "slow"
APP_NAMES = frozenset({"AppTest"})
# Starting a process: Python's ways, and kuntadash's own starters (the import worker's child, a
# development server), or a whole PDF brief or baked site built in-process (seconds each).
PROCESS_NAMES = frozenset(
    {"subprocess", "Popen", "executable", "start_import", "start_upload_import", "import_uploads"}
    | {"serve_app"}
    | {"build_brief", "brief_pdf", "build_site", "bake_files"}
)
BY_FOLDER = {SUITE / "browser": "browser", SUITE / "deploy": "nginx"}
BY_FIXTURE = {"opendata": "opendata"}


# Rough seconds per test of each kind on this 2-core machine (the CI log's --durations), used
# only to hand the heaviest files to the workers first (``heaviest_files_first``).
SECONDS_BY_KIND = {"browser": 6.0, "nginx": 6.0, SLOW: 3.0, APP: 0.4}
SECONDS_OTHERWISE = 0.05


class UnmarkedAppRun(AssertionError):
    """An AppTest was constructed by a test without the ``app`` marker."""


def kinds(item: pytest.Item) -> set[str]:
    """The markers ``item`` needs, by where it lives, what it uses and what its code runs."""
    found = {kind for folder, kind in BY_FOLDER.items() if folder in Path(item.path).parents}
    names = getattr(item, "fixturenames", ())
    found |= {kind for fixture, kind in BY_FIXTURE.items() if fixture in names}
    functions = _code_of(item)
    if any(runs_app(function) for function in functions):
        found.add(APP)
    if any(starts_processes(function) for function in functions):
        found.add(SLOW)
    return found


def mark(items: Iterable[pytest.Item]) -> None:
    for item in items:
        present = {marker.name for marker in item.iter_markers()}
        for kind in sorted(kinds(item) - present):
            item.add_marker(kind)


def expected_seconds(item: pytest.Item) -> float:
    """A marked item's rough cost: that of its costliest kind."""
    marked = {marker.name for marker in item.iter_markers()}
    return max(
        (SECONDS_BY_KIND[k] for k in marked & SECONDS_BY_KIND.keys()), default=SECONDS_OTHERWISE
    )


def heaviest_files_first(items: list[pytest.Item]) -> None:
    """Order the items file by file, the files with the most expected seconds first, each
    file's own order kept.

    pytest-xdist's ``--dist loadfile`` hands whole files to the workers in collection order
    (with ``--no-loadscope-reorder``; by default it puts the files with the most tests first,
    which left the few long browser files to the end, one worker finishing them while the
    other idled). Longest first, the many short files fill in at the end."""
    seconds: dict[Path, float] = {}
    for item in items:
        seconds[Path(item.path)] = seconds.get(Path(item.path), 0.0) + expected_seconds(item)
    position = {path: index for index, path in enumerate(seconds)}
    items.sort(key=lambda item: (-seconds[Path(item.path)], position[Path(item.path)]))


def runs_app(function: Callable[..., Any]) -> bool:
    """Whether ``function``'s code, or a helper of the test suite it calls, names AppTest (also
    inside a script it hands to another process)."""
    return _names(function, APP_NAMES, in_scripts=True)


def starts_processes(function: Callable[..., Any]) -> bool:
    """Whether ``function``'s code, or a helper of the test suite it calls, starts a process."""
    return _names(function, PROCESS_NAMES)


def refuse_unmarked_app_runs(monkeypatch: pytest.MonkeyPatch, nodeid: str) -> None:
    """Make constructing an AppTest fail, naming the test and the marker it lacks."""
    from streamlit.testing.v1 import AppTest

    def refuse(self: Any, *args: Any, **kwargs: Any) -> None:
        raise UnmarkedAppRun(
            f"{nodeid} runs the app in-process (AppTest) but has no `app` marker, so the fast "
            "lane would run it: add @pytest.mark.app (tests/kinds.py marks what it can see)"
        )

    monkeypatch.setattr(AppTest, "__init__", refuse)


def _code_of(item: pytest.Item) -> list[Callable[..., Any]]:
    """The test function, the fixtures it uses and any callable it is parametrised with."""
    functions = [getattr(item, "function", None)]
    info = getattr(item, "_fixtureinfo", None)
    for definitions in getattr(info, "name2fixturedefs", {}).values():
        functions += [definition.func for definition in definitions]
    callspec = getattr(item, "callspec", None)
    functions += [value for value in getattr(callspec, "params", {}).values() if callable(value)]
    return [function for function in functions if function is not None]


def _code(function: Any) -> types.CodeType | None:
    if isinstance(function, functools.partial):
        function = function.func
    try:
        function = inspect.unwrap(function)
    except ValueError:
        return None
    return getattr(function, "__code__", None)


@functools.cache
def _in_suite(filename: str) -> bool:
    """Test code, but not this module (its guard names AppTest to refuse it)."""
    path = Path(filename).resolve()
    return SUITE in path.parents and path != Path(__file__).resolve()


def _names(function: Callable[..., Any], targets: frozenset[str], in_scripts: bool = False) -> bool:
    """Whether ``function`` reaches one of ``targets`` (see :func:`_reaches`); once per function
    (the items of a parametrised test and the tests using a fixture share theirs)."""
    try:
        return _names_once(function, targets, in_scripts)
    except TypeError:  # an unhashable callable parameter
        return _names_of(function, targets, in_scripts)


@functools.cache
def _names_once(function: Callable[..., Any], targets: frozenset[str], in_scripts: bool) -> bool:
    return _names_of(function, targets, in_scripts)


def _names_of(function: Callable[..., Any], targets: frozenset[str], in_scripts: bool) -> bool:
    code = _code(function)
    if code is None or not _in_suite(code.co_filename):
        return False
    names = getattr(inspect.unwrap(function), "__globals__", {})
    return _reaches(code, names, targets, set(), in_scripts)


def _reaches(
    code: types.CodeType,
    names: dict[str, Any],
    targets: frozenset[str],
    seen: set[Any],
    in_scripts: bool,
) -> bool:
    """``code`` (or code nested in it) names one of ``targets``, calls a function of the suite
    that does or (``in_scripts``) uses a module-level script text that does."""
    if code in seen:
        return False
    seen.add(code)
    spaces = _namespaces(names)
    for inner in _nested(code):
        for name in inner.co_names:
            if name in targets:
                return True
            for space in spaces:
                value = space.get(name)
                if in_scripts and isinstance(value, str) and any(t in value for t in targets):
                    return True
                helper = _code(value)
                if helper is None or not _in_suite(helper.co_filename):
                    continue
                module = getattr(inspect.unwrap(value), "__globals__", space)
                if _reaches(helper, module, targets, seen, in_scripts):
                    return True
    return False


def _namespaces(names: dict[str, Any]) -> list[dict[str, Any]]:
    """A module's names, then those of the suite's modules it imports (``apptest.run_page``)."""
    modules = [
        vars(value)
        for value in names.values()
        if isinstance(value, types.ModuleType) and _in_suite(getattr(value, "__file__", "") or "/")
    ]
    return [names, *modules]


def _nested(code: types.CodeType) -> Iterable[types.CodeType]:
    """``code`` and the code of the functions, lambdas and comprehensions defined in it."""
    yield code
    for constant in code.co_consts:
        if isinstance(constant, types.CodeType):
            yield from _nested(constant)
