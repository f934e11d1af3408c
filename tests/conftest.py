"""Shared fixtures: the bundled synthetic sample snapshot and temporary copies of it.

Tests run on the sample unless they ask for another snapshot: ``serve_sample`` points
``KUNTADASH_DATA_DIR`` at it for every test (a test may set it again to something else).

Every collected test is marked by its kind here (tests/kinds.py: ``app``, ``browser``,
``nginx``, ``opendata``, ``slow``), so the fast lane
``-m "not browser and not nginx and not app and not slow"`` needs nobody to remember a marker;
a test that constructs an AppTest without the ``app`` marker fails.
"""

from __future__ import annotations

import functools
import os
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import pandas as pd
import pytest
from streamlit import config as st_config
from streamlit.components.v2 import manifest_scanner
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.runtime.pages_manager import PagesManager
from streamlit.runtime.scriptrunner.script_cache import ScriptCache
from streamlit.testing.v1 import AppTest, local_script_runner
from streamlit.testing.v1 import app_test as app_test_module

from kuntadash.i18n import LANGUAGES
from kuntadash.store import Snapshot, read_snapshot
from kuntadash.store.locations import BUNDLED_SAMPLE_DIR, DATA_DIR_ENV
from tests import apptest, kinds

REPO = Path(__file__).resolve().parents[1]
SAMPLE_DIR = BUNDLED_SAMPLE_DIR
OFFICIAL_DIR = REPO / "data"
OPENDATA = REPO.parent / "shared" / "opendata"
# The snapshots every page is shown on by ``page_run``: the bundled sample and data/.
DATASETS = {"sample": SAMPLE_DIR, "official": OFFICIAL_DIR}


@pytest.hookimpl(tryfirst=True)  # before ``-m`` deselects by these markers
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    kinds.mark(items)


@pytest.hookimpl(trylast=True, specname="pytest_collection_modifyitems")
def pytest_collection_modifyitems_heaviest_first(items: list[pytest.Item]) -> None:
    # last: after pytest's own grouping of items by parametrised fixtures
    kinds.heaviest_files_first(items)


