"""Running a page of the app through app.py with AppTest, as the server does (test helper)."""

from __future__ import annotations

import re
from pathlib import Path

from streamlit.testing.v1 import AppTest

REPO = Path(__file__).resolve().parents[1]


def app_pages() -> tuple[str, ...]:
    """Every page the app's navigation lists (app.py's ``st.Page("pages/<name>.py", ...)``
    calls), in its order: a page added there is walked by every test that uses this."""
    return tuple(re.findall(r'"pages/(\w+)\.py"', (REPO / "app.py").read_text("utf-8")))


def run_page(page: str, lang: str = "fi", timeout: float = 90, **params: str) -> AppTest:
    """``pages/<page>.py`` in ``lang`` with link ``params``, run once; it must not raise.

    The autouse ``through_app`` fixture (conftest.py) makes switch_page go through app.py."""
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=timeout)
    at.switch_page(f"pages/{page}.py")
    at.query_params["lang"] = lang
    for name, value in params.items():
        at.query_params[name] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def open_overview_table(at: AppTest) -> AppTest:
    """Open the overview's folded table alternative, as a click on its expander does: the
    table and its downloads are sent only while it is open (a rerun)."""
    from kuntadash.ui.state import OVERVIEW_TABLE_KEY

    assert not at.dataframe, "the folded table is not sent"
    return _open_folded(at, [OVERVIEW_TABLE_KEY])


def open_profile_sections(at: AppTest) -> AppTest:
    """Open every lazily folded section of the profile, as clicks on them do: their charts,
    tables and downloads are built and sent only while open (a rerun)."""
    from kuntadash.ui.state import PROFILE_SECTION_KEYS

    return _open_folded(at, PROFILE_SECTION_KEYS.values())


def open_groups_tables(at: AppTest) -> AppTest:
    """Open the groups page's two folded table alternatives (its municipalities, the statistic
    over time), as clicks on them do."""
    from kuntadash.ui.state import GROUPS_TABLE_KEYS

    return _open_folded(at, GROUPS_TABLE_KEYS.values())


def open_everything_folded(at: AppTest) -> AppTest:
    """Open every lazily folded part of any page (the overview's table, the profile's
    sections, the groups page's tables) in one rerun: keys of another page are ignored."""
    from kuntadash.ui.state import GROUPS_TABLE_KEYS, OVERVIEW_TABLE_KEY, PROFILE_SECTION_KEYS

    keys = [OVERVIEW_TABLE_KEY, *PROFILE_SECTION_KEYS.values(), *GROUPS_TABLE_KEYS.values()]
    return _open_folded(at, keys)


def _open_folded(at: AppTest, keys) -> AppTest:
    for key in keys:
        at.session_state[key] = True
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at
