"""Excel workbooks (.xlsx) as tables of cell values, read within the limits (importing
layer).

openpyxl reads a formula cell's *saved result*. A file written by a program that does not
calculate (a script, some exporters) has formulas without saved results, which openpyxl reads as
empty: an import would store them as missing values over real figures. Such cells are kept as
``UncalculatedFormula`` markers and listed per sheet, so the reader that uses a sheet refuses
them with their cell and row, and says to open and save the file in a spreadsheet program.
"""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Iterator, Mapping
from typing import Any

import pandas as pd

from kuntadash.errors import Message, message
from kuntadash.importing.errors import DataImportError
from kuntadash.importing.limits import (
    MAX_SHEET_CELLS,
    MAX_TABLE_ROWS,
    check_xlsx_zip,
    limit_error,
)
from kuntadash.importing.readers.common import UncalculatedFormula

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_CELL, _FORMULA, _VALUE, _ROW = f"{_MAIN}c", f"{_MAIN}f", f"{_MAIN}v", f"{_MAIN}row"
_FORMULA_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f[\s>/]")
_REFERENCE = re.compile(r"([A-Z]{1,3})([0-9]+)")
_CHUNK = 1024 * 1024


class Workbook(Mapping[str, pd.DataFrame]):
    """The worksheets of a workbook by lower-cased name, each read when first asked for.

    Reading one sheet (the catalogue sheet, or the data sheet) does not parse the others. Each
    sheet is a DataFrame (first non-empty row as header, cells as read, dtype object);
    ``frame.attrs["uncalculated"]`` lists its formula cells without a saved result as (cell,
    row, formula), and those cells hold an ``UncalculatedFormula``.

    Before openpyxl opens the file, the zip's declared part count, sizes and ratios are checked;
    each sheet's declared dimension is checked before its rows are read, and the cells read
    (empty cells inside rows included) are counted against ``MAX_SHEET_CELLS`` as rows come.
    """

    def __init__(self, data: bytes, file: str):
        import openpyxl

        self.file = file
        self._archive = check_xlsx_zip(data, file)
        try:
            self._book = openpyxl.load_workbook(
                io.BytesIO(data), read_only=True, data_only=True, keep_links=False
            )
        except Exception as exc:  # openpyxl raises many kinds for a damaged workbook
            raise DataImportError(
                message(
                    "data.error.corrupt_file",
                    file=file,
                    kind="Excel",
                    reason=f"{type(exc).__name__}: {str(exc)[:160]}",
                )
            ) from exc
        self._sheets = {str(s.title).strip().lower(): s for s in self._book.worksheets}
        self._read: dict[str, pd.DataFrame] = {}
        self._budget = MAX_SHEET_CELLS

    def __getitem__(self, key: str) -> pd.DataFrame:
        if key not in self._read:
            self._read[key] = self._read_sheet(self._sheets[key])
        return self._read[key]

    def __contains__(self, key: object) -> bool:
        return key in self._sheets  # without reading the sheet, as Mapping's default would

    def __iter__(self) -> Iterator[str]:
        return iter(self._sheets)

    def __len__(self) -> int:
        return len(self._sheets)

    def _read_sheet(self, sheet: Any) -> pd.DataFrame:
        file = self.file
        declared = (sheet.max_row or 0) * (sheet.max_column or 0)  # its <dimension>, if any
        if declared > self._budget:
            raise limit_error(file, "sheet_cells", f"{sheet.title}: {declared}", self._budget)
        # NOTE: openpyxl keeps a read-only sheet's part name only privately; the part is scanned
        # for formulas directly, as openpyxl gives no formula together with its saved result.
        formulas = _uncalculated(self._archive, getattr(sheet, "_worksheet_path", ""), file)
        # a wrong <dimension> would make openpyxl cut rows short (pandas resets it too)
        sheet.reset_dimensions()
        rows: list[list[Any]] = []
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            self._budget -= max(len(values), 1)
            if self._budget < 0 or number > MAX_TABLE_ROWS:
                raise limit_error(file, "sheet_cells", f"> {MAX_SHEET_CELLS}", MAX_SHEET_CELLS)
            cells = list(values)
            for column, reference, formula in formulas.get(number, ()):
                cells += [None] * (column - len(cells))
                cells[column - 1] = UncalculatedFormula(reference, formula)
            rows.append(cells)
        frame = _frame(rows)
        frame.attrs["sheet"] = str(sheet.title)
        frame.attrs["uncalculated"] = [
            (reference, number, formula)
            for number, found in sorted(formulas.items())
            for _, reference, formula in found
        ]
        return frame