@pytest.fixture(autouse=True)
def app_runs_are_marked(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """An AppTest in a test without the ``app`` marker fails it (see tests/kinds.py)."""
    if request.node.get_closest_marker(kinds.APP) is None:
        kinds.refuse_unmarked_app_runs(monkeypatch, request.node.nodeid)


@pytest.fixture(scope="session")
def sample_snapshot() -> Snapshot:
    return read_snapshot(SAMPLE_DIR)


@pytest.fixture
def sample_copy(tmp_path: Path) -> Path:
    """A private copy of the bundled sample snapshot that a test may damage."""
    target = tmp_path / "snapshot"
    shutil.copytree(SAMPLE_DIR, target)
    return target


@pytest.fixture(scope="session")
def opendata() -> Path:
    if not OPENDATA.is_dir():
        pytest.skip("../shared/opendata is absent")
    return OPENDATA


@pytest.fixture(scope="session", autouse=True)
def components_scanned_once() -> Iterator[None]:
    """Every AppTest scans the installed distributions for components once per process, as a
    server does at its start, instead of once per run.

    NOTE: AppTest (Streamlit 1.67, ``app_test.py`` ``_run``) builds a new component manager for
    every AppTest and scans every installed package's metadata for component manifests
    (``manifest_scanner.scan_component_manifests``): 0.1-0.2 s of CPU per app run, a tenth of
    the suite. The installed packages do not change while the tests run; the manager is still
    new and registers the manifests itself each time.
    """
    scan = functools.cache(manifest_scanner.scan_component_manifests)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(manifest_scanner, "scan_component_manifests", lambda *a, **k: list(scan()))
        yield


class _CompiledOnce(ScriptCache):
    """A script cache that compiles each script text once per process, as a server's one
    cache does; a script whose text has changed is compiled again."""

    compiled: ClassVar[dict[tuple[str, bool, bytes], Any]] = {}

    def get_bytecode(self, script_path: str) -> Any:
        path = os.path.abspath(script_path)
        key = (path, bool(st_config.get_option("runner.magicEnabled")), Path(path).read_bytes())
        if (code := self.compiled.get(key)) is None:
            code = self.compiled[key] = super().get_bytecode(path)
        return code


@pytest.fixture(scope="session", autouse=True)
def scripts_compiled_once() -> Iterator[None]:
    """Every AppTest run compiles app.py and its page from the text once per process.

    NOTE: AppTest (Streamlit 1.67, ``app_test.py`` ``_run`` and ``local_script_runner.py``)
    makes a new ``ScriptCache`` for every run, so each run parsed and compiled app.py and the
    page again, with Streamlit's magic (about 10 ms a run, some 8 CPU-seconds of the suite). A
    server keeps one cache for its life. Keyed by the script's text, so a changed script (a
    test's own app written to a file) is compiled anew."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(app_test_module, "ScriptCache", _CompiledOnce)
        patch.setattr(local_script_runner, "ScriptCache", _CompiledOnce)
        yield


@pytest.fixture(scope="session", autouse=True)
def no_collection_after_runs() -> Iterator[None]:
    """``runner.postScriptGC`` off in the test process, as it is in effect there: AppTest's
    script runner (Streamlit 1.67, ``testing/v1/local_script_runner.py``) does not collect
    garbage after a run, which a server does. So the app settles no heap here
    (``kuntadash.ui.loaders.settle_heap``): a full collection of the test process, once per
    snapshot version, about 5 % of the app tests' CPU, for a walk that never comes. The servers
    the browser and deployment tests start keep the default; the test of the settling turns it
    back on for itself."""
    option = "runner.postScriptGC"
    before = st_config.get_option(option)
    st_config.set_option(option, False)
    yield
    st_config.set_option(option, before)


@pytest.fixture(autouse=True)
def through_app(monkeypatch):
    """Make AppTest's switch_page run through app.py, as the server does."""
    route_pages_through_app(monkeypatch)


def route_pages_through_app(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make AppTest's switch_page run through app.py, as the server does.

    NOTE: AppTest resets Streamlit's "uses a pages/ directory" flag before every run, so a
    switch_page would run the page script on its own, without app.py (no sidebar, no shared
    state, no sample notice): not what the server does once st.navigation has run (and
    every page makes sure it has, see kuntadash.ui.entry).
    """
    original = PagesManager.__init__

    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    monkeypatch.setattr(PagesManager, "__init__", init)


@pytest.fixture(autouse=True)
def serve_sample(monkeypatch):
    """The app under test serves the sample unless a test points it elsewhere."""
    monkeypatch.setenv(DATA_DIR_ENV, str(SAMPLE_DIR))


@pytest.fixture
def offered_files(monkeypatch) -> dict[str, Callable[[], bytes]]:
    """Every file a download button offers, by file name, as a function giving its bytes."""
    return record_offered_files(monkeypatch)


def record_offered_files(monkeypatch: pytest.MonkeyPatch) -> dict[str, Callable[[], bytes]]:
    """Every file a download button offers from now on, by file name, as a function giving its
    bytes (the Excel workbook is built only when clicked, so its builder is recorded)."""
    files: dict[str, Callable[[], bytes]] = {}
    stored = MemoryMediaFileStorage.load_and_get_id
    deferred = MediaFileManager.add_deferred

    def record(self, path_or_data, mimetype, kind, filename=None):
        if filename and isinstance(path_or_data, bytes):
            files[filename] = lambda: path_or_data
        return stored(self, path_or_data, mimetype, kind, filename)

    def record_deferred(self, data_callable, mimetype, coordinates, file_name=None, **kwargs):
        if file_name:
            files[file_name] = data_callable
        return deferred(self, data_callable, mimetype, coordinates, file_name, **kwargs)

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", record)
    monkeypatch.setattr(MediaFileManager, "add_deferred", record_deferred)
    return files


@dataclass(frozen=True)
class PageRun:
    """One page of the app as a reader opens it, every folded part opened: the AppTest after
    the run and every file its download buttons offer (by file name, a function of its bytes)."""

    page: str
    lang: str
    dataset: str
    at: AppTest
    files: dict[str, Callable[[], bytes]]


def _page_runs() -> list[tuple[str, str, str]]:
    from tests.apptest import app_pages

    return [(d, p, lang) for d in DATASETS for p in app_pages() for lang in LANGUAGES]


@functools.cache
def smallest_municipality(dataset: str) -> str:
    """The code of the municipality with the fewest residents in ``dataset`` (found, not
    named): its figures rest on a small population wherever the catalogue has a threshold."""
    from kuntadash.domain.population import population_history, population_in

    snapshot = read_snapshot(DATASETS[dataset])
    codes = pd.Index(snapshot.municipalities["municipality_code"])
    return str(population_in(population_history(snapshot.values), codes).values.idxmin())


@pytest.fixture(scope="session", params=_page_runs(), ids="-".join)
def page_run(request: pytest.FixtureRequest) -> Iterator[PageRun]:
    """Every page the navigation lists x every language x both snapshots, run once and shared
    by the property tests that walk every page (pytest keeps one alive at a time and groups the
    tests by it, so each is one app run however many properties read it).

    The snapshot's smallest municipality is the one chosen: so every page also shows figures
    resting on a small population, with their marks and notes, for the properties to walk."""
    dataset, page, lang = request.param
    with pytest.MonkeyPatch.context() as patch:
        route_pages_through_app(patch)
        files = record_offered_files(patch)
        patch.setenv(DATA_DIR_ENV, str(DATASETS[dataset]))
        at = apptest.open_everything_folded(
            apptest.run_page(page, lang, kunta=smallest_municipality(dataset))
        )
        yield PageRun(page, lang, dataset, at, files)
