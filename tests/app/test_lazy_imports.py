"""The app's pages do not import the heavy, rarely used machinery until it is needed: the PDF
brief (matplotlib, fpdf2) only on click, scipy only when a snapshot is built. Each costs tens of
MiB in every server process (docs/PERFORMANCE.md)."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import REPO

_SCRIPT = """
import sys
from streamlit.testing.v1 import AppTest
from streamlit.runtime.pages_manager import PagesManager
original = PagesManager.__init__
def init(self, *a, **k):
    original(self, *a, **k)
    PagesManager.uses_pages_directory = False
PagesManager.__init__ = init
for page in ("overview", "municipality", "compare", "groups", "indicators"):
    at = AppTest.from_file(APP, default_timeout=90)
    at.switch_page(f"pages/{page}.py")
    at.run()
    assert not at.exception, (page, [e.value for e in at.exception])
heavy = sorted(m for m in ("fpdf", "matplotlib", "scipy") if m in sys.modules)
print("HEAVY", heavy)
"""


def test_pages_run_without_importing_pdf_or_scipy():
    script = _SCRIPT.replace("APP", repr(str(REPO / "app.py")))
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=REPO, check=False
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "HEAVY []" in result.stdout, result.stdout[-500:]
