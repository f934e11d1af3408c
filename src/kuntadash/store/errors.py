"""Errors of the store layer, each with a sentence for anyone and a detail for the operator.

``str(error)`` is the detail: English, it may name server paths, for logs and the command line.
``error.render(lang)`` is the sentence shown to users, web visitors included: translated (a key
in ``resources/locales/store.yaml`` or ``data.yaml`` with parameters that never hold a path) and
saying what to do. Callers that carry translatable messages of their own (the importer's
``Message``, ``UpdateError``) take ``key`` and ``params`` over as they are.
"""

from __future__ import annotations

import errno
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from kuntadash.errors import UserError
from kuntadash.i18n import translate


class SnapshotError(UserError, RuntimeError):
    """A snapshot cannot be read or written; ``str()`` names the folder and file (for the
    operator's log), ``render(lang)`` is the path-free sentence for users."""

    key = "store.read.damaged"

    def __init__(self, detail: str, key: str | None = None, **params: Any):
        super().__init__(key, log=detail, **params)


class SnapshotBusyError(SnapshotError):
    """Another update or import holds the snapshot's lock."""

    key = "data.error.busy"


class SnapshotTargetError(SnapshotError):
    """The target is no place for a snapshot (a file, a device, someone's folder, ``/`` …):
    refused before anything was written."""

    key = "store.target.not_snapshot"


class SnapshotWriteError(SnapshotError):
    """The operating system refused the write (disk full, no permission, read-only file
    system …); the previous snapshot, if there was one, is unchanged (the ``previous``
    parameter says which: ``Outcome``)."""

    key = "store.write.failed"


@dataclass(frozen=True)
class Outcome:
    """A sentence of its own inside a message: what became of the target (translatable)."""

    key: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def render(self, lang: str) -> str:
        return translate(self.key, lang)


PREVIOUS_KEPT = Outcome("store.write.previous_kept")
NONE_CREATED = Outcome("store.write.none_created")


_WRITE_KEYS = {
    errno.ENOSPC: "store.write.disk_full",
    errno.EDQUOT: "store.write.disk_full",
    errno.EFBIG: "store.write.disk_full",
    errno.EACCES: "store.write.permission",
    errno.EPERM: "store.write.permission",
    errno.EROFS: "store.write.read_only",
    errno.ENOENT: "store.write.vanished",
}
# pyarrow raises OSError without errno and writes "[Errno 28] No space left on device" (or the
# bare strerror) into the message instead.
_ERRNO_IN_TEXT = re.compile(r"\[Errno (\d+)\]|errno[ :=]+(\d+)", re.IGNORECASE)


def _errno_of(exc: OSError) -> int | None:
    if exc.errno:
        return int(exc.errno)
    text = str(exc)
    found = _ERRNO_IN_TEXT.search(text)
    if found:
        return int(found.group(1) or found.group(2))
    for code in _WRITE_KEYS:
        if os.strerror(code).lower() in text.lower():
            return code
    return None


def write_error(exc: OSError, detail: str) -> SnapshotWriteError:
    """The translatable form of an OS error met while writing (``detail`` names the place)."""
    code = _errno_of(exc)
    key = _WRITE_KEYS.get(code or 0, "store.write.failed")
    # The symbolic name (EIO) is the same in every language, unlike the system's English text.
    name = errno.errorcode.get(code or 0, type(exc).__name__)
    return SnapshotWriteError(f"{detail}: {exc}", key, code=name, previous=PREVIOUS_KEPT)
