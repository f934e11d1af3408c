"""Reading text tables as users download them: encodings, delimiters, decimal commas, symbols.

Pure Python: bytes in, rows of strings out; numbers parsed by ``parse_number``.
"""

from __future__ import annotations

import csv
import math
import numbers
import re
from collections.abc import Iterator
from pathlib import Path

from kuntadash.errors import message
from kuntadash.importing.errors import DataImportError
from kuntadash.importing.limits import MAX_FILE_BYTES, check_table_shape, read_regular_file

__all__ = ["MAX_FILE_BYTES", "parse_number", "parse_year", "read_file_bytes", "read_rows"]

# NOTE: Statistics Finland and THL mark suppressed or unavailable cells with these symbols
# (PxWeb footnotes: "." not applicable, ".." not available / confidential, "..." too uncertain,
# "-" magnitude nil or not available). They are kept as missing values, never 0. A spreadsheet
# may have turned "..." into one ellipsis character, and "-" into a dash or minus sign.
MISSING_SYMBOLS = frozenset(
    {"", ".", "..", "...", "…", "-", "–", "—", "−", "na", "n/a", "nan", "null"}
)
_DELIMITERS = (";", "\t", ",", "|")
# Signs written with a typographic minus or dash (Finnish typesetting uses both).
_MINUS = str.maketrans({"−": "-", "–": "-", "‒": "-", "﹣": "-", "－": "-"})
_GROUP = "[ \u00a0\u202f\u2009']"  # thousands separators: spaces and the apostrophe
_D = "[0-9]"  # ASCII digits only: float() would also read Arabic-Indic or full-width ones
_EXPONENT = f"(?:[eE][+-]?{_D}+)?"
# Each accepted way of writing a number, with what to do to make it a Python float literal.
_NUMBER_FORMS = (
    # 1234  1234.5  .5  1.5e3 (dot decimal; "1.234" is one point two three four)
    (re.compile(f"({_D}+(?:\\.{_D}*)?|\\.{_D}+){_EXPONENT}"), "plain"),
    # 1234,5  ,5 (decimal comma; "1,234" alone is ambiguous where commas separate fields)
    (re.compile(f"({_D}+,{_D}*|,{_D}+){_EXPONENT}"), "comma"),
    # 1 234  1 234,5  1 234.5 (groups of exactly three digits)
    (re.compile(f"{_D}{{1,3}}(?:{_GROUP}{_D}{{3}})+(?:[.,]{_D}+)?"), "spaces"),
    # 1.234,5  1.234.567 (dot thousands; a comma decimal or at least two groups)
    (re.compile(f"{_D}{{1,3}}(?:\\.{_D}{{3}})+,{_D}*|{_D}{{1,3}}(?:\\.{_D}{{3}}){{2,}}"), "dots"),
    # 1,234.5  1,234,567 (comma thousands; a dot decimal or at least two groups)
    (re.compile(f"{_D}{{1,3}}(?:,{_D}{{3}})+\\.{_D}*|{_D}{{1,3}}(?:,{_D}{{3}}){{2,}}"), "commas"),
)
_YEAR = re.compile("([0-9]{4})(?:\\.0+)?")


def read_file_bytes(path: Path, max_bytes: int = MAX_FILE_BYTES) -> bytes:
    """The file's bytes; refuses missing, empty, oversized and non-regular files (directories,
    FIFOs, devices) with a named message, before reading from them."""
    data = read_regular_file(path, max_bytes)
    if not data.strip():
        raise DataImportError(message("data.error.file_empty", file=path.name))
    return data


