"""Atomic, locked writes, tested on real processes (issue 7, item 2).

Each test runs ``kuntadash data import`` or a data update in a child Python process (this file,
run as a script), which stops at a chosen point and says so by creating a marker file: while it
writes the tables into its temporary directory, just before or inside the swap, or while it
holds the lock. The test then kills it with SIGKILL, or starts a second writer against it, and
checks what a user would see: the previous snapshot still served and byte-identical, no
half-written directory where the app looks, and the next run neither blocked by the dead
process's lock or temporary directory nor losing data.

The pause is injected by wrapping private functions inside the child only; the code that runs
is the real import / update / write path.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kuntadash.pipeline.importing import import_files
from kuntadash.store import read_snapshot, validate_snapshot
from tests import paths
from tests.fixtures.import_helpers import folder_bytes

REPO = paths.REPO
FIXTURES = paths.IMPORT_FIXTURES
CHILD_TIMEOUT_S = 120
MARKER_TIMEOUT_S = 90

EMPLOYMENT = "municipality_code,indicator_id,year,value\n091,employment_rate,2024,71.5\n" + (
    "049,employment_rate,2024,74.0\n"
)
INCOME = "municipality_code,indicator_id,year,value\n091,median_income,2024,26500\n" + (
    "092,median_income,2024,24100\n"
)


# --- the child process -------------------------------------------------------------------------
def _pause(point: str) -> None:
    """Create the marker file, then sleep (the parent kills us, or we carry on afterwards)."""
    if os.environ.get("KD_PAUSE", "").split(":")[0] != point:
        return
    Path(os.environ["KD_MARKER"]).write_text(str(os.getpid()))
    time.sleep(float(os.environ.get("KD_PAUSE_S", "600")))


def _install_pauses() -> None:
    from kuntadash.pipeline import importing as build
    from kuntadash.pipeline import update
    from kuntadash.store import snapshot

    spec = os.environ.get("KD_PAUSE", "")
    if os.environ.get("KD_LOCK_TIMEOUT"):
        snapshot.LOCK_TIMEOUT_S = float(os.environ["KD_LOCK_TIMEOUT"])
    if spec.startswith("write_table:"):
        # Stop before writing the N-th plain table into the temporary directory.
        wanted, calls, original = int(spec.split(":")[1]), [0], snapshot._write_table

        def write_table(frame, path):
            calls[0] += 1
            if calls[0] == wanted:
                _pause("write_table")
            return original(frame, path)

        snapshot._write_table = write_table
    elif spec == "swap":
        original_swap = snapshot._swap_into_place

        def swap(staging, target):
            _pause("swap")
            return original_swap(staging, target)

        snapshot._swap_into_place = swap
    elif spec == "retired":
        # The fallback two-rename swap (systems without an atomic exchange), stopped between its
        # two renames: the worst moment, when the target path is empty.
        snapshot._exchange = lambda first, second: False
        real_os = snapshot.os

        class _Os:
            def __getattr__(self, name):
                return getattr(real_os, name)

            @staticmethod
            def replace(src, dst):
                real_os.replace(src, dst)
                if ".tmp-" in str(dst) and "-old-" in str(dst):
                    _pause("retired")

        snapshot.os = _Os()
    elif spec == "lock":
        original_import, original_update = build._import_files, update._run_update

        def locked_import(*args, **kwargs):
            _pause("lock")
            return original_import(*args, **kwargs)

        def locked_update(*args, **kwargs):
            _pause("lock")
            return original_update(*args, **kwargs)

        build._import_files = locked_import
        update._run_update = locked_update


def _child_update(out: str) -> int:
    import httpx

    from kuntadash.pipeline.update import UpdateError, run_update
    from kuntadash.sources.errors import SourceError
    from kuntadash.sources.http import Fetcher
    from tests.fixtures.mock_sources import FakeClock, MockSources

    mock, clock = MockSources(), FakeClock()
    stall_at = os.environ.get("KD_PAUSE", "")
    if stall_at.startswith("fetch:"):
        # A source that stalls on its N-th request: the update hangs mid-fetch.
        wanted, original = int(stall_at.split(":")[1]), mock.handle

        def handle(request):
            if len(mock.calls) + 1 == wanted:
                _pause("fetch")
            return original(request)

        mock.handle = handle
    fetcher = Fetcher(
        client=httpx.Client(transport=httpx.MockTransport(mock.handle)),
        cache=None,
        clock=clock.time,
        sleep=clock.sleep,
        wall_clock=clock.time,
    )
    try:
        result = run_update(Path(out), 2025, fetcher)
    except (SourceError, UpdateError) as exc:
        print(f"error: {exc.render(os.environ.get('KD_LANG', 'en'))}", file=sys.stderr)
        return 1
    print(f"OK {result.snapshot.version}")
    return 0


def _child_main(argv: list[str]) -> int:
    _install_pauses()
    mode, out, *files = argv
    if mode == "update":
        return _child_update(out)
    from kuntadash.cli import main

    lang = os.environ.get("KD_LANG", "en")
    return main(["data", "import", "--lang", lang, "--out", out, *files])


# --- helpers for the tests ---------------------------------------------------------------------
def _spawn(mode: str, out: Path, *files: Path, marker: Path | None = None, **env: str):
    environment = {**os.environ, "PYTHONPATH": str(REPO), **env}
    if marker is not None:
        environment["KD_MARKER"] = str(marker)
    return subprocess.Popen(
        [sys.executable, str(Path(__file__)), mode, str(out), *map(str, files)],
        cwd=REPO,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait_for(marker: Path, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + MARKER_TIMEOUT_S
    while not marker.exists():
        if process.poll() is not None:
            out, err = process.communicate()
            pytest.fail(f"child ended ({process.returncode}) before pausing:\n{out}\n{err}")
        if time.monotonic() > deadline:
            process.kill()
            pytest.fail("child never reached the pause point")
        time.sleep(0.05)


def _kill(process: subprocess.Popen) -> None:
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL


def _finish(process: subprocess.Popen) -> tuple[int, str, str]:
    out, err = process.communicate(timeout=CHILD_TIMEOUT_S)
    return process.returncode, out, err


def _leftovers(out: Path) -> list[Path]:
    return sorted(p for p in out.parent.iterdir() if p.name.startswith(".tmp-"))


def _assert_app_serves(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("KUNTADASH_DATA_DIR", str(folder))
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    at.run()
    assert not at.exception
    assert not at.error, [e.value for e in at.error]


def _values(folder: Path) -> set[tuple[str, str, int]]:
    values = read_snapshot(folder).values
    return set(
        zip(values["municipality_code"], values["indicator_id"], values["year"], strict=True)
    )


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("atomic-base") / "snapshot"
    import_files([FIXTURES / "tidy.csv"], out)
    return out


@pytest.fixture
def served(tmp_path, base) -> Path:
    target = tmp_path / "root" / "snapshot"
    target.parent.mkdir()
    shutil.copytree(base, target)
    return target


@pytest.fixture
def tables(tmp_path) -> tuple[Path, Path]:
    employment, income = tmp_path / "employment.csv", tmp_path / "income.csv"
    employment.write_text(EMPLOYMENT)
    income.write_text(INCOME)
    return employment, income


# --- killing a writer --------------------------------------------------------------------------
@pytest.mark.parametrize("mode", ["import", "update"])
def test_killed_while_writing_tables_leaves_previous_snapshot_serving(
    mode, served, tables, tmp_path, monkeypatch
):
    before = folder_bytes(served)
    marker = tmp_path / "paused"
    files = [tables[0]] if mode == "import" else []
    child = _spawn(mode, served, *files, marker=marker, KD_PAUSE="write_table:2")
    _wait_for(marker, child)
    # Really mid-write: the temporary directory holds the first tables but no manifest yet.
    (staging,) = _leftovers(served)
    assert (staging / "municipalities.parquet").exists()
    assert not (staging / "manifest.json").exists()
    _kill(child)

    assert folder_bytes(served) == before
    assert validate_snapshot(read_snapshot(served)) == []
    # What is left is a hidden sibling the app never reads; it serves the old snapshot.
    assert all(p.name.startswith(".tmp-snapshot-") for p in _leftovers(served))
    _assert_app_serves(served, monkeypatch)

    # The dead writer's lock file and temporary directory do not block the next import, which
    # also clears the leftovers away.
    assert (served.parent / ".snapshot.lock").exists()
    started = time.monotonic()
    import_files([tables[1]], served)
    assert time.monotonic() - started < 30
    assert ("091", "median_income", 2024) in _values(served)
    assert ("091", "unemployment_rate", 2024) in _values(served)  # nothing lost
    assert _leftovers(served) == []


def test_killed_update_while_a_source_stalls_changes_nothing(served, tmp_path):
    before = folder_bytes(served)
    marker = tmp_path / "paused"
    child = _spawn("update", served, marker=marker, KD_PAUSE="fetch:40")
    _wait_for(marker, child)
    _kill(child)
    assert folder_bytes(served) == before
    assert _leftovers(served) == []


def test_killed_just_before_the_swap_leaves_previous_snapshot(served, tables, tmp_path):
    before = folder_bytes(served)
    marker = tmp_path / "paused"
    child = _spawn("import", served, tables[0], marker=marker, KD_PAUSE="swap")
    _wait_for(marker, child)
    (staging,) = _leftovers(served)
    assert (staging / "manifest.json").exists()  # complete, but not switched in
    _kill(child)
    assert folder_bytes(served) == before
    assert validate_snapshot(read_snapshot(served)) == []


def test_swap_exchanges_atomically_so_a_reader_never_finds_the_folder_missing(served, tables):
    # The swap must not open a moment in which the served folder is absent: with the atomic
    # exchange, the only rename of the target is the exchange itself.
    from kuntadash.store import snapshot

    seen_missing = []
    original = snapshot._exchange

    def watching_exchange(first, second):
        seen_missing.append(not Path(second).exists())
        done = original(first, second)
        seen_missing.append(not Path(second).exists())
        return done

    snapshot._exchange = watching_exchange
    try:
        import_files([tables[0]], served)
    finally:
        snapshot._exchange = original
    assert seen_missing == [False, False]
    assert ("091", "employment_rate", 2024) in _values(served)


def test_killed_between_the_two_renames_of_the_fallback_swap_loses_nothing(
    served, tables, tmp_path
):
    """Without the atomic exchange (other systems), a kill between the two renames leaves the
    previous snapshot in a retired directory; the next write puts it back before merging."""
    old_values = _values(served)
    marker = tmp_path / "paused"
    child = _spawn("import", served, tables[0], marker=marker, KD_PAUSE="retired")
    _wait_for(marker, child)
    _kill(child)
    assert not served.exists()
    (retired,) = (p for p in _leftovers(served) if "-old-" in p.name)
    assert validate_snapshot(read_snapshot(retired)) == []

    import_files([tables[1]], served)
    values = _values(served)
    assert old_values <= values  # the previous snapshot's values are all still there
    assert ("091", "median_income", 2024) in values
    assert _leftovers(served) == []


# --- the lock ----------------------------------------------------------------------------------
def test_two_real_imports_are_serialised_and_neither_loses_the_others_values(
    served, tables, tmp_path
):
    marker = tmp_path / "first-has-lock"
    first = _spawn("import", served, tables[0], marker=marker, KD_PAUSE="lock", KD_PAUSE_S="1.5")
    _wait_for(marker, first)
    # The second starts while the first holds the lock; it waits (a long lock timeout here)
    # instead of reading the old snapshot and merging into it.
    second = _spawn("import", served, tables[1], KD_LOCK_TIMEOUT="90")
    code_first, _, err_first = _finish(first)
    code_second, _, err_second = _finish(second)
    assert (code_first, code_second) == (0, 0), err_first + err_second
    values = _values(served)
    assert ("091", "employment_rate", 2024) in values  # the first import's
    assert ("091", "median_income", 2024) in values  # the second import's
    assert ("091", "unemployment_rate", 2024) in values  # the snapshot's own
    assert validate_snapshot(read_snapshot(served)) == []


@pytest.mark.parametrize(
    ("holder", "lang", "expected"),
    [
        ("import", "en", "Another update or import is in progress"),
        ("update", "fi", "Toinen päivitys tai tuonti on parhaillaan kesken"),
    ],
)
def test_a_second_writer_is_refused_clearly_while_the_lock_is_held(
    holder, lang, expected, served, tables, tmp_path
):
    before = folder_bytes(served)
    marker = tmp_path / "holding"
    files = [tables[0]] if holder == "import" else []
    first = _spawn(holder, served, *files, marker=marker, KD_PAUSE="lock")
    _wait_for(marker, first)
    try:
        # A short lock wait keeps the test quick; the real default is LOCK_TIMEOUT_S.
        second = _spawn("import", served, tables[1], KD_LANG=lang, KD_LOCK_TIMEOUT="1")
        code, _, err = _finish(second)
    finally:
        _kill(first)
    assert code == 1
    assert expected in err and str(served) in err
    assert folder_bytes(served) == before
    # The holder was killed with the lock held: the lock dies with it.
    import_files([tables[1]], served)
    assert ("091", "median_income", 2024) in _values(served)


def test_a_killed_writers_lock_is_taken_over_with_a_note(served, tables, tmp_path, capsys):
    from kuntadash.cli import main
    from kuntadash.i18n import translate

    # A writer that finished normally leaves nothing to report.
    assert main(["data", "import", "--lang", "en", "--out", str(served), str(tables[0])]) == 0
    assert "note:" not in capsys.readouterr().err

    marker = tmp_path / "holding"
    holder = _spawn("import", served, tables[0], marker=marker, KD_PAUSE="lock")
    _wait_for(marker, holder)
    _kill(holder)
    started = time.monotonic()
    assert main(["data", "import", "--lang", "sv", "--out", str(served), str(tables[1])]) == 0
    assert time.monotonic() - started < 30
    err = capsys.readouterr().err
    assert f"note: {translate('store.recovered.lock', 'sv', pid=holder.pid)}" in err
    assert ("091", "median_income", 2024) in _values(served)


def test_stale_temporary_directories_are_swept_but_not_other_snapshots(served, tables):
    from kuntadash.store import targets

    junk = served.parent / ".tmp-snapshot-ab12cd34"
    junk.mkdir()
    targets.write_marker(junk, targets.STAGING, served)  # as a killed writer leaves it
    (junk / "values.parquet").write_bytes(b"half")
    other = served.parent / ".tmp-snapshot-2-ab12cd34"  # another snapshot's staging area
    other.mkdir()
    targets.write_marker(other, targets.STAGING, served.parent / "snapshot-2")
    (served.parent / ".snapshot.lock").write_text("")  # a lock file nobody holds
    import_files([tables[0]], served)
    assert not junk.exists()
    assert other.exists()


if __name__ == "__main__":
    sys.exit(_child_main(sys.argv[1:]))
