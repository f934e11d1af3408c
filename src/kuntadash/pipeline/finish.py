"""The one way a built snapshot is written: validate → lock → write → swap (pipeline layer).

Every entry (``data update``, ``data import``, ``data official``, ``data sample``) builds its
snapshot its own way and ends in :func:`finish`. It validates the snapshot, then writes it with
the store's ``write_snapshot`` (under the snapshot's lock, into a staging folder swapped into
place only when complete), so the served data is never half-written: on any failure it is
exactly as it was. It returns the written snapshot or raises :class:`NotWrittenError`, whose
``problems`` (validation) or key and parameters (a busy lock, a refused target, a full disk …)
each entry turns into its own sentence ("nothing written", "the current data is unchanged" …).

What should happen after every successful write (say, rebuilding derived files from the new
snapshot) registers in :data:`AFTER_WRITE`: ``finish`` calls each hook with the written snapshot
and its folder once the swap is done, and nowhere else writes a snapshot.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from kuntadash.errors import UserError
from kuntadash.store.errors import SnapshotError
from kuntadash.store.snapshot import Snapshot, write_snapshot
from kuntadash.store.validate import Problem, validate_snapshot

AfterWrite = Callable[[Snapshot, Path], Any]
# Called in order after each successful write, with the written snapshot and its folder; the
# entry's own lock (update and import hold one over read-merge-write) may still be held. A hook
# returns a note for the entry's report (anything with ``render(lang)``) or None, and never
# raises for a failure of its own: the snapshot is already written. The pipeline registers none
# itself (it may not import the layers above it); an entry point does (cli: the static pages).
AFTER_WRITE: list[AfterWrite] = []


class NotWrittenError(UserError):
    """Nothing was written and the target is as it was. ``problems``: why the snapshot failed
    validation (empty when the store refused instead: then ``key`` and ``params`` are the
    store's sentence and the store's error is the cause)."""

    key = "data.error.validation"

    def __init__(
        self, key: str | None = None, problems: Sequence[Problem] = (), **params: Any
    ) -> None:
        self.problems: list[Problem] = list(problems)
        if self.problems and "problem" not in params:
            params["problem"] = "; ".join(map(str, self.problems[:5]))
        super().__init__(key, **params)


def finish(snapshot: Snapshot, out: Path, notes: list[Any] | None = None) -> Snapshot:
    """Validate ``snapshot`` and write it to ``out``; returns the written snapshot (its version
    is the hash of the files written), then runs the :data:`AFTER_WRITE` hooks, whose notes are
    appended to ``notes`` when given."""
    problems = validate_snapshot(snapshot)
    if problems:
        raise NotWrittenError(problems=problems)
    try:
        written = write_snapshot(snapshot, Path(out))
    except SnapshotError as exc:
        raise NotWrittenError(exc.key, **exc.params) from exc
    for hook in AFTER_WRITE:
        note = hook(written, Path(out))
        if note is not None and notes is not None:
            notes.append(note)
    return written
