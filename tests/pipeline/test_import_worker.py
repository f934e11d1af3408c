"""Imports from the web UI run bounded in a child process (kuntadash.pipeline.worker).

The child is stopped when its wall-clock budget runs out, when the session that started it ends,
or when the script run waiting for it is stopped; its memory is limited in the child itself.
Each time the process (and its group) is gone, the snapshot's lock is free again and the served
snapshot is byte for byte what it was.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from streamlit.runtime import caching
from streamlit.testing.v1 import AppTest

from kuntadash.importing import DataImportError
from kuntadash.pipeline.uploads import import_uploads, start_upload_import
from kuntadash.pipeline.worker import (
    MEMORY_ENV,
    SECONDS_ENV,
    Budget,
    ImportJob,
    start_import,
)
from tests import paths
from tests.fixtures.bombs import xlsx_zip_bomb, yaml_alias_bomb
from tests.fixtures.import_helpers import folder_bytes
from tests.fixtures.locks import group_is_gone, lock_file, lock_is_free

FIXTURES = paths.FIXTURES
STANDIN = FIXTURES / "standin_worker.py"
SESSION_APP = FIXTURES / "session_imports_app.py"
GIB = 2**30
# Budget overruns and stops are noticed within a poll (0.25 s); the kill and reaping take
# moments. Generous, for a machine that other test suites keep busy.
SLACK_S = 5.0


@pytest.fixture
def served(sample_copy, monkeypatch) -> Path:
    monkeypatch.setenv("KUNTADASH_DATA_DIR", str(sample_copy))
    return sample_copy


def wait_until(condition: Callable[[], bool], timeout: float = 90.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def standin(out: Path, tmp_path: Path, mode: str = "busy", seconds: float = 60.0) -> ImportJob:
    """An import that takes the lock, writes ``tmp_path/locked`` and never ends by itself."""
    folder = Path(tempfile.mkdtemp(prefix="kuntadash-test-"))
    command = (sys.executable, str(STANDIN), str(tmp_path / "locked"), lock_file(out), mode)
    return start_import(
        folder,
        [],
        [],
        out,
        division_year=2025,
        max_bytes=1000,
        budget=Budget(seconds=seconds, memory_bytes=2 * GIB),
        command=command,
    )


def assert_released(job: ImportJob, out: Path, before: dict[str, bytes]) -> None:
    assert not job.running()
    assert group_is_gone(job.pid), "the import's process group is still there"
    assert lock_is_free(out), "the snapshot's lock is still held"
    assert folder_bytes(out) == before


# --- the supervisor, with a stand-in that never ends ----------------------------------------------
def test_the_time_budget_stops_an_import_that_holds_the_lock_and_burns_a_core(served, tmp_path):
    before = folder_bytes(served)
    job = standin(served, tmp_path, "busy", seconds=3.0)
    seen_held = []

    def tick(seconds: float) -> None:
        if (tmp_path / "locked").exists():
            seen_held.append(not lock_is_free(served))

    started = time.monotonic()
    with pytest.raises(DataImportError) as caught:
        job.wait(tick)
    assert time.monotonic() - started < 3.0 + SLACK_S
    assert caught.value.messages[0].key == "data.error.import_over_time"
    assert "3" in caught.value.render("fi")
    assert any(seen_held), "the stand-in never held the lock: the test proved nothing"
    assert_released(job, served, before)


def test_a_stop_from_another_thread_ends_the_import_and_frees_the_lock(served, tmp_path):
    """What happens when the session ends: Streamlit releases the session's resources from
    its own thread while the page's script run is waiting."""
    before = folder_bytes(served)
    job = standin(served, tmp_path, "sleep")
    outcome: list[BaseException] = []

    def page_run() -> None:
        try:
            job.wait()
        except DataImportError as exc:
            outcome.append(exc)

    waiting = threading.Thread(target=page_run)
    waiting.start()
    assert wait_until(lambda: (tmp_path / "locked").exists())
    assert not lock_is_free(served)
    stopped_at = time.monotonic()
    job.stop("session")
    waiting.join(timeout=SLACK_S)
    assert not waiting.is_alive()
    assert time.monotonic() - stopped_at < SLACK_S
    assert outcome and outcome[0].messages[0].key == "data.error.import_stopped"
    assert_released(job, served, before)


