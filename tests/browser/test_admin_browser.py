"""Administration in a real browser against a real server (pages/data.py, kuntadash.ui.admin).

With a secret configured, the Data page offers nothing that changes data until the session
signs in. A signed-in administrator's import of a zip bomb runs in a child process of the
server; closing the tab ends the session, and the child must be gone and the snapshot's lock
free within seconds, long before the import's time budget.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from kuntadash.store.locations import BUNDLED_SAMPLE_DIR
from tests.browser.conftest import SERVER_START_TIMEOUT, wait_ready
from tests.fixtures.admin import SECRET
from tests.fixtures.bombs import xlsx_zip_bomb
from tests.fixtures.import_helpers import folder_bytes
from tests.fixtures.locks import lock_is_free
from tools.devserver import serve_app

WORKER = b"kuntadash.pipeline.worker"
BUDGET_S = 600  # far beyond the test: only the session's end may stop the import


def worker_pids(server_pid: int) -> list[int]:
    """Import children of the server process (their command line names the worker)."""
    found = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            parent = next(
                int(line.split()[1])
                for line in status.read_text().splitlines()
                if line.startswith("PPid:")
            )
            command = (status.parent / "cmdline").read_bytes()
        except (OSError, StopIteration, ValueError):
            continue
        if parent == server_pid and WORKER in command:
            found.append(int(status.parent.name))
    return found


@pytest.fixture(scope="module")
def admin_server(tmp_path_factory) -> Iterator[tuple[str, int, Path]]:
    data = tmp_path_factory.mktemp("admin") / "data"
    shutil.copytree(BUNDLED_SAMPLE_DIR, data)
    log = tmp_path_factory.mktemp("admin-log") / "streamlit.log"
    env = {"KUNTADASH_ADMIN_SECRET": SECRET, "KUNTADASH_IMPORT_SECONDS": str(BUDGET_S)}
    # serve.py, as deployed: the request guard must let the administrator's upload through.
    with serve_app(
        script="serve.py",
        data_dir=data,
        log_path=log,
        env=env,
        start_timeout_s=SERVER_START_TIMEOUT,
    ) as server:
        yield server.base, server.pid, data


def test_closing_the_tab_stops_an_administrators_import(admin_server, browser, artifacts):
    base, server_pid, data = admin_server
    before = folder_bytes(data)
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.goto(f"{base}/data")
    wait_ready(page)
    # Nothing that changes data before signing in.
    expect(page.get_by_role("button", name="Päivitä nyt")).to_have_count(0)
    expect(page.locator("input[type=file]")).to_have_count(0)

    page.get_by_text("Kirjaudu ylläpitäjänä").click()
    page.get_by_label("Ylläpidon salasana").fill(SECRET)
    page.get_by_role("button", name="Kirjaudu", exact=True).click()
    wait_ready(page)
    expect(page.get_by_text("Olet kirjautunut ylläpitäjänä")).to_be_visible()

    bomb = xlsx_zip_bomb(rows=2_000_000)  # about a minute of parsing, were it not stopped
    page.locator("input[type=file]").set_input_files(
        files=[{"name": "rows.xlsx", "mimeType": "application/octet-stream", "buffer": bomb}]
    )
    expect(page.get_by_text("rows.xlsx")).to_be_visible()
    page.get_by_role("button", name="Tuo", exact=True).click()
    expect(page.get_by_text("Tuonti käynnissä")).to_be_visible()
    deadline = time.monotonic() + 60
    while not (pids := worker_pids(server_pid)) or lock_is_free(data):
        assert time.monotonic() < deadline, "the import never started in a child process"
        time.sleep(0.2)
    page.screenshot(path=str(artifacts / "admin-import-running.png"), full_page=True)
    assert worker_pids(server_pid), "the import ended by itself: closing the tab proves nothing"

    closed_at = time.monotonic()
    context.close()  # the tab goes away: the websocket closes and the session ends
    while worker_pids(server_pid) or not lock_is_free(data):
        assert time.monotonic() - closed_at < 15, f"import {pids} runs on after the tab closed"
        time.sleep(0.2)
    assert folder_bytes(data) == before
