"""Nothing a reader sees asks them to run a command: no shell command, program or module name,
command-line flag or environment variable in any page listed in app.py (every language, on the
sample and on the official snapshot), in a broken data set's message, on the event slides or in
the PDF brief. Readers are told what happens in plain words ("an administrator can update the
figures"); the commands belong to the administrator's view of the Data page, shown only after
signing in, and to the command line's own messages.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from kuntadash.i18n import LANGUAGES
from kuntadash.store.locations import DATA_DIR_ENV
from kuntadash.ui.map import COMPONENT_NAME, MAP_CSS
from tests.app.test_words_on_pages import _rendered
from tests.apptest import app_pages, run_page
from tests.conftest import OFFICIAL_DIR, REPO

# Every page the app lists (app.py's st.Page calls), so a page added later is covered too.
PAGES = app_pages()
COMMAND = re.compile(
    r"\bkuntadash (?:data|update|import|sample|check|official|register)\b"  # its commands
    r"|\bpython\d?\b|\bstreamlit run\b|\buv run\b|\bpip install\b"  # programs
    r"|KUNTADASH_\w*|\$[A-Z][A-Z_]{3,}"  # environment variables
    r"|(?<![\w-])--[a-z][\w-]*"  # command-line flags
    r"|\w\.py\b"  # program files
    r"|\bkuntadash\.\w|\b(?:ui|views|domain|store|pipeline|sources|report|charts|importing)"
    r"\.[a-z_]+\b",  # dotted module names
    re.IGNORECASE,
)
_SCRIPT = re.compile(r"<script\b.*?</script>", re.DOTALL | re.IGNORECASE)
_ADDRESS = re.compile(r"https?://\S+")


def _commands(texts: list[str]) -> list[str]:
    found = []
    for text in texts:
        if text in (COMPONENT_NAME, MAP_CSS):  # the map component's name and style sheet
            continue
        shown = _ADDRESS.sub("", _SCRIPT.sub("", text)).replace("\\", "")
        found += [f"{m.group(0)!r} in {shown[:140]!r}" for m in COMMAND.finditer(shown)]
    return sorted(set(found))


def test_the_pages_are_read_from_app_py_and_the_pattern_catches_commands():
    assert {"overview", "municipality", "compare", "data", "event"} <= set(PAGES)
    for text in (
        "Ylläpitäjä ajaa komennon `kuntadash data update`.",
        "Aseta ympäristömuuttuja `KUNTADASH_PUBLIC_URL`.",
        "python3 -m uv run streamlit run app.py",
        "anna valitsin --year",
        "katso kuntadash.ui.admin",
        "lähde: views.profile",
    ):
        assert _commands([text]), text
    clean = [
        "Lähde: laskettu kuntadashissa; Tilastokeskus (CC BY 4.0), 2019–2024.",
        "Source: computed by kuntadash from the catalogue's indicators.",
        "Ylläpitäjä voi päivittää luvut virallisista palveluista.",
        "Sama näkymä verkossa: https://kunnat.example.fi/municipality?kunta=545",
        "Näkymä 1/5 – sija 12/47",
    ]
    assert not _commands(clean)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_profile_slide_names_no_command(lang):
    found = _commands(_rendered(run_page("event", lang, slide="5", kunta="049")))
    assert not found, found


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_data_set_that_cannot_be_read_is_explained_without_commands(
    lang, tmp_path: Path, monkeypatch
):
    monkeypatch.setenv(DATA_DIR_ENV, str(tmp_path))  # an empty folder: no snapshot at all
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    at.query_params["lang"] = lang
    at.run()
    shown = [e.value for e in at.error]
    assert shown, "the reader is told the page cannot be shown"
    found = _commands(shown)
    assert not found, found


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_brief_names_no_command(lang, offered_files):
    run_page("municipality", lang, kunta="091")
    (name,) = [name for name in offered_files if name.endswith(".pdf")]
    reader = PdfReader(io.BytesIO(offered_files[name]()))
    text = " ".join(page.extract_text() for page in reader.pages)
    found = _commands(text.splitlines())
    assert not found, found


def test_the_signed_in_administrator_may_see_the_commands(monkeypatch):
    """The line the reader's view leaves out: the administrator's Data page names the command
    that built the data (the scan above would flag it), and only after signing in."""
    from kuntadash import access
    from tests.fixtures.admin import SECRET, try_sign_in

    monkeypatch.setenv(access.SECRET_ENV, SECRET)
    monkeypatch.setenv(DATA_DIR_ENV, str(OFFICIAL_DIR))  # its manifest names its command
    reader = run_page("data", "en")
    assert not _commands(_rendered(reader))
    admin = try_sign_in(reader, SECRET, "en")
    assert _commands([c.value for c in admin.caption]), "the build command is shown to the admin"
