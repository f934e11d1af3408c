"""Imports from uploaded files (the Data page): safe names, size limit, a private temp folder,
and the import itself in a bounded child process (kuntadash.pipeline.worker).

No streamlit here: the page hands over (name, bytes) pairs and shows the result.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

from kuntadash.errors import message
from kuntadash.importing.errors import DataImportError
from kuntadash.importing.text import safe_file_name
from kuntadash.pipeline.worker import Budget, ImportJob, ImportSummary, start_import

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


def start_upload_import(
    uploads: Sequence[tuple[str, bytes]],
    out: Path,
    *,
    division_year: int = 2025,
    max_bytes: int = MAX_UPLOAD_BYTES,
    budget: Budget | None = None,
    allow_blanking: bool = False,
) -> ImportJob:
    """Check the uploads and start importing them into ``out`` in a child process.

    Names are checked (no folders, no ``..``), sizes and counts too, all before anything is
    written; files go only to a private temporary folder; ``out`` changes only on success.
    ``budget`` defaults to the operator's (``Budget.from_environment``)."""
    if not uploads:
        raise DataImportError(message("data.error.no_files"))
    if len(uploads) > MAX_UPLOAD_FILES:
        raise DataImportError(
            message("data.error.too_many_files", count=len(uploads), limit=MAX_UPLOAD_FILES)
        )
    names = [safe_file_name(name) for name, _ in uploads]
    if len(set(names)) != len(names):
        raise DataImportError(message("data.error.duplicate_upload"))
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
    budget = budget or Budget.from_environment()
    folder = Path(tempfile.mkdtemp(prefix="kuntadash-upload-"))
    try:
        files = folder / "files"
        files.mkdir()
        paths = []
        for name, (_, data) in zip(names, uploads, strict=True):
            path = files / name
            path.write_bytes(data)
            paths.append(path)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return start_import(
        folder,
        paths,
        names,
        out,
        division_year=division_year,
        max_bytes=max_bytes,
        budget=budget,
        allow_blanking=allow_blanking,
    )


def import_uploads(
    uploads: Sequence[tuple[str, bytes]],
    out: Path,
    *,
    division_year: int = 2025,
    max_bytes: int = MAX_UPLOAD_BYTES,
    budget: Budget | None = None,
    tick: Callable[[float], object] | None = None,
    allow_blanking: bool = False,
) -> ImportSummary:
    """Import uploaded files into ``out`` within ``budget`` and wait for the outcome (see
    ``start_upload_import``); raises DataImportError when refused or over budget."""
    job = start_upload_import(
        uploads,
        out,
        division_year=division_year,
        max_bytes=max_bytes,
        budget=budget,
        allow_blanking=allow_blanking,
    )
    return job.wait(tick)
