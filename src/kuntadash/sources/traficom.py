"""Traficom fixed-broadband availability (sources layer): the one spreadsheet Traficom publishes,
read into the shares of households reached by at least a given speed, per municipality.

NOTE: no API and no copy of the file were at hand; the layout is the one described in
../shared/opendata/MANIFEST.md (section 11) and read by a public script
(``fetch_broadband_coverage.py``, see docs/DATA.md): one ODS sheet with a title and a subtitle
(the date of the figures), then sections for the country, the regions and the municipalities,
each led by a header row whose first three cells are the Finnish, Swedish and English names
("Kunnat", "Kommuner", "Municipalities" for the municipalities) and whose next cells name the
speeds (≥ 30, ≥ 100, ≥ 300, ≥ 1000 Mbit/s); shares are fractions of households (0–1). The file
names municipalities only, so they are placed by their Finnish or Swedish name in the register.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from xml.sax import SAXException

import pandas as pd

from kuntadash.sources.checks import is_not_found
from kuntadash.sources.errors import SourceError, SourceFormatError

SOURCE = "Traficom (fixed broadband)"
LICENCE = "CC BY 4.0"
BASE = "https://tieto.traficom.fi/sites/default/files/media/file/"
FILE = "Kiintean-verkon-laajakaistasaatavuus-Tillgang-till-fasta-natet.ods"
MUNICIPALITY_SECTION = {"kunnat", "kommuner", "municipalities"}
# Speeds of the columns after the three names when the header does not say (the known layout).
DEFAULT_SPEEDS = (30, 100, 300, 1000)
_SPEED = re.compile(r"(\d[\d\s]*)\s*([mg])\s*bit", re.IGNORECASE)
_YEAR = re.compile(r"\b(20\d\d)\b")


@dataclass
class Availability:
    """The municipality rows of the file: shares (%) by speed, and what could not be placed."""

    year: int
    shares: pd.DataFrame  # municipality_code, speed (Mbit/s), value (% of households)
    unknown_names: list[str] = field(default_factory=list)


def _text(cell: Any) -> str:
    return "" if pd.isna(cell) else " ".join(str(cell).split())


def _key(name: str) -> str:
    return unicodedata.normalize("NFKC", name).casefold().strip()


def _speed(header: str) -> int | None:
    """Mbit/s named by a header cell ("≥ 100 Mbit/s" -> 100, "1 Gbit/s" -> 1000)."""
    match = _SPEED.search(header)
    if not match:
        return None
    number = int(re.sub(r"\s", "", match.group(1)))
    return number * 1000 if match.group(2).lower() == "g" else number


def _bad(detail: str) -> SourceFormatError:
    return SourceFormatError(SOURCE, "data.error.source_schema", table=FILE, detail=detail)


def _speed_columns(header: Sequence[Any]) -> dict[int, int]:
    """Speed (Mbit/s) -> column position, from the section's header row."""
    found = {}
    for position, cell in enumerate(header):
        if position >= 3 and (speed := _speed(_text(cell))) is not None:
            found.setdefault(speed, position)
    if found:
        return found
    if len(header) >= 3 + len(DEFAULT_SPEEDS):
        return {speed: 3 + i for i, speed in enumerate(DEFAULT_SPEEDS)}
    raise _bad("no speed columns after the three names")


def _year(sheet: pd.DataFrame, before: int) -> int:
    """The year of the figures: the latest year named in the rows above the first section."""
    years = [
        int(y)
        for row in sheet.iloc[:before].itertuples(index=False)
        for cell in row
        for y in _YEAR.findall(_text(cell))
    ]
    if not years:
        raise _bad("no year in the title rows")
    return max(years)


def _names(register: pd.DataFrame) -> dict[str, str]:
    """Finnish and Swedish name (normalised) -> municipality code."""
    names = {}
    for column in ("name_fi", "name_sv"):
        for code, name in zip(register["municipality_code"], register[column], strict=True):
            if isinstance(name, str) and name.strip():
                names.setdefault(_key(name), str(code))
    return names


def _place(cells: Sequence[str], names: Mapping[str, str]) -> str | None:
    """The code of a row named in Finnish or Swedish ("Maarianhamina - Mariehamn" too)."""
    for cell in cells[:2]:
        for candidate in (cell, *cell.split(" - ")):
            if _key(candidate) in names:
                return names[_key(candidate)]
    return None


