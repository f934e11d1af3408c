"""The Data page (pages/data.py) and the upload path behind it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from kuntadash.importing import DataImportError
from kuntadash.pipeline.importing import import_files
from kuntadash.pipeline.uploads import import_uploads
from kuntadash.store import read_snapshot
from tests import paths
from tests.fixtures.import_helpers import folder_bytes

REPO = paths.REPO
FIXTURES = paths.IMPORT_FIXTURES


@pytest.fixture(scope="module")
def official(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("page") / "snapshot"
    import_files([FIXTURES / "tidy.csv"], out)
    return out


@pytest.fixture
def served(tmp_path, official, monkeypatch) -> Path:
    target = tmp_path / "served"
    shutil.copytree(official, target)
    monkeypatch.setenv("KUNTADASH_DATA_DIR", str(target))
    return target


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_page_shows_status_and_sources(served, lang):
    at = AppTest.from_file(str(REPO / "pages" / "data.py"), default_timeout=30)
    at.session_state["lang"] = lang
    at.run()
    assert not at.exception
    assert at.title[0].value in {"Aineisto", "Data"}
    assert len(at.dataframe) == 2
    assert not at.button  # read-only: no update or import without administration


def test_uploads_import_into_the_served_folder(served):
    data = (FIXTURES / "tidy_semicolon_latin1.csv").read_bytes()
    report = import_uploads([("kunnat.csv", data)], served)
    assert report.values_added == 2
    assert "020" in set(read_snapshot(served).values["municipality_code"])


@pytest.mark.parametrize("name", ["../../etc/passwd", "sub/dir.csv", ".env"])
def test_upload_names_cannot_escape(served, name):
    before = folder_bytes(served)
    with pytest.raises(DataImportError) as caught:
        import_uploads([(name, b"a,b\n1,2\n")], served)
    assert caught.value.messages[0].key == "data.error.unsafe_name"
    assert folder_bytes(served) == before


def test_oversized_upload_is_refused(served):
    before = folder_bytes(served)
    with pytest.raises(DataImportError) as caught:
        import_uploads([("big.csv", b"x" * 2000)], served, max_bytes=1000)
    assert caught.value.messages[0].key == "data.error.file_too_large"
    assert folder_bytes(served) == before


def test_page_shows_the_outcome_kept_across_the_rerun(served):
    at = AppTest.from_file(str(REPO / "pages" / "data.py"), default_timeout=30)
    at.session_state["_data_outcome"] = {"message": "Valmis", "notes": ["t.csv: 3"]}
    at.run()
    assert not at.exception
    assert at.success[0].value == "Valmis"
    at.run()
    assert not at.success  # shown once


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_page_runs_inside_the_app_navigation(served, lang):
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    at.session_state["lang"] = lang
    at.run()
    at.switch_page("pages/data.py")
    at.run()
    assert not at.exception
    expected = {
        "fi": "Lähteet ja lisenssit",
        "sv": "Källor och licenser",
        "en": "Sources and licences",
    }
    assert expected[lang] in [h.value for h in at.subheader]
