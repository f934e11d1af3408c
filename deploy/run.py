"""Serve kuntadash as N Streamlit replicas behind nginx from one command (operator tooling).

Usage (from the repository; no root needed)::

    python3 -m uv run python deploy/run.py --replicas 2 --port 8080
    python3 -m uv run python deploy/run.py config --ports 8501,8502 --server-name kunta.example.fi
    python3 -m uv run python deploy/run.py check http://127.0.0.1:8501

``serve`` (the default) starts N replicas on free ports on 127.0.0.1 (deploy/replicas.py,
the same process handling the tests use) with the production flags and ``MALLOC_ARENA_MAX=2``,
waits for each one's ``/_stcore/health``, renders ``deploy/nginx/*.conf.in`` into a folder it
owns (``--workdir``, else a temporary one), and runs Debian's nginx in the foreground as the
current user with ``-p <folder>``: pid, logs and temporary files stay in that folder. Then it
checks every replica actively (nginx OSS only notices failures passively): a replica whose
process exits or whose health check fails ``--fall`` times in a row is marked ``down`` in the
configuration and nginx reloaded; ``--rise`` good checks bring it back. ``state.json`` in the
folder says what runs where. Ctrl-C (or SIGTERM) stops nginx and the replicas it started, by
their pids, and checks that their ports are free again.

``config`` prints the site configuration for a system nginx (production, see deploy/README.md);
``check`` asks one replica's health check and exits 1 when it does not answer ``ok`` (used by
the systemd health timer).
"""

from __future__ import annotations

import argparse
import contextlib
import getpass
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
# A script, not a package module: its helper beside it is found from here, however it is run.
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

from replicas import (  # noqa: E402
    AppProcess,
    port_is_free,
    start_app,
    wait_port_free,
    warm_app,
)

SITE_TEMPLATE = HERE / "nginx" / "kuntadash.conf.in"
MAIN_TEMPLATE = HERE / "nginx" / "local.conf.in"
NGINX_CANDIDATES = ("/usr/sbin/nginx",)
MIME_TYPES = Path("/etc/nginx/mime.types")
# Debian's libnginx-mod-http-brotli-filter; without it only gzip is offered.
BROTLI_MODULE = Path("/usr/lib/nginx/modules/ngx_http_brotli_filter_module.so")
# What every replica runs with (replicas.start_app adds --server.headless true,
# --server.fileWatcherType none, --browser.gatherUsageStats false and 127.0.0.1).
# The app behind its request guard (serve.py: uploads only from an administrator's uploader, no
# browser message that clears every visitor's caches); `streamlit run app.py` is for development.
REPLICA_SCRIPT = "serve.py"
REPLICA_ARGS = (
    "--server.enableXsrfProtection",
    "true",
    "--server.scriptHealthCheckEnabled",
    "true",
)
# glibc gives every thread its own malloc arena; Streamlit runs each script in a thread, so
# without this a replica's memory keeps growing with the number of sessions it has seen.
REPLICA_ENV = {"MALLOC_ARENA_MAX": "2"}
TOKEN = re.compile(r"@[A-Z_]+@")
# What every response carries (add_header ... always). Streamlit's frontend needs inline styles
# (its CSS-in-JS) and inline scripts, blob: workers (the map) and data:/blob: images; no eval
# (every page loads without it in Chromium: tests/deploy/test_proxy_security.py). Everything
# else comes from the app's own origin, and no other site may frame it.
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self' 'unsafe-inline' blob:",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self' ws: wss: data: blob:",
        "worker-src 'self' blob:",
        "frame-src 'self' blob: data:",
        "media-src 'self' data: blob:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
SECURITY_HEADERS = (
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "strict-origin-when-cross-origin"),
)
HSTS = ("Strict-Transport-Security", "max-age=31536000")


class LaunchError(RuntimeError):
    """The deployment could not start; the message says why."""


class Stop(Exception):
    """Ctrl-C or SIGTERM: stop everything we started."""


# -- configuration ----------------------------------------------------------------------------


def nginx_binary() -> Path | None:
    found = shutil.which("nginx")
    candidates = [found] if found else []
    candidates += list(NGINX_CANDIDATES)
    return next((Path(c) for c in candidates if c and Path(c).is_file()), None)


def streamlit_static_dir() -> Path:
    from streamlit import file_util

    return Path(file_util.get_static_dir())


def _fill(template: str, values: dict[str, str]) -> str:
    text = template
    for name, value in values.items():
        text = text.replace(f"@{name}@", value)
    left = TOKEN.findall(text)
    if left:
        raise LaunchError(f"template tokens left unfilled: {sorted(set(left))}")
    return text