def test_an_import_stopped_after_its_write_does_not_claim_nothing_changed(served, tmp_path):
    job = standin(served, tmp_path, "written")
    assert wait_until(lambda: (tmp_path / "locked").exists())
    job.stop("session")
    with pytest.raises(DataImportError) as caught:
        job.wait()
    assert caught.value.messages[0].key == "data.error.import_stopped_after_write"
    assert lock_is_free(served)


class ScriptRunStopped(Exception):
    """Stands for Streamlit's StopException, raised at the page's next Streamlit call."""


def test_whatever_the_tick_raises_stops_the_import_first(served, tmp_path):
    before = folder_bytes(served)
    job = standin(served, tmp_path, "busy")

    def tick(seconds: float) -> None:
        if (tmp_path / "locked").exists():
            raise ScriptRunStopped

    with pytest.raises(ScriptRunStopped):
        job.wait(tick)
    assert_released(job, served, before)


def test_streamlit_releasing_the_session_stops_its_imports(served, tmp_path):
    """The session-scoped resource of kuntadash.ui.admin: clearing a session's resources is what
    Streamlit 1.67 does when the session disconnects (AppSession.disconnect / shutdown ->
    clear_session_caches), and it must stop that session's imports."""
    at = AppTest.from_file(str(SESSION_APP), default_timeout=30)
    at.run()
    assert not at.exception
    before = folder_bytes(served)
    job = standin(served, tmp_path, "busy")
    at.session_state["imports"].add(job)
    assert wait_until(lambda: (tmp_path / "locked").exists())
    caching.clear_session_resource_cache(at.session_state["session_id"])
    assert wait_until(lambda: not job.running(), timeout=SLACK_S)
    with pytest.raises(DataImportError):
        job.wait()
    assert_released(job, served, before)


def test_one_import_at_a_time_per_server_process(served, tmp_path):
    job = standin(served, tmp_path, "sleep")
    try:
        with pytest.raises(DataImportError) as caught:
            start_upload_import([("t.csv", b"a,b\n1,2\n")], served)
        assert caught.value.messages[0].key == "data.error.busy"
    finally:
        job.stop()
    assert lock_is_free(served)
    second = standin(served, tmp_path, "sleep")  # the slot is free again
    second.stop()


def test_the_child_gets_no_secrets_and_one_thread_per_library(served, tmp_path, monkeypatch):
    monkeypatch.setenv("KUNTADASH_ADMIN_SECRET", "x" * 40)
    monkeypatch.setenv("admin_secret", "y" * 40)  # how st.secrets exports secrets.toml keys
    seen = tmp_path / "environment.txt"
    program = (
        "import json, os, sys; r = json.load(open(sys.argv[-1]));"
        f"open({str(seen)!r}, 'w').write('\\n'.join(sorted(os.environ)) + '\\n' +"
        " os.environ.get('OPENBLAS_NUM_THREADS', ''));"
        "json.dump({'status': 'done', 'notes': []}, open(r['result'], 'w'))"
    )
    folder = Path(tempfile.mkdtemp(prefix="kuntadash-test-"))
    job = start_import(
        folder, [], [], served, division_year=2025, max_bytes=1, budget=Budget(30, GIB),
        command=(sys.executable, "-c", program),
    )  # fmt: skip
    assert job.wait().values_added == 0
    names = seen.read_text().splitlines()
    assert "KUNTADASH_ADMIN_SECRET" not in names and "admin_secret" not in names
    assert names[-1] == "1"
    assert not folder.exists()  # the job removed its temporary files


# --- the real child -------------------------------------------------------------------------------
def test_an_upload_is_imported_in_another_process(served):
    data = (FIXTURES / "import" / "tidy_semicolon_latin1.csv").read_bytes()
    job = start_upload_import([("kunnat.csv", data)], served)
    assert job.pid != os.getpid()
    summary = job.wait()
    assert summary.values_added == 2
    assert group_is_gone(job.pid) and lock_is_free(served)


