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
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
REQUIRE_ENV = "KUNTADASH_REQUIRE_BROWSER"
ARTIFACTS = REPO / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
READY = (
    "[data-testid=stApp][data-test-script-state=notRunning][data-test-connection-state=CONNECTED]"
)
DESKTOP = {"width": 1400, "height": 900}
PHONE = {"width": 390, "height": 844}
SERVER_START_TIMEOUT = 90.0
READY_TIMEOUT_MS = 60_000
# expect() retries for 5 s by default; a rerun on a loaded 2-core machine can take longer.
expect.set_options(timeout=30_000)


def _browser_required() -> bool:
    return os.environ.get(REQUIRE_ENV, "") == "1"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.browser)


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


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def port_is_free(port: int) -> bool:
    """No process listens on ``port`` (connections left in TIME_WAIT do not count)."""
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _healthy(base: str) -> bool:
    with (
        contextlib.suppress(OSError),
        urllib.request.urlopen(base + "/_stcore/health", timeout=2) as response,
    ):
        return response.read() == b"ok"
    return False


@contextlib.contextmanager
def run_streamlit(data_dir: Path, log_path: Path, script: str = "app.py") -> Iterator[str]:
    """Serve ``script`` from the repository on a fresh port; yields the base URL."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        script,
        "--server.headless",
        "true",
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--server.fileWatcherType",
        "none",
        "--browser.gatherUsageStats",
        "false",
    ]
    env = {**os.environ, "KUNTADASH_DATA_DIR": str(data_dir)}
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + SERVER_START_TIMEOUT
            while not _healthy(base):
                if process.poll() is not None:
                    raise RuntimeError(
                        f"streamlit exited with {process.returncode}: "
                        + log_path.read_text(errors="replace")[-2000:]
                    )
                if time.monotonic() > deadline:
                    raise RuntimeError(f"streamlit not healthy after {SERVER_START_TIMEOUT} s")
                time.sleep(0.25)
            # The health check could come from another server on the same port (a classic
            # false green): make sure ours is the one still running.
            if process.poll() is not None:
                raise RuntimeError("streamlit exited right after the health check answered")
            yield base
        finally:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(timeout=10)
    deadline = time.monotonic() + 10
    while not port_is_free(port):
        if time.monotonic() > deadline:
            raise RuntimeError(f"port {port} still busy after stopping streamlit pid {process.pid}")
        time.sleep(0.2)


@pytest.fixture(scope="session")
def app_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A private copy of the committed sample snapshot that the served app reads."""
    target = tmp_path_factory.mktemp("browser") / "data"
    shutil.copytree(REPO / "data", target, ignore=shutil.ignore_patterns(".cache", ".tmp-*"))
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


def wait_ready(page: Any, timeout: float = READY_TIMEOUT_MS) -> None:
    """Wait until Streamlit has finished the script run and left nothing stale on screen."""
    page.wait_for_selector(READY, timeout=timeout)
    page.wait_for_function(
        "() => !document.querySelector(\"[data-stale='true']\")", timeout=timeout
    )
    page.wait_for_selector(READY, timeout=timeout)
