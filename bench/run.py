"""Benchmark kuntadash in a real browser and over the websocket, beside a naive baseline.

Usage: python bench/run.py [--runs 5] [--duration 30] [--out bench/results/DATE.json]
                           [--variants sample,real,baseline]

Not a test: it measures and writes ``bench/results/<date>.json`` (summarised in
docs/PERFORMANCE.md). Needs /usr/bin/chromium. Everything runs on 127.0.0.1 and is bounded in
time; each server is started on a fresh free port and stopped by its own pid.

Variants, measured interleaved in the same run so machine drift hits all of them alike:
- ``sample``: the app on the committed sample snapshot (schematic tiles);
- ``real``: the app on the sample values with the real 2025 boundaries imported from the
  Statistics Finland WFS file in ../shared/opendata (simplified once at import, as `kuntadash data
  import` does); skipped when that file is absent;
- ``baseline``: bench/baseline_app.py, the same map drawn the straightforward way (full-resolution
  boundaries re-read and re-projected on every rerun, no caching). Its boundaries are the WFS file
  when present, else the sample tiles densified to ~24 points per edge.

Per variant and run (a fresh server each run): server start → healthy; server memory idle; cold
page load (new browser context, empty cache) → map drawn; bytes per cold load (HTTP bodies and
headers + websocket frames); memory after that one session; warm reload → map drawn; widget change
(indicator) → updated map drawn; websocket bytes per rerun; page switch → drawn (the app only).
Then, per variant, N concurrent websocket sessions (10 and 25) each changing the indicator every
1–3 s for ``--duration`` seconds: p50 / p95 rerun latency (request sent → script finished, as the
server sees it; the browser's drawing comes on top) and server memory.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import datetime as dt
import gzip
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

import websockets  # noqa: E402
from playwright.sync_api import Page, sync_playwright  # noqa: E402
from streamlit.proto.BackMsg_pb2 import BackMsg  # noqa: E402
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg  # noqa: E402
from streamlit.proto.WidgetStates_pb2 import WidgetState  # noqa: E402

from kuntadash.devserver import CHROMIUM_ARGS, READY, Server, serve_app  # noqa: E402
from kuntadash.store.locations import BUNDLED_SAMPLE_DIR as SAMPLE_DIR  # noqa: E402

WFS_FILE = (
    REPO.parent
    / "shared"
    / "opendata"
    / "statfi_wfs_2025"
    / "kunta1000k_2025_with_neighbors_and_province.geojson"
)
INDICATOR_LABEL = "Indikaattori"
MUNICIPALITIES = 308
TIMEOUT_MS = 120_000

# Distinct municipalities MapLibre has drawn in the fill layers of the first map on the page.
RENDERED_JS = """() => {
  const gd = document.querySelector('[data-testid=stPlotlyChart] .js-plotly-plot');
  const sub = gd && gd._fullLayout && gd._fullLayout.map && gd._fullLayout.map._subplot;
  if (!sub || !sub.map || !sub.map.isStyleLoaded()) return -1;
  const fills = sub.map.queryRenderedFeatures().filter(f => f.layer.id.endsWith('-fill'));
  return new Set(fills.map(f => String(f.id))).size;
}"""
SIGNATURE_JS = """() => {
  const gd = document.querySelector('[data-testid=stPlotlyChart] .js-plotly-plot');
  if (!gd || !gd._fullData) return '';
  return gd._fullData.map(t => Array.from(t.z || []).slice(0, 400).join(',')).join('|');
}"""


# --- servers ----------------------------------------------------------------------------------


def rss_mib(pid: int) -> float | None:
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
    return None


# --- variants ---------------------------------------------------------------------------------


@dataclasses.dataclass
class Variant:
    name: str
    script: str
    env: dict[str, str]
    has_pages: bool
    description: str


def serve_variant(variant: Variant, log: Path) -> contextlib.AbstractContextManager[Server]:
    return serve_app(script=variant.script, env=variant.env, log_path=log, start_timeout_s=120)


def build_real_snapshot(work: Path) -> Path:
    """Sample values with the real 2025 boundaries, imported the way `kuntadash data import`
    does (repaired, simplified once, tiles computed)."""
    from kuntadash.store import read_snapshot, write_snapshot

    imported = work / "imported"
    shutil.copytree(SAMPLE_DIR, imported)
    subprocess.run(
        [sys.executable, "-m", "kuntadash.cli", "data", "import", "--out", str(imported),
         str(WFS_FILE)],
        check=True, cwd=REPO, capture_output=True,
    )  # fmt: skip
    real = read_snapshot(imported)
    sample = read_snapshot(SAMPLE_DIR)
    combined = dataclasses.replace(
        sample,
        boundaries=real.boundaries,
        tiles=real.tiles,
        manifest={**sample.manifest, "boundaries": "official"},
    )
    target = work / "real"
    write_snapshot(combined, target)
    return target


def densified_tiles(work: Path) -> Path:
    """The sample's schematic tiles with ~24 points per edge: a stand-in for real boundaries."""
    from kuntadash.store import read_snapshot

    tiles = read_snapshot(SAMPLE_DIR).boundaries.to_crs(3067)
    tiles["geometry"] = tiles.geometry.segmentize(tiles.geometry.length.median() / 4 / 24)
    target = work / "densified_tiles.geojson"
    tiles.to_crs(4326).to_file(target, driver="GeoJSON")
    return target