def read_availability(data: bytes, register: pd.DataFrame) -> Availability:
    """The municipality section of the ODS: shares (%) by speed, placed by name."""
    try:
        sheet = pd.read_excel(io.BytesIO(data), engine="odf", header=None, sheet_name=0)
    except (ValueError, KeyError, OSError, zipfile.BadZipFile, SAXException) as exc:
        raise _bad(f"not a readable ODS file ({type(exc).__name__})") from exc
    firsts = [_key(_text(cell)) for cell in sheet.iloc[:, 0]] if sheet.shape[1] else []
    starts = [
        i
        for i, row in enumerate(sheet.itertuples(index=False))
        if {_key(_text(c)) for c in row[:3]} & MUNICIPALITY_SECTION
    ]
    if not starts or sheet.shape[1] < 4:
        raise _bad("no municipality section (a header row 'Kunnat' / 'Municipalities')")
    start = starts[0]
    sections = [i for i, first in enumerate(firsts) if first in {"fin", "suomi"}] or [start]
    year = _year(sheet, min([*sections, start]))
    columns = _speed_columns(list(sheet.iloc[start]))
    names = _names(register)
    rows, unknown = [], []
    for row in sheet.iloc[start + 1 :].itertuples(index=False):
        cells = [_text(c) for c in row[:3]]
        numbers = {s: pd.to_numeric(row[c], errors="coerce") for s, c in columns.items()}
        if not any(cells[:2]) or all(pd.isna(v) for v in numbers.values()):
            continue
        code = _place(cells, names)
        if code is None:
            unknown.append(cells[0] or cells[1])
            continue
        rows += [(code, speed, float(value)) for speed, value in numbers.items()]
    shares = pd.DataFrame(rows, columns=["municipality_code", "speed", "value"])
    for speed in columns:
        chosen = shares["speed"] == speed
        if chosen.any() and shares.loc[chosen, "value"].max() <= 1.0:
            shares.loc[chosen, "value"] *= 100.0  # fractions of households -> %
    return Availability(year, shares, unknown)


def fetch_step(context: Any) -> Any:
    """The pipeline step of the ``traficom_broadband`` adapter: the spreadsheet once, each
    entry's speed column (``source.code``, Mbit/s) as shares of households (%).

    A missing file (404), an unreadable layout or a speed the file lacks skips the entries
    concerned; names that match no municipality, and municipalities without a row, are named
    in notes."""
    from kuntadash import resources
    from kuntadash.sources.step import TIDY_COLUMNS, Note, StepResult, empty_values, skip

    if not context.entries:
        return StepResult(SOURCE, empty_values())
    url = BASE + str(context.entries[0]["source"].get("table") or FILE)
    context.report(SOURCE, 0.0)
    try:
        data = context.fetcher.request(SOURCE, "GET", url, licence=LICENCE)
    except SourceError as exc:
        if not is_not_found(exc):
            raise
        status = exc.params.get("status")
        return StepResult(
            SOURCE,
            empty_values(),
            [skip(e, "not_found", url=url, status=status) for e in context.entries],
        )
    register = resources.read_municipality_register(context.division_year)
    register = register[register["municipality_code"].isin(context.codes)]
    try:
        availability = read_availability(data, register)
    except SourceFormatError as exc:
        detail = str(exc.params.get("detail", ""))
        return StepResult(
            SOURCE,
            empty_values(),
            [skip(e, "unreadable", file=FILE, detail=detail) for e in context.entries],
        )
    shares, frames, skipped = availability.shares, [], []
    for entry in context.entries:
        speed = int(str(entry["source"].get("code") or 0))
        chosen = shares[shares["speed"] == speed]
        if chosen.empty:
            skipped.append(skip(entry, "code_missing", table=FILE, code=f"{speed} Mbit/s"))
            continue
        frames.append(
            pd.DataFrame(
                {
                    "municipality_code": chosen["municipality_code"].astype(str),
                    "indicator_id": str(entry["id"]),
                    "year": availability.year,
                    "value": chosen["value"].astype("float64"),
                    "source_id": SOURCE,
                }
            )[list(TIDY_COLUMNS)]
        )
    notes = []
    if availability.unknown_names:
        names = ", ".join(availability.unknown_names)
        notes.append(Note("data.note.traficom_unknown_names", {"names": names}))
    lacking = sorted(set(context.codes) - set(shares["municipality_code"]))
    if lacking and frames:
        codes = ", ".join(lacking)
        notes.append(Note("data.note.traficom_missing_municipalities", {"codes": codes}))
    context.report(SOURCE, 1.0)
    values = pd.concat(frames, ignore_index=True) if frames else empty_values()
    details = {"figures_year": availability.year}
    return StepResult(SOURCE, values, skipped, details, notes)
