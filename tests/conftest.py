"""Shared fixtures: the committed sample snapshot and temporary copies of it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from streamlit.runtime.pages_manager import PagesManager

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


@pytest.fixture(autouse=True)
def through_app(monkeypatch):
    """Make AppTest's switch_page run through app.py, as the server does.

    NOTE: AppTest resets Streamlit's "uses a pages/ directory" flag before every run, so a
    switch_page would run the page script on its own, without app.py (no sidebar, no shared
    state, no sample notice): not what the server does once st.navigation has run (and
    kuntadash.ui makes sure it has, see its module docstring).
    """
    original = PagesManager.__init__

    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    monkeypatch.setattr(PagesManager, "__init__", init)
