"""Browser-test fixtures: a real Streamlit server on a free port and Debian's headless Chromium.

Every test under tests/browser/ drives the app like a user would (see ../shared/TESTING.md):

- ``app_url`` (session): starts ``python -m streamlit run app.py`` on a fresh free port on
  127.0.0.1 with ``KUNTADASH_DATA_DIR`` pointing at a private copy of ``data/``, polls
  ``/_stcore/health`` until it answers ``ok``, yields the base URL, and at teardown stops exactly
  that process and checks the port is free again. ``base_url`` is the same URL, so
  ``page.goto("/compare")`` works.
- ``browser_type_launch_args``: launches /usr/bin/chromium with the flags that work here (never
  ``playwright install``).
- ``wait_ready(page)``: waits until the script run has finished on a connected session and no
  element is left marked stale from the previous run.
- ``ARTIFACTS``: where screenshots are kept (``test-artifacts/``, git-ignored).

The whole package is skipped when /usr/bin/chromium is absent, unless
``KUNTADASH_REQUIRE_BROWSER=1`` (set by ``.ci/run``), in which case it fails:
CI must never pass by skipping the browser.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from playwright.sync_api import expect

from kuntadash.store.locations import BUNDLED_SAMPLE_DIR as SAMPLE_DIR
from tests.conftest import OFFICIAL_DIR
from tools.devserver import CHROMIUM, CHROMIUM_ARGS, READY, serve_app

REPO = Path(__file__).resolve().parents[2]
REQUIRE_ENV = "KUNTADASH_REQUIRE_BROWSER"
ARTIFACTS = REPO / "test-artifacts"
DESKTOP = {"width": 1400, "height": 900}
PHONE = {"width": 390, "height": 844}
SERVER_START_TIMEOUT = 90.0
READY_TIMEOUT_MS = 60_000
# expect() retries for 5 s by default; a rerun on a loaded 2-core machine can take longer.
expect.set_options(timeout=30_000)


def _browser_required() -> bool:
    return os.environ.get(REQUIRE_ENV, "") == "1"


@pytest.fixture(scope="session", autouse=True)
def _chromium_available() -> None:
    if CHROMIUM.exists():
        return
    message = (
        f"{CHROMIUM} is absent: install Debian's chromium (apt-get install chromium) to run "
        "the browser tests; .ci/run does this"
    )
    if _browser_required():
        pytest.fail(f"{REQUIRE_ENV}=1 but {message}", pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": CHROMIUM_ARGS,
    }


@contextlib.contextmanager
def run_streamlit(data_dir: Path, log_path: Path, script: str = "app.py") -> Iterator[str]:
    """Serve ``script`` from the repository on a fresh port; yields the base URL."""
    with serve_app(
        script=script, data_dir=data_dir, log_path=log_path, start_timeout_s=SERVER_START_TIMEOUT
    ) as server:
        yield server.base


@pytest.fixture(scope="session")
def app_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A private copy of the committed sample snapshot that the served app reads."""
    target = tmp_path_factory.mktemp("browser") / "data"
    shutil.copytree(SAMPLE_DIR, target, ignore=shutil.ignore_patterns(".cache", ".tmp-*"))
    return target


@pytest.fixture(scope="session")
def app_url(app_data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    log = tmp_path_factory.mktemp("streamlit-log") / "streamlit.log"
    with run_streamlit(app_data_dir, log) as base:
        yield base


@pytest.fixture(scope="session")
def base_url(app_url: str) -> str:
    return app_url


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "viewport": DESKTOP, "accept_downloads": True}


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture(autouse=True)
def _patient_timeouts(request: pytest.FixtureRequest) -> None:
    """Generous waits: CI shares two cores between the server, Chromium and pytest."""
    if "page" in request.fixturenames:
        request.getfixturevalue("page").set_default_timeout(READY_TIMEOUT_MS)


AXE_JS = REPO / ".ci" / "node" / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE_JS.exists():
        message = (
            f"{AXE_JS.relative_to(REPO)} is absent: "
            "npm install --no-save --prefix .ci/node axe-core@4 (.ci/run does this)"
        )
        if os.environ.get(REQUIRE_ENV) == "1":
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return AXE_JS.read_text(encoding="utf-8")


def wait_ready(page: Any, timeout: float = READY_TIMEOUT_MS) -> None:
    """Wait until Streamlit has finished the script run and left nothing stale on screen."""
    page.wait_for_selector(READY, timeout=timeout)
    page.wait_for_function(
        "() => !document.querySelector(\"[data-stale='true']\")", timeout=timeout
    )
    page.wait_for_selector(READY, timeout=timeout)


RUNNING = "[data-testid=stApp][data-test-script-state=running]"


def wait_rerun(page: Any, timeout: float = READY_TIMEOUT_MS) -> None:
    """After a click that reruns the script (a section built once opened, a widget): wait for
    that run to begin (it takes a round trip to the server; up to 2 s), then for it to end.
    ``wait_ready`` alone may return before the run begins and leave the test reading, or
    clicking, the faded elements of the run before."""
    with contextlib.suppress(PlaywrightTimeoutError):
        page.wait_for_selector(RUNNING, timeout=2_000)
    wait_ready(page, timeout)


@pytest.fixture(scope="module")
def warm_context(browser: Any) -> Iterator[Any]:
    """One browser context for a module's tests, each opening its own page with ``fresh_page``:
    the app's scripts stay in the context's cache between the tests, as in a reader's browser,
    where a fresh context per test would fetch and compile them anew (about a second each)."""
    context = browser.new_context(viewport=DESKTOP)
    yield context
    context.close()


@pytest.fixture
def phone(warm_context: Any) -> Iterator[Any]:
    """A phone-sized page (390×844) of its own in the module's warm context."""
    with fresh_page(warm_context, PHONE) as page:
        yield page


@pytest.fixture(scope="module")
def official_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A server of the module's own on a private copy of the committed official snapshot
    (``data/``; the sample is one link parameter away, ``dataset=sample``)."""
    target = tmp_path_factory.mktemp("official") / "data"
    shutil.copytree(OFFICIAL_DIR, target)
    log = tmp_path_factory.mktemp("official-log") / "streamlit.log"
    with run_streamlit(target, log) as base:
        yield base


@pytest.fixture(scope="module")
def contexts(browser: Any, official_url: str) -> Iterator[dict[str, Any]]:
    """One desktop and one phone context on ``official_url`` for the module's visits: each visit
    opens a page of its own (a session of its own on the server), and the contexts keep the
    app's scripts in their cache between visits, as a reader's browser does."""
    made = {
        width: browser.new_context(base_url=official_url, viewport=viewport)
        for width, viewport in (("desktop", DESKTOP), ("phone", PHONE))
    }
    yield made
    for context in made.values():
        context.close()


@contextlib.contextmanager
def fresh_page(context: Any, viewport: dict[str, int] = DESKTOP) -> Iterator[Any]:
    """A page of its own (its own Streamlit session) in ``context`` at ``viewport``, with the
    patient timeouts. Afterwards the storage of the origin it was on and the cookies are
    cleared (Streamlit keeps, e.g., the sidebar's folded state in localStorage) and the page is
    closed: the next page starts as in a fresh context, only with a warm cache."""
    page = context.new_page()
    page.set_viewport_size(viewport)
    page.set_default_timeout(READY_TIMEOUT_MS)
    try:
        yield page
    finally:
        with contextlib.suppress(Exception):  # a page that never left about:blank has none
            page.evaluate("() => { localStorage.clear(); sessionStorage.clear(); }")
        context.clear_cookies()
        page.close()
