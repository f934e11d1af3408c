"""Fixtures of the pipeline's tests (imports, updates, the store and the one writer): a snapshot
imported once from the recorded tidy table, and a private copy of it that a test may damage."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kuntadash.pipeline.importing import import_files
from tests import paths


@pytest.fixture(scope="session")
def existing(tmp_path_factory) -> Path:
    """A small non-sample snapshot, imported once per worker from tests/fixtures/import/tidy.csv
    (imports merge into it instead of replacing it). Read it; damage ``target`` instead."""
    out = tmp_path_factory.mktemp("existing") / "snapshot"
    import_files([paths.IMPORT_FIXTURES / "tidy.csv"], out)
    return out


@pytest.fixture
def target(tmp_path, existing) -> Path:
    """A private copy of ``existing`` that a test may import into or damage."""
    copy = tmp_path / "snapshot"
    shutil.copytree(existing, copy)
    return copy