def test_refusals_keep_their_translations_across_the_process_boundary(served):
    before = folder_bytes(served)
    bad = b"kunta,indikaattori,vuosi,arvo\nAtlantis,unemployment_rate,2024,5\n"
    with pytest.raises(DataImportError) as caught:
        import_uploads([("atlantis.csv", bad)], served)
    assert caught.value.messages[0].key == "data.error.unknown_name"
    for lang in ("fi", "sv", "en"):
        assert "Atlantis" in caught.value.render(lang)
    assert caught.value.render("fi") != caught.value.render("sv")
    assert folder_bytes(served) == before


def test_the_memory_budget_is_enforced_in_the_child(served):
    """300 MB of address space is less than the importer's libraries need: the child, not the
    server, runs out, and the page is told it was memory."""
    before = folder_bytes(served)
    data = (FIXTURES / "import" / "tidy.csv").read_bytes()
    job = start_upload_import(
        [("tidy.csv", data)], served, budget=Budget(seconds=120, memory_bytes=300 * 2**20)
    )
    with pytest.raises(DataImportError) as caught:
        job.wait()
    assert caught.value.messages[0].key == "data.error.import_over_memory"
    assert "300" in caught.value.render("en")
    assert_released(job, served, before)


BOMBS = {
    "aliases.yaml": yaml_alias_bomb,  # ~400 bytes; kept a core busy for minutes unbounded
    "rows.xlsx": xlsx_zip_bomb,  # ~200 kB inflating to ~66 MB of sheet XML
}
BOUNDED = {"data.error.import_over_time", "data.error.import_over_memory"}


@pytest.mark.parametrize("name", sorted(BOMBS))
def test_a_bomb_is_stopped_by_the_time_budget(served, name):
    """Whatever the importer makes of the file (it may refuse it early), the call returns
    within the budget, the child is gone, the lock is free and nothing changed."""
    before = folder_bytes(served)
    job = start_upload_import([(name, BOMBS[name]())], served, budget=Budget(6.0, 2 * GIB))
    started = time.monotonic()
    with pytest.raises(DataImportError) as caught:
        job.wait()
    assert time.monotonic() - started < 6.0 + SLACK_S
    keys = {m.key for m in caught.value.messages}
    assert keys & BOUNDED or all(key.startswith("data.error.") for key in keys)
    assert_released(job, served, before)


@pytest.mark.parametrize("name", sorted(BOMBS))
def test_a_bomb_is_stopped_when_the_session_ends(served, name):
    before = folder_bytes(served)
    job = start_upload_import([(name, BOMBS[name]())], served, budget=Budget(300.0, 2 * GIB))
    # Wait until the child is inside the import (it holds the lock while it parses), unless
    # the importer refuses the file before that.
    assert wait_until(lambda: not lock_is_free(served) or not job.running())
    stopped_at = time.monotonic()
    job.stop("session")
    assert time.monotonic() - stopped_at < SLACK_S
    with pytest.raises(DataImportError):
        job.wait()
    assert_released(job, served, before)


# --- configuration --------------------------------------------------------------------------------
def test_the_budget_comes_from_the_environment():
    assert Budget.from_environment({}) == Budget()
    budget = Budget.from_environment({SECONDS_ENV: "30", MEMORY_ENV: "512"})
    assert budget.seconds == 30 and budget.memory_bytes == 512 * 2**20
    for bad in ("0", "-5", "ten", "nan", "inf"):
        with pytest.raises(ValueError, match=SECONDS_ENV):
            Budget.from_environment({SECONDS_ENV: bad})


@pytest.fixture(autouse=True)
def no_leftovers(tmp_path_factory, monkeypatch):
    """No import may outlive its test (a leak would keep the slot and a core busy). The
    uploads go to a temporary folder of this test's own, so other processes' imports on the
    same machine cannot be mistaken for ours."""
    private = tmp_path_factory.mktemp("tmp")
    monkeypatch.setattr(tempfile, "tempdir", str(private))
    before = set(Path(tempfile.gettempdir()).glob("kuntadash-upload-*"))
    yield
    left = set(Path(tempfile.gettempdir()).glob("kuntadash-upload-*")) - before
    for folder in left:
        shutil.rmtree(folder, ignore_errors=True)
    assert not left, f"temporary upload folders left behind: {left}"
