"""Limits on the work one import may do, each checked before the work it bounds (importing layer).

Imports run in the server process (the Data page) as well as on the command line, so a small
hostile file must not make them build huge objects or parse for minutes: a YAML alias bomb, a
zip-bombed workbook, deeply nested JSON, a Parquet file whose few bytes decode to billions of
rows, or a FIFO or device in place of a file. Every limit here is refused with a message that
names the file, what was found and the limit, before the reader that it protects is called.

The limits are far above the real files they are meant for (noted beside each); docs/DATA.md
lists them and docs/RELIABILITY.md says what they were measured against.
"""

from __future__ import annotations

import io
import json
import os
import re
import stat
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from kuntadash.errors import Message, message
from kuntadash.importing.errors import DataImportError

# Any file: 50 MB on the command line (the Data page allows 20 MB per upload).
MAX_FILE_BYTES = 50 * 1024 * 1024
# Tables (CSV / TSV / TXT, Excel, Parquet). 308 municipalities x 100 indicators x 50 years is
# 1.54 M tidy rows; a key-figure time series (40 labels x 40 years) has 1 600 columns.
MAX_TABLE_ROWS = 2_000_000
MAX_TABLE_COLUMNS = 5_000
MAX_TABLE_CELLS = 20_000_000  # rows x columns of one table
# Excel: openpyxl reads about 70 000 cells a second here, so 2 M cells is under half a minute.
# The tidy sheet of 500 000 rows fits; larger tables belong in CSV or Parquet.
MAX_SHEET_CELLS = 2_000_000  # all sheets of one workbook together, empty cells in rows counted
MAX_XLSX_MEMBERS = 1_000  # parts in the zip (a workbook of 20 sheets has about 40)
MAX_XLSX_UNCOMPRESSED_BYTES = 128 * 1024 * 1024  # 2 M cells of sheet XML are about 100 MB
MAX_XLSX_RATIO = 100  # uncompressed / compressed size of one part (real sheets: 5-20)
_RATIO_FROM_BYTES = 1024 * 1024  # small parts may compress better without costing anything
# Parquet: the decoded size, from the file's own metadata.
MAX_PARQUET_UNCOMPRESSED_BYTES = 1024 * 1024 * 1024
# JSON (json-stat2, Sotkanet, GeoJSON, TopoJSON): GeoJSON nests 6 deep, json-stat2 5. A 50 MB
# GeoJSON of 1:1 000 000 boundaries has about 2 M coordinate arrays.
MAX_JSON_DEPTH = 64
MAX_JSON_CONTAINERS = 4_000_000  # objects and arrays
# Catalogue sidecars (YAML): 100 indicators are about 40 KB and need no aliases at all.
MAX_YAML_BYTES = 1024 * 1024
MAX_YAML_DEPTH = 20
MAX_YAML_ALIASES = 50
MAX_YAML_NODES = 200_000  # nodes of the document with every alias expanded
MAX_CATALOGUE_ENTRIES = 1_000

_FILE_KINDS = (
    (stat.S_ISDIR, "directory"),
    (stat.S_ISFIFO, "fifo"),
    (stat.S_ISCHR, "character_device"),
    (stat.S_ISBLK, "block_device"),
    (stat.S_ISSOCK, "socket"),
)


def limit_error(file: str, what: str, found: Any, limit: Any) -> DataImportError:
    """The refusal of ``file`` for exceeding a limit (``what``: a ``data.limit.*`` key)."""
    return DataImportError(
        message(
            "data.error.limit_exceeded",
            file=file,
            what=message(f"data.limit.{what}"),
            found=found,
            limit=limit,
        )
    )


# --- files --------------------------------------------------------------------------------------
def _kind(mode: int) -> Message:
    for test, key in _FILE_KINDS:
        if test(mode):
            return message(f"data.file_kind.{key}")
    return message("data.file_kind.other")


