"""Hold the app under load: N concurrent sessions rerunning pages for a while; errors and RSS.

Usage: python bench/load.py [--sessions 25] [--duration 180] [--out FILE.json] [--base URL]
       python bench/load.py --replicas 1,2 [--rounds 2] ...   (behind nginx, side by side)

Starts its own server on 127.0.0.1 (a free port, ``KUNTADASH_DATA_DIR`` as given or the
repository's ``data/``) unless ``--base`` is given, and stops exactly that process at the end.
With ``--replicas 1,2`` it instead serves the app as that many replicas behind nginx with
``deploy/run.py`` (as in production, see deploy/README.md) and loads the proxy, each count in
turn and ``--rounds`` times interleaved (1, 2, 1, 2 …) so that the machine's drift hits both;
memory is then the sum over the replicas. ``--base`` may be a proxy too.

Each session first fetches the page's HTML, as a browser does, and keeps the cookies it gets
(behind nginx the route cookie decides its replica), then connects its websocket, speaking
Streamlit's own protocol (the BackMsg / ForwardMsg protobufs the browser sends), so 25 sessions
cost the client almost nothing and the two cores go to the server. A session opens a page, waits
for the script run to finish, then keeps changing a
selectbox (indicator, year, municipality ...) to a random option, sometimes switches page, and
every ``--actions-per-session`` actions disconnects and opens a new session (so session
creation and clean-up are exercised too). Recorded: every script run's latency, exceptions shown
in the page, error boxes, runs that never finish, connection errors, and the server's resident
memory (VmRSS from /proc) every ``--rss-interval`` seconds.

Bounded: the run stops by itself after ``--duration`` seconds (plus at most ``--run-timeout`` for
the runs in flight); the exit status is 1 when any error was seen or memory kept growing.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # tools/: the test and benchmark tooling

from tools.devserver import serve_app, serve_behind_nginx  # noqa: E402

ALERT_ERROR = 1  # streamlit.proto.Alert_pb2.Alert.Format.ERROR


@dataclass
class Stats:
    runs: int = 0
    latencies: list[float] = field(default_factory=list)
    exceptions: list[str] = field(default_factory=list)
    error_boxes: list[str] = field(default_factory=list)
    timeouts: int = 0
    timeouts_by_page: dict[str, int] = field(default_factory=dict)
    connection_errors: list[str] = field(default_factory=list)
    sessions_opened: int = 0
    page_switches: int = 0
    widget_changes: int = 0
    rss_kib: list[tuple[float, int]] = field(default_factory=list)
    page_latencies: dict[str, list[float]] = field(default_factory=dict)
    load_average: list[float] = field(default_factory=list)
    # Behind nginx: how many sessions each replica (X-Kuntadash-Replica) took.
    sessions_by_replica: dict[str, int] = field(default_factory=dict)
    # CPU seconds spent during the run: by the server process(es), by this load generator, and
    # by the whole machine (the rest is everybody else's).
    server_cpu_s: float = 0.0
    client_cpu_s: float = 0.0
    machine_cpu_s: float = 0.0

    @property
    def errors(self) -> int:
        return (
            len(self.exceptions)
            + len(self.error_boxes)
            + self.timeouts
            + len(self.connection_errors)
        )


@dataclass
class Selectbox:
    widget_id: str
    label: str
    options: list[str]
    value: str


class Session:
    """One browser-like session over the websocket."""

    def __init__(
        self,
        base: str,
        stats: Stats,
        run_timeout: float,
        rng: random.Random,
        think: tuple[float, float] = (0.3, 1.5),
    ):
        self.base, self.stats, self.run_timeout, self.rng = base, stats, run_timeout, rng
        self.ws_url = base.replace("http", "ws", 1) + "/_stcore/stream"
        self.think = think
        self.pages: list[str] = []
        self.page = ""
        self.query = ""
        self.selectboxes: dict[str, Selectbox] = {}
        self.changed: dict[str, str] = {}

    async def run(self, actions: int, deadline: float) -> None:
        async with httpx.AsyncClient(timeout=30) as client:
            page = await client.get(self.base + "/")
            page.raise_for_status()
        cookies = "; ".join(f"{name}={value}" for name, value in page.cookies.items())
        async with websockets.connect(
            self.ws_url,
            subprotocols=["streamlit"],
            max_size=2**27,
            open_timeout=30,
            additional_headers={"Cookie": cookies} if cookies else None,
        ) as ws:
            self.stats.sessions_opened += 1
            replica = ws.response.headers.get("x-kuntadash-replica", "")
            if replica:
                by_replica = self.stats.sessions_by_replica
                by_replica[replica] = by_replica.get(replica, 0) + 1
            lang = self.rng.choice(["", "lang=sv", "lang=en"])
            self.query = lang
            await self._rerun(ws)
            for _ in range(actions):
                if time.monotonic() > deadline:
                    return
                await asyncio.sleep(self.rng.uniform(*self.think))  # a person reading
                if self.pages and self.rng.random() < 0.2:
                    self.page = self.rng.choice(self.pages)
                    self.selectboxes, self.changed = {}, {}
                    self.stats.page_switches += 1
                elif self.selectboxes:
                    box = self.rng.choice(list(self.selectboxes.values()))
                    if len(box.options) > 1:
                        self.changed[box.widget_id] = self.rng.choice(
                            [o for o in box.options if o != box.value]
                        )
                        self.stats.widget_changes += 1
                await self._rerun(ws)

    async def _rerun(self, ws: Any) -> None:
        message = BackMsg()
        state = message.rerun_script
        state.query_string = self.query
        state.page_name = self.page
        for widget_id, value in self.changed.items():
            state.widget_states.widgets.append(WidgetState(id=widget_id, string_value=value))
        started = time.monotonic()
        await ws.send(message.SerializeToString())
        self.selectboxes = {}
        try:
            await asyncio.wait_for(self._until_finished(ws), self.run_timeout)
        except TimeoutError:
            self.stats.timeouts += 1
            page = self.page or "overview"
            self.stats.timeouts_by_page[page] = self.stats.timeouts_by_page.get(page, 0) + 1
            return
        elapsed = time.monotonic() - started
        self.stats.runs += 1
        self.stats.latencies.append(elapsed)
        self.stats.page_latencies.setdefault(self.page or "overview", []).append(elapsed)

    async def _until_finished(self, ws: Any) -> None:
        while True:
            raw = await ws.recv()
            forward = ForwardMsg()
            forward.ParseFromString(raw)
            kind = forward.WhichOneof("type")
            if kind == "navigation":
                self.pages = [p.url_pathname for p in forward.navigation.app_pages]
            elif kind == "delta":
                self._element(forward.delta)
            elif kind == "script_finished":
                if forward.script_finished == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
                    self.stats.exceptions.append("compile error")
                if forward.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                    return

    def _element(self, delta: Any) -> None:
        if delta.WhichOneof("type") != "new_element":
            return
        element = delta.new_element
        kind = element.WhichOneof("type")
        where = f"/{self.page} ?{self.query}"
        if kind == "exception":
            self.stats.exceptions.append(
                f"{where}: {element.exception.type}: {element.exception.message[:200]}"
            )
        elif kind == "alert" and element.alert.format == ALERT_ERROR:
            self.stats.error_boxes.append(f"{where}: {element.alert.body[:200]}")
        elif kind == "selectbox":
            box = element.selectbox
            options = list(box.options)
            value = self.changed.get(box.id)
            if value not in options:
                value = options[box.default] if options and box.HasField("default") else ""
            self.selectboxes[box.id] = Selectbox(box.id, box.label, options, value)


async def _session_loop(
    base: str, stats: Stats, deadline: float, args: argparse.Namespace, seed: int
) -> None:
    rng = random.Random(seed)
    await asyncio.sleep(rng.uniform(0, 3))  # do not open all sessions in the same instant
    while time.monotonic() < deadline:
        session = Session(base, stats, args.run_timeout, rng, args.think)
        try:
            await session.run(args.actions_per_session, deadline)
        except (OSError, websockets.WebSocketException, httpx.HTTPError) as exc:
            stats.connection_errors.append(f"{type(exc).__name__}: {exc}"[:200])
            await asyncio.sleep(1)


def _rss_kib(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


async def _sample_rss(pids: list[int], stats: Stats, deadline: float, every: float) -> None:
    started = time.monotonic()
    while pids and time.monotonic() < deadline:
        # Behind nginx: the replicas together (a replica that has exited counts nothing).
        rss = sum(_rss_kib(pid) or 0 for pid in pids)
        if rss:
            stats.rss_kib.append((round(time.monotonic() - started, 1), rss))
        with contextlib.suppress(OSError, ValueError):
            stats.load_average.append(float(Path("/proc/loadavg").read_text().split()[0]))
        await asyncio.sleep(every)


_TICK = os.sysconf("SC_CLK_TCK")


def _process_cpu_s(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / _TICK  # utime + stime


def _machine_cpu_s() -> float:
    # First line of /proc/stat: user nice system idle iowait irq softirq steal ...
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:9]]
    return (sum(values) - values[3] - values[4]) / _TICK


async def drive(base: str, pids: list[int], args: argparse.Namespace) -> Stats:
    stats = Stats()
    server_before = {pid: _process_cpu_s(pid) for pid in pids}
    client_before, machine_before = time.process_time(), _machine_cpu_s()
    deadline = time.monotonic() + args.duration
    rss_task = asyncio.create_task(_sample_rss(pids, stats, deadline, args.rss_interval))
    sessions = [
        asyncio.create_task(_session_loop(base, stats, deadline, args, seed))
        for seed in range(args.sessions)
    ]
    # Hard bound: runs in flight get run_timeout to finish, then everything is cancelled.
    _, pending = await asyncio.wait(sessions, timeout=args.duration + args.run_timeout + 10)
    for task in pending:
        task.cancel()
    rss_task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await rss_task
    stats.server_cpu_s = sum(
        max(0.0, _process_cpu_s(pid) - before) for pid, before in server_before.items()
    )
    stats.client_cpu_s = time.process_time() - client_before
    stats.machine_cpu_s = _machine_cpu_s() - machine_before
    return stats


def summarise(stats: Stats, args: argparse.Namespace, wall: float) -> dict[str, Any]:
    rss = [kib for _, kib in stats.rss_kib]
    third = max(1, len(rss) // 3)
    # Bounded memory: the peak of the last third of the run may not exceed the peak of the
    # middle third by more than the allowed growth (warm-up happens in the first third).
    middle_peak = max(rss[third : 2 * third], default=0)
    last_peak = max(rss[2 * third :], default=0)
    growth = (last_peak - middle_peak) / middle_peak if middle_peak else 0.0
    latencies = sorted(stats.latencies)

    def pct(q: float) -> float | None:
        return (
            round(latencies[min(len(latencies) - 1, int(q * len(latencies)))], 3)
            if latencies
            else None
        )

    return {
        "sessions": args.sessions,
        "duration_s": args.duration,
        "think_s": list(args.think),
        "wall_s": round(wall, 1),
        "sessions_opened": stats.sessions_opened,
        "script_runs": stats.runs,
        "widget_changes": stats.widget_changes,
        "page_switches": stats.page_switches,
        "runs_per_s": round(stats.runs / wall, 2) if wall else None,
        "latency_s": {
            "median": round(statistics.median(latencies), 3) if latencies else None,
            "p90": pct(0.9),
            "p95": pct(0.95),
            "p99": pct(0.99),
            "max": round(latencies[-1], 3) if latencies else None,
        },
        "errors": {
            "total": stats.errors,
            "exceptions": stats.exceptions[:20],
            "error_boxes": stats.error_boxes[:20],
            "timeouts": stats.timeouts,
            "timeouts_by_page": dict(sorted(stats.timeouts_by_page.items())),
            "connection_errors": stats.connection_errors[:20],
        },
        "rss_mib": {
            "first": round(rss[0] / 1024, 1) if rss else None,
            "peak": round(max(rss) / 1024, 1) if rss else None,
            "last": round(rss[-1] / 1024, 1) if rss else None,
            "peak_middle_third": round(middle_peak / 1024, 1),
            "peak_last_third": round(last_peak / 1024, 1),
            "growth_last_vs_middle": round(growth, 3),
            "samples": [(t, round(k / 1024, 1)) for t, k in stats.rss_kib],
        },
        "memory_bounded": growth <= args.max_growth,
        "median_latency_by_page_s": {
            page: round(statistics.median(values), 2)
            for page, values in sorted(stats.page_latencies.items())
        },
        "p95_latency_by_page_s": {
            page: round(sorted(values)[min(len(values) - 1, int(0.95 * len(values)))], 2)
            for page, values in sorted(stats.page_latencies.items())
        },
        "sessions_by_replica": dict(sorted(stats.sessions_by_replica.items())),
        # Cores kept busy on average over the run (2 = both cores of the CI machine).
        "cpu_cores_busy": {
            "server": round(stats.server_cpu_s / wall, 2) if wall else None,
            "load_generator": round(stats.client_cpu_s / wall, 2) if wall else None,
            "whole_machine": round(stats.machine_cpu_s / wall, 2) if wall else None,
        },
        "server_cpu_s_per_run": round(stats.server_cpu_s / stats.runs, 3) if stats.runs else None,
        # The machine's own load during the run (1-minute load average; 2 = both cores busy).
        "load_average": {
            "median": round(statistics.median(stats.load_average), 1)
            if stats.load_average
            else None,
            "max": max(stats.load_average, default=None),
        },
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=25)
    parser.add_argument("--duration", type=float, default=180.0, help="seconds of load")
    parser.add_argument("--actions-per-session", type=int, default=12)
    parser.add_argument(
        "--think",
        type=lambda text: tuple(float(x) for x in text.split(",")),
        default=(0.3, 1.5),
        help="pause between a session's actions, 'min,max' seconds (0.3,1.5: stress; 3,10: "
        "people reading the page)",
    )
    parser.add_argument("--run-timeout", type=float, default=60.0, help="per script run, s")
    parser.add_argument("--rss-interval", type=float, default=2.0)
    parser.add_argument("--max-growth", type=float, default=0.10, help="allowed RSS growth")
    parser.add_argument("--data-dir", type=Path, help="snapshot to serve (default: data/)")
    parser.add_argument("--base", help="use a running server or proxy instead (no RSS then)")
    parser.add_argument(
        "--replicas",
        help="replica counts to compare behind nginx, e.g. 1,2 (deploy/run.py starts each)",
    )
    parser.add_argument("--rounds", type=int, default=1, help="with --replicas: repetitions")
    parser.add_argument(
        "--warmup",
        type=float,
        default=0.0,
        help="seconds of the same load before measuring, not recorded (a fresh process's "
        "first runs import libraries and fill its caches)",
    )
    parser.add_argument("--out", type=Path, help="write the JSON summary here")
    args = parser.parse_args(argv)

    if args.replicas:
        return _compare_replicas(args)
    if args.base:
        _warm_up(args.base.rstrip("/"), args)
        started = time.monotonic()
        stats = asyncio.run(drive(args.base.rstrip("/"), [], args))
        wall = time.monotonic() - started
    else:
        log = Path(os.environ.get("TMPDIR", "/tmp")) / f"kuntadash-load-{os.getpid()}.log"
        with serve_app(data_dir=args.data_dir, log_path=log) as server:
            _warm_up(server.base, args)
            started = time.monotonic()
            stats = asyncio.run(drive(server.base, [server.pid], args))
            wall = time.monotonic() - started
    summary = summarise(stats, args, wall)
    text = json.dumps(summary, ensure_ascii=False, indent=2)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")
    print(json.dumps(_brief(summary), ensure_ascii=False, indent=2))
    return 0 if summary["errors"]["total"] == 0 and summary["memory_bounded"] else 1


def _warm_up(base: str, args: argparse.Namespace) -> None:
    if args.warmup > 0:
        asyncio.run(drive(base, [], argparse.Namespace(**{**vars(args), "duration": args.warmup})))


def _compare_replicas(args: argparse.Namespace) -> int:
    """Each replica count behind nginx in turn, ``--rounds`` times interleaved; one JSON."""
    counts = [int(count) for count in args.replicas.split(",")]
    runs: list[dict[str, Any]] = []
    latencies: dict[int, list[float]] = {count: [] for count in counts}
    by_page: dict[int, dict[str, list[float]]] = {count: {} for count in counts}
    with tempfile.TemporaryDirectory(prefix="kuntadash-load-") as scratch:
        for round_number in range(1, args.rounds + 1):
            for count in counts:
                workdir = Path(scratch) / f"round{round_number}-replicas{count}"
                with serve_behind_nginx(
                    workdir=workdir, replicas=count, data_dir=args.data_dir
                ) as deployment:
                    pids = [replica["pid"] for replica in deployment.state()["replicas"]]
                    _warm_up(deployment.url, args)
                    started = time.monotonic()
                    stats = asyncio.run(drive(deployment.url, pids, args))
                    summary = summarise(stats, args, time.monotonic() - started)
                summary = {"replicas": count, "round": round_number, **summary}
                # The page only says "an error" (showErrorDetails = none); the replicas' logs
                # say which, and they go with the temporary folder.
                summary["errors"]["server_tracebacks"] = _tracebacks(workdir)
                runs.append(summary)
                latencies[count] += stats.latencies
                for page, values in stats.page_latencies.items():
                    by_page[count].setdefault(page, []).extend(values)
                print(json.dumps(_brief(summary), ensure_ascii=False), flush=True)

    def pct(values: list[float], q: float) -> float | None:
        ordered = sorted(values)
        return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 3) if values else None

    def pooled(count: int) -> dict[str, Any]:
        values = latencies[count]
        mine = [run for run in runs if run["replicas"] == count]
        return {
            "script_runs": len(values),
            "p50_s": pct(values, 0.5),
            "p95_s": pct(values, 0.95),
            "max_s": round(max(values), 3) if values else None,
            "p50_p95_by_page_s": {
                page: [pct(page_values, 0.5), pct(page_values, 0.95)]
                for page, page_values in sorted(by_page[count].items())
            },
            "errors": sum(run["errors"]["total"] for run in mine),
            "rss_peak_mib": max((run["rss_mib"]["peak"] or 0) for run in mine),
            "server_cpu_s_per_run": round(
                statistics.median(run["server_cpu_s_per_run"] or 0 for run in mine), 3
            ),
            "cores_busy_server": round(
                statistics.median(run["cpu_cores_busy"]["server"] or 0 for run in mine), 2
            ),
            "cores_busy_whole_machine": round(
                statistics.median(run["cpu_cores_busy"]["whole_machine"] or 0 for run in mine), 2
            ),
            "load_average_median": round(
                statistics.median(run["load_average"]["median"] or 0 for run in mine), 2
            ),
        }

    result = {
        "what": "bench/load.py behind nginx (deploy/run.py), replica counts side by side",
        "date": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "cpu_count": os.cpu_count(),
        "sessions": args.sessions,
        "duration_s": args.duration,
        "think_s": list(args.think),
        "rounds": args.rounds,
        "warmup_s": args.warmup,
        "data_dir": str(args.data_dir) if args.data_dir else "data/ (the app's default)",
        "by_replicas": {str(count): pooled(count) for count in counts},
        "runs": runs,
    }
    text = json.dumps(result, ensure_ascii=False, indent=2)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")
    print(json.dumps(result["by_replicas"], ensure_ascii=False, indent=2))
    healthy = all(run["errors"]["total"] == 0 and run["memory_bounded"] for run in runs)
    return 0 if healthy else 1


def _tracebacks(workdir: Path) -> dict[str, int]:
    """Each distinct error in the replicas' logs (our last frame and the message), counted."""
    found: dict[str, int] = {}
    for log in sorted(workdir.glob("replica-*.log")):
        text = log.read_text(errors="replace")
        for block in text.split("Traceback (most recent call last):")[1:]:
            lines = [line for line in block.splitlines() if line.strip()]
            ours = [
                line.strip()
                for line in lines
                if line.strip().startswith('File "') and "site-packages" not in line
            ]
            message = next((line for line in lines if not line.startswith((" ", "\t"))), "")
            where = ours[-1].replace(f"{REPO}/", "") if ours else "?"
            key = f"{where}: {message.strip()[:200]}"
            found[key] = found.get(key, 0) + 1
    return found


def _brief(summary: dict[str, Any]) -> dict[str, Any]:
    brief = {k: v for k, v in summary.items() if k != "rss_mib"}
    brief["rss_mib"] = {k: v for k, v in summary["rss_mib"].items() if k != "samples"}
    return brief


if __name__ == "__main__":
    sys.exit(main())
