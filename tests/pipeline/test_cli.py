"""The kuntadash command: check and sample."""

from __future__ import annotations

import json
import subprocess
import sys

from kuntadash.cli import main
from kuntadash.links import SITE_DIR_ENV
from tests.conftest import SAMPLE_DIR


def test_check_json_summary_of_the_committed_sample(capsys):
    assert main(["data", "check", "--json", str(SAMPLE_DIR)]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["municipalities"] == 308
    assert set(summary["indicators_per_dimension"]) == {
        "economic",
        "social",
        "ecological",
        "technological",
    }
    assert min(summary["indicators_per_dimension"].values()) >= 8
    assert len(summary["years"]) >= 10
    assert summary["sample"] is True and summary["division_year"] == 2025
    assert summary["valid"] is True


def test_check_of_a_damaged_snapshot_fails_with_an_actionable_message(sample_copy, capsys):
    (sample_copy / "manifest.json").unlink()
    assert main(["data", "check", "--lang", "en", str(sample_copy)]) == 1
    err = capsys.readouterr().err
    assert "manifest.json is missing" in err and "kuntadash data sample" in err


def test_check_reports_invalid_values(sample_copy, capsys):
    import pandas as pd

    values = pd.read_parquet(sample_copy / "values.parquet")
    pd.concat([values, values.head(2)]).to_parquet(sample_copy / "values.parquet")
    assert main(["data", "check", str(sample_copy)]) == 1
    assert "share a (municipality, indicator, year) key" in capsys.readouterr().err


def test_console_script_is_installed():
    result = subprocess.run(
        [sys.executable, "-m", "kuntadash.cli", "data", "check", str(SAMPLE_DIR)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "308 municipalities" in result.stdout


_WRITE_AND_LIST_HEAVY = """
import sys
from kuntadash.cli import main
code = main(["data", "sample", "--out", OUT])
print("EXIT", code, "HEAVY", sorted(m for m in ("fpdf", "matplotlib") if m in sys.modules))
"""


def test_a_command_that_bakes_no_site_imports_no_pdf_or_chart_library(tmp_path, monkeypatch):
    """A written snapshot rebakes the static pages only where a site is configured; elsewhere
    the command never loads the site's PDF and chart libraries (about 0.9 CPU-seconds at each
    command's start)."""
    monkeypatch.delenv(SITE_DIR_ENV, raising=False)
    script = _WRITE_AND_LIST_HEAVY.replace("OUT", repr(str(tmp_path / "out")))
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "EXIT 0 HEAVY []" in result.stdout, result.stdout[-500:]
    assert (tmp_path / "out" / "manifest.json").is_file()
