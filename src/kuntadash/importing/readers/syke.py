"""SYKE ALas emission CSVs (``kunta_91.csv``: the number without leading zeros) -> raw measures
(importing layer, pure pandas): kt CO2e per year of every sector the catalogue's SYKE indicators
use; the indicators themselves are derived in the pipeline with the data's population of the same
year (pipeline.derive).
"""

from __future__ import annotations

import re

import pandas as pd

from kuntadash.errors import message
from kuntadash.importing.context import ImportContext
from kuntadash.importing.errors import DataImportError
from kuntadash.importing.placement import value_problems
from kuntadash.importing.readers.common import RowTable, TableImport, find_column, tidy_frame
from kuntadash.sources.errors import SourceError
from kuntadash.sources.syke import measure_id, measures_from_rows, missing_columns


def looks_syke_csv(table: RowTable, context: ImportContext) -> bool:
    """A CSV with the ALas columns ``hinku_laskenta`` and ``kt``."""
    lowered = table.lowered
    return table.delimited and "hinku_laskenta" in lowered and "kt" in lowered


def read_syke_csv(table: RowTable, context: ImportContext) -> TableImport:
    """A SYKE ALas municipal emission CSV: the raw measures of its municipality, whose code is
    in a ``kunta`` column or else in the file name."""
    header, rows, file = table.header, table.rows, table.file
    match = re.search(r"kunta_(\d{1,3})\b", file) or re.search(r"(\d{3})", file)
    code_index = find_column(header, ("kunta", "kuntanro", "kuntanumero", "kunta_id"))
    sectors = [
        str((entry.get("source") or {}).get("code") or "hinku")
        for entry in context.catalogue.values()
        if (entry.get("source") or {}).get("adapter") == "syke" and entry.get("derive")
    ]
    if not sectors:
        raise DataImportError(message("data.error.no_known_indicators", file=file, columns="hinku"))
    # a measure whose own column is absent (the credits' kt_tuuli) is left out, not the file
    sectors = [c for c in sectors if not missing_columns(header, [c])] or sectors
    try:
        measures = measures_from_rows(header, rows, sectors, file)
    except SourceError as exc:
        raise DataImportError(
            message("data.error.syke_file", file=file, reason=exc.render("en"))
        ) from exc
    if code_index is not None and rows:
        code = str(rows[0][code_index]).strip().zfill(3)
    elif match:
        code = match.group(1).zfill(3)
    else:
        raise DataImportError(message("data.error.syke_no_code", file=file))
    years = sorted({year for totals in measures.values() for year in totals})
    located = pd.DataFrame({"municipality_code": code, "year": years})
    unplaced = value_problems(located, context, file)
    if unplaced:
        raise DataImportError(unplaced)
    rows_out = [
        (code, measure_id(sector), int(year), float(kt))
        for sector, totals in measures.items()
        for year, kt in totals.items()
    ]
    return TableImport(
        tidy_frame(rows_out), notes=[message("data.note.syke_population", file=file)]
    )
