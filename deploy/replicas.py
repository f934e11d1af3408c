"""Start one Streamlit replica of the app and know when it is up (deployment helper).

``deploy/run.py`` starts its replicas with ``start_app``: a fresh free port on 127.0.0.1 (or
the one given), polling ``/_stcore/health`` until it answers ``ok`` *and* our process is still
alive (a second server on a busy port exits while the old one keeps answering: a classic false
green), stopping exactly the pid we started, and checking the port is free again. The test and
benchmark tooling (``tools/devserver.py``) starts its servers the same way, from here.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
START_TIMEOUT_S = 90.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def port_is_free(port: int) -> bool:
    """No process listens on ``port`` (connections left in TIME_WAIT do not count)."""
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _healthy(base: str) -> bool:
    with (
        contextlib.suppress(OSError),
        urllib.request.urlopen(base + "/_stcore/health", timeout=2) as response,
    ):
        return response.read() == b"ok"
    return False


@dataclass(frozen=True)
class Server:
    base: str  # http://127.0.0.1:<port>
    pid: int
    start_s: float  # spawn -> healthy
    warm_s: float | None = None  # healthy -> the app's script has run once (see ``warm_app``)


class AppProcess:
    """One ``streamlit run`` process on 127.0.0.1 that we started (see ``start_app``)."""

    def __init__(self, process: subprocess.Popen[bytes], port: int, log_path: Path | None):
        self.process, self.port, self.log_path = process, port, log_path
        self.base = f"http://127.0.0.1:{port}"
        self.started = time.perf_counter()

    @property
    def pid(self) -> int:
        return self.process.pid

    def alive(self) -> bool:
        return self.process.poll() is None

    def healthy(self) -> bool:
        """Our process is running and its ``/_stcore/health`` answers ``ok``."""
        return self.alive() and _healthy(self.base) and self.alive()

    def wait_healthy(self, timeout_s: float = START_TIMEOUT_S) -> Server:
        """Block until healthy; RuntimeError (with the log's tail) when it exits or times out."""
        while not self.healthy():
            if not self.alive():
                code = self.process.returncode
                raise RuntimeError(f"streamlit exited with {code}{log_tail(self.log_path)}")
            if time.perf_counter() - self.started > timeout_s:
                raise RuntimeError(f"streamlit not healthy after {timeout_s} s")
            time.sleep(0.05)
        return Server(self.base, self.pid, time.perf_counter() - self.started)

    def stop(self, timeout_s: float = 20.0) -> None:
        """Stop exactly this process (SIGTERM, then SIGKILL) and wait until its port is free."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout_s)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        wait_port_free(self.port, what=f"streamlit pid {self.pid}")


def start_app(
    *,
    script: str = "app.py",
    data_dir: Path | None = None,
    log_path: Path | None = None,
    env: Mapping[str, str] | None = None,
    args: Sequence[str] = (),
    port: int | None = None,
    cwd: Path | None = None,
) -> AppProcess:
    """Spawn ``streamlit run script`` (relative to ``cwd``, the repository by default) without
    waiting for it.

    ``port`` defaults to a fresh free one; ``data_dir`` becomes ``KUNTADASH_DATA_DIR``; ``args``
    are further ``streamlit run`` options; the output goes to ``log_path`` (or is discarded).
    """
    port = free_port() if port is None else port
    command = [
        sys.executable, "-m", "streamlit", "run", script,
        "--server.headless", "true", "--server.port", str(port),
        "--server.address", "127.0.0.1", "--server.fileWatcherType", "none",
        "--browser.gatherUsageStats", "false", *args,
    ]  # fmt: skip
    environment = {**os.environ, **(env or {})}
    if data_dir is not None:
        environment["KUNTADASH_DATA_DIR"] = str(data_dir)
    log = log_path.open("ab") if log_path is not None else open(os.devnull, "wb")  # noqa: SIM115
    with log:  # the child keeps its own descriptor
        process = subprocess.Popen(
            command, cwd=cwd or REPO, env=environment, stdout=log, stderr=subprocess.STDOUT
        )
    return AppProcess(process, port, log_path)


def warm_app(base: str, timeout_s: float = START_TIMEOUT_S) -> None:
    """Run the app's script once on the server at ``base`` (its default page, no browser):
    imports, the snapshot and the per-version caches are then ready for the first visitor.
    Needs ``server.scriptHealthCheckEnabled`` (on in .streamlit/config.toml)."""
    with urllib.request.urlopen(base + "/_stcore/script-health-check", timeout=timeout_s) as reply:
        body = reply.read()
    if body != b"ok":
        raise RuntimeError(f"the app's script did not run cleanly: {body[:200]!r}")


def wait_port_free(port: int, *, what: str, timeout_s: float = 10.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not port_is_free(port):
        if time.monotonic() > deadline:
            raise RuntimeError(f"port {port} still busy after stopping {what}")
        time.sleep(0.2)


def log_tail(log_path: Path | None) -> str:
    if log_path is None or not log_path.exists():
        return ""
    return ": " + log_path.read_text(errors="replace")[-2000:]
