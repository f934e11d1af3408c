"""Importing layer: build or extend a snapshot from local files (``kuntadash data import``).

``import_files`` reads boundaries (GeoJSON, TopoJSON, GeoPackage, GeoParquet), statistical
tables (tidy CSV / Excel / Parquet, PxWeb json-stat2 and CSV, Sotkanet JSON, SYKE CSV) and
catalogue sidecars, harmonises to the target division and writes atomically; bad input raises
``DataImportError`` whose messages translate via ``kuntadash.i18n``.
"""

from kuntadash.importing.build import ImportReport, import_files
from kuntadash.importing.errors import DataImportError, Message
from kuntadash.importing.text import MAX_FILE_BYTES, safe_file_name

__all__ = [
    "MAX_FILE_BYTES",
    "DataImportError",
    "ImportReport",
    "Message",
    "import_files",
    "safe_file_name",
]
