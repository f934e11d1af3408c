"""Store layer: the snapshot directory format, its readers and writers, and its validation."""

from kuntadash.store.errors import (
    SnapshotBusyError,
    SnapshotError,
    SnapshotTargetError,
    SnapshotWriteError,
)
from kuntadash.store.snapshot import (
    FORMAT_VERSION,
    Snapshot,
    read_manifest,
    read_snapshot,
    write_snapshot,
)
from kuntadash.store.targets import check_target
from kuntadash.store.validate import Problem, summarise_snapshot, validate_snapshot

__all__ = [
    "FORMAT_VERSION",
    "Problem",
    "Snapshot",
    "SnapshotBusyError",
    "SnapshotError",
    "SnapshotTargetError",
    "SnapshotWriteError",
    "check_target",
    "read_manifest",
    "read_snapshot",
    "summarise_snapshot",
    "validate_snapshot",
    "write_snapshot",
]