def render_site(
    ports: Sequence[int],
    *,
    down: frozenset[int] = frozenset(),
    listen: str = "8080",
    server_name: str = "_",
    static_dir: Path | None = None,
    brotli: bool = False,
    tls: tuple[Path, Path] | None = None,
    site_dir: Path | None = None,
) -> str:
    """The http-context configuration: maps, the upstream of ``ports``, the server.

    ``tls`` is (certificate, key): nginx then terminates TLS and the route cookie is Secure.
    ``site_dir`` is the folder ``kuntadash site build --out`` writes: its ``current`` build is
    served under /kunta/ by nginx itself.
    """
    static = static_dir if static_dir is not None else streamlit_static_dir()
    servers = "\n".join(
        f"    server 127.0.0.1:{port} max_fails=1 fail_timeout=10s{' down' * (port in down)};"
        for port in ports
    )
    names = "\n".join(
        f'    "~127\\.0\\.0\\.1:{port}$" {number};' for number, port in enumerate(ports, 1)
    )
    brotli_lines = (
        "    brotli on;\n"
        "    brotli_comp_level 5;\n"
        "    brotli_min_length 1024;\n"
        "    brotli_types text/css application/javascript text/javascript application/json\n"
        "                 application/manifest+json image/svg+xml text/plain text/csv\n"
        "                 application/xml;\n"
        if brotli
        else "    # brotli: Debian's libnginx-mod-http-brotli-filter was not installed here.\n"
    )
    headers = (*SECURITY_HEADERS, HSTS) if tls else SECURITY_HEADERS
    security = "\n".join(f'    add_header {name} "{value}" always;' for name, value in headers)
    # Behind TLS, plain HTTP only redirects (the listen address's port 80).
    redirect = (
        "server {\n"
        f"    listen {_port_80(listen)};\n"
        f"    server_name {server_name};\n"
        "    server_tokens off;\n"
        "    return 301 https://$host$request_uri;\n"
        "}\n"
        if tls
        else ""
    )
    return _fill(
        SITE_TEMPLATE.read_text(encoding="utf-8"),
        {
            "SECURITY_HEADERS": security,
            "REDIRECT": redirect,
            "COOKIE_SECURE": "; Secure" if tls else "",
            "TLS": (
                f"    ssl_certificate {tls[0]};\n    ssl_certificate_key {tls[1]};\n"
                "    ssl_protocols TLSv1.2 TLSv1.3;\n"
                if tls
                else ""
            ),
            "REPLICA_NAMES": names,
            "SERVERS": servers,
            "LISTEN": listen,
            "SERVER_NAME": server_name,
            "BROTLI": brotli_lines,
            "STATIC_DIR": str(static),
            "SITE": _site_locations(site_dir, security),
        },
    )


def _site_locations(site_dir: Path | None, security: str) -> str:
    """The baked profile pages under /kunta/: files on disk (the ``current`` link of the site
    folder, read per request, so a new build is live the moment the link is swapped), no replica
    involved and no rate limit. nginx's ETag (mtime and size) stays put for a page whose content
    did not change, since a rebuild keeps such files as they were; browsers revalidate after five
    minutes (a 304 when nothing changed). The security headers are repeated: a location adding
    headers of its own inherits none from the server."""
    if site_dir is None:
        return "    # Static profile pages: not configured (deploy/run.py --site-dir).\n"
    root = Path(site_dir).resolve() / "current"
    return (
        "    # The baked profile pages (kuntadash site build), served from disk.\n"
        "    location = /kunta {\n        return 301 /kunta/;\n    }\n"
        "    location /kunta/ {\n"
        f"        alias {root}/;\n"
        "        index index.html;\n"
        "        etag on;\n"
        '        add_header Cache-Control "public, max-age=300" always;\n'
        f"{_indent(security)}\n"
        "    }\n"
    )


def _indent(lines: str) -> str:
    return "\n".join("    " + line for line in lines.splitlines())


def _port_80(listen: str) -> str:
    """The plain-HTTP twin of a TLS ``listen`` value ("443 ssl" -> "80", "[::]:443 ssl" ->
    "[::]:80")."""
    address = listen.split()[0]
    host, _, _port = address.rpartition(":")
    return f"{host}:80" if host else "80"


