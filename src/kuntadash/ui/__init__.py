"""UI layer: the only package besides app.py and pages/ that imports streamlit."""

from __future__ import annotations

import sys
from pathlib import Path

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager
from streamlit.runtime.scriptrunner import get_script_run_ctx

# NOTE: Streamlit 1.67 treats an app with a folder named pages/ next to the entry script as an
# old-style (v1) multipage app until ``st.navigation`` has run once in the process
# (streamlit/runtime/pages_manager.py, commands/navigation.py). So the very first request of a
# freshly started server for a deep link such as /event?kunta=049 ran pages/event.py on its own,
# without app.py (no sidebar, no language, no shared state): a copied link broke on a restarted
# server. When a page script runs without app.py, the first import of this package therefore
# switches the v1 mode off and reruns, so the run goes through app.py's st.navigation to the
# same page (page ids are hashes of the URL path, identical in both modes). A request that
# already runs app.py is left alone (st.navigation switches the mode off itself; a rerun there
# kept that session's later link updates from reaching the browser). Renaming pages/ would make
# all this moot.


def _inside_app_py() -> bool:
    frame = sys._getframe()
    while frame is not None:
        if Path(frame.f_code.co_filename).name == "app.py":
            return True
        frame = frame.f_back
    return False


if PagesManager.uses_pages_directory and get_script_run_ctx() is not None and not _inside_app_py():
    PagesManager.uses_pages_directory = False
    st.rerun()
