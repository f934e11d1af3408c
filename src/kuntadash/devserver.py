"""Run the app on a local port for browser tests, screenshots and benchmarks (developer tooling).

One place for what ``../shared/TESTING.md`` found to work here: a fresh free port on 127.0.0.1
per server, polling ``/_stcore/health`` until it answers ``ok`` *and* our process is still alive
(a second server on a busy port exits while the old one keeps answering: a classic false green),
stopping exactly the pid we started, and checking the port is free again. Also the flags that
make Debian's Chromium work headless on a machine without internet, and the selector that says
a Streamlit script run has finished.
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
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
READY = (
    "[data-testid=stApp][data-test-script-state=notRunning][data-test-connection-state=CONNECTED]"
)
START_TIMEOUT_S = 90.0


@dataclass(frozen=True)
class Server:
    base: str  # http://127.0.0.1:<port>
    pid: int
    start_s: float  # spawn -> healthy
    warm_s: float | None = None  # healthy -> the app's script has run once (see ``warm``)


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


@contextlib.contextmanager
def serve_app(
    *,
    script: str = "app.py",
    data_dir: Path | None = None,
    log_path: Path | None = None,
    env: Mapping[str, str] | None = None,
    start_timeout_s: float = START_TIMEOUT_S,
    cwd: Path | None = None,
    warm: bool = False,
) -> Iterator[Server]:
    """Serve ``script`` (relative to ``cwd``, the repository by default) on a fresh port until
    the block ends.

    ``data_dir`` becomes ``KUNTADASH_DATA_DIR``; the server's output goes to ``log_path`` (or is
    discarded). With ``warm``, the app's script runs once before the block starts, as a
    deployment does at start (``/_stcore/script-health-check``, see docs/PERFORMANCE.md), so the
    first visitor does not pay for imports and caches. Raises RuntimeError, with the log's tail,
    when the server does not come up.
    """
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    command = [
        sys.executable, "-m", "streamlit", "run", script,
        "--server.headless", "true", "--server.port", str(port),
        "--server.address", "127.0.0.1", "--server.fileWatcherType", "none",
        "--browser.gatherUsageStats", "false",
        *(["--server.scriptHealthCheckEnabled", "true"] if warm else []),
    ]  # fmt: skip
    environment = {**os.environ, **(env or {})}
    if data_dir is not None:
        environment["KUNTADASH_DATA_DIR"] = str(data_dir)
    log = log_path.open("ab") if log_path is not None else open(os.devnull, "wb")  # noqa: SIM115
    started = time.perf_counter()
    with log:
        process = subprocess.Popen(
            command, cwd=cwd or REPO, env=environment, stdout=log, stderr=subprocess.STDOUT
        )
        try:
            while not (_healthy(base) and process.poll() is None):
                if process.poll() is not None:
                    code = process.returncode
                    raise RuntimeError(f"streamlit exited with {code}{_tail(log_path)}")
                if time.perf_counter() - started > start_timeout_s:
                    raise RuntimeError(f"streamlit not healthy after {start_timeout_s} s")
                time.sleep(0.05)
            healthy = time.perf_counter()
            warm_s = None
            if warm:
                warm_app(base, timeout_s=start_timeout_s)
                warm_s = time.perf_counter() - healthy
            yield Server(base, process.pid, healthy - started, warm_s)
        finally:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(timeout=10)
    deadline = time.monotonic() + 10
    while not port_is_free(port):
        if time.monotonic() > deadline:
            raise RuntimeError(f"port {port} still busy after stopping streamlit pid {process.pid}")
        time.sleep(0.2)


def warm_app(base: str, timeout_s: float = START_TIMEOUT_S) -> None:
    """Run the app's script once on the server at ``base`` (its default page, no browser):
    imports, the snapshot and the per-version caches are then ready for the first visitor.
    Needs ``server.scriptHealthCheckEnabled`` (on in .streamlit/config.toml)."""
    with urllib.request.urlopen(base + "/_stcore/script-health-check", timeout=timeout_s) as reply:
        body = reply.read()
    if body != b"ok":
        raise RuntimeError(f"the app's script did not run cleanly: {body[:200]!r}")


def _tail(log_path: Path | None) -> str:
    if log_path is None or not log_path.exists():
        return ""
    return ": " + log_path.read_text(errors="replace")[-2000:]
