"""Where snapshots live: the served snapshot and the bundled synthetic sample (store layer).

- The served snapshot: ``$KUNTADASH_DATA_DIR`` if set, else the repository's ``data/`` (the
  committed default snapshot of official figures, and where ``data update`` writes).
- The synthetic sample: ``$KUNTADASH_SAMPLE_DIR`` if set, else the copy bundled with the package
  (``kuntadash/resources/sample``), rebuilt by ``kuntadash data sample``. It is read-only: the
  app offers it per session, labelled as made-up, and tests use it as their fixture.
"""

from __future__ import annotations

import os
from pathlib import Path

DATA_DIR_ENV = "KUNTADASH_DATA_DIR"
SAMPLE_DIR_ENV = "KUNTADASH_SAMPLE_DIR"
REPO_DATA_DIR = Path(__file__).resolve().parents[3] / "data"
BUNDLED_SAMPLE_DIR = Path(__file__).resolve().parents[1] / "resources" / "sample"


def _configured(variable: str, default: Path) -> Path:
    configured = os.environ.get(variable)
    return Path(configured).expanduser().resolve() if configured else default


def default_data_dir() -> Path:
    """The snapshot the app serves and ``data update`` writes by default."""
    return _configured(DATA_DIR_ENV, REPO_DATA_DIR)


def sample_dir() -> Path:
    """The synthetic sample snapshot (read-only)."""
    return _configured(SAMPLE_DIR_ENV, BUNDLED_SAMPLE_DIR)
