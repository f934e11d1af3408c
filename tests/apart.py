"""Running a piece of a test in a thread of its own, away from the worker's event loop.

Under pytest-xdist a worker runs many test files in one process. Once a browser test has run
there, pytest-playwright's session-wide sync API keeps an event loop running in the main thread
for the rest of the session, so a later ``asyncio.run(...)`` or ``sync_playwright()`` in the same
worker fails ("cannot be called from a running event loop"). A test that needs a loop or a
Playwright of its own runs that part through :func:`run_apart` (or :func:`run_async`), which
gives it a fresh thread with no loop; its result or exception comes back unchanged.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")


def run_apart(function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """``function(*args, **kwargs)`` in a new thread; returns its result or raises its error."""
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="apart") as pool:
        return pool.submit(function, *args, **kwargs).result()


def run_async(coroutine: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run(coroutine)`` in a new thread (see the module's docstring)."""
    return run_apart(asyncio.run, coroutine)
