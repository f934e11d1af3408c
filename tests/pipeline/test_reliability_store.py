"""Writing snapshots: nothing that is not ours is destroyed, and every failure is a sentence.

Every writer (``data sample``, ``data import``, ``data update``, the app) goes through the
store's ``write_snapshot`` / ``snapshot_lock``. What we tried against them:

- targets that are not ours to replace (someone's folder, a file, a pipe, a device, the home
  folder, a git checkout or its ``.git``, the current folder, a missing parent, a snapshot folder
  holding other files), and the root of the file system (checked without writing anything);
- folders of users that are named like our temporary folders;
- leftovers and a lock of a killed writer;
- disk full, no permission, read-only file system, injected by making the OS calls fail;
- control characters in file names, cell values and paths echoed to the terminal.

Each case checks what a user sees: exit code 1, the translated sentence (fi / sv / en), no
traceback, and the previous contents byte-identical (``folder_bytes``).
"""

from __future__ import annotations

import errno
import json
import os
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from filelock import FileLock

from kuntadash.cli import main
from kuntadash.i18n import translate
from kuntadash.importing import DataImportError
from kuntadash.pipeline.importing import import_files
from kuntadash.pipeline.update import UpdateError, run_update
from kuntadash.sources.http import Fetcher
from kuntadash.store import (
    SnapshotError,
    SnapshotTargetError,
    check_target,
    read_snapshot,
    targets,
    write_snapshot,
)
from kuntadash.store import snapshot as snapshot_module
from kuntadash.store.errors import NONE_CREATED, PREVIOUS_KEPT
from kuntadash.terminal import terminal_text
from tests import paths
from tests.conftest import SAMPLE_DIR
from tests.fixtures.import_helpers import folder_bytes
from tests.fixtures.mock_sources import FakeClock, MockSources

REPO = paths.REPO
TIDY = paths.IMPORT_FIXTURES / "tidy.csv"
EMPLOYMENT = "municipality_code,indicator_id,year,value\n091,employment_rate,2024,71.5\n"


def _tree(folder: Path) -> dict[str, object]:
    """Every entry under ``folder``: files with their bytes, folders, pipes and devices by kind."""
    entries: dict[str, object] = {}
    for path in sorted(folder.rglob("*")):
        mode = path.lstat().st_mode
        key = str(path.relative_to(folder))
        entries[key] = path.read_bytes() if stat.S_ISREG(mode) else stat.S_IFMT(mode)
    return entries


def _offline_fetcher(monkeypatch, mock: MockSources) -> None:
    import kuntadash.pipeline.update as update_module

    clock = FakeClock()

    def factory(cache=None, **_):
        return Fetcher(
            client=httpx.Client(transport=mock.transport()),
            cache=cache,
            clock=clock.time,
            sleep=clock.sleep,
            wall_clock=clock.time,
        )

    monkeypatch.setattr(update_module, "Fetcher", factory)


def _argv(command: str, out: Path, lang: str, tmp_path: Path) -> list[str]:
    if command == "sample":
        return ["data", "sample", "--lang", lang, "--out", str(out)]
    if command == "import":
        return ["data", "import", "--lang", lang, "--out", str(out), str(TIDY)]
    cache = tmp_path / "cache"
    return ["data", "update", "--lang", lang, "--out", str(out), "--cache-dir", str(cache)]


@pytest.fixture
def served(tmp_path, existing) -> Path:
    target = tmp_path / "root" / "snapshot"
    target.parent.mkdir()
    shutil.copytree(existing, target)
    return target


@pytest.fixture
def someones_folder(tmp_path) -> Path:
    folder = tmp_path / "root" / "thesis"
    (folder / "chapters").mkdir(parents=True)
    (folder / "notes.txt").write_text("keep me")
    (folder / "chapters" / "one.md").write_text("# One")
    return folder


