"""Administration on the Data page: signing in, and imports bound to the session (UI layer).

Read-only unless the operator says otherwise: with no secret configured no page offers anything
that changes data. The secret comes from ``KUNTADASH_ADMIN_SECRET`` in the environment, else
``admin_secret`` in ``.streamlit/secrets.toml`` (``st.secrets``). A session then signs in with
it once (a password field behind an "Administration" switch that is a plain widget, never a URL
parameter: nothing in a link grants rights) and stays signed in until it ends or signs out.
Wrong attempts are refused and slowed down (kuntadash.access).

Imports started here run in a bounded child process (kuntadash.pipeline.worker) that is
stopped when the script run waiting for it is stopped, which Streamlit does when the session
disconnects, and, independently, when Streamlit releases the session's resources
(``st.cache_resource(scope="session", on_release=...)``, Streamlit 1.67).
"""

from __future__ import annotations

import logging
import math
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import streamlit as st
from streamlit import runtime
from streamlit.errors import StreamlitSecretNotFoundError
from streamlit.runtime.scriptrunner import get_script_run_ctx

from kuntadash.access import (
    PROCESS_ATTEMPTS,
    SECRET_ENV,
    SECRET_KEY,
    UPLOAD_PERMITS,
    SessionAttempts,
    WeakSecretError,
    secret_matches,
    session_token,
    token_matches,
    usable_secret,
)
from kuntadash.errors import message
from kuntadash.pipeline.uploads import start_upload_import
from kuntadash.pipeline.worker import ImportJob, ImportSummary
from kuntadash.ui import guard
from kuntadash.ui.i18n import t

LOG = logging.getLogger(__name__)

TOKEN_KEY = "_admin_token"
ATTEMPTS_KEY = "_admin_attempts"
SWITCH_KEY = "_admin_switch"
_SECRET_INPUT_KEY = "_admin_secret_input"
# Whether this script run drew a file uploader (then the session may upload; see offer_uploads).
_UPLOADER_KEY = "_admin_uploader_drawn"
# Bumped when an import ends: the uploader starts empty again (its files are freed).
_UPLOADER_ROUND_KEY = "_admin_uploader_round"
# The clock of the sign-in brakes (monotonic: a changed system time neither opens nor locks).
clock: Callable[[], float] = time.monotonic
_warned: set[str] = set()


def configured_secret() -> str | None:
    """The administration secret the operator set, or None: then the app is read-only."""
    raw: object = os.environ.get(SECRET_ENV)
    where = SECRET_ENV
    if not raw:
        where = f"{SECRET_KEY} in secrets.toml"
        try:
            raw = st.secrets.get(SECRET_KEY)
        except StreamlitSecretNotFoundError as exc:
            # No secrets file at all is the read-only default; a broken one deserves a word.
            if "No secrets found" not in str(exc) and "secrets.toml" not in _warned:
                _warned.add("secrets.toml")
                LOG.warning("administration is off: the secrets file cannot be read (%s)", exc)
            raw = None
    try:
        secret = usable_secret(raw)
    except WeakSecretError as exc:
        if where not in _warned:  # once per process, not on every rerun
            _warned.add(where)
            LOG.warning("administration is off: %s (%s)", exc, where)
        return None
    if secret is not None and not guard.is_installed() and "guard" not in _warned:
        _warned.add("guard")
        LOG.warning(
            "administration is on but the server runs without its request guard: serve the "
            "app with `streamlit run serve.py` (see deploy/README.md), not app.py"
        )
    return secret


def is_admin() -> bool:
    """Whether this session signed in with the secret configured now."""
    secret = configured_secret()
    return secret is not None and token_matches(st.session_state.get(TOKEN_KEY), secret)


def sign_out() -> None:
    st.session_state.pop(TOKEN_KEY, None)
    st.session_state.pop(SWITCH_KEY, None)


def render_admin_access() -> bool:
    """The Data page's administration corner; returns whether this session may change data.

    Without a configured secret it only says the data are read-only; with one, it offers the
    switch and sign-in form, or, once signed in, says so and offers signing out."""
    secret = configured_secret()
    if secret is None:
        st.caption(t("admin.read_only"))
        return False
    if token_matches(st.session_state.get(TOKEN_KEY), secret):
        st.caption(t("admin.signed_in"))
        st.button(t("admin.sign_out"), key="admin_sign_out", on_click=sign_out)
        return True
    if not st.toggle(t("admin.switch"), key=SWITCH_KEY, help=t("admin.switch_help")):
        return False
    with st.form("admin_sign_in", clear_on_submit=True):
        given = st.text_input(
            t("admin.secret_label"),
            type="password",
            key=_SECRET_INPUT_KEY,
            autocomplete="current-password",
        )
        submitted = st.form_submit_button(t("admin.sign_in"))
    if submitted:
        refusal = _sign_in(given, secret)
        if refusal is None:
            st.rerun()
        st.error(refusal, icon=":material/lock:")
    return False


