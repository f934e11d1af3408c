"""Read-only unless the operator says otherwise (pages/data.py, kuntadash.ui.admin).

Without a configured secret no page offers anything that changes data. With one, a session
signs in with it; wrong attempts are refused and slowed down, per session and per server
process; nothing in a link grants rights.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest
from streamlit.proto.TextInput_pb2 import TextInput as TextInputProto
from streamlit.testing.v1 import AppTest

from kuntadash import access
from kuntadash.i18n import translate
from kuntadash.pipeline import update
from kuntadash.pipeline.worker import SECONDS_ENV
from kuntadash.sources.errors import SourceError
from kuntadash.store import read_snapshot
from kuntadash.store.locations import BUNDLED_SAMPLE_DIR
from kuntadash.store.snapshot import snapshot_lock
from kuntadash.ui import admin
from kuntadash.ui.admin import SWITCH_KEY, TOKEN_KEY
from kuntadash.ui.widgets import escape_markdown
from tests import paths
from tests.fixtures.admin import SECRET, try_sign_in
from tests.fixtures.bombs import xlsx_zip_bomb
from tests.fixtures.import_helpers import folder_bytes
from tests.fixtures.locks import lock_is_free

REPO = paths.REPO
PAGE = str(REPO / "pages" / "data.py")


class Clock:
    """The sign-in brakes' clock, moved by the test."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(autouse=True)
def brakes(monkeypatch) -> Clock:
    """A fresh process-wide attempt window and a test clock for every test."""
    clock = Clock()
    monkeypatch.setattr(admin, "clock", clock)
    monkeypatch.setattr(admin, "PROCESS_ATTEMPTS", access.AttemptWindow())
    monkeypatch.delenv(access.SECRET_ENV, raising=False)
    return clock


@pytest.fixture
def with_secret(monkeypatch) -> str:
    monkeypatch.setenv(access.SECRET_ENV, SECRET)
    return SECRET


def data_page(lang: str = "fi", **params: str) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.session_state["lang"] = lang
    for name, value in params.items():
        at.query_params[name] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def can_change_data(at: AppTest) -> bool:
    update = translate("data.page.update_button", "fi")
    return bool(at.get("file_uploader")) or any(b.label == update for b in at.button)


def errors(at: AppTest) -> str:
    return " ".join(e.value for e in at.error)


# --- read-only by default -------------------------------------------------------------------------
@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_without_a_secret_the_data_page_shows_status_and_sources_only(lang):
    at = data_page(lang)
    assert len(at.dataframe) == 2  # status, sources and licences
    assert not at.button and not at.get("file_uploader")
    assert not at.toggle and not at.text_input
    assert translate("admin.read_only", lang) in [c.value for c in at.caption]


def test_without_a_secret_no_page_of_the_app_offers_to_change_data():
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    at.run()
    for page in ("overview", "municipality", "compare", "groups", "indicators", "event", "data"):
        at.switch_page(f"pages/{page}.py")
        at.run()
        assert not at.exception, page
        assert not at.get("file_uploader"), page
        assert not any(b.key == "data_update" for b in at.button), page


@pytest.mark.parametrize(
    "params",
    [
        {"admin": "1"},
        {"admin": "true", "secret": SECRET},
        {"admin_secret": SECRET},
        {TOKEN_KEY: "x", SWITCH_KEY: "true"},
    ],
)
def test_nothing_in_a_link_grants_rights(with_secret, params):
    at = data_page(**params)
    assert not can_change_data(at)
    assert at.toggle(key=SWITCH_KEY).value is False  # the switch is not bound to the URL


def test_a_short_secret_keeps_the_app_read_only(monkeypatch, caplog):
    monkeypatch.setenv(access.SECRET_ENV, "hunter2")
    at = data_page()
    assert not at.toggle and not can_change_data(at)
    assert "administration is off" in caplog.text


# --- signing in -----------------------------------------------------------------------------------
def test_with_a_secret_the_page_asks_for_it_before_offering_anything(with_secret):
    at = data_page()
    assert not can_change_data(at)
    at.toggle(key=SWITCH_KEY).set_value(True).run()
    assert at.text_input(key="_admin_secret_input").proto.type == TextInputProto.PASSWORD
    assert not can_change_data(at)


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_the_right_secret_opens_update_and_import(with_secret, lang):
    at = try_sign_in(data_page(lang), SECRET, lang)
    assert can_change_data(at)
    assert translate("admin.signed_in", lang) in [c.value for c in at.caption]
    # The secret itself is not kept in the session (the form cleared its field).
    kept = at.session_state.to_dict()
    assert kept[TOKEN_KEY] and all(SECRET not in str(value) for value in kept.values())
    at.run()  # and the session stays signed in
    assert can_change_data(at)


