"""Run the app on a local port for browser tests, screenshots and benchmarks (test tooling, not
part of the kuntadash package).

One place for what ``../shared/TESTING.md`` found to work here: a fresh free port on 127.0.0.1
per server, polling ``/_stcore/health`` until it answers ``ok`` *and* our process is still alive
(a second server on a busy port exits while the old one keeps answering: a classic false green),
stopping exactly the pid we started, and checking the port is free again. Also the flags that
make Debian's Chromium work headless on a machine without internet, and the selector that says
a Streamlit script run has finished.

``serve_app`` is one server for a ``with`` block, started by ``deploy/replicas.py`` (the same
process handling ``deploy/run.py`` starts its replicas with); ``serve_behind_nginx`` runs the
whole deployment (replicas behind Debian's nginx) through ``deploy/run.py`` for tests and
benchmarks.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from deploy.replicas import (
    REPO,
    START_TIMEOUT_S,
    Server,
    free_port,
    log_tail,
    start_app,
    wait_port_free,
    warm_app,
)

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
                    f"deploy/run.py exited with {launcher.returncode}{log_tail(output_path)}"
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
