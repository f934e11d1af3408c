"""Bounded imports: hostile or oversized files are refused, before the work they would cause,
with a translated message that names the file and the limit; nothing is written."""

from __future__ import annotations

import io
import os
import threading
import time
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from kuntadash.importing import DataImportError, excel, limits
from kuntadash.importing import context as context_module
from kuntadash.importing.context import build_context
from kuntadash.importing.errors import MAX_MESSAGES
from kuntadash.importing.readers import common as tables_module
from kuntadash.importing.readers.tidy import read_tidy
from kuntadash.pipeline.importing import import_files
from tests import paths
from tests.fixtures.import_helpers import (
    refused,
    register_codes,
    write_grid_boundaries,
)

FIXTURES = paths.IMPORT_FIXTURES
HEADER = "municipality_code,indicator_id,year,value\n"


def _limit(error: DataImportError) -> str:
    found = next(m for m in error.messages if m.key == "data.error.limit_exceeded")
    return found.params["what"].key.removeprefix("data.limit.")


def _within(seconds: float, work) -> object:
    """Run ``work`` in a daemon thread; fail (rather than hang the suite) if it blocks."""
    result: dict[str, object] = {}

    def run() -> None:
        try:
            result["value"] = work()
        except BaseException as exc:  # handed to the test below
            result["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"still working after {seconds} s"
    if "error" in result:
        raise result["error"]  # type: ignore[misc]
    return result.get("value")


# --- files that are not regular files -----------------------------------------------------------
def _special_files(folder: Path) -> dict[str, Path]:
    fifo = folder / "pipe.csv"
    os.mkfifo(fifo)
    directory = folder / "folder.csv"
    directory.mkdir()
    files = {"fifo": fifo, "directory": directory}
    (folder / "link_to_pipe.csv").symlink_to(fifo)
    files["symlink_to_fifo"] = folder / "link_to_pipe.csv"
    (folder / "link_to_folder.csv").symlink_to(directory)
    files["symlink_to_directory"] = folder / "link_to_folder.csv"
    if Path("/dev/zero").exists():
        (folder / "zero.csv").symlink_to("/dev/zero")
        files["symlink_to_dev_zero"] = folder / "zero.csv"
    return files


@pytest.mark.parametrize(
    "kind",
    ["fifo", "directory", "symlink_to_fifo", "symlink_to_directory", "symlink_to_dev_zero"],
)
def test_files_that_are_not_regular_are_refused_before_reading(kind, tmp_path, target):
    files = _special_files(tmp_path)
    if kind not in files:
        pytest.skip("/dev/zero is absent")
    # Reading a FIFO with no writer blocks forever and /dev/zero never ends: both must be
    # refused by their type, at once.
    error = _within(20, lambda: refused([files[kind]], target, "data.error.not_regular_file"))
    assert error is not None


def test_dev_zero_given_directly_isrefused(tmp_path, target):
    if not Path("/dev/zero").exists():
        pytest.skip("/dev/zero is absent")
    with pytest.raises(DataImportError) as caught:
        _within(20, lambda: import_files([Path("/dev/zero")], target))
    assert caught.value.messages[0].key == "data.error.not_regular_file"
    assert "zero" in caught.value.render("en")


# --- YAML ---------------------------------------------------------------------------------------
def _alias_bomb(levels: int, width: int) -> str:
    lines = [f"l0: &l0 [{', '.join(['lol'] * width)}]"]
    for level in range(1, levels):
        lines.append(f"l{level}: &l{level} [{', '.join([f'*l{level - 1}'] * width)}]")
    # the name of an indicator: a text field, which is where the expansion used to happen
    lines.append(f"indicators: [{{id: x_share, dimension: social, name: *l{levels - 1}}}]")
    return "\n".join(lines) + "\n"


def test_a_yaml_alias_bomb_is_refused_before_objects_are_built(tmp_path, target):
    bomb = _alias_bomb(levels=9, width=9)  # 9^9 = 387 M strings once expanded, in 544 bytes
    assert len(bomb.encode()) < 600
    path = tmp_path / "bomb.yaml"
    path.write_text(bomb)
    error = _within(
        20, lambda: refused([path, FIXTURES / "tidy.csv"], target, "data.error.limit_exceeded")
    )
    assert _limit(error) == "yaml_aliases"  # type: ignore[arg-type]


def test_a_yaml_bomb_with_few_aliases_is_refused_by_its_expanded_size(tmp_path, target):
    bomb = _alias_bomb(levels=24, width=2)  # 46 aliases and anchors, 2^24 leaves expanded
    path = tmp_path / "bomb.yaml"
    path.write_text(bomb)
    error = _within(20, lambda: refused([path], target, "data.error.limit_exceeded"))
    assert _limit(error) == "yaml_nodes"  # type: ignore[arg-type]


def test_deeply_nested_yaml_isrefused(tmp_path, target):
    path = tmp_path / "deep.yaml"
    path.write_text("indicators: " + "[" * 200 + "]" * 200 + "\n")
    assert _limit(refused([path], target, "data.error.limit_exceeded")) == "yaml_depth"


def test_an_oversized_yaml_is_refused_before_it_is_parsed(tmp_path, target, monkeypatch):
    path = tmp_path / "big.yaml"
    path.write_text("indicators: []\n" + "# padding\n" * 120_000)
    monkeypatch.setattr(limits, "load_yaml", lambda *a: pytest.fail("parsed anyway"))
    assert _limit(refused([path], target, "data.error.limit_exceeded")) == "yaml_bytes"


def test_a_sidecar_with_a_few_anchors_still_imports(tmp_path):
    sidecar = (FIXTURES / "broadband.yaml").read_text(encoding="utf-8")
    assert "source:" in sidecar
    sidecar = sidecar.replace("source:", "source: &src", 1)
    path = tmp_path / "broadband.yaml"
    path.write_text(sidecar, encoding="utf-8")
    out = tmp_path / "snap"
    import_files([FIXTURES / "broadband.csv", path], out)
    assert (out / "values.parquet").exists()


# --- Excel (zip) --------------------------------------------------------------------------------
def _workbook_bytes(rows: list[list[object]]) -> bytes:
    frame = pd.DataFrame(rows[1:], columns=rows[0])
    buffer = io.BytesIO()
    frame.to_excel(buffer, index=False, sheet_name="data")
    return buffer.getvalue()


def _rezip(data: bytes, change) -> bytes:
    """The workbook with each part passed through ``change(name, bytes) -> bytes``."""
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            out.writestr(info.filename, change(info.filename, source.read(info.filename)))
    return buffer.getvalue()


TIDY_ROWS = [
    ["municipality_code", "indicator_id", "year", "value"],
    ["091", "unemployment_rate", 2024, 9.5],
]


def _padded_workbook(path: Path, padding_mb: int) -> Path:
    """A valid workbook whose sheet part carries ``padding_mb`` MB of blanks (written in
    chunks: a few hundred KB on disk, a small test process)."""
    source = zipfile.ZipFile(io.BytesIO(_workbook_bytes(TIDY_ROWS)))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            part = source.read(info.filename)
            if "sheet1" not in info.filename:
                out.writestr(info.filename, part)
                continue
            head, tail = part.split(b"</worksheet>")
            with out.open(info.filename, "w", force_zip64=True) as stream:
                stream.write(head)
                for _ in range(padding_mb):
                    stream.write(b" " * (1024 * 1024))
                stream.write(b"</worksheet>" + tail)
    return path


def test_a_zip_bombed_workbook_is_refused_from_its_declared_sizes(tmp_path, target, monkeypatch):
    path = _padded_workbook(tmp_path / "bomb.xlsx", padding_mb=200)
    assert path.stat().st_size < 2 * 1024 * 1024
    import openpyxl

    opened = []
    monkeypatch.setattr(openpyxl, "load_workbook", lambda *a, **k: opened.append(1))
    error = _within(30, lambda: refused([path], target, "data.error.limit_exceeded"))
    assert _limit(error) == "uncompressed_bytes"  # type: ignore[arg-type]
    assert not opened  # refused before openpyxl saw the file


def test_a_highly_compressed_part_is_refused_by_its_ratio(tmp_path, target):
    path = _padded_workbook(tmp_path / "ratio.xlsx", padding_mb=4)  # about 1000:1
    assert _limit(refused([path], target, "data.error.limit_exceeded")) == "zip_ratio"


def test_a_workbook_of_too_many_parts_isrefused(tmp_path, target):
    data = _workbook_bytes(TIDY_ROWS)
    buffer = io.BytesIO(data)
    with zipfile.ZipFile(buffer, "a") as archive:
        for number in range(limits.MAX_XLSX_MEMBERS + 1):
            archive.writestr(f"xl/media/image{number}.png", b"x")
    path = tmp_path / "parts.xlsx"
    path.write_bytes(buffer.getvalue())
    assert _limit(refused([path], target, "data.error.limit_exceeded")) == "zip_members"


def test_a_sheet_declaring_a_huge_dimension_is_refused_before_its_rows(tmp_path, target):
    data = _workbook_bytes(TIDY_ROWS)

    def declare(name: str, part: bytes) -> bytes:
        if "sheet1" not in name:
            return part
        start = part.index(b"<dimension")
        end = part.index(b"/>", start) + 2
        return part[:start] + b'<dimension ref="A1:XFD1048576"/>' + part[end:]

    path = tmp_path / "dimension.xlsx"
    path.write_bytes(_rezip(data, declare))
    assert _limit(refused([path], target, "data.error.limit_exceeded")) == "sheet_cells"


def test_sheet_cells_are_counted_as_rows_come(tmp_path, target, monkeypatch):
    rows = [TIDY_ROWS[0]] + [["091", "unemployment_rate", 1990 + i, 5.0] for i in range(30)]
    path = tmp_path / "cells.xlsx"
    path.write_bytes(_workbook_bytes(rows))
    monkeypatch.setattr(excel, "MAX_SHEET_CELLS", 60)  # 31 rows x 4 columns is over it
    assert _limit(refused([path], target, "data.error.limit_exceeded")) == "sheet_cells"


# --- JSON ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["deep.json", "deep.geojson"])
def test_deeply_nested_json_is_refused_before_it_is_parsed(name, tmp_path, target):
    path = tmp_path / name
    depth = 100_000
    path.write_text('{"type": "FeatureCollection", "features": ' + "[" * depth + "]" * depth + "}")
    error = _within(20, lambda: refused([path], target, "data.error.limit_exceeded"))
    assert _limit(error) == "json_depth"  # type: ignore[arg-type]


def test_json_with_too_many_objects_isrefused(tmp_path, target, monkeypatch):
    path = tmp_path / "many.json"
    path.write_text("[" + ",".join(["{}"] * 1000) + "]")
    monkeypatch.setattr(limits, "MAX_JSON_CONTAINERS", 500)
    assert _limit(refused([path], target, "data.error.limit_exceeded")) == "json_containers"


def test_brackets_inside_json_strings_are_not_counted():
    text = '{"label": "[[[[{{{{ \\" ]]]]", "values": [[1, 2], [3]]}'
    limits.check_json_shape(text.encode(), "x.json")  # depth 3: no error


# --- CSV, Parquet -------------------------------------------------------------------------------
def test_a_csv_over_the_row_limit_is_refused_before_it_is_parsed(tmp_path, target, monkeypatch):
    path = tmp_path / "rows.csv"
    path.write_text(HEADER + "091,unemployment_rate,2024,5\n" * 50)
    monkeypatch.setattr(limits, "MAX_TABLE_ROWS", 20)
    parsed = []
    monkeypatch.setattr("kuntadash.importing.text.csv.reader", lambda *a, **k: parsed.append(1))
    assert _limit(refused([path], target, "data.error.limit_exceeded")) == "rows"
    assert not parsed


def test_a_csv_over_the_cell_limit_isrefused(tmp_path, target, monkeypatch):
    path = tmp_path / "cells.csv"
    path.write_text(HEADER + "091,unemployment_rate,2024,5\n" * 10)
    monkeypatch.setattr(limits, "MAX_TABLE_CELLS", 30)
    assert _limit(refused([path], target, "data.error.limit_exceeded")) == "cells"


def test_rows_wider_than_the_header_count_against_the_cell_limit(tmp_path, target, monkeypatch):
    path = tmp_path / "wide.csv"
    path.write_text(HEADER + ("091,unemployment_rate,2024,5" + ",x" * 40 + "\n") * 3)
    monkeypatch.setattr(limits, "MAX_TABLE_CELLS", 100)  # 4 x 4 by the header; 4 + 3 x 44 really
    assert _limit(refused([path], target, "data.error.limit_exceeded")) == "cells"


def test_a_parquet_file_is_refused_from_its_metadata(tmp_path, target, monkeypatch):
    path = tmp_path / "rows.parquet"
    pd.DataFrame(
        {
            "municipality_code": ["091"] * 50,
            "indicator_id": ["unemployment_rate"] * 50,
            "year": list(range(1990, 2040)),
            "value": [5.0] * 50,
        }
    ).to_parquet(path)
    monkeypatch.setattr(limits, "MAX_TABLE_ROWS", 20)
    import pyarrow as pa
    import pyarrow.parquet as pq

    original = pq.read_table

    def guarded(source, *args, **kwargs):
        if isinstance(source, pa.BufferReader):  # the import's table, not the snapshot's
            pytest.fail("decoded before its metadata was checked")
        return original(source, *args, **kwargs)

    monkeypatch.setattr(pq, "read_table", guarded)
    assert _limit(refused([path], target, "data.error.limit_exceeded")) == "rows"


# --- linear work ------------------------------------------------------------------------------
def test_each_row_costs_dictionary_lookups_not_a_rebuild_of_the_division(monkeypatch):
    """The division's code set and merger map are built once per import, and each distinct
    area cell is resolved once: reading stays linear in rows (a million rows took over ten
    minutes when every row rebuilt the code set)."""
    calls = {"merger_map": 0, "code": 0}
    original_map = context_module.merger_map
    original_code = tables_module.Areas.code

    def counting_map(*args, **kwargs):
        calls["merger_map"] += 1
        return original_map(*args, **kwargs)

    def counting_code(self, *args, **kwargs):
        calls["code"] += 1
        return original_code(self, *args, **kwargs)

    monkeypatch.setattr(context_module, "merger_map", counting_map)
    monkeypatch.setattr(tables_module.Areas, "code", counting_code)
    context = build_context(2025)
    codes = register_codes()
    assert context.codes is context.codes
    rows = [
        [codes[i % len(codes)], "unemployment_rate", str(1990 + i // len(codes)), "5"]
        for i in range(6_000)
    ]
    result = read_tidy(HEADER.strip().split(","), rows, "t.csv", context, decimal_comma=False)
    assert len(result.values) == 6_000
    assert calls["merger_map"] <= 1
    assert calls["code"] <= len(codes)


def test_a_file_bad_in_every_row_keeps_few_messages_and_counts_the_rest(
    tmp_path, target, monkeypatch
):
    path = tmp_path / "bad.csv"
    path.write_text(HEADER + "091,unemployment_rate,2024,many\n" * 5_000)
    kept = []
    original = tables_module._trim

    def trim(problems):
        kept.append(len(problems))
        return original(problems)

    monkeypatch.setattr(tables_module, "_trim", trim)
    error = refused([path], target, "data.error.bad_number")
    assert kept and max(kept) <= tables_module._KEPT_PROBLEMS + 1  # never a message per row
    assert len(error.messages) == MAX_MESSAGES + 1
    more = error.messages[-1]
    assert more.key == "data.error.more_problems"
    assert more.params["count"] == 5_000 - MAX_MESSAGES


def test_out_of_range_values_are_named_and_counted(tmp_path, target):
    rows = "".join(f"{c},unemployment_rate,2024,99\n" for c in register_codes()[:60])
    path = tmp_path / "range.csv"
    path.write_text(HEADER + rows)
    error = refused([path], target, "data.error.out_of_range")
    assert error.messages[-1].key == "data.error.more_problems"
    assert error.messages[-1].params["count"] == 60 - MAX_MESSAGES


def test_the_timing_helper_fails_rather_than_hangs():
    with pytest.raises(AssertionError, match="still working"):
        _within(0.2, lambda: time.sleep(5))


def test_boundaries_are_read_from_the_checked_bytes(tmp_path):
    """The boundary file is parsed from the bytes the importer checked, not reopened by path
    (which could by then be another file)."""
    path = write_grid_boundaries(tmp_path / "grid.geojson", register_codes(), crs=4326)
    data = path.read_bytes()
    from kuntadash.importing.boundaries import read_boundary_file

    moved = tmp_path / "gone.geojson"
    path.rename(moved)
    result = read_boundary_file(path, "geojson", build_context(2025), data=data)
    assert len(result.boundaries) == 308