def uncalculated_problems(frame: pd.DataFrame, file: str) -> list[Message]:
    """One message per formula cell of a sheet without a saved result, naming cell and row."""
    sheet = frame.attrs.get("sheet", "")
    return [
        message(
            "data.error.formula_without_value",
            file=file,
            where=message("data.where.sheet_row", sheet=sheet, n=number),
            cell=reference,
            formula=f"={formula}"[:60],
        )
        for reference, number, formula in frame.attrs.get("uncalculated", [])
    ]


def _uncalculated(
    archive: zipfile.ZipFile, part: str, file: str
) -> dict[int, list[tuple[int, str, str]]]:
    """Row -> [(column, cell, formula)] of the formula cells in a sheet part that have no saved
    result. The part is first scanned for any formula at all, in chunks."""
    name = part.lstrip("/")
    if not name or name not in archive.namelist():
        return {}
    if not _has_formula(archive, name):
        return {}
    found: dict[int, list[tuple[int, str, str]]] = {}
    try:
        with archive.open(name) as stream:
            for _, element in ET.iterparse(stream, events=("end",)):
                if element.tag == _CELL:
                    formula = element.find(_FORMULA)
                    if formula is not None and not _has_result(element):
                        reference = element.get("r", "")
                        match = _REFERENCE.fullmatch(reference)
                        if match:
                            row, column = int(match.group(2)), _column_number(match.group(1))
                            text = formula.text or f"(shared formula {formula.get('si', '')})"
                            found.setdefault(row, []).append((column, reference, text))
                elif element.tag == _ROW:
                    element.clear()  # keeps memory flat over a long sheet
    except (ET.ParseError, zipfile.BadZipFile, OSError, ValueError) as exc:
        raise DataImportError(
            message("data.error.corrupt_file", file=file, kind="Excel", reason=str(exc)[:160])
        ) from exc
    return found


def _has_result(cell: ET.Element) -> bool:
    """Whether a formula cell carries a saved result. openpyxl writes ``<v/>`` for "none";
    a formula whose result is the empty string is saved as ``t="str"`` with an empty value."""
    value = cell.find(_VALUE)
    if value is None:
        return False
    return bool(value.text) or cell.get("t") == "str"


def _has_formula(archive: zipfile.ZipFile, name: str) -> bool:
    tail = b""
    with archive.open(name) as stream:
        while chunk := stream.read(_CHUNK):
            if _FORMULA_TAG.search(tail + chunk):
                return True
            tail = chunk[-64:]
    return False


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - ord("A") + 1
    return number


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _frame(rows: list[list[Any]]) -> pd.DataFrame:
    """Rows of cells -> a DataFrame as pandas' read_excel would give it: blank rows dropped,
    the first row the header (blank names "Unnamed: N", repeated ones "name.1"), columns empty
    to the right left out."""
    rows = [r for r in rows if not all(_empty(v) for v in r)]
    if not rows:
        return pd.DataFrame()
    width = max(
        (max((i + 1 for i, v in enumerate(r) if not _empty(v)), default=0) for r in rows),
        default=0,
    )
    header: list[str] = []
    for position, raw in enumerate(rows[0][:width] + [None] * (width - len(rows[0]))):
        name = f"Unnamed: {position}" if _empty(raw) else str(raw).strip()
        base, copies = name, 0
        while name in header:
            copies += 1
            name = f"{base}.{copies}"
        header.append(name)
    body = [r[:width] + [None] * (width - len(r)) for r in rows[1:]]
    return pd.DataFrame(body, columns=header, dtype=object)