def render_main(prefix: Path, *, brotli: bool) -> str:
    """nginx's main configuration for a foreground nginx living inside ``prefix``."""
    if not MIME_TYPES.is_file():
        raise LaunchError(f"{MIME_TYPES} is missing: install Debian's nginx (nginx-common)")
    # As root, nginx would hand its workers to "nobody", who cannot read our 0700 folder;
    # name the current user so the workers run as whoever started this (no-op otherwise).
    user = f"user {getpass.getuser()};" if os.geteuid() == 0 else ""
    modules = f"load_module {BROTLI_MODULE};" if brotli else ""
    return _fill(
        MAIN_TEMPLATE.read_text(encoding="utf-8"),
        {
            "PREFIX": str(prefix),
            "USER": user,
            "LOAD_MODULES": modules,
            "MIME_TYPES": str(MIME_TYPES),
        },
    )


# -- health -----------------------------------------------------------------------------------


def healthy(base: str, timeout_s: float = 2.0) -> bool:
    with (
        contextlib.suppress(OSError),
        urllib.request.urlopen(base + "/_stcore/health", timeout=timeout_s) as response,
    ):
        return response.read() == b"ok"
    return False


@dataclass
class Replica:
    number: int
    app: AppProcess
    log: Path
    up: bool = True
    fails: int = 0
    passes: int = 0
    reason: str = ""

    def as_json(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "port": self.app.port,
            "pid": self.app.pid,
            "url": self.app.base,
            "up": self.up,
            "reason": self.reason,
            "log": str(self.log),
        }


@dataclass
class Deployment:
    workdir: Path
    port: int
    nginx: Path
    brotli: bool
    site_dir: Path | None = None
    replicas: list[Replica] = field(default_factory=list)
    proxy: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def write_config(self) -> None:
        down = frozenset(r.app.port for r in self.replicas if not r.up)
        site = render_site(
            [r.app.port for r in self.replicas],
            down=down,
            listen=f"127.0.0.1:{self.port}",
            brotli=self.brotli,
            site_dir=self.site_dir,
        )
        _write_atomically(self.workdir / "kuntadash.conf", site)
        main = render_main(self.workdir, brotli=self.brotli)
        _write_atomically(self.workdir / "nginx.conf", main)

    def nginx_command(self, *extra: str) -> list[str]:
        conf, log = self.workdir / "nginx.conf", self.workdir / "error.log"
        return [str(self.nginx), "-p", str(self.workdir), "-c", str(conf), "-e", str(log), *extra]

    def test_config(self) -> None:
        result = subprocess.run(self.nginx_command("-t"), capture_output=True, text=True)
        if result.returncode != 0:
            raise LaunchError(f"nginx refused the configuration:\n{result.stderr.strip()}")

    def write_state(self, ready: bool) -> None:
        state = {
            "ready": ready,
            "url": self.url,
            "workdir": str(self.workdir),
            "brotli": self.brotli,
            "nginx": {
                "pid": self.proxy.pid if self.proxy else None,
                "config": str(self.workdir / "nginx.conf"),
                "access_log": str(self.workdir / "access.log"),
            },
            "replicas": [r.as_json() for r in self.replicas],
        }
        _write_atomically(self.workdir / "state.json", json.dumps(state, indent=2) + "\n")

    def check(self, fall: int, rise: int) -> list[str]:
        """One round of active health checks; returns what changed, in words."""
        changes = []
        for replica in self.replicas:
            alive = replica.app.alive()
            ok = alive and healthy(replica.app.base)
            if ok:
                replica.passes, replica.fails = replica.passes + 1, 0
                if not replica.up and replica.passes >= rise:
                    replica.up, replica.reason = True, ""
                    changes.append(f"replica {replica.number} is back up")
                continue
            replica.passes, replica.fails = 0, replica.fails + 1
            # A process that has exited will not answer again: no need to wait for `fall`.
            if replica.up and (not alive or replica.fails >= fall):
                code = replica.app.process.returncode
                reason = (
                    f"its process exited with {code}"
                    if not alive
                    else f"{replica.fails} health checks failed"
                )
                replica.up, replica.reason = False, reason
                pid = replica.app.pid
                changes.append(f"replica {replica.number} (pid {pid}) is down: {reason}")
        return changes

    def reload(self) -> None:
        self.write_config()
        self.test_config()
        assert self.proxy is not None
        self.proxy.send_signal(signal.SIGHUP)


def _write_atomically(path: Path, text: str) -> None:
    partial = path.with_name(path.name + ".partial")
    partial.write_text(text, encoding="utf-8")
    partial.replace(path)


