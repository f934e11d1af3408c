"""Importing layer: the readers of local files that ``kuntadash data import`` takes in.

Boundaries (GeoJSON, TopoJSON, GeoPackage, GeoParquet), statistical tables (tidy CSV / Excel /
Parquet, PxWeb json-stat2 and CSV, Sotkanet JSON, SYKE CSV) and catalogue sidecars, each read
into tidy values on the target division; bad input raises ``DataImportError`` whose messages
translate via ``kuntadash.i18n``. The import itself (merge, validate, write) is the pipeline's:
``kuntadash.pipeline.importing.import_files``.
"""

from kuntadash.importing.errors import DataImportError
from kuntadash.importing.text import MAX_FILE_BYTES, safe_file_name

__all__ = [
    "MAX_FILE_BYTES",
    "DataImportError",
    "safe_file_name",
]
