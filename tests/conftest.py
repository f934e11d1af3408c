"""Shared fixtures: the committed sample snapshot and temporary copies of it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kuntadash.store import Snapshot, read_snapshot

REPO = Path(__file__).resolve().parents[1]
DATA_DIR = REPO / "data"
OPENDATA = REPO.parent / "shared" / "opendata"


@pytest.fixture(scope="session")
def sample_snapshot() -> Snapshot:
    return read_snapshot(DATA_DIR)


@pytest.fixture
def sample_copy(tmp_path: Path) -> Path:
    """A private copy of the committed sample snapshot that a test may damage."""
    target = tmp_path / "snapshot"
    shutil.copytree(DATA_DIR, target)
    return target


@pytest.fixture(scope="session")
def opendata() -> Path:
    if not OPENDATA.is_dir():
        pytest.skip("../shared/opendata is absent")
    return OPENDATA