def variants(work: Path, wanted: list[str]) -> tuple[list[Variant], dict[str, Any]]:
    notes: dict[str, Any] = {}
    found: list[Variant] = []
    real_boundaries = WFS_FILE.exists()
    if "sample" in wanted:
        found.append(
            Variant("sample", "app.py", {"KUNTADASH_DATA_DIR": str(SAMPLE_DIR)}, True,
                    "the app on the committed sample snapshot (schematic tiles)")
        )  # fmt: skip
    if "real" in wanted and real_boundaries:
        found.append(
            Variant("real", "app.py", {"KUNTADASH_DATA_DIR": str(build_real_snapshot(work))},
                    True, "the app on sample values with the real 2025 boundaries imported from "
                    "the Statistics Finland WFS file (simplified once at import)")
        )  # fmt: skip
    if "baseline" in wanted:
        boundaries = WFS_FILE if real_boundaries else densified_tiles(work)
        notes["baseline_boundaries"] = (
            f"Statistics Finland WFS file {WFS_FILE.name}"
            if real_boundaries
            else "sample tiles densified (WFS file absent)"
        )
        found.append(
            Variant("baseline", "bench/baseline_app.py",
                    {"KUNTADASH_DATA_DIR": str(SAMPLE_DIR),
                     "KUNTADASH_BASELINE_BOUNDARIES": str(boundaries)},
                    False, "naive page: boundaries re-read and re-projected every rerun, no cache")
        )  # fmt: skip
    return found, notes


# --- browser measurements ---------------------------------------------------------------------


def wait_ready(page: Page) -> None:
    page.wait_for_selector(READY, timeout=TIMEOUT_MS)
    page.wait_for_function(
        "() => !document.querySelector(\"[data-stale='true']\")", timeout=TIMEOUT_MS
    )
    page.wait_for_selector(READY, timeout=TIMEOUT_MS)


def wait_map(page: Page, previous: str | None = None) -> None:
    """Until the map shows all municipalities (and, after a change, the new values)."""
    if previous is not None:
        page.wait_for_function(
            f"() => {{ const s = ({SIGNATURE_JS})(); "
            f"return s !== '' && s !== {json.dumps(previous)}; }}",
            timeout=TIMEOUT_MS,
        )
    page.wait_for_function(f"() => ({RENDERED_JS})() >= {MUNICIPALITIES}", timeout=TIMEOUT_MS)
    # Two animation frames: what was queried has been painted.
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")


class WsBytes:
    """Counts websocket bytes received by a page."""

    def __init__(self, page: Page):
        self.received = 0
        self.sent = 0
        page.on("websocket", self._attach)

    def _attach(self, ws: Any) -> None:
        ws.on("framereceived", lambda payload: self._add("received", payload))
        ws.on("framesent", lambda payload: self._add("sent", payload))

    def _add(self, kind: str, payload: str | bytes) -> None:
        size = len(payload.encode() if isinstance(payload, str) else payload)
        setattr(self, kind, getattr(self, kind) + size)


def choose_next_indicator(page: Page) -> None:
    box = page.get_by_role("combobox", name=INDICATOR_LABEL)
    current = box.input_value()
    box.click()
    options = page.get_by_role("option")
    texts = [options.nth(i).inner_text() for i in range(options.count())]
    nxt = texts[(texts.index(current) + 1) % len(texts)] if current in texts else texts[1]
    page.get_by_role("option", name=nxt, exact=True).click()


