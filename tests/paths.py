"""Where things are, for the tests in every folder (test helper): the repository, the package's
source, the recorded fixtures and the real official files beside the checkout."""

from __future__ import annotations

from pathlib import Path

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent
SRC = REPO / "src" / "kuntadash"
RESOURCES = SRC / "resources"
FIXTURES = TESTS / "fixtures"
IMPORT_FIXTURES = FIXTURES / "import"
# ../shared/opendata: copies of real official files, never committed (tests skip when absent).
OPENDATA = REPO.parent / "shared" / "opendata"