def decode_text(data: bytes, name: str) -> str:
    """Text of a downloaded file: UTF-8 (with or without BOM), UTF-16 with BOM, else latin-1."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise DataImportError(
                message("data.error.encoding", file=name, reason=str(exc))
            ) from exc
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if b"\x00" in data:
        raise DataImportError(message("data.error.binary_file", file=name))
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        # NOTE: PxWeb "CSV (comma delimited)" downloads are Windows-1252 / latin-1, e.g. the
        # Kuntien avainluvut export with "Vöyri" and "Ingå".
        return (
            data.decode("cp1252", errors="strict") if _cp1252_ok(data) else data.decode("latin-1")
        )


def _cp1252_ok(data: bytes) -> bool:
    try:
        data.decode("cp1252")
    except UnicodeDecodeError:
        return False
    return True


def sniff_delimiter(text: str) -> str:
    """The delimiter of the header line: the most frequent of ; tab , | outside quotes."""
    header = text.lstrip().splitlines()[0] if text.strip() else ""
    unquoted = re.sub(r'"[^"]*"', "", header)
    counts = {d: unquoted.count(d) for d in _DELIMITERS}
    best = max(_DELIMITERS, key=lambda d: (counts[d], -_DELIMITERS.index(d)))
    return best if counts[best] else ","


def read_rows(data: bytes, name: str) -> tuple[list[str], list[list[str]], str]:
    """Header, data rows (strings) and delimiter of a delimited text file.

    Its size is checked first from the line count and header width (every row is at most one
    line), then row by row while parsing, so a table over the limits is refused before it is
    built."""
    text = decode_text(data, name)
    delimiter = sniff_delimiter(text)
    lines = text.count("\n") + 1
    header_line = text.lstrip().split("\n", 1)[0]
    check_table_shape(name, lines, header_line.count(delimiter) + 1)
    rows: list[list[str]] = []
    cells = 0
    # Repeated cells (codes, indicator ids, years) share one string object: a million-row table
    # then takes about half the memory. Unique cells (values) are not kept in the table.
    shared: dict[str, str] = {}
    try:
        for cells_of_row in csv.reader(_lines(text), delimiter=delimiter):
            if not any(cell.strip() for cell in cells_of_row):
                continue
            # a row may be wider than the header: the cell limit is kept as rows come
            cells += len(cells_of_row)
            check_table_shape(name, len(rows) + 1, -(-cells // (len(rows) + 1)))
            rows.append([shared.get(c) or _share(shared, c) for c in cells_of_row])
    except csv.Error as exc:
        raise DataImportError(
            message("data.error.csv_malformed", file=name, reason=str(exc))
        ) from exc
    if not rows:
        raise DataImportError(message("data.error.file_empty", file=name))
    header = [h.strip().lstrip("\ufeff") for h in rows[0]]
    return header, rows[1:], delimiter


_SHARED_CELLS = 100_000


def _share(shared: dict[str, str], cell: str) -> str:
    if len(shared) < _SHARED_CELLS:  # the first rows show which cells repeat
        shared[cell] = cell
    return cell


def _lines(text: str) -> Iterator[str]:
    """The lines of ``text`` with their ends, one at a time (io.StringIO would hold a second,
    four-bytes-a-character copy of a file that may be 50 MB)."""
    start = 0
    while True:
        end = text.find("\n", start)
        if end < 0:
            if start < len(text):
                yield text[start:]
            return
        yield text[start : end + 1]
        start = end + 1


def is_missing(text: object) -> bool:
    if text is None:
        return True
    if isinstance(text, float) and math.isnan(text):
        return True
    return str(text).strip().casefold() in MISSING_SYMBOLS


def parse_number(raw: object, decimal_comma: bool = True) -> float:
    """A cell as a float; NaN for suppression symbols; ValueError when it is not a number.

    ``decimal_comma``: a single comma is a decimal separator (Finnish and Swedish files). Where
    commas separate the fields, "1,234" could be a thousand and is refused as ambiguous. Spaces
    are read only as thousands separators between groups of three digits, so "12 5" is refused
    rather than read as 125; digits must be ASCII.
    """
    if isinstance(raw, bool):
        raise ValueError(raw)
    if isinstance(raw, int | float):
        value = float(raw)
        if math.isinf(value):
            raise ValueError(raw)
        return value
    if is_missing(raw):
        return float("nan")
    text = str(raw).strip().translate(_MINUS)
    sign = ""
    if text[:1] in "+-":
        sign, text = text[0], text[1:].lstrip()
    form = next((kind for pattern, kind in _NUMBER_FORMS if pattern.fullmatch(text)), None)
    if form is None:
        raise ValueError(raw)
    if form == "comma":
        decimals = re.match("[0-9]*", text.split(",", 1)[1])
        if not decimal_comma and decimals is not None and len(decimals.group()) == 3:
            raise ValueError(raw)
        text = text.replace(",", ".")
    elif form == "spaces":
        text = re.sub(_GROUP, "", text).replace(",", ".")
    elif form == "dots":
        text = text.replace(".", "").replace(",", ".")
    elif form == "commas":
        text = text.replace(",", "")
    value = float(sign + text)
    if math.isinf(value):
        raise ValueError(raw)
    return value


def parse_year(raw: object) -> int:
    """A year cell as an int; ValueError unless it is a whole number written plainly.

    "2020" and 2020.0 (how spreadsheets and pandas store whole numbers) are years; "2e3",
    "2020.5", "+2020" and "2 020" are not, however float() would read them.
    """
    if isinstance(raw, bool):
        raise ValueError(raw)
    if isinstance(raw, numbers.Integral):
        return int(raw)
    if isinstance(raw, float):
        if not raw.is_integer():
            raise ValueError(raw)
        return int(raw)
    match = _YEAR.fullmatch(str(raw).strip())
    if match is None:
        raise ValueError(raw)
    return int(match.group(1))


def normalise_label(text: object) -> str:
    """Case-, accent-preserving and whitespace-insensitive form used for matching names."""
    return " ".join(str(text).replace("\ufeff", "").split()).casefold()


_SAFE_NAME = re.compile(r"[\w\-. ()+,]+")


def safe_file_name(name: str) -> str:
    """``name`` when it is a plain file name that cannot leave the folder it is written to.

    Refuses folders ("a/b", "..\\b"), parent references, hidden names, control characters and
    overlong names, rather than guessing a cleaned-up name.
    """
    text = str(name)
    if (
        not text
        or len(text) > 120
        or "/" in text
        or "\\" in text
        or text.startswith(".")
        or not _SAFE_NAME.fullmatch(text)
    ):
        raise DataImportError(message("data.error.unsafe_name", file=text[:80]))
    return text
