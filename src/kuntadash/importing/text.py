"""Reading text tables as users download them: encodings, delimiters, decimal commas, symbols.

Pure Python: bytes in, rows of strings out; numbers parsed by ``parse_number``.
"""

from __future__ import annotations

import csv
import io
import math
import re
from pathlib import Path

from kuntadash.importing.errors import DataImportError, message

MAX_FILE_BYTES = 50 * 1024 * 1024
# NOTE: Statistics Finland and THL mark suppressed or unavailable cells with these symbols
# (PxWeb footnotes: "." not applicable, ".." not available / confidential, "..." too uncertain,
# "-" magnitude nil or not available). They are kept as missing values, never 0.
MISSING_SYMBOLS = frozenset({"", ".", "..", "...", "-", "–", "—", "na", "n/a", "nan", "null"})
_SPACES = re.compile(r"[\s\u00a0\u202f\u2009']")
_DOT_THOUSANDS_COMMA_DECIMAL = re.compile(r"^[+-]?\d{1,3}(\.\d{3})+,\d+$")
_COMMA_THOUSANDS_DOT_DECIMAL = re.compile(r"^[+-]?\d{1,3}(,\d{3})+\.\d+$")
_DELIMITERS = (";", "\t", ",", "|")


def read_file_bytes(path: Path, max_bytes: int = MAX_FILE_BYTES) -> bytes:
    """The file's bytes; refuses missing, empty and oversized files with a named message."""
    name = path.name
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise DataImportError(
            message("data.error.file_unreadable", file=name, reason=str(exc))
        ) from exc
    if size > max_bytes:
        raise DataImportError(
            message(
                "data.error.file_too_large",
                file=name,
                size_mb=round(size / 2**20, 1),
                limit_mb=round(max_bytes / 2**20, 1),
            )
        )
    data = path.read_bytes()
    if not data.strip():
        raise DataImportError(message("data.error.file_empty", file=name))
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
    """Header, data rows (strings) and delimiter of a delimited text file."""
    text = decode_text(data, name)
    delimiter = sniff_delimiter(text)
    try:
        rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    except csv.Error as exc:
        raise DataImportError(
            message("data.error.csv_malformed", file=name, reason=str(exc))
        ) from exc
    rows = [r for r in rows if any(cell.strip() for cell in r)]
    if not rows:
        raise DataImportError(message("data.error.file_empty", file=name))
    header = [h.strip().lstrip("\ufeff") for h in rows[0]]
    return header, rows[1:], delimiter


def is_missing(text: object) -> bool:
    if text is None:
        return True
    if isinstance(text, float) and math.isnan(text):
        return True
    return str(text).strip().casefold() in MISSING_SYMBOLS


def parse_number(raw: object, decimal_comma: bool = True) -> float:
    """A cell as a float; NaN for suppression symbols; ValueError when it is not a number.

    ``decimal_comma``: a single comma is a decimal separator (Finnish and Swedish files).
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
    text = _SPACES.sub("", str(raw)).replace("−", "-")
    if _DOT_THOUSANDS_COMMA_DECIMAL.match(text):
        text = text.replace(".", "").replace(",", ".")
    elif _COMMA_THOUSANDS_DOT_DECIMAL.match(text):
        text = text.replace(",", "")
    elif (
        "," in text
        and "." not in text
        and text.count(",") == 1
        # In a comma-separated file "1,234" could be a thousands separator: only an unambiguous
        # decimal comma (not exactly three digits after it) is read there.
        and (decimal_comma or len(text.rsplit(",", 1)[1]) != 3)
    ):
        text = text.replace(",", ".")
    if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?", text):
        raise ValueError(raw)
    value = float(text)
    if math.isinf(value):
        raise ValueError(raw)
    return value


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