# --- 1. what is not ours is refused ------------------------------------------------------------
@pytest.mark.parametrize(
    ("command", "lang"), [("sample", "fi"), ("import", "sv"), ("update", "en")]
)
def test_no_command_replaces_a_folder_that_is_not_a_snapshot(
    command, lang, someones_folder, tmp_path, monkeypatch, capsys
):
    mock = MockSources()
    _offline_fetcher(monkeypatch, mock)
    before = _tree(someones_folder)
    assert main(_argv(command, someones_folder, lang, tmp_path)) == 1
    err = capsys.readouterr().err
    assert translate("store.target.not_snapshot", lang) in err
    assert translate("data.cli.nothing_written", lang, dir=someones_folder) in err
    assert _tree(someones_folder) == before
    # Refused before anything was created beside it either (no lock file, no temporary folder).
    assert os.listdir(someones_folder.parent) == ["thesis"]
    assert mock.calls == []


def _file(root: Path) -> Path:
    (root / "report.pdf").write_bytes(b"%PDF-1.4 mine")
    return root / "report.pdf"


def _fifo(root: Path) -> Path:
    os.mkfifo(root / "pipe")
    return root / "pipe"


def _device(root: Path) -> Path:
    try:  # a stand-in for /dev/null: the same character device, inside tmp_path
        os.mknod(root / "null", stat.S_IFCHR | 0o666, os.makedev(1, 3))
    except OSError as exc:
        pytest.skip(f"cannot create a device node here: {exc}")
    return root / "null"


def _missing_parent(root: Path) -> Path:
    return root / "typo" / "data"


def _through_a_file(root: Path) -> Path:
    return _file(root) / "data"


