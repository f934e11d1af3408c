"""Pages run inside app.py's navigation, never on their own (ui layer).

Streamlit (1.67) decides at the start of every script run whether the app is an old-style
``pages/`` folder app, which runs a page file directly, or uses ``st.navigation``: the class flag
``PagesManager.uses_pages_directory`` starts True when ``pages/`` exists and turns False only when
app.py calls ``st.navigation``. Sessions that open at the same moment as the server's first one
(several phones scanning a QR code, a replica restarted under load) read the flag before that and
run the page file without app.py: no language, data choice or municipality chosen, and the page
fails. ``require_app`` at the top of every page notices and starts the run again, through app.py.
"""

from __future__ import annotations

import contextvars
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

_THROUGH_APP: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "kuntadash_through_app", default=False
)


@contextmanager
def through_app() -> Iterator[None]:
    """app.py runs the chosen page inside this."""
    token = _THROUGH_APP.set(True)
    try:
        yield
    finally:
        _THROUGH_APP.reset(token)


def _run_as_pages_folder_app() -> bool:
    """Whether Streamlit's old-style runner (``_mpa_v1`` in script_runner.py) runs this script."""
    frame = sys._getframe(1)
    while frame is not None:
        if frame.f_code.co_name == "_mpa_v1":
            return True
        frame = frame.f_back
    return False


def require_app() -> None:
    """Run this page again through app.py when Streamlit ran it on its own.

    (A test that runs a page file by itself with AppTest is left alone: no old-style runner.)
    """
    if _THROUGH_APP.get() or not _run_as_pages_folder_app():
        return
    # What app.py's st.navigation would have set; so the rerun cannot land here again.
    PagesManager.uses_pages_directory = False
    st.rerun()
