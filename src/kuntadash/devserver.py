"""Run the app on a local port for browser tests, screenshots and benchmarks (developer tooling).

One place for what ``../shared/TESTING.md`` found to work here: a fresh free port on 127.0.0.1
per server, polling ``/_stcore/health`` until it answers ``ok`` *and* our process is still alive
(a second server on a busy port exits while the old one keeps answering: a classic false green),
stopping exactly the pid we started, and checking the port is free again. Also the flags that
make Debian's Chromium work headless on a machine without internet, and the selector that says
a Streamlit script run has finished.

``serve_app`` is one server for a ``with`` block; ``start_app`` spawns one without waiting
(``deploy/run.py`` starts its replicas with it); ``serve_behind_nginx`` runs the whole
deployment (replicas behind Debian's nginx) through ``deploy/run.py`` for tests and benchmarks.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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
                raise RuntimeError(f"streamlit exited with {code}{_tail(self.log_path)}")
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


@contextlib.contextmanager
def serve_app(
    *,
    script: str = "app.py",
    data_dir: Path | None = None,
    log_path: Path | None = None,
    env: Mapping[str, str] | None = None,
    args: Sequence[str] = (),
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
    extra = [*args, *(["--server.scriptHealthCheckEnabled", "true"] if warm else [])]
    app = start_app(
        script=script, data_dir=data_dir, log_path=log_path, env=env, args=extra, cwd=cwd
    )
    try:
        server = app.wait_healthy(start_timeout_s)
        if warm:
            healthy = time.perf_counter()
            warm_app(server.base, timeout_s=start_timeout_s)
            server = Server(server.base, server.pid, server.start_s, time.perf_counter() - healthy)
        yield server
    finally:
        app.stop()


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


def _tail(log_path: Path | None) -> str:
    if log_path is None or not log_path.exists():
        return ""
    return ": " + log_path.read_text(errors="replace")[-2000:]


@dataclass(frozen=True)
class Deployment:
    """Replicas behind nginx, as ``deploy/run.py`` started them (see ``serve_behind_nginx``)."""

    url: str  # nginx: http://127.0.0.1:<port>
    launcher_pid: int
    workdir: Path

    def state(self) -> dict[str, Any]:
        """The launcher's ``state.json`` as it is now (replicas, pids, ports, which are up)."""
        return json.loads((self.workdir / "state.json").read_text(encoding="utf-8"))


@contextlib.contextmanager
def serve_behind_nginx(
    *,
    workdir: Path,
    replicas: int = 2,
    data_dir: Path | None = None,
    args: Sequence[str] = (),
    start_timeout_s: float = 180.0,
) -> Iterator[Deployment]:
    """Run ``deploy/run.py`` (replicas behind Debian's nginx) until the block ends.

    ``workdir`` must not exist: the launcher creates it and keeps its configuration, logs and
    ``state.json`` there; the launcher's own output goes beside it (``<workdir>.out``). At the
    end the launcher gets SIGINT, as from Ctrl-C; should it not finish within a minute, it and
    the processes it named in its state are killed by pid. Raises RuntimeError when a port is
    still busy afterwards.
    """
    port = free_port()
    command = [
        sys.executable, str(REPO / "deploy" / "run.py"), "serve",
        "--replicas", str(replicas), "--port", str(port), "--workdir", str(workdir), *args,
    ]  # fmt: skip
    if data_dir is not None:
        command += ["--data-dir", str(data_dir)]
    output_path = workdir.with_name(workdir.name + ".out")
    with output_path.open("ab") as output:
        launcher = subprocess.Popen(command, cwd=REPO, stdout=output, stderr=subprocess.STDOUT)
    deployment = Deployment(f"http://127.0.0.1:{port}", launcher.pid, workdir)
    started = time.monotonic()
    state: dict[str, Any] = {}
    try:
        while not state.get("ready"):
            if launcher.poll() is not None:
                raise RuntimeError(
                    f"deploy/run.py exited with {launcher.returncode}{_tail(output_path)}"
                )
            if time.monotonic() - started > start_timeout_s:
                raise RuntimeError(f"deploy/run.py not ready after {start_timeout_s} s")
            time.sleep(0.1)
            with contextlib.suppress(OSError, ValueError):
                state = deployment.state()
        yield deployment
    finally:
        with contextlib.suppress(OSError, ValueError):
            state = deployment.state()
        if launcher.poll() is None:
            launcher.send_signal(signal.SIGINT)
            try:
                launcher.wait(timeout=60)
            except subprocess.TimeoutExpired:
                for pid in _started_pids(state):
                    # Only while still the launcher's child: a pid of an exited one may
                    # already belong to someone else.
                    if _parent_pid(pid) == launcher.pid:
                        with contextlib.suppress(ProcessLookupError):
                            os.kill(pid, signal.SIGKILL)
                launcher.kill()
                launcher.wait(timeout=10)
    ports = [port] + [replica["port"] for replica in state.get("replicas", [])]
    for busy in ports:
        wait_port_free(busy, what=f"deploy/run.py pid {launcher.pid}")


def _started_pids(state: dict[str, Any]) -> list[int]:
    pids = [replica["pid"] for replica in state.get("replicas", [])]
    nginx = state.get("nginx", {}).get("pid")
    return [*pids, nginx] if nginx else pids


def _parent_pid(pid: int) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return int(stat.rsplit(")", 1)[1].split()[1])  # the name in parentheses may hold spaces
