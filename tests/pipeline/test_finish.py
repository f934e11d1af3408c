"""pipeline.finish: the one writer every entry ends in (validate → lock → write → swap)."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from kuntadash.pipeline import finish as finish_module
from kuntadash.pipeline.finish import NotWrittenError, finish
from kuntadash.store import read_snapshot
from kuntadash.store.snapshot import snapshot_lock


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_finish_writes_and_then_runs_the_after_write_hooks(sample_snapshot, tmp_path, monkeypatch):
    seen: list[tuple[str, Path]] = []
    monkeypatch.setattr(
        finish_module, "AFTER_WRITE", [lambda written, out: seen.append((written.version, out))]
    )
    written = finish(sample_snapshot, tmp_path / "data")
    assert read_snapshot(tmp_path / "data").version == written.version
    assert seen == [(written.version, tmp_path / "data")]


def test_an_invalid_snapshot_is_refused_with_its_problems_and_nothing_written(
    sample_snapshot, sample_copy, monkeypatch
):
    before = _files(sample_copy)
    hooks: list[object] = []
    monkeypatch.setattr(finish_module, "AFTER_WRITE", [lambda *args: hooks.append(args)])
    values = sample_snapshot.values
    broken = dataclasses.replace(  # one key twice
        sample_snapshot, values=pd.concat([values, values.head(1)], ignore_index=True)
    )
    with pytest.raises(NotWrittenError) as refused:
        finish(broken, sample_copy)
    assert refused.value.problems
    assert refused.value.key == "data.error.validation"
    assert _files(sample_copy) == before
    assert hooks == []


def test_a_busy_lock_is_refused_with_the_stores_sentence(sample_copy):
    """Another process holds the snapshot's lock (within one process the lock is re-entrant):
    finish refuses with the store's "busy" sentence and the folder stays as it was."""
    before = _files(sample_copy)
    code = (
        "import sys\n"
        "from kuntadash.store import read_snapshot, snapshot\n"
        "from kuntadash.pipeline.finish import NotWrittenError, finish\n"
        "snapshot.LOCK_TIMEOUT_S = 0.5\n"
        f"target = {str(sample_copy)!r}\n"
        "try:\n"
        "    finish(read_snapshot(target), target)\n"
        "except NotWrittenError as exc:\n"
        "    print(exc.key, len(exc.problems))\n"
        "    sys.exit(3)\n"
    )
    with snapshot_lock(sample_copy):
        result = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=False
        )
    assert (result.returncode, result.stdout.split()) == (3, ["data.error.busy", "0"]), (
        result.stderr
    )
    assert _files(sample_copy) == before