def read_regular_file(
    path: Path, max_bytes: int = MAX_FILE_BYTES, name: str | None = None
) -> bytes:
    """The bytes of ``path`` if it is a regular file (a symlink to one is fine) of at most
    ``max_bytes``; refuses directories, FIFOs, devices and sockets before reading from them.

    Checked twice: by name (so opening cannot block on a FIFO or touch a device), then on the
    open descriptor (so a file swapped in between is caught), and the read itself is bounded.
    """
    name = name or path.name
    try:
        mode = os.stat(path).st_mode
    except OSError as exc:
        raise DataImportError(
            message("data.error.file_unreadable", file=name, reason=exc.strerror or str(exc))
        ) from exc
    if not stat.S_ISREG(mode):
        raise DataImportError(message("data.error.not_regular_file", file=name, kind=_kind(mode)))
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise DataImportError(
            message("data.error.file_unreadable", file=name, reason=exc.strerror or str(exc))
        ) from exc
    with os.fdopen(descriptor, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise DataImportError(
                message("data.error.not_regular_file", file=name, kind=_kind(info.st_mode))
            )
        if info.st_size > max_bytes:
            raise _file_too_large(name, info.st_size, max_bytes)
        data = handle.read(max_bytes + 1)
    if len(data) > max_bytes:  # it grew while we read it
        raise _file_too_large(name, len(data), max_bytes)
    return data


def _file_too_large(name: str, size: int, limit: int) -> DataImportError:
    return DataImportError(
        message(
            "data.error.file_too_large",
            file=name,
            size_mb=round(size / 2**20, 1),
            limit_mb=round(limit / 2**20, 1),
        )
    )


# --- tables -------------------------------------------------------------------------------------
def check_table_shape(file: str, rows: int, columns: int) -> None:
    """Refuses a table of more rows, columns or cells than the limits (before it is read)."""
    if rows > MAX_TABLE_ROWS:
        raise limit_error(file, "rows", _n(rows), _n(MAX_TABLE_ROWS))
    if columns > MAX_TABLE_COLUMNS:
        raise limit_error(file, "columns", columns, MAX_TABLE_COLUMNS)
    if rows * columns > MAX_TABLE_CELLS:
        raise limit_error(file, "cells", _n(rows * columns), _n(MAX_TABLE_CELLS))


def _n(number: int) -> str:
    """12 345 678: the thousands separator that reads the same in fi, sv and en messages."""
    return f"{number:,}".replace(",", " ")


def check_parquet_metadata(metadata: Any, file: str) -> None:
    """Rows, columns and decoded size of a Parquet file, from its footer, before decoding."""
    check_table_shape(file, int(metadata.num_rows), int(metadata.num_columns))
    decoded = sum(metadata.row_group(i).total_byte_size for i in range(metadata.num_row_groups))
    if decoded > MAX_PARQUET_UNCOMPRESSED_BYTES:
        raise limit_error(file, "decoded_bytes", _mb(decoded), _mb(MAX_PARQUET_UNCOMPRESSED_BYTES))


def _mb(size: int) -> Message:
    return message("data.size.mb", n=f"{size / 2**20:.0f}")


def _kb(size: int) -> Message:
    return message("data.size.kb", n=f"{size / 1024:.0f}")


# --- Excel workbooks (zip) ----------------------------------------------------------------------
def check_xlsx_zip(data: bytes, file: str) -> zipfile.ZipFile:
    """The workbook's zip, after its declared part count, sizes and ratios passed the limits.

    The declared sizes bound the work: Python's zipfile, which openpyxl reads through, stops
    inflating a part at its declared size (and then fails its CRC check) rather than trusting
    the compressed stream.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        parts = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError) as exc:
        raise DataImportError(
            message("data.error.corrupt_file", file=file, kind="Excel", reason=str(exc)[:160])
        ) from exc
    if len(parts) > MAX_XLSX_MEMBERS:
        raise limit_error(file, "zip_members", len(parts), MAX_XLSX_MEMBERS)
    total = sum(part.file_size for part in parts)
    if total > MAX_XLSX_UNCOMPRESSED_BYTES:
        raise limit_error(file, "uncompressed_bytes", _mb(total), _mb(MAX_XLSX_UNCOMPRESSED_BYTES))
    for part in parts:
        ratio = part.file_size / max(part.compress_size, 1)
        if part.file_size > _RATIO_FROM_BYTES and ratio > MAX_XLSX_RATIO:
            raise limit_error(file, "zip_ratio", f"{part.filename}: {ratio:.0f}", MAX_XLSX_RATIO)
    return archive


# --- JSON ---------------------------------------------------------------------------------------
_JSON_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"')


def check_json_shape(data: bytes, file: str) -> None:
    """Nesting depth and number of objects and arrays of a JSON text, counted on its bytes
    (strings left out) before any Python object is built."""
    skeleton = np.frombuffer(_JSON_STRING.sub(b"", data), dtype=np.uint8)
    opens = (skeleton == ord("[")) | (skeleton == ord("{"))
    containers = int(opens.sum())
    if containers > MAX_JSON_CONTAINERS:
        raise limit_error(file, "json_containers", _n(containers), _n(MAX_JSON_CONTAINERS))
    closes = (skeleton == ord("]")) | (skeleton == ord("}"))
    steps = opens.astype(np.int8) - closes.astype(np.int8)
    steps = steps[steps != 0]
    depth = int(np.cumsum(steps, dtype=np.int64).max()) if len(steps) else 0
    if depth > MAX_JSON_DEPTH:
        raise limit_error(file, "json_depth", depth, MAX_JSON_DEPTH)


def load_json(data: bytes, file: str) -> Any:
    """The JSON document in ``data``, within the shape limits; refused naming the file."""
    check_json_shape(data, file)
    try:
        return json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise DataImportError(
            message("data.error.corrupt_file", file=file, kind="JSON", reason=str(exc)[:200])
        ) from exc


# --- YAML ---------------------------------------------------------------------------------------
class _YamlLimit(Exception):
    def __init__(self, what: str, found: Any, limit: Any):
        super().__init__(what)
        self.what, self.found, self.limit = what, found, limit


class _BoundedLoader(yaml.SafeLoader):
    """SafeLoader that counts, while composing the node graph and so before any Python object
    is constructed: nesting depth, aliases and anchors, and the size of the document with every
    alias expanded (which is what grows exponentially in an alias bomb)."""

    def __init__(self, stream: str):
        super().__init__(stream)
        self._depth = 0
        self._aliases = 0
        self._sizes: dict[int, int] = {}

    def compose_node(self, parent: Any, index: Any) -> Any:
        # an alias (*a) or an anchor (&a) on the node about to be composed
        if getattr(self.peek_event(), "anchor", None) is not None:
            self._aliases += 1
            if self._aliases > MAX_YAML_ALIASES:
                raise _YamlLimit("yaml_aliases", self._aliases, MAX_YAML_ALIASES)
        self._depth += 1
        if self._depth > MAX_YAML_DEPTH:
            raise _YamlLimit("yaml_depth", self._depth, MAX_YAML_DEPTH)
        try:
            node = super().compose_node(parent, index)
        finally:
            self._depth -= 1
        if id(node) not in self._sizes:
            size = 1
            if isinstance(node, yaml.SequenceNode):
                size += sum(self._sizes.get(id(child), 1) for child in node.value)
            elif isinstance(node, yaml.MappingNode):
                size += sum(
                    self._sizes.get(id(key), 1) + self._sizes.get(id(value), 1)
                    for key, value in node.value
                )
            if size > MAX_YAML_NODES:
                raise _YamlLimit("yaml_nodes", _n(size), _n(MAX_YAML_NODES))
            self._sizes[id(node)] = size
        return node


def check_yaml_size(data: bytes, file: str) -> None:
    if len(data) > MAX_YAML_BYTES:
        raise limit_error(file, "yaml_bytes", _kb(len(data)), _kb(MAX_YAML_BYTES))


def load_yaml(text: str, file: str) -> Any:
    """The YAML document ``text``, safely loaded within the limits (``check_yaml_size`` first,
    on its bytes)."""
    loader = None
    try:
        loader = _BoundedLoader(text)  # the reader already checks the characters here
        return loader.get_single_data()
    except _YamlLimit as exc:
        raise limit_error(file, exc.what, exc.found, exc.limit) from None
    except (yaml.YAMLError, RecursionError) as exc:
        raise DataImportError(
            message("data.error.corrupt_file", file=file, kind="YAML", reason=str(exc)[:200])
        ) from exc
    finally:
        if loader is not None:
            loader.dispose()
