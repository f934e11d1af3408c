"""Hold the app under load: N concurrent sessions rerunning pages for a while; errors and RSS.

Usage: python bench/load.py [--sessions 25] [--duration 180] [--out FILE.json] [--base URL]

Starts its own server on 127.0.0.1 (a free port, ``KUNTADASH_DATA_DIR`` as given or the
repository's ``data/``) unless ``--base`` is given, and stops exactly that process at the end.
Each session is a websocket client speaking Streamlit's own protocol (the BackMsg / ForwardMsg
protobufs the browser sends), so 25 sessions cost the client almost nothing and the two cores go
to the server. A session opens a page, waits for the script run to finish, then keeps changing a
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
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

from kuntadash.devserver import serve_app

REPO = Path(__file__).resolve().parents[1]
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
        ws_url: str,
        stats: Stats,
        run_timeout: float,
        rng: random.Random,
        think: tuple[float, float] = (0.3, 1.5),
    ):
        self.ws_url, self.stats, self.run_timeout, self.rng = ws_url, stats, run_timeout, rng
        self.think = think
        self.pages: list[str] = []
        self.page = ""
        self.query = ""
        self.selectboxes: dict[str, Selectbox] = {}
        self.changed: dict[str, str] = {}

    async def run(self, actions: int, deadline: float) -> None:
        async with websockets.connect(
            self.ws_url, subprotocols=["streamlit"], max_size=2**27, open_timeout=30
        ) as ws:
            self.stats.sessions_opened += 1
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
    ws_url: str, stats: Stats, deadline: float, args: argparse.Namespace, seed: int
) -> None:
    rng = random.Random(seed)
    await asyncio.sleep(rng.uniform(0, 3))  # do not open all sessions in the same instant
    while time.monotonic() < deadline:
        session = Session(ws_url, stats, args.run_timeout, rng, args.think)
        try:
            await session.run(args.actions_per_session, deadline)
        except (OSError, websockets.WebSocketException) as exc:
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


async def _sample_rss(pid: int | None, stats: Stats, deadline: float, every: float) -> None:
    started = time.monotonic()
    while pid is not None and time.monotonic() < deadline:
        rss = _rss_kib(pid)
        if rss is not None:
            stats.rss_kib.append((round(time.monotonic() - started, 1), rss))
        with contextlib.suppress(OSError, ValueError):
            stats.load_average.append(float(Path("/proc/loadavg").read_text().split()[0]))
        await asyncio.sleep(every)


async def drive(base: str, pid: int | None, args: argparse.Namespace) -> Stats:
    stats = Stats()
    ws_url = base.replace("http", "ws", 1) + "/_stcore/stream"
    deadline = time.monotonic() + args.duration
    rss_task = asyncio.create_task(_sample_rss(pid, stats, deadline, args.rss_interval))
    sessions = [
        asyncio.create_task(_session_loop(ws_url, stats, deadline, args, seed))
        for seed in range(args.sessions)
    ]
    # Hard bound: runs in flight get run_timeout to finish, then everything is cancelled.
    _, pending = await asyncio.wait(sessions, timeout=args.duration + args.run_timeout + 10)
    for task in pending:
        task.cancel()
    rss_task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await rss_task
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
    parser.add_argument("--base", help="use a running server instead (no RSS then)")
    parser.add_argument("--out", type=Path, help="write the JSON summary here")
    args = parser.parse_args(argv)

    started = time.monotonic()
    if args.base:
        stats = asyncio.run(drive(args.base.rstrip("/"), None, args))
    else:
        log = Path(os.environ.get("TMPDIR", "/tmp")) / f"kuntadash-load-{os.getpid()}.log"
        with serve_app(data_dir=args.data_dir, log_path=log) as server:
            base, pid = server.base, server.pid
            stats = asyncio.run(drive(base, pid, args))
    summary = summarise(stats, args, time.monotonic() - started)
    text = json.dumps(summary, ensure_ascii=False, indent=2)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")
    brief = {k: v for k, v in summary.items() if k != "rss_mib"}
    brief["rss_mib"] = {k: v for k, v in summary["rss_mib"].items() if k != "samples"}
    print(json.dumps(brief, ensure_ascii=False, indent=2))
    return 0 if summary["errors"]["total"] == 0 and summary["memory_bounded"] else 1


if __name__ == "__main__":
    sys.exit(main())