def browser_run(browser: Any, variant: Variant, server: Server) -> dict[str, Any]:
    result: dict[str, Any] = {"server_start_s": server.start_s, "rss_idle_mib": rss_mib(server.pid)}
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    requests: list[Any] = []
    page.on("requestfinished", lambda request: requests.append(request))
    ws = WsBytes(page)

    started = time.perf_counter()
    page.goto(server.base + "/")
    wait_ready(page)
    result["cold_script_done_s"] = time.perf_counter() - started
    wait_map(page)
    result["cold_map_drawn_s"] = time.perf_counter() - started
    page.wait_for_timeout(500)  # late requests (fonts, icons) finish
    http = [r.sizes() for r in requests]
    result["cold_http_bytes"] = sum(s["responseBodySize"] + s["responseHeadersSize"] for s in http)
    result["cold_requests"] = len(http)
    result["cold_js_bytes"] = sum(
        s["responseBodySize"] for r, s in zip(requests, http, strict=True) if r.url.endswith(".js")
    )
    result["cold_ws_bytes"] = ws.received
    result["cold_bytes"] = result["cold_http_bytes"] + ws.received
    result["static_urls"] = sorted({r.url for r in requests if "/static/" in r.url})
    result["rss_one_session_mib"] = rss_mib(server.pid)

    result["warm_reload_s"] = []
    for _ in range(2):
        started = time.perf_counter()
        page.reload()
        wait_ready(page)
        wait_map(page)
        result["warm_reload_s"].append(time.perf_counter() - started)

    result["widget_change_s"], result["rerun_ws_bytes"] = [], []
    for _ in range(3):
        previous = page.evaluate(SIGNATURE_JS)
        before = ws.received
        started = time.perf_counter()
        choose_next_indicator(page)
        wait_map(page, previous)
        wait_ready(page)
        result["widget_change_s"].append(time.perf_counter() - started)
        page.wait_for_timeout(300)  # trailing frames of this rerun
        result["rerun_ws_bytes"].append(ws.received - before)

    if variant.has_pages:
        result["page_switch_s"] = []
        for target in ("compare", ""):
            link = page.locator(f"[data-testid=stSidebarNavLink][href$='/{target}']")
            started = time.perf_counter()
            link.click()
            page.wait_for_url(f"**/{target}*")
            wait_ready(page)
            if target == "":
                wait_map(page)
            else:
                page.wait_for_selector("[data-testid=stPlotlyChart] .main-svg", timeout=TIMEOUT_MS)
            result["page_switch_s"].append(time.perf_counter() - started)
    context.close()
    return result


# --- concurrent sessions over the websocket ---------------------------------------------------


async def ws_session(
    ws_url: str, seconds: float, latencies: list[float], errors: list[str], seed: int
) -> None:
    rng = random.Random(seed)
    await asyncio.sleep(rng.uniform(0, 2))
    try:
        async with websockets.connect(
            ws_url, subprotocols=["streamlit"], max_size=2**27, open_timeout=60
        ) as ws:
            widget: tuple[str, list[str]] | None = None
            index = 0

            async def rerun(changes: dict[str, str]) -> tuple[str, list[str]] | None:
                message = BackMsg()
                message.rerun_script.query_string = ""
                message.rerun_script.page_name = ""
                for wid, value in changes.items():
                    message.rerun_script.widget_states.widgets.append(
                        WidgetState(id=wid, string_value=value)
                    )
                await ws.send(message.SerializeToString())
                found = None
                while True:
                    forward = ForwardMsg()
                    forward.ParseFromString(await asyncio.wait_for(ws.recv(), 120))
                    kind = forward.WhichOneof("type")
                    if kind == "delta" and forward.delta.WhichOneof("type") == "new_element":
                        element = forward.delta.new_element
                        if element.WhichOneof("type") == "exception":
                            errors.append(element.exception.message[:200])
                        if (
                            element.WhichOneof("type") == "selectbox"
                            and element.selectbox.label == INDICATOR_LABEL
                        ):
                            found = (element.selectbox.id, list(element.selectbox.options))
                    elif kind == "script_finished" and (
                        forward.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN
                    ):
                        return found

            widget = await rerun({})
            deadline = time.monotonic() + seconds  # the clock starts once the page is there
            while widget and time.monotonic() < deadline:
                await asyncio.sleep(rng.uniform(1.0, 3.0))  # a person looking at the map
                index = (index + 1 + seed) % len(widget[1])
                started = time.monotonic()
                widget = await rerun({widget[0]: widget[1][index]}) or widget
                latencies.append(time.monotonic() - started)
    except (OSError, TimeoutError, websockets.WebSocketException) as exc:
        errors.append(f"{type(exc).__name__}: {exc}"[:200])


async def concurrent(base: str, pid: int, sessions: int, seconds: float) -> dict[str, Any]:
    ws_url = base.replace("http", "ws", 1) + "/_stcore/stream"
    latencies: list[float] = []
    errors: list[str] = []
    peak = 0.0

    async def sample() -> None:
        nonlocal peak
        while True:
            peak = max(peak, rss_mib(pid) or 0.0)
            await asyncio.sleep(0.5)

    sampler = asyncio.create_task(sample())
    tasks = [ws_session(ws_url, seconds, latencies, errors, seed) for seed in range(sessions)]
    await asyncio.wait_for(asyncio.gather(*tasks), seconds + 180)
    sampler.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await sampler
    ordered = sorted(latencies)

    def pct(q: float) -> float | None:
        return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 3) if ordered else None

    return {
        "sessions": sessions,
        "seconds": seconds,
        "reruns": len(ordered),
        "p50_s": pct(0.5),
        "p95_s": pct(0.95),
        "max_s": round(ordered[-1], 3) if ordered else None,
        "rss_peak_mib": peak,
        "errors": errors[:10],
    }