def test_the_secret_may_come_from_streamlit_secrets():
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.secrets[access.SECRET_KEY] = SECRET
    at.run()
    assert at.toggle(key=SWITCH_KEY)
    assert can_change_data(try_sign_in(at, SECRET))


def test_signing_out_and_a_new_secret_end_the_rights(with_secret, monkeypatch):
    at = try_sign_in(data_page(), SECRET)
    next(b for b in at.button if b.key == "admin_sign_out").click().run()
    assert not can_change_data(at)
    at = try_sign_in(data_page(), SECRET)
    monkeypatch.setenv(access.SECRET_ENV, SECRET + "-rotated")
    at.run()
    assert not can_change_data(at)


# --- wrong attempts: refused and slowed down ------------------------------------------------------
@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_a_wrong_secret_is_refused_and_the_next_attempt_must_wait(with_secret, brakes, lang):
    at = try_sign_in(data_page(lang), "not-the-secret", lang)
    assert not can_change_data(at)
    assert translate("admin.wrong_secret", lang, seconds=2) in errors(at)
    # Even the right secret is not looked at until the delay is over.
    try_sign_in(at, SECRET, lang)
    assert not can_change_data(at)
    assert translate("admin.wait", lang, seconds=2) in errors(at)
    brakes.now += 2.1
    assert can_change_data(try_sign_in(at, SECRET, lang))


def test_each_wrong_attempt_doubles_the_wait(with_secret, brakes):
    at = data_page("en")
    for seconds in (2, 4, 8, 16):
        try_sign_in(at, "wrong", "en")
        assert translate("admin.wrong_secret", "en", seconds=seconds) in errors(at)
        brakes.now += seconds + 0.1


def test_the_server_takes_only_so_many_wrong_attempts_a_minute(with_secret, brakes, monkeypatch):
    """A new session per guess does not get around the per-session delay."""
    monkeypatch.setattr(admin, "PROCESS_ATTEMPTS", access.AttemptWindow(limit=3))
    for _ in range(3):
        try_sign_in(data_page("en"), "wrong", "en")
    fresh = try_sign_in(data_page("en"), SECRET, "en")
    assert not can_change_data(fresh)
    assert translate("admin.server_wait", "en", seconds=60) in errors(fresh)
    brakes.now += 61
    assert can_change_data(try_sign_in(data_page("en"), SECRET, "en"))


# --- administration works -------------------------------------------------------------------------
@pytest.fixture
def served(tmp_path, monkeypatch) -> Path:
    target = tmp_path / "data"
    shutil.copytree(BUNDLED_SAMPLE_DIR, target)
    monkeypatch.setenv("KUNTADASH_DATA_DIR", str(target))
    return target


def _submit_import(at: AppTest, name: str, data: bytes, mime: str) -> AppTest:
    at.get("file_uploader")[0].set_value((name, data, mime))
    submit = next(b for b in at.button if b.label == translate("data.page.import_button", "fi"))
    submit.click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


class UploadStore:
    """Stands in for the server's uploaded-file manager (AppTest runs without a server)."""

    def __init__(self) -> None:
        self.freed: list[str] = []
        self.uploaded_file_mgr = self

    def exists(self) -> bool:
        return True

    def get_instance(self) -> UploadStore:
        return self

    def remove_session_files(self, session_id: str) -> None:
        self.freed.append(session_id)


def test_an_administrator_imports_a_file_through_the_page(with_secret, served, monkeypatch):
    uploads = UploadStore()
    monkeypatch.setattr(admin, "runtime", uploads)
    at = try_sign_in(data_page(), SECRET)
    data = (REPO / "tests" / "fixtures" / "import" / "tidy_semicolon_latin1.csv").read_bytes()
    _submit_import(at, "kunnat.csv", data, "text/csv")
    assert translate("data.page.import_done", "fi") in [s.value for s in at.success]
    assert "020" in set(read_snapshot(served).values["municipality_code"])
    # The import has ended: its files are let go and the uploader starts empty.
    assert len(uploads.freed) == 1 and uploads.freed[0]
    assert at.get("file_uploader")[0].key == "data_import_files_1"


@pytest.fixture
def permits(monkeypatch) -> access.UploadPermits:
    fresh = access.UploadPermits()
    monkeypatch.setattr(admin, "UPLOAD_PERMITS", fresh)
    return fresh


def _permitted(permits: access.UploadPermits) -> int:
    return len(permits._sessions)


def test_only_an_administrator_on_the_data_page_may_upload(with_secret, permits):
    """The request guard (kuntadash.ui.guard) accepts uploads only for the sessions here."""
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    at.switch_page("pages/data.py")
    at.run()
    assert _permitted(permits) == 0  # a visitor: no uploader, no uploads
    try_sign_in(at, SECRET)
    assert at.get("file_uploader") and _permitted(permits) == 1
    at.switch_page("pages/overview.py")
    at.run()
    assert _permitted(permits) == 0  # a page without an uploader revokes it
    at.switch_page("pages/data.py")
    at.run()
    assert _permitted(permits) == 1
    next(b for b in at.button if b.key == "admin_sign_out").click().run()
    assert _permitted(permits) == 0


