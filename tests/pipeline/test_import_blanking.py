"""A blank cell never erases a figure silently (pipeline.assemble, shared by import and update):
the figure is kept unless the operator allows blanking, and the report names each figure kept
or blanked, and the largest changes of the others, in the reader's language."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from kuntadash.cli import main
from kuntadash.errors import format_figure
from kuntadash.importing import DataImportError
from kuntadash.pipeline.assemble import Batch, Target, assemble
from kuntadash.pipeline.importing import import_files
from kuntadash.store import read_snapshot
from kuntadash.store.snapshot import Snapshot
from tests import paths
from tests.fixtures.import_helpers import folder_bytes

REPO = paths.REPO
OFFICIAL = REPO / "data"
HELSINKI_2017 = ("091", "population", 2017)
# A key-figures table as Statistics Finland's download writes it (see test_import_keyfigures.py):
# Helsinki's population cell is '..', Vantaa's (643 272 is Helsinki's) a new figure.
KEY_FIGURES = '"Alue";"Väkiluku"\n"Helsinki";"{helsinki}"\n"Vantaa";"300000"\n'


@pytest.fixture
def official(tmp_path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(OFFICIAL, target)
    return target


def _values(out: Path) -> pd.Series:
    return read_snapshot(out).values.set_index(["municipality_code", "indicator_id", "year"])[
        "value"
    ]


def _key_figures(tmp_path: Path, helsinki: str) -> Path:
    path = tmp_path / "avainluvut_2017.csv"
    path.write_text(KEY_FIGURES.format(helsinki=helsinki), encoding="utf-8")
    return path


def test_the_official_snapshot_holds_helsinkis_2017_population():
    assert _values(OFFICIAL)[HELSINKI_2017] == 643272


@pytest.mark.parametrize("cell", ["..", ""])
def test_a_blank_helsinki_cell_keeps_its_official_population_and_says_so(official, tmp_path, cell):
    vantaa_before = _values(official)[("092", "population", 2017)]
    report = import_files([_key_figures(tmp_path, cell)], official)
    values = _values(official)
    assert values[HELSINKI_2017] == 643272
    assert values[("092", "population", 2017)] == 300000  # a real new figure still lands
    keys = [note.key for note in report.notes]
    assert "data.note.figures_kept" in keys and "data.note.figure_blanked" not in keys
    lines = {lang: "\n".join(report.render(lang)) for lang in ("fi", "sv", "en")}
    assert "Helsinki (091), population, 2017: 643\u00a0272 (uusi: tyhjä)" in lines["fi"]
    assert "Helsingfors (091), population, 2017: 643\u00a0272 (nytt: tomt)" in lines["sv"]
    assert "Kept: Helsinki (091), population, 2017: 643,272 (new: blank)" in lines["en"]
    # the changed figure is counted and shown with both values
    assert "Existing figures changed: 1." in lines["en"]
    old = format_figure(vantaa_before, "en")
    assert f"Vantaa (092), population, 2017: {old} → 300,000" in lines["en"]


def test_blanking_happens_only_when_asked_and_is_named(official, tmp_path):
    report = import_files([_key_figures(tmp_path, "..")], official, allow_blanking=True)
    assert pd.isna(_values(official).get(HELSINKI_2017))
    text = "\n".join(report.render("en"))
    assert "Figures blanked as asked: 1." in text
    assert "Blanked: Helsinki (091), population, 2017: 643,272 → blank" in text


def test_the_command_line_keeps_the_figure_and_takes_the_flag(official, tmp_path, capsys):
    path = _key_figures(tmp_path, "..")
    assert main(["data", "import", "--out", str(official), "--lang", "en", str(path)]) == 0
    assert "Kept: Helsinki (091), population, 2017: 643,272" in capsys.readouterr().out
    assert _values(official)[HELSINKI_2017] == 643272
    argv = ["data", "import", "--out", str(official), "--allow-blanking", "--lang", "en", str(path)]
    assert main(argv) == 0
    assert "Blanked: Helsinki (091)" in capsys.readouterr().out


def test_the_update_path_keeps_figures_too():
    """update replaces whole indicators ("indicators"): a missing new value still keeps the
    figure, through the same tail."""
    current = read_snapshot(OFFICIAL)
    population = current.values[current.values["indicator_id"] == "population"]
    batch = population.copy()
    helsinki = (batch["municipality_code"] == "091") & (batch["year"] == 2017)
    batch.loc[helsinki, "value"] = float("nan")
    entries = _entries(current)
    target = Target(
        current.division_year,
        _register(current),
        (),
        entries,
        current,
        replace="indicators",
        keep=frozenset(set(current.values["indicator_id"]) - {"population"}),
    )
    result = assemble(Batch(batch, list(current.manifest.get("sources", []))), target)
    values = result.snapshot.values.set_index(["municipality_code", "indicator_id", "year"])
    assert values.loc[HELSINKI_2017, "value"] == 643272
    assert [n.key for n in result.notes].count("data.note.figure_kept") == 1
    assert "data.note.values_changed" not in [n.key for n in result.notes]


def _entries(snapshot: Snapshot) -> list[dict]:
    from kuntadash import resources

    document = resources.read_indicator_catalogue_document()
    return list(document.get("indicators") or [])


def _register(snapshot: Snapshot) -> pd.DataFrame:
    from kuntadash import resources

    return resources.read_municipality_register(snapshot.division_year)


@pytest.mark.parametrize(
    ("value", "lang", "expected"),
    [
        (643272.0, "fi", "643\u00a0272"),
        (643272.0, "en", "643,272"),
        (8.125, "sv", "8,125"),
        (-1.5, "fi", "\u22121,5"),
        (float("nan"), "en", "–"),
    ],
)
def test_figures_in_messages_are_written_the_readers_way(value, lang, expected):
    assert format_figure(value, lang) == expected


def test_a_macro_workbook_is_refused_by_the_command_line_as_by_the_upload_form(tmp_path):
    from kuntadash.pipeline.importing import _TABLE_SUFFIXES
    from kuntadash.pipeline.uploads import UPLOAD_TYPES

    assert {s.lstrip(".") for s in _TABLE_SUFFIXES} == set(UPLOAD_TYPES)
    path = tmp_path / "kunnat.xlsm"
    path.write_bytes(b"PK\x03\x04 not really a workbook")
    out = tmp_path / "out"
    with pytest.raises(DataImportError) as caught:
        import_files([path], out)
    assert caught.value.messages[0].key == "data.error.unsupported_type"
    assert not out.exists() or folder_bytes(out) == {}


def test_the_upload_path_keeps_the_figure_and_its_report_crosses_the_process_boundary(
    official, tmp_path
):
    from kuntadash.pipeline.uploads import import_uploads

    data = KEY_FIGURES.format(helsinki="..").encode()
    summary = import_uploads([("avainluvut_2017.csv", data)], official)
    assert _values(official)[HELSINKI_2017] == 643272
    assert "Säilytetty: Helsinki (091), population, 2017: 643\u00a0272" in "\n".join(
        summary.render("fi")
    )
    blanked = import_uploads([("avainluvut_2017.csv", data)], official, allow_blanking=True)
    assert pd.isna(_values(official).get(HELSINKI_2017))
    assert "Tömt: Helsingfors (091)" in "\n".join(blanked.render("sv"))


@pytest.mark.parametrize("flag", [[], ["--allow-blanking"]])
def test_data_update_passes_the_blanking_choice_on(flag, tmp_path, monkeypatch):
    from kuntadash.pipeline import update

    seen: list[bool] = []

    def fake_update(out, year, fetcher=None, progress=None, allow_blanking=False):
        seen.append(allow_blanking)
        raise update.UpdateError("data.error.busy", dir=str(out))

    monkeypatch.setattr(update, "run_update", fake_update)
    argv = ["data", "update", "--out", str(tmp_path / "data"), "--lang", "en", *flag]
    assert main(argv) == 1
    assert seen == [bool(flag)]