def _git_checkout(root: Path) -> Path:
    (root / "clone" / ".git").mkdir(parents=True)
    (root / "clone" / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    return root / "clone"


def _inside_git(root: Path) -> Path:
    return _git_checkout(root) / ".git" / "data"


def _empty_git_internal(root: Path) -> Path:
    (root / "clone" / ".git" / "refs").mkdir(parents=True)
    return root / "clone" / ".git" / "refs"


def _snapshot_with_other_files(root: Path) -> Path:
    shutil.copytree(SAMPLE_DIR, root / "d")
    (root / "d" / "README.md").write_text("my notes on this data")
    (root / "d" / "old").mkdir()
    return root / "d"


@pytest.mark.parametrize(
    ("make", "key"),
    [
        (_file, "store.target.file"),
        (_fifo, "store.target.special"),
        (_device, "store.target.special"),
        (_missing_parent, "store.target.no_parent"),
        (_through_a_file, "store.target.parent_not_folder"),
        (_git_checkout, "store.target.git_checkout"),
        (_inside_git, "store.target.git_internal"),
        (_empty_git_internal, "store.target.git_internal"),
        (_snapshot_with_other_files, "store.target.foreign_files"),
    ],
    ids=lambda value: getattr(value, "__name__", value).strip("_"),
)
def test_sample_refuses_targets_that_are_not_ours_and_leaves_them_alone(
    make, key, tmp_path, capsys
):
    root = tmp_path / "root"
    root.mkdir()
    out = make(root)
    before = _tree(root)
    assert main(["data", "sample", "--lang", "en", "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert key.startswith("store.target.")
    expected = translate(key, "en", count=2)
    assert f"error: {expected}" in err and "Traceback" not in err
    assert _tree(root) == before  # nothing changed, nothing created (not even a lock file)


def test_the_home_folder_is_refused(tmp_path, monkeypatch, capsys):
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    before = _tree(tmp_path)
    assert main(["data", "sample", "--lang", "fi", "--out", str(home)]) == 1
    assert translate("store.target.home", "fi") in capsys.readouterr().err
    assert _tree(tmp_path) == before


@pytest.mark.parametrize("lang", ["fi", "en"])
def test_the_current_folder_is_refused_even_when_empty(lang, tmp_path, monkeypatch, capsys):
    here = tmp_path / "here"
    here.mkdir()
    monkeypatch.chdir(here)
    assert main(["data", "import", "--lang", lang, "--out", ".", str(TIDY)]) == 1
    assert translate("store.target.cwd", lang) in capsys.readouterr().err
    assert Path.cwd() == here and os.listdir(here) == [] and os.listdir(tmp_path) == ["here"]


def test_the_root_of_the_file_system_is_refused_before_anything_happens():
    # Checked on the guard itself: no test points a write at /.
    with pytest.raises(SnapshotTargetError) as caught:
        check_target(Path("/"))
    assert caught.value.key == "store.target.root"


# --- 2. only marked temporary folders are ever cleaned -------------------------------------------
def test_a_users_folders_named_like_temporary_ones_are_never_touched(served, tmp_path, capsys):
    lookalikes = [
        served.parent / ".tmp-snapshot-20241231",  # a user's dated backup
        served.parent / ".tmp-snapshot-old-4242",  # and one named like a retired snapshot
        served.parent / ".tmp-snapshot-ab12cd34",
    ]
    for folder in lookalikes:
        shutil.copytree(served, folder)
        (folder / "mine.txt").write_text("keep")
    before = {folder.name: _tree(folder) for folder in lookalikes}
    bad = tmp_path / "bad.csv"
    bad.write_text("municipality_code,indicator_id,year,value\n999,unemployment_rate,2024,1\n")
    good = tmp_path / "employment.csv"
    good.write_text(EMPLOYMENT)

    assert main(["data", "import", "--lang", "en", "--out", str(served), str(bad)]) == 1
    assert main(["data", "import", "--lang", "en", "--out", str(served), str(good)]) == 0
    served.rename(served.parent / "moved")  # even with the snapshot gone, none is "put back"
    assert main(["data", "import", "--lang", "en", "--out", str(served), str(good)]) == 0
    assert {folder.name: _tree(folder) for folder in lookalikes} == before
    assert "note:" not in capsys.readouterr().err


def _leftover(target: Path, kind: str, pid: int, *, snapshot_from: Path | None = None) -> Path:
    """A temporary folder as a writer killed with ``pid`` leaves it."""
    folder = target.parent / (
        f".tmp-{target.name}-old-{pid}" if kind == targets.RETIRED else f".tmp-{target.name}-x1"
    )
    if snapshot_from is not None:
        shutil.copytree(snapshot_from, folder)
    else:
        folder.mkdir()
        (folder / "values.parquet").write_bytes(b"half written")
    targets.write_marker(folder, kind, target)
    marker = folder / targets.MARKERS[kind]
    marker.write_text(json.dumps({**json.loads(marker.read_text()), "pid": pid}))
    return folder


def test_a_killed_writers_staging_folder_is_removed_with_a_note(served, tmp_path, capsys):
    leftover = _leftover(served, targets.STAGING, 4242)
    other = _leftover(served.parent / "snapshot-2", targets.STAGING, 4243)  # another target's
    good = tmp_path / "employment.csv"
    good.write_text(EMPLOYMENT)
    assert main(["data", "import", "--lang", "sv", "--out", str(served), str(good)]) == 0
    err = capsys.readouterr().err
    expected = translate("store.recovered.removed", "sv", pid=4242, name=leftover.name)
    assert f"note: {expected}" in err
    assert not leftover.exists() and other.exists()


def test_a_snapshot_a_killed_swap_left_aside_is_put_back_with_a_note(served, tmp_path, capsys):
    old_values = read_snapshot(served).values
    retired = _leftover(served, targets.RETIRED, 4242, snapshot_from=served)
    shutil.rmtree(served)  # killed between the two renames of the fallback swap
    good = tmp_path / "employment.csv"
    good.write_text(EMPLOYMENT)
    assert main(["data", "import", "--lang", "fi", "--out", str(served), str(good)]) == 0
    assert f"note: {translate('store.recovered.restored', 'fi', pid=4242)}" in (
        capsys.readouterr().err
    )
    values = read_snapshot(served).values
    assert len(values) == len(old_values) + 1  # the previous values, and the imported one
    assert not retired.exists()
    assert not any(name.startswith(".kuntadash-") for name in os.listdir(served))


# --- 3. permissions are kept ---------------------------------------------------------------------
def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize(("folder_mode", "file_mode"), [(0o755, 0o644), (0o750, 0o640)])
def test_a_write_keeps_the_permissions_of_the_snapshot_it_replaces(
    folder_mode, file_mode, sample_copy, sample_snapshot
):
    os.chmod(sample_copy, folder_mode)
    for path in sample_copy.iterdir():
        os.chmod(path, file_mode)
    write_snapshot(sample_snapshot, sample_copy)
    assert _mode(sample_copy) == folder_mode
    assert {path.name: _mode(path) for path in sample_copy.iterdir()} == {
        path.name: file_mode for path in sample_copy.iterdir()
    }


def test_an_empty_folder_is_used_and_keeps_its_permissions(tmp_path, sample_snapshot):
    folder = tmp_path / "empty"
    folder.mkdir()
    os.chmod(folder, 0o751)
    written = write_snapshot(sample_snapshot, folder)
    assert written.version == sample_snapshot.version
    assert sorted(os.listdir(folder)) == sorted(os.listdir(SAMPLE_DIR))
    assert _mode(folder) == 0o751


@pytest.mark.parametrize(("umask", "folder_mode"), [(0o022, 0o755), (0o027, 0o750)])
def test_a_new_snapshot_folder_gets_the_mode_of_any_new_folder(
    umask, folder_mode, tmp_path, sample_snapshot
):
    previous = os.umask(umask)
    try:
        write_snapshot(sample_snapshot, tmp_path / "new")
    finally:
        os.umask(previous)
    assert sorted(os.listdir(tmp_path / "new")) == sorted(os.listdir(SAMPLE_DIR))
    assert _mode(tmp_path / "new") == folder_mode
    assert all(_mode(path) & 0o444 == 0o444 & ~umask for path in (tmp_path / "new").iterdir())


# --- 4. failures are sentences, and nothing changes ----------------------------------------------
def _fail_table_write(monkeypatch, code: int) -> None:
    original = snapshot_module._write_table

    def write_table(frame, path):
        if path.name == snapshot_module.VALUES:
            raise OSError(code, os.strerror(code), str(path))
        original(frame, path)

    monkeypatch.setattr(snapshot_module, "_write_table", write_table)


def _fail_mkdir_of_temporary_folders(monkeypatch, code: int) -> None:
    original = os.mkdir

    def mkdir(path, *args, **kwargs):
        if Path(path).name.startswith(".tmp-"):
            raise OSError(code, os.strerror(code), str(path))
        return original(path, *args, **kwargs)

    monkeypatch.setattr(os, "mkdir", mkdir)


def _fail_lock_file(monkeypatch, code: int) -> None:
    original = os.open

    def open_(path, flags, *args, **kwargs):
        if str(path).endswith(".lock"):
            raise OSError(code, os.strerror(code), str(path))
        return original(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", open_)


def _fail_swap(monkeypatch, code: int) -> None:
    def exchange(first, second):
        raise OSError(code, os.strerror(code), str(second))

    monkeypatch.setattr(snapshot_module, "_exchange", exchange)


def _fail_raw_cache(monkeypatch, code: int) -> None:
    from kuntadash.sources.http import RawCache

    def put(self, key, body, meta):
        raise OSError(code, os.strerror(code), str(self.folder))

    monkeypatch.setattr(RawCache, "put", put)


@pytest.mark.parametrize(
    ("command", "fault", "code", "key", "lang"),
    [
        ("import", _fail_table_write, errno.ENOSPC, "store.write.disk_full", "fi"),
        ("import", _fail_mkdir_of_temporary_folders, errno.EACCES, "store.write.permission", "sv"),
        ("import", _fail_swap, errno.EPERM, "store.write.permission", "en"),
        ("import", _fail_lock_file, errno.EROFS, "store.write.read_only", "fi"),
        ("import", _fail_table_write, errno.EIO, "store.write.failed", "en"),
        ("sample", _fail_table_write, errno.ENOSPC, "store.write.disk_full", "sv"),
        ("sample", _fail_lock_file, errno.EACCES, "store.write.permission", "en"),
        ("update", _fail_table_write, errno.ENOSPC, "store.write.disk_full", "en"),
        ("update", _fail_raw_cache, errno.ENOSPC, "store.write.disk_full", "fi"),
        ("update", _fail_mkdir_of_temporary_folders, errno.EROFS, "store.write.read_only", "sv"),
    ],
    ids=lambda value: getattr(value, "__name__", str(value)).strip("_"),
)
def test_os_failures_end_in_a_translated_sentence_and_change_nothing(
    command, fault, code, key, lang, served, tmp_path, monkeypatch, capsys
):
    _offline_fetcher(monkeypatch, MockSources())
    before = folder_bytes(served)
    fault(monkeypatch, code)
    assert main(_argv(command, served, lang, tmp_path)) == 1
    err = capsys.readouterr().err
    kept = PREVIOUS_KEPT.render(lang)
    sentence = translate(key, lang, code=errno.errorcode[code], previous=kept)
    assert f"error: {sentence}" in err
    assert translate("data.cli.nothing_written", lang, dir=served) in err
    assert "Traceback" not in err and str(tmp_path) not in sentence
    assert folder_bytes(served) == before
    assert [p.name for p in served.parent.iterdir() if p.name.startswith(".tmp-")] == []


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_a_full_disk_says_no_snapshot_was_created_where_there_was_none(
    lang, tmp_path, monkeypatch, capsys
):
    out = tmp_path / "new-snapshot"
    _fail_table_write(monkeypatch, errno.ENOSPC)
    assert main(["data", "sample", "--lang", lang, "--out", str(out)]) == 1
    err = capsys.readouterr().err
    created = NONE_CREATED.render(lang)
    assert f"error: {translate('store.write.disk_full', lang, previous=created)}" in err
    assert PREVIOUS_KEPT.render(lang) not in err
    assert not out.exists() or not any(out.iterdir())


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_messages_for_web_visitors_name_no_server_path(lang, served, tmp_path, monkeypatch):
    secret = str(tmp_path)
    # The Data page imports in a worker process that runs import_files on the uploads saved in
    # a private folder under their own names; its messages reach the visitor unchanged.
    saved = tmp_path / "upload" / "employment.csv"
    saved.parent.mkdir()
    saved.write_text(EMPLOYMENT, encoding="utf-8")

    def import_upload():
        return import_files([saved], served, display_names=["employment.csv"])

    # disk full during an import from the Data page
    with monkeypatch.context() as patch:
        _fail_table_write(patch, errno.ENOSPC)
        with pytest.raises(DataImportError) as caught:
            import_upload()
    kept = PREVIOUS_KEPT.render(lang)
    assert caught.value.render(lang) == translate("store.write.disk_full", lang, previous=kept)

    # an update while another writer holds the lock
    monkeypatch.setattr(snapshot_module, "LOCK_TIMEOUT_S", 0.2)
    with FileLock(str(served.parent / ".snapshot.lock")), pytest.raises(UpdateError) as busy:
        run_update(served, 2025, Fetcher(client=httpx.Client(transport=MockSources().transport())))
    assert busy.value.render(lang) == translate("data.error.busy", lang)

    # a damaged snapshot that an import cannot extend
    (served / "values.parquet").write_bytes(b"PAR1 not parquet")
    with pytest.raises(DataImportError) as damaged:
        import_upload()
    assert translate("store.read.damaged", lang) in damaged.value.render(lang)

    for shown in (caught.value, busy.value, damaged.value):
        assert secret not in shown.render(lang)


def test_the_app_shows_an_unreadable_data_folder_without_its_path(tmp_path, monkeypatch, caplog):
    from streamlit.testing.v1 import AppTest

    folder = tmp_path / "srv-data"
    folder.mkdir()
    monkeypatch.setenv("KUNTADASH_DATA_DIR", str(folder))
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    with caplog.at_level("ERROR"):
        at.run()
    assert not at.exception
    (shown,) = [element.value for element in at.error]
    # The reader gets a sentence; the file, the folder and what mends it go to the log.
    assert shown == translate("coverage.snapshot_unreadable", "fi")
    assert str(tmp_path) not in shown and "manifest.json" not in shown
    assert "manifest.json" in caplog.text and str(folder) in caplog.text


def test_a_pipe_in_place_of_a_snapshot_file_is_reported_not_waited_on(sample_copy):
    # Run in a child: reading a pipe would block for ever, and the test must end either way.
    (sample_copy / "manifest.json").unlink()
    os.mkfifo(sample_copy / "manifest.json")
    result = subprocess.run(
        [sys.executable, "-m", "kuntadash.cli", "data", "check", "--lang", "en", str(sample_copy)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=REPO,
    )
    assert result.returncode == 1
    assert translate("store.read.damaged", "en") in result.stderr


# --- 5. the terminal gets no control characters ---------------------------------------------------
@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("\x1b[31mred\x1b[0m.csv", "red.csv"),
        ("\x1b]0;window title\x07name", "name"),
        ("\x1b]8;;https://x.test\x1b\\link\x1b]8;;\x1b\\", "link"),
        ("ok\rFAKE", "okFAKE"),
        ("bell\x07 and backspace\x08", "bell and backspace"),
        ("c1\x9b2Jcsi and \x85next", "c1csi and  next"),
        ("two\nlines\tand tab", "two lines and tab"),
        ("\u202egnp.exe", "gnp.exe"),
        ("Vöyri – Vörå ”ok”", "Vöyri – Vörå ”ok”"),
    ],
)
def test_terminal_text_removes_escapes_and_controls(raw, shown):
    assert terminal_text(raw) == shown


def test_the_command_line_echoes_names_values_and_paths_without_controls(tmp_path, capsys):
    name = "kunnat\x1b[2J\x1b]0;pwned\x07\r.csv"
    bad = tmp_path / name
    bad.write_text(
        "municipality_code,indicator_id,year,value\n"
        "\x1b[31mAtlantis\x1b[0m\x08\x08,unemployment_rate,2024,2\n"
    )
    out = tmp_path / "out\x1b[5mput"
    out.write_text("a file")
    assert main(["data", "import", "--lang", "en", "--out", str(out), str(bad)]) == 1
    empty = tmp_path / "snap\x1b[8m"
    assert main(["data", "import", "--lang", "en", "--out", str(empty), str(bad)]) == 1
    err = capsys.readouterr().err
    assert "Atlantis" in err and "kunnat.csv" in err and "output" in err
    assert not [c for c in err if (ord(c) < 32 and c != "\n") or 0x7F <= ord(c) <= 0x9F]


def test_store_errors_keep_the_path_for_the_operator_only(someones_folder):
    with pytest.raises(SnapshotError) as caught:
        check_target(someones_folder)
    assert str(someones_folder) in str(caught.value)
    for lang in ("fi", "sv", "en"):
        assert str(someones_folder.parent) not in caught.value.render(lang)


def test_every_store_message_key_used_in_code_has_three_translations():
    from kuntadash.i18n import translations

    sources = [*(REPO / "src" / "kuntadash" / "store").glob("*.py"), REPO / "src/kuntadash/cli.py"]
    used = {
        key
        for path in sources
        for key in re.findall(r"\"(store\.[a-z_]+\.[a-z_]+)\"", path.read_text("utf-8"))
    }
    assert len(used) > 20, used  # the pattern finds the keys: the test would prove nothing
    texts = translations()
    assert sorted(key for key in used if key not in texts) == []
    for key in used:
        assert all(texts[key].get(lang) for lang in ("fi", "sv", "en")), key
