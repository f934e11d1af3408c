"""Imports from uploaded files (the Data page): safe names, size limit, a private temp folder.

No streamlit here: the page hands over (name, bytes) pairs and shows the result.
"""

from __future__ import annotations

import tempfile
from collections.abc import Collection, Sequence
from pathlib import Path

from kuntadash.importing.build import ImportReport, import_files
from kuntadash.importing.errors import DataImportError, message
from kuntadash.importing.text import safe_file_name

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
MAX_UPLOAD_FILES = 10
UPLOAD_TYPES = (
    "csv",
    "txt",
    "tsv",
    "json",
    "geojson",
    "topojson",
    "gpkg",
    "xlsx",
    "parquet",
    "yaml",
    "yml",
)


def import_uploads(
    uploads: Sequence[tuple[str, bytes]],
    out: Path,
    *,
    division_year: int = 2025,
    max_bytes: int = MAX_UPLOAD_BYTES,
    figures_year: int | None = None,
    replace_indicators: Collection[str] = (),
) -> ImportReport:
    """Import uploaded files into ``out``. Names are checked (no folders, no ``..``), files are
    written only to a private temporary folder, and ``out`` changes only on success.
    ``figures_year`` and ``replace_indicators``: as for ``import_files``."""
    if not uploads:
        raise DataImportError(message("data.error.no_files"))
    if len(uploads) > MAX_UPLOAD_FILES:
        raise DataImportError(
            message("data.error.too_many_files", count=len(uploads), limit=MAX_UPLOAD_FILES)
        )
    names = [safe_file_name(name) for name, _ in uploads]
    if len(set(names)) != len(names):
        raise DataImportError(message("data.error.duplicate_upload"))
    with tempfile.TemporaryDirectory(prefix="kuntadash-upload-") as folder:
        paths = []
        for name, (_, data) in zip(names, uploads, strict=True):
            if len(data) > max_bytes:
                raise DataImportError(
                    message(
                        "data.error.file_too_large",
                        file=name,
                        size_mb=round(len(data) / 2**20, 1),
                        limit_mb=round(max_bytes / 2**20, 1),
                    )
                )
            path = Path(folder) / name
            path.write_bytes(data)
            paths.append(path)
        return import_files(
            paths,
            out,
            division_year=division_year,
            max_bytes=max_bytes,
            display_names=names,
            figures_year=figures_year,
            replace_indicators=replace_indicators,
        )