# --- summary ----------------------------------------------------------------------------------


def spread(samples: list[float]) -> dict[str, float | int]:
    return {
        "median": round(statistics.median(samples), 3),
        "min": round(min(samples), 3),
        "max": round(max(samples), 3),
        "n": len(samples),
    }


def summarise(runs: list[dict[str, Any]]) -> dict[str, Any]:
    keys = [
        "server_start_s", "rss_idle_mib", "cold_script_done_s", "cold_map_drawn_s",
        "cold_bytes", "cold_http_bytes", "cold_js_bytes", "cold_ws_bytes", "cold_requests",
        "rss_one_session_mib", "warm_reload_s", "widget_change_s", "rerun_ws_bytes",
        "page_switch_s",
    ]  # fmt: skip
    out: dict[str, Any] = {}
    for key in keys:
        samples: list[float] = []
        for run in runs:
            value = run.get(key)
            if isinstance(value, list):
                samples.extend(value)
            elif value is not None:
                samples.append(value)
        if samples:
            out[key] = spread(samples)
    return out


def gzip_estimate(urls: list[str]) -> dict[str, int]:
    """What the static files of one cold load would weigh gzip-compressed (level 6)."""
    raw = compressed = 0
    for url in urls:
        with urllib.request.urlopen(url, timeout=30) as reply:
            body = reply.read()
        raw += len(body)
        compressed += len(gzip.compress(body, compresslevel=6))
    return {"raw_bytes": raw, "gzip_bytes": compressed}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--duration", type=float, default=30.0, help="s of concurrent load")
    parser.add_argument("--sessions", default="10,25")
    parser.add_argument("--variants", default="sample,real,baseline")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    if args.runs < 5:
        print("note: fewer than 5 runs: medians are less reliable", file=sys.stderr)
    out = args.out or REPO / "bench" / "results" / f"{dt.date.today().isoformat()}.json"
    out.parent.mkdir(parents=True, exist_ok=True)

    with tempfile.TemporaryDirectory(prefix="kuntadash-bench-") as tmp:
        work = Path(tmp)
        log = work / "streamlit.log"
        chosen, notes = variants(work, args.variants.split(","))
        raw: dict[str, list[dict[str, Any]]] = {v.name: [] for v in chosen}
        load: dict[str, list[dict[str, Any]]] = {v.name: [] for v in chosen}
        gz: dict[str, dict[str, int]] = {}
        load_avg_before = os.getloadavg()
        started = time.perf_counter()
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            for run in range(args.runs):
                for variant in chosen:  # interleaved: drift hits every variant alike
                    with serve_variant(variant, log) as server:
                        result = browser_run(browser, variant, server)
                        if run == 0:
                            gz[variant.name] = gzip_estimate(result["static_urls"])
                        del result["static_urls"]
                        raw[variant.name].append(result)
                    print(f"run {run + 1}/{args.runs} {variant.name}: "
                          f"cold {result['cold_map_drawn_s']:.2f} s, "
                          f"change {statistics.median(result['widget_change_s']):.2f} s",
                          flush=True)  # fmt: skip
            browser.close()
        for sessions in (int(s) for s in args.sessions.split(",")):
            for variant in chosen:
                with serve_variant(variant, log) as server:
                    result = asyncio.run(
                        concurrent(server.base, server.pid, sessions, args.duration)
                    )
                load[variant.name].append(result)
                print(
                    f"{sessions} sessions {variant.name}: p50 {result['p50_s']} s, "
                    f"p95 {result['p95_s']} s, peak {result['rss_peak_mib']} MiB",
                    flush=True,
                )

    summary = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
            "load_average_before": [round(x, 2) for x in load_avg_before],
            "load_average_after": [round(x, 2) for x in os.getloadavg()],
        },
        "wall_s": round(time.perf_counter() - started, 1),
        "runs": args.runs,
        "notes": notes,
        "variants": {v.name: v.description for v in chosen},
        "summary": {name: summarise(runs) for name, runs in raw.items()},
        "concurrent": load,
        "gzip_static": gz,
        "raw": raw,
    }
    out.write_text(json.dumps(summary, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(json.dumps({k: summary[k] for k in ("summary", "concurrent", "gzip_static")}, indent=1))
    print(f"written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
