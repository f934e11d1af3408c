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


def download(page: Any, button: Any, timeout: float = 30_000) -> Any:
    """The file a click on ``button`` downloads, clicked once the script run has ended.

    A button may show while its run still draws the elements around it (a folded table opened:
    the button comes before the run ends); a click then can land while the layout moves and be
    lost (no download starts: seen in CI, three runs in some twenty-five, each waiting out the
    whole ``timeout``). So the run's end is waited for before the click. Should a click still be
    lost, a reader clicks again, and so does this, once. What the file holds is checked the
    same."""
    for attempt in range(2):
        wait_ready(page)
        try:
            with page.expect_download(timeout=timeout) as info:
                button.click()
            return info.value
        except PlaywrightTimeoutError:
            if attempt:
                raise
    raise AssertionError("unreachable")


@contextlib.contextmanager
def _reader_browser(
    playwright: Any, launch_args: dict[str, Any], profile: Path, **options: Any
) -> Iterator[Any]:
    """A Chromium with a profile of its own on disk (``profile``), as a reader's browser is:
    desktop-sized, downloads accepted; ``options`` go to Playwright (e.g. ``base_url``)."""
    context = playwright.chromium.launch_persistent_context(
        str(profile), **launch_args, viewport=DESKTOP, accept_downloads=True, **options
    )
    try:
        yield context
    finally:
        context.close()


@pytest.fixture(scope="session")
def warm_context(
    playwright: Any,
    browser_type_launch_args: dict[str, Any],
    app_url: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Any]:
    """The reader's browser: one Chromium with a profile on disk per worker, for every test that
    opens a page of its own with ``fresh_page`` (or ``page``, ``phone``). Its base URL is
    ``app_url``; other servers are opened by their full address.

    On disk, as in a reader's browser, Chromium keeps the app's scripts in its cache *compiled*
    (V8's code cache) between loads; a context made with ``browser.new_context`` lives in
    memory and keeps no code cache, so each of its loads compiles Streamlit's, plotly's and
    MapLibre's scripts again: about a quarter more CPU per load. A link copied into another
    browser opens in ``other_browser``; several visitors at once are several pages here, each a
    session of its own."""
    profile = tmp_path_factory.mktemp("reader-profile")
    with _reader_browser(playwright, browser_type_launch_args, profile, base_url=app_url) as ctx:
        yield ctx


@pytest.fixture(scope="session")
def other_browser(
    playwright: Any,
    browser_type_launch_args: dict[str, Any],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Any]:
    """Another reader's browser: a Chromium of its own with a profile of its own on disk, which
    shares nothing with ``warm_context`` (no cookies, no storage, no session), for the tests
    whose property is a link opened somewhere else. Each page opened in it with ``fresh_page``
    leaves no cookies or storage behind, so every such page arrives as a first visitor would,
    only with the app's scripts cached (a browser that has been to the app before), which
    saves each load the compiling of Streamlit's and plotly's scripts a browser made for it
    does (about 1.8 CPU-s)."""
    profile = tmp_path_factory.mktemp("other-reader-profile")
    with _reader_browser(playwright, browser_type_launch_args, profile) as context:
        yield context


@pytest.fixture
def page(warm_context: Any) -> Iterator[Any]:
    """A desktop page (1400×900) of its own in the reader's browser; replaces pytest-playwright's
    ``page``, which makes a new in-memory context, cold, per test."""
    with fresh_page(warm_context, DESKTOP) as page:
        yield page


@pytest.fixture
def phone(warm_context: Any) -> Iterator[Any]:
    """A phone-sized page (390×844) of its own in the reader's browser."""
    with fresh_page(warm_context, PHONE) as page:
        yield page


@pytest.fixture(scope="session")
def official_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A server of the worker's own on a private copy of the committed official snapshot
    (``data/``; the sample is one link parameter away, ``dataset=sample``)."""
    target = tmp_path_factory.mktemp("official") / "data"
    shutil.copytree(OFFICIAL_DIR, target)
    log = tmp_path_factory.mktemp("official-log") / "streamlit.log"
    with run_streamlit(target, log) as base:
        yield base


# The tab each browser keeps between pages (``fresh_page``), by browser context.
_SPARE_TABS: dict[Any, Any] = {}


@contextlib.contextmanager
def fresh_page(context: Any, viewport: dict[str, int] = DESKTOP) -> Iterator[Any]:
    """A page of its own (its own Streamlit session) in ``context`` at ``viewport``, with the
    patient timeouts. Afterwards the storage of the origin it was on is cleared (Streamlit
    keeps, e.g., the sidebar's folded state in localStorage), the tab leaves for about:blank
    (which ends the page's session on the server) and the cookies are cleared: the next page
    starts as in a fresh context, only with a warm cache.

    The tab itself is kept for the next page of the same browser, as a reader opens one link
    after another in the tab they have: a new tab starts a renderer process of its own and
    reads the app's compiled scripts back from the disk cache, which took about a third more
    of Chromium's CPU per load than a load in a tab already open (docs/PERFORMANCE.md). A tab
    that a test gave handlers of its own (``page.on``), or that could not leave its page, is
    closed instead, as is one opened while the kept one was in use."""
    page = _SPARE_TABS.pop(context, None)
    if page is None or page.is_closed():
        page = context.new_page()
    page.set_viewport_size(viewport)
    page.set_default_timeout(READY_TIMEOUT_MS)
    handlers = _handlers(page)
    try:
        yield page
    finally:
        left = _leave(page, context)
        if left and _handlers(page) == handlers and context not in _SPARE_TABS:
            _SPARE_TABS[context] = page
        else:
            with contextlib.suppress(Exception):
                page.close()


def _handlers(page: Any) -> dict[str, int]:
    """How many handlers the page has for each event (Playwright's own included)."""
    events = page._impl_obj  # the event emitter behind Playwright's sync page
    return {name: len(events.listeners(name)) for name in events.event_names()}


def _leave(page: Any, context: Any) -> bool:
    """Clear the storage of the origin ``page`` is on, take it to about:blank and clear the
    browser's cookies (also when the test closed the page itself); whether the tab got there
    (it can be kept)."""
    left = False
    if not page.is_closed():
        with contextlib.suppress(Exception):  # a page that never left about:blank has none
            page.evaluate("() => { localStorage.clear(); sessionStorage.clear(); }")
        with contextlib.suppress(Exception):  # a tab that cannot leave is closed instead
            page.goto("about:blank")
            page.mouse.move(0, 0)  # no pointer left where the last page had it
            left = True
    context.clear_cookies()
    return left