def _sign_in(given: str, secret: str) -> str | None:
    """None when ``given`` is the secret (the session is signed in), else why not."""
    now = clock()
    attempts = st.session_state.get(ATTEMPTS_KEY)
    if not isinstance(attempts, SessionAttempts):
        attempts = st.session_state[ATTEMPTS_KEY] = SessionAttempts()
    # The secret is not even compared while a brake is on: a guess then tells nothing.
    wait = attempts.wait(now)
    if wait > 0:
        return t("admin.wait", seconds=math.ceil(wait))
    wait = PROCESS_ATTEMPTS.wait(now)
    if wait > 0:
        return t("admin.server_wait", seconds=math.ceil(wait))
    if secret_matches(given, secret):
        attempts.succeeded()
        st.session_state[TOKEN_KEY] = session_token(secret)
        LOG.info("administration: a session signed in")
        return None
    delay = attempts.failed(now)
    PROCESS_ATTEMPTS.failed(now)
    LOG.warning("administration: wrong secret (attempt %d of this session)", attempts.failures)
    return t("admin.wrong_secret", seconds=math.ceil(delay))


# --- uploads: only while this session's page shows an uploader ---------------------------------
def _session_id() -> str | None:
    ctx = get_script_run_ctx()
    return ctx.session_id if ctx is not None else None


def begin_uploads_run() -> None:
    """app.py, before the page: nothing drawn an uploader in this run yet."""
    st.session_state[_UPLOADER_KEY] = False


def end_uploads_run() -> None:
    """app.py, after the page: a session whose page drew no uploader may no longer upload."""
    session_id = _session_id()
    if session_id is not None and not st.session_state.get(_UPLOADER_KEY, False):
        UPLOAD_PERMITS.revoke(session_id)


def _revoke_permit(session_id: str) -> None:
    UPLOAD_PERMITS.revoke(session_id)


@st.cache_resource(scope="session", on_release=_revoke_permit, show_spinner=False)
def _permit_for_session(session_id: str) -> str:
    """Ties the permit to the session: released (and revoked) when the session ends."""
    return session_id


def offer_uploads() -> str:
    """Call right before drawing a file uploader, only for a signed-in administrator: the
    server's request guard (kuntadash.ui.guard) then accepts this session's uploads. Returns
    the uploader's key, which changes when an import ends so the uploader starts empty."""
    st.session_state[_UPLOADER_KEY] = True
    session_id = _session_id()
    if session_id is not None:
        UPLOAD_PERMITS.grant(_permit_for_session(session_id))
    return f"data_import_files_{st.session_state.get(_UPLOADER_ROUND_KEY, 0)}"


def free_uploads() -> None:
    """Drop this session's uploaded files from the server's memory (an import has ended) and
    start the uploader afresh."""
    st.session_state[_UPLOADER_ROUND_KEY] = st.session_state.get(_UPLOADER_ROUND_KEY, 0) + 1
    session_id = _session_id()
    if session_id is not None and runtime.exists():
        runtime.get_instance().uploaded_file_mgr.remove_session_files(session_id)


# --- imports bound to the session -------------------------------------------------------------
class SessionImports:
    """The imports a session has running; ``stop_all`` ends them."""

    def __init__(self) -> None:
        self._jobs: set[ImportJob] = set()
        self._lock = threading.Lock()

    def add(self, job: ImportJob) -> None:
        with self._lock:
            self._jobs.add(job)

    def discard(self, job: ImportJob) -> None:
        with self._lock:
            self._jobs.discard(job)

    def stop_all(self) -> None:
        with self._lock:
            jobs = list(self._jobs)
        for job in jobs:
            job.stop("session")


def _release_session_imports(imports: SessionImports) -> None:
    imports.stop_all()


@st.cache_resource(scope="session", on_release=_release_session_imports, show_spinner=False)
def session_imports() -> SessionImports:
    """This session's imports. Streamlit drops session-scoped resources when the session
    disconnects and calls ``on_release`` on them: the imports stop with the session."""
    return SessionImports()


def run_import(
    uploads: Sequence[tuple[str, bytes]],
    out: Path,
    *,
    division_year: int,
    tick: Callable[[float], object] | None = None,
    allow_blanking: bool = False,
) -> ImportSummary:
    """Import the uploads in a bounded child process tied to this session and wait for it
    (``tick`` as in ``ImportJob.wait``: it draws progress, and is where a stopped script run
    stops the import). Raises DataImportError when refused, over budget or stopped."""
    imports = session_imports()
    try:
        job = start_upload_import(
            uploads, out, division_year=division_year, allow_blanking=allow_blanking
        )
    finally:
        free_uploads()  # the child has its own copy (or was refused): the server's is freed
    imports.add(job)
    try:
        summary = job.wait(tick)
    finally:
        imports.discard(job)
    if start_site_build(out):
        summary.notes.append(message("site.rebuild_started"))
    return summary


# The static pages' build, started after an import (the command line's own update and import
# rebake in-process; here the page must not wait a minute or more, nor the bounded import child).
SITE_BUILD_COMMAND = (sys.executable, "-m", "kuntadash.cli", "site", "build")


def start_site_build(out: Path) -> bool:
    """Start rebaking the static pages from ``out`` in a process of its own when
    ``$KUNTADASH_SITE_DIR`` is set and ``out`` is the served data; True when started. The build
    swaps its pages in atomically and refuses to run twice at once, so the served pages are
    always whole."""
    from kuntadash.report.site import site_dir
    from kuntadash.store.locations import default_data_dir

    folder = site_dir()
    if folder is None or Path(out).resolve() != default_data_dir().resolve():
        return False
    try:
        subprocess.Popen(  # a fixed command of our own, no shell
            [*SITE_BUILD_COMMAND, "--out", str(folder), "--data", str(out)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
    except OSError:
        LOG.warning("the static pages' build could not be started", exc_info=True)
        return False
    return True
