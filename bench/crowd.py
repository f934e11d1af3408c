"""A crowd opening one profile: the baked page through nginx and the interactive profile on two
replicas, measured in one run.

Usage: python bench/crowd.py [--visitors 100] [--within 10] [--out FILE.json]

Bakes Kuopio's static pages into a temporary site folder (``kuntadash site build`` for one
municipality), starts the app as two replicas behind nginx with ``deploy/run.py --site-dir``
(as in production, deploy/README.md), then lets two crowds arrive, one after the other: each of
``--visitors`` visitors arrives at a random moment within ``--within`` seconds (the same seeded
moments for both crowds) and opens Kuopio's profile, with a fresh connection as a new visitor's
browser would.

- Baked: ``GET /kunta/fi/kuopio/`` through nginx with ``Accept-Encoding: gzip``; the time is
  from the request until the whole page has arrived.
- Interactive: the profile page's HTML (for the cookies), then the websocket with Streamlit's own
  protocol (bench/load.py's Session), one script run of ``/municipality?kunta=297``; the time is
  from the first request until that run has finished, i.e. until the profile is on the screen.
  These go to the replicas directly, half each, as nginx's sticky routing would spread visitors
  from many addresses: from one address (this client) nginx's per-client limit on new websockets
  (30 a minute, deploy/nginx) would turn most of the crowd away with 429.

Everything runs on 127.0.0.1 and is stopped at the end, by pid (tools/devserver.py).
Bounded: every visit gives up after ``--timeout`` seconds (counted as an error).
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import websockets

from kuntadash.report import site
from kuntadash.store import read_snapshot

sys.path.insert(0, str(Path(__file__).resolve().parent))  # bench/ is a folder of scripts
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tools/: the test tooling
from load import Session, Stats

from tools.devserver import serve_behind_nginx

REPO = Path(__file__).resolve().parents[1]
KUOPIO = "297"


def _pct(values: list[float], q: float) -> float | None:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 4) if values else None


def _summary(times: list[float], errors: list[str], wall: float) -> dict[str, Any]:
    return {
        "visits": len(times) + len(errors),
        "ok": len(times),
        "errors": len(errors),
        "error_examples": sorted(set(errors))[:5],
        "p50_s": _pct(times, 0.5),
        "p95_s": _pct(times, 0.95),
        "max_s": round(max(times), 4) if times else None,
        "wall_s": round(wall, 2),
    }


async def _crowd(arrivals: list[float], visit, timeout: float) -> tuple[list[float], list[str]]:
    times: list[float] = []
    errors: list[str] = []
    start = time.monotonic()

    async def one(index: int, at: float) -> None:
        await asyncio.sleep(max(0.0, start + at - time.monotonic()))
        began = time.monotonic()
        try:
            await asyncio.wait_for(visit(index), timeout)
        except (TimeoutError, httpx.HTTPError, OSError, websockets.WebSocketException) as exc:
            errors.append(f"{type(exc).__name__}: {exc}"[:160])
            return
        times.append(time.monotonic() - began)

    await asyncio.gather(*(one(i, at) for i, at in enumerate(arrivals)))
    return times, errors


def _baked_visit(url: str):
    """A new visitor's request over a fresh connection, spoken over a bare socket: an
    httpx client per visitor would spend more of this (loaded) machine's time on building itself
    than nginx spends on the answer."""
    parts = urlsplit(url)

    async def visit(_index: int) -> None:
        reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
        try:
            writer.write(
                f"GET {parts.path} HTTP/1.1\r\nHost: {parts.netloc}\r\n"
                "Accept-Encoding: gzip\r\nConnection: close\r\n\r\n".encode("ascii")
            )
            await writer.drain()
            answer = await reader.read()
        finally:
            writer.close()
        head, _, body = answer.partition(b"\r\n\r\n")
        if not head.startswith(b"HTTP/1.1 200"):
            raise OSError(f"answered {head.splitlines()[0]!r}")
        if b"chunked" in head.lower():
            body = _unchunk(body)
        if b"<h1>Kuopio</h1>" not in gzip.decompress(body):
            raise OSError("the page lacks its heading")

    return visit


def _unchunk(body: bytes) -> bytes:
    data = b""
    while body:
        size, _, rest = body.partition(b"\r\n")
        length = int(size.split(b";")[0], 16)
        if length == 0:
            break
        data, body = data + rest[:length], rest[length + 2 :]
    return data


def _interactive_visit(replicas: list[str], stats: Stats, timeout: float):
    async def visit(index: int) -> None:
        base = replicas[index % len(replicas)]
        session = Session(base, stats, timeout, random.Random(index))
        async with httpx.AsyncClient(timeout=30) as client:
            page = await client.get(f"{base}/municipality?kunta={KUOPIO}")
            page.raise_for_status()
        runs_before = stats.runs
        async with websockets.connect(
            session.ws_url, subprotocols=["streamlit"], max_size=2**27, open_timeout=30
        ) as ws:
            session.page, session.query = "municipality", f"kunta={KUOPIO}"
            await session._rerun(ws)
        if stats.runs == runs_before:
            raise TimeoutError("the profile's script run did not finish")

    return visit


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--visitors", type=int, default=100)
    parser.add_argument("--within", type=float, default=10.0, help="seconds of arrivals")
    parser.add_argument("--timeout", type=float, default=180.0, help="per visit, seconds")
    parser.add_argument("--data-dir", type=Path, default=REPO / "data")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    arrivals = sorted(rng.uniform(0, args.within) for _ in range(args.visitors))
    result: dict[str, Any] = {
        "what": "bench/crowd.py: one profile opened by a crowd, baked page vs interactive app",
        "date": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "cpu_count": os.cpu_count(),
        "load_average_before": os.getloadavg(),
        "visitors": args.visitors,
        "within_s": args.within,
    }
    with tempfile.TemporaryDirectory(prefix="kuntadash-crowd-") as scratch:
        site_dir = Path(scratch) / "site"
        site.build_site(read_snapshot(args.data_dir), site_dir, workers=1, codes=[KUOPIO])
        with serve_behind_nginx(
            workdir=Path(scratch) / "run",
            replicas=2,
            data_dir=args.data_dir,
            args=["--site-dir", str(site_dir)],
        ) as deployment:
            replicas = [r["url"] for r in deployment.state()["replicas"]]
            started = time.monotonic()
            times, errors = asyncio.run(
                _crowd(arrivals, _baked_visit(deployment.url + "/kunta/fi/kuopio/"), 30)
            )
            result["baked_through_nginx"] = _summary(times, errors, time.monotonic() - started)
            print(json.dumps({"baked": result["baked_through_nginx"]}), flush=True)
            stats = Stats()
            started = time.monotonic()
            times, errors = asyncio.run(
                _crowd(arrivals, _interactive_visit(replicas, stats, args.timeout), args.timeout)
            )
            summary = _summary(times, errors, time.monotonic() - started)
            summary["page_exceptions"] = stats.exceptions[:5]
            summary["script_run_p50_p95_s"] = [
                _pct(stats.latencies, 0.5),
                _pct(stats.latencies, 0.95),
            ]
            result["interactive_2_replicas"] = summary
            print(json.dumps({"interactive": summary}), flush=True)
    result["load_average_after"] = os.getloadavg()
    text = json.dumps(result, ensure_ascii=False, indent=2)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")
    print(text)
    failed = result["baked_through_nginx"]["errors"] or result["interactive_2_replicas"]["errors"]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
