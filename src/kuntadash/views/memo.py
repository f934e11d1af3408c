"""Figures computed once per snapshot and reused by every view that asks (views layer).

A snapshot's tables do not change once read (the app shares one read per process, see
ui.loaders), so what is derived from them alone (the population history, the regions' names,
the indicators with data) need not be derived again on every rerun. Kept per snapshot object:
a new read (an update swapped in) computes afresh; a bounded number of results is kept.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from kuntadash.store import Snapshot

T = TypeVar("T")

_MAX_ENTRIES = 64
_lock = threading.Lock()
# (what, id of the snapshot's values) -> (the values frame itself, the result): the frame is held
# so that its id is not reused by another while the entry lives.
_results: dict[tuple[Hashable, int], tuple[Any, Any]] = {}


def once_per_snapshot(snapshot: Snapshot, what: Hashable, compute: Callable[[], T]) -> T:
    """``compute()`` for ``snapshot`` the first time ``what`` is asked of it, then the same
    result (treat it as read-only)."""
    key = (what, id(snapshot.values))
    with _lock:
        hit = _results.get(key)
    if hit is not None and hit[0] is snapshot.values:
        return hit[1]
    result = compute()
    with _lock:
        if len(_results) >= _MAX_ENTRIES:
            _results.clear()
        _results[key] = (snapshot.values, result)
    return result