def _stop_nginx(process: subprocess.Popen[bytes], port: int) -> None:
    if process.poll() is None:
        # SIGTERM is nginx's fast shutdown; a graceful one (SIGQUIT) would wait for every open
        # websocket, i.e. for every visitor to close their tab.
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
    wait_port_free(port, what=f"nginx pid {process.pid}")


def _raise_stop(signum: int, _frame: Any) -> None:
    raise Stop(signal.Signals(signum).name)


def _while_stopping(signum: int, _frame: Any) -> None:
    # A second Ctrl-C must not cut the clean-up short and leave processes behind; every step
    # of it is bounded (SIGTERM, then SIGKILL after a timeout).
    print(f"kuntadash: {signal.Signals(signum).name}: already stopping", flush=True)


def _prepare_workdir(given: Path | None, keep: bool, stack: contextlib.ExitStack) -> Path:
    if given is None:
        workdir = Path(tempfile.mkdtemp(prefix="kuntadash-deploy-"))
        if not keep:
            stack.callback(shutil.rmtree, workdir, ignore_errors=True)
        return workdir
    if given.exists():
        # Never take over (nor later remove) a folder someone else made.
        raise LaunchError(f"--workdir {given} exists; give a new folder (it is kept afterwards)")
    given.mkdir()
    return given.resolve()


def serve(args: argparse.Namespace) -> int:
    nginx = nginx_binary()
    if nginx is None:
        raise LaunchError("nginx is not installed: apt-get install nginx-light (or nginx)")
    if not port_is_free(args.port):
        raise LaunchError(f"port {args.port} is busy on 127.0.0.1; choose another with --port")
    brotli = {"auto": BROTLI_MODULE.is_file(), "on": True, "off": False}[args.brotli]
    signal.signal(signal.SIGINT, _raise_stop)
    signal.signal(signal.SIGTERM, _raise_stop)
    with contextlib.ExitStack() as stack:
        workdir = _prepare_workdir(args.workdir, args.keep, stack)
        (workdir / "tmp").mkdir()
        deployment = Deployment(workdir, args.port, nginx, brotli, site_dir=_site_dir(args))
        try:
            for number in range(1, args.replicas + 1):
                log = workdir / f"replica-{number}.log"
                app = start_app(
                    script=REPLICA_SCRIPT,
                    data_dir=args.data_dir,
                    log_path=log,
                    env=REPLICA_ENV,
                    args=REPLICA_ARGS,
                )
                stack.callback(app.stop)
                deployment.replicas.append(Replica(number, app, log))
            for replica in deployment.replicas:
                server = replica.app.wait_healthy(args.start_timeout)
                # Run the app once before any visitor: imports, caches, the map's borders file.
                warm_app(server.base, timeout_s=args.start_timeout)
            deployment.write_config()
            deployment.test_config()
            output = (workdir / "nginx.out").open("ab")
            stack.callback(output.close)
            proxy = subprocess.Popen(
                deployment.nginx_command(), stdout=output, stderr=subprocess.STDOUT
            )
            deployment.proxy = proxy
            stack.callback(_stop_nginx, proxy, args.port)
            started = time.monotonic()
            while not healthy(deployment.url):
                if proxy.poll() is not None:
                    tail = (workdir / "error.log").read_text(errors="replace")[-1500:]
                    raise LaunchError(f"nginx exited with {proxy.returncode}:\n{tail}")
                if time.monotonic() - started > 30:
                    raise LaunchError(f"nothing answers on {deployment.url} after 30 s")
                time.sleep(0.1)
            deployment.write_state(ready=True)
            ports = ", ".join(
                f"{r.number}: pid {r.app.pid} port {r.app.port}" for r in deployment.replicas
            )
            print(
                f"kuntadash: {deployment.url} served by {args.replicas} replica(s) ({ports}); "
                f"nginx pid {proxy.pid}{', brotli' if brotli else ''}; files in {workdir}. "
                "Ctrl-C stops them.",
                flush=True,
            )
            while True:
                time.sleep(args.check_interval)
                if proxy.poll() is not None:
                    raise LaunchError(f"nginx exited with {proxy.returncode}; stopping")
                changes = deployment.check(args.fall, args.rise)
                if changes:
                    deployment.reload()
                    deployment.write_state(ready=True)
                    for change in changes:
                        print(f"kuntadash: {change}", flush=True)
                    if not any(r.up for r in deployment.replicas):
                        print("kuntadash: no replica is up; nginx answers 502", flush=True)
        except Stop as stop:
            print(f"kuntadash: {stop}: stopping nginx and the replicas", flush=True)
        finally:
            signal.signal(signal.SIGINT, _while_stopping)
            signal.signal(signal.SIGTERM, _while_stopping)
            with contextlib.suppress(OSError):
                deployment.write_state(ready=False)
    return 0


