"""Administration access: the secret check and the brakes on guessing it (pure Python).

The served data change only through administration (update, import), and administration exists
only when the operator has configured a secret. The UI (kuntadash.ui.admin) reads the secret,
keeps one ``SessionAttempts`` per visitor session and shares ``PROCESS_ATTEMPTS`` across the
server process: each session waits 2, 4, 8 … seconds after its wrong attempts, and the whole
process takes at most ``MAX_FAILURES_PER_MINUTE`` wrong attempts a minute, so opening a new
session per guess gets no further.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
from collections import deque
from dataclasses import dataclass

SECRET_ENV = "KUNTADASH_ADMIN_SECRET"
SECRET_KEY = "admin_secret"  # in .streamlit/secrets.toml
MIN_SECRET_LENGTH = 16
FIRST_DELAY_S = 2.0
MAX_DELAY_S = 300.0
MAX_FAILURES_PER_MINUTE = 10
WINDOW_S = 60.0

# What a signed-in session keeps is an HMAC of the secret under this key: it proves the session
# knew the current secret (a new secret signs everyone out), and is worthless outside this
# process, so session state never holds the secret itself.
_PROCESS_KEY = secrets.token_bytes(32)


class WeakSecretError(ValueError):
    """The configured secret is too short to stand up to guessing: administration stays off."""


def usable_secret(raw: object) -> str | None:
    """The configured secret, or None when none is set (surrounding whitespace, such as a
    newline from a secrets file, is not part of it). Raises WeakSecretError when it is
    shorter than ``MIN_SECRET_LENGTH`` characters."""
    if raw is None:
        return None
    secret = str(raw).strip()
    if not secret:
        return None
    if len(secret) < MIN_SECRET_LENGTH:
        raise WeakSecretError(
            f"the administration secret has {len(secret)} characters; at least "
            f"{MIN_SECRET_LENGTH} are needed (use a long random one)"
        )
    return secret


def secret_matches(given: str, secret: str) -> bool:
    """Whether ``given`` is the secret, in time that does not depend on where they differ."""
    return hmac.compare_digest(given.encode("utf-8"), secret.encode("utf-8"))


def session_token(secret: str) -> str:
    """What a session signed in with ``secret`` keeps (see ``_PROCESS_KEY``)."""
    return hmac.new(_PROCESS_KEY, secret.encode("utf-8"), hashlib.sha256).hexdigest()


def token_matches(token: object, secret: str) -> bool:
    return isinstance(token, str) and hmac.compare_digest(token, session_token(secret))


@dataclass
class SessionAttempts:
    """One session's wrong attempts: after the n-th, the next is refused for
    ``FIRST_DELAY_S * 2**(n-1)`` seconds (at most ``MAX_DELAY_S``)."""

    failures: int = 0
    not_before: float = 0.0

    def wait(self, now: float) -> float:
        """Seconds until this session may try again (0: now)."""
        return max(0.0, self.not_before - now)

    def failed(self, now: float) -> float:
        """Count a wrong attempt; returns the seconds the session must now wait."""
        self.failures += 1
        delay = min(FIRST_DELAY_S * 2 ** (self.failures - 1), MAX_DELAY_S)
        self.not_before = now + delay
        return delay

    def succeeded(self) -> None:
        self.failures, self.not_before = 0, 0.0


class AttemptWindow:
    """Wrong attempts of every session of this process in the last ``window`` seconds; once
    there are ``limit`` of them, every attempt waits until the oldest leaves the window."""

    def __init__(self, limit: int = MAX_FAILURES_PER_MINUTE, window: float = WINDOW_S) -> None:
        self.limit, self.window = limit, window
        self._times: deque[float] = deque()
        self._lock = threading.Lock()

    def wait(self, now: float) -> float:
        with self._lock:
            while self._times and self._times[0] <= now - self.window:
                self._times.popleft()
            if len(self._times) < self.limit:
                return 0.0
            return self._times[0] + self.window - now

    def failed(self, now: float) -> None:
        with self._lock:
            self._times.append(now)

    def clear(self) -> None:
        with self._lock:
            self._times.clear()


PROCESS_ATTEMPTS = AttemptWindow()


class UploadPermits:
    """The sessions whose page offers a file uploader now (a signed-in administrator on the
    Data page). The server's request guard (kuntadash.ui.guard) accepts an upload only for one
    of them, before reading a byte of its body; every other session's upload is refused."""

    def __init__(self) -> None:
        self._sessions: set[str] = set()
        self._lock = threading.Lock()

    def grant(self, session_id: str) -> None:
        with self._lock:
            self._sessions.add(session_id)

    def revoke(self, session_id: str) -> None:
        with self._lock:
            self._sessions.discard(session_id)

    def allows(self, session_id: str) -> bool:
        with self._lock:
            return session_id in self._sessions

    def clear(self) -> None:
        with self._lock:
            self._sessions.clear()


UPLOAD_PERMITS = UploadPermits()