def test_a_bomb_uploaded_through_the_page_is_stopped_and_changes_nothing(
    with_secret, served, monkeypatch
):
    monkeypatch.setenv(SECONDS_ENV, "4")
    before = folder_bytes(served)
    at = try_sign_in(data_page(), SECRET)
    started = time.monotonic()
    _submit_import(at, "rows.xlsx", xlsx_zip_bomb(), "application/octet-stream")
    assert time.monotonic() - started < 4 + 10
    shown = " ".join(m.value for m in at.markdown)
    # Stopped by the worker's budget, or refused up front by the importer's zip limits.
    stopped = [
        escape_markdown(translate(key, "fi", seconds="4", limit_mb=2048))
        for key in ("data.error.import_over_time", "data.error.import_over_memory")
    ]
    refused = escape_markdown(translate("data.limit.zip_ratio", "fi"))
    assert any(text in shown for text in stopped) or refused in shown, shown
    assert folder_bytes(served) == before
    assert lock_is_free(served)


def test_a_failed_update_says_why_and_frees_the_lock(with_secret, served, monkeypatch):
    def failing_update(folder, year, progress=None, **_):
        with snapshot_lock(folder):
            progress("Tilastokeskus", 0.3)
            raise SourceError("Tilastokeskus", "data.error.source_timeout", url="https://x.invalid")

    monkeypatch.setattr(update, "run_update", failing_update)
    before = folder_bytes(served)
    at = try_sign_in(data_page("sv"), SECRET, "sv")
    next(b for b in at.button if b.key == "data_update").click().run()
    assert not at.exception
    assert translate("data.page.update_failed", "sv") in errors(at)
    assert lock_is_free(served)
    assert folder_bytes(served) == before


def test_a_finished_update_names_each_skipped_indicator_and_why(with_secret, served, monkeypatch):
    from kuntadash.pipeline.update import UpdateResult
    from kuntadash.sources.step import Skipped

    skipped = [
        Skipped(
            "jobs_self_sufficiency", "data.skip.code_missing", {"table": "142h.px", "code": "M151"}
        )
    ]

    def finished_update(folder, year, progress=None, **_):
        return UpdateResult(read_snapshot(folder), {"Tilastokeskus": 10}, skipped)

    monkeypatch.setattr(update, "run_update", finished_update)
    at = try_sign_in(data_page("sv"), SECRET, "sv")
    next(b for b in at.button if b.key == "data_update").click().run()
    assert not at.exception
    shown = " ".join(m.value for m in at.markdown)
    assert escape_markdown(translate("data.note.update_skipped", "sv", count=1)) in shown
    assert escape_markdown(skipped[0].render("sv")) in shown  # the id and the reason, in Swedish
    assert "M151" in shown


# --- the brakes themselves (kuntadash.access) -----------------------------------------------------
def test_the_session_delay_doubles_up_to_a_ceiling():
    attempts = access.SessionAttempts()
    delays = [attempts.failed(0.0) for _ in range(12)]
    assert delays[:4] == [2.0, 4.0, 8.0, 16.0]
    assert max(delays) == access.MAX_DELAY_S
    assert attempts.wait(0.0) == access.MAX_DELAY_S
    attempts.succeeded()
    assert attempts.wait(0.0) == 0


def test_the_process_window_forgets_attempts_older_than_a_minute():
    window = access.AttemptWindow(limit=2, window=60.0)
    window.failed(0.0)
    window.failed(10.0)
    assert window.wait(30.0) == 30.0  # until the first one is a minute old
    assert window.wait(60.5) == 0.0


@pytest.mark.parametrize(
    ("raw", "expected"),
    [(None, None), ("", None), ("  \n", None), (f" {SECRET}\n", SECRET)],
)
def test_the_configured_secret_is_read_without_surrounding_whitespace(raw, expected):
    assert access.usable_secret(raw) == expected


def test_a_short_secret_is_refused():
    with pytest.raises(access.WeakSecretError):
        access.usable_secret("x" * (access.MIN_SECRET_LENGTH - 1))


def test_secret_comparison_and_session_tokens():
    assert access.secret_matches(SECRET, SECRET)
    assert not access.secret_matches(SECRET + "x", SECRET)
    assert not access.secret_matches("", SECRET)
    assert access.secret_matches("sala-ÄÖÅ-1234567890", "sala-ÄÖÅ-1234567890")
    token = access.session_token(SECRET)
    assert SECRET not in token and access.token_matches(token, SECRET)
    assert not access.token_matches(token, SECRET + "-rotated")
    assert not access.token_matches(None, SECRET)
