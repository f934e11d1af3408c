"""Figures computed once per snapshot (kuntadash.views.memo): the same result for the same read,
a fresh one for a new read of the same folder (an update swapped in)."""

from __future__ import annotations

from kuntadash.store import read_snapshot
from kuntadash.views.memo import once_per_snapshot
from tests.conftest import SAMPLE_DIR


def test_computed_once_per_read_and_again_for_a_new_read():
    calls = []

    def compute():
        calls.append(1)
        return object()

    first = read_snapshot(SAMPLE_DIR)
    result = once_per_snapshot(first, "test-thing", compute)
    assert once_per_snapshot(first, "test-thing", compute) is result
    assert len(calls) == 1
    assert once_per_snapshot(first, ("test-thing", "sv"), compute) is not result
    second = read_snapshot(SAMPLE_DIR)  # a new read: the values may have changed
    assert once_per_snapshot(second, "test-thing", compute) is not result
    assert len(calls) == 3