# -- the other commands -----------------------------------------------------------------------


def _site_dir(args: argparse.Namespace) -> Path | None:
    """--site-dir, else $KUNTADASH_SITE_DIR (the folder the pipeline rebakes), else none."""
    configured = args.site_dir or os.environ.get("KUNTADASH_SITE_DIR", "").strip()
    return Path(configured) if configured else None


def config(args: argparse.Namespace) -> int:
    brotli = {"auto": BROTLI_MODULE.is_file(), "on": True, "off": False}[args.brotli]
    ports = [int(p) for p in args.ports.split(",") if p.strip()]
    if bool(args.tls_certificate) != bool(args.tls_key):
        raise LaunchError("give both --tls-certificate and --tls-key, or neither")
    tls = (args.tls_certificate, args.tls_key) if args.tls_certificate else None
    listen = args.listen or ("443 ssl http2" if tls else "80")
    print(
        render_site(
            ports,
            listen=listen,
            server_name=args.server_name,
            static_dir=args.static_dir,
            brotli=brotli,
            tls=tls,
            site_dir=_site_dir(args),
        ),
        end="",
    )
    return 0


def check(args: argparse.Namespace) -> int:
    for attempt in range(args.tries):
        if attempt:
            time.sleep(args.interval)
        if healthy(args.url.rstrip("/"), args.timeout):
            return 0
    print(f"{args.url}/_stcore/health did not answer ok {args.tries} times", file=sys.stderr)
    return 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command")
    brotli_help = "brotli next to gzip: auto = when Debian's module is installed"
    site_help = "folder of the baked profile pages (kuntadash site build --out), served at /kunta/"

    run = commands.add_parser("serve", help="replicas behind a local nginx (the default)")
    run.add_argument("--replicas", type=int, default=2)
    run.add_argument("--port", type=int, default=8080, help="where nginx listens (127.0.0.1)")
    run.add_argument("--data-dir", type=Path, help="snapshot to serve (default: the app's)")
    run.add_argument("--workdir", type=Path, help="a new folder for config, logs, state")
    run.add_argument("--keep", action="store_true", help="keep the temporary folder")
    run.add_argument("--check-interval", type=float, default=2.0, help="seconds")
    run.add_argument("--fall", type=int, default=3, help="failed checks before down")
    run.add_argument("--rise", type=int, default=2, help="good checks before up again")
    run.add_argument("--start-timeout", type=float, default=120.0, help="per replica, s")
    run.add_argument("--site-dir", type=Path, help=site_help)
    run.add_argument("--brotli", choices=["auto", "on", "off"], default="auto", help=brotli_help)
    run.set_defaults(handler=serve)

    conf = commands.add_parser("config", help="print the site configuration for a system nginx")
    conf.add_argument("--ports", default="8501,8502", help="the replicas' ports on 127.0.0.1")
    conf.add_argument("--listen", help="nginx's listen parameters (80, or 443 ssl http2 with TLS)")
    conf.add_argument("--server-name", default="_")
    conf.add_argument("--static-dir", type=Path, help="streamlit/static of the replicas' venv")
    conf.add_argument("--tls-certificate", type=Path, help="nginx terminates TLS with this")
    conf.add_argument("--tls-key", type=Path)
    conf.add_argument("--site-dir", type=Path, help=site_help)
    conf.add_argument("--brotli", choices=["auto", "on", "off"], default="auto", help=brotli_help)
    conf.set_defaults(handler=config)

    probe = commands.add_parser("check", help="exit 0 when a replica's health check answers ok")
    probe.add_argument("url", help="e.g. http://127.0.0.1:8501")
    probe.add_argument("--tries", type=int, default=3)
    probe.add_argument("--interval", type=float, default=5.0)
    probe.add_argument("--timeout", type=float, default=5.0)
    probe.set_defaults(handler=check)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    if not arguments or arguments[0] not in {"serve", "config", "check", "-h", "--help"}:
        arguments.insert(0, "serve")
    args = build_parser().parse_args(arguments)
    if getattr(args, "replicas", 1) < 1:
        print("--replicas must be at least 1", file=sys.stderr)
        return 2
    try:
        return int(args.handler(args))
    except (LaunchError, RuntimeError) as error:
        print(f"kuntadash: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
