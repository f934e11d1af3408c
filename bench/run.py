"""Benchmark kuntadash in a real browser and over the websocket, beside a naive baseline and the
previous version of the overview map.

Usage: python bench/run.py [--runs 3] [--duration 30] [--sessions 10] [--out FILE]
                           [--variants app,previous,baseline] [--previous-ref REF]

Not a test: it measures and writes ``bench/results/<date>.json`` (summarised in
docs/PERFORMANCE.md). Needs /usr/bin/chromium. Everything runs on 127.0.0.1 and is bounded in
time; each server is started on a fresh free port, warmed once (``/_stcore/script-health-check``,
as a deployment does at start) and stopped by its own pid.

Variants, measured interleaved in the same run so machine drift hits all of them alike (all but
``sample`` serve the committed snapshot of official figures, ``data/``, real 2025 borders):
- ``app``: the app as it is (the overview map is the SVG component, kuntadash.ui.map);
- ``previous``: the app at ``--previous-ref`` (default: the last commit whose overview map was a
  plotly ``choroplethmap`` that carried the boundaries in every rerun), extracted with
  ``git archive`` into a temporary folder and served from there;
- ``baseline``: bench/baseline_app.py, the same map drawn the straightforward way (full-resolution
  boundaries re-read and re-projected on every rerun, no caching). Its boundaries are the WFS file
  in ../shared/opendata when present, else the sample tiles densified to ~24 points per edge;
- ``sample``: the app on the bundled sample snapshot (schematic tiles);
- ``real``: the app on the sample values with the WFS file's boundaries imported the way
  `kuntadash data import` does (skipped when that file is absent).

Per variant and run: server start → healthy; warm-up; server memory idle; cold page load (new
browser context, empty cache) → map drawn; bytes of that load (on the wire and decoded, HTTP and
websocket) and whether the plotly chunk was fetched; memory after that one session; warm reload →
map drawn; indicator change → map updated (from the click on the new option to every
municipality drawn in its new colour) and → page settled (script finished, nothing stale), the
websocket bytes of that rerun and whether the map stayed the same instance; page switch → drawn
(the app only). Then, per variant, N concurrent websocket sessions each changing the indicator
every 1–3 s for ``--duration`` seconds: p50 / p95 rerun latency (request sent → script
finished, as the server sees it) and server memory.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import datetime as dt
import gzip
import io
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(REPO))  # tools/: the test and benchmark tooling

import websockets  # noqa: E402
from playwright.sync_api import Page, sync_playwright  # noqa: E402
from streamlit.proto.BackMsg_pb2 import BackMsg  # noqa: E402
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg  # noqa: E402
from streamlit.proto.WidgetStates_pb2 import WidgetState  # noqa: E402

from kuntadash.store.locations import BUNDLED_SAMPLE_DIR as SAMPLE_DIR  # noqa: E402
from tools.devserver import CHROMIUM_ARGS, READY, Server, serve_app  # noqa: E402

WFS_FILE = (
    REPO.parent
    / "shared"
    / "opendata"
    / "statfi_wfs_2025"
    / "kunta1000k_2025_with_neighbors_and_province.geojson"
)
OFFICIAL_DIR = REPO / "data"
# The last commit whose overview map was a plotly choroplethmap carrying the boundaries in every
# rerun (the "previous" variant).
PREVIOUS_REF = "08c38ec"
INDICATOR_LABEL = "Indikaattori"
MUNICIPALITIES = 308
TIMEOUT_MS = 120_000

# The overview map, whichever kind is on the page: our component inside its shadow root (SVG
# paths, or the MapLibre candidate, which reports what it has drawn after each update), or
# plotly's choroplethmap. ``drawn``: municipalities drawn; ``signature``: changes when the
# colours change; ``instance``: an id that survives as long as the same map object does.
MAP_STATE_JS = """() => {
  for (const host of document.querySelectorAll('[data-testid=stBidiComponentIsolated]')) {
    const root = host.shadowRoot && host.shadowRoot.querySelector('.kd-map');
    if (!root) continue;
    const paths = root.querySelectorAll('.kd-shapes path');
    if (paths.length) {
      let drawn = 0; const fills = [];
      for (const p of paths) {
        const box = p.getBBox();
        if (box.width > 0 && box.height > 0 && p.getAttribute('fill')) drawn += 1;
        fills.push(p.getAttribute('fill'));
      }
      return {kind: 'svg', drawn, signature: fills.join(','), instance: root.dataset.instance};
    }
    return {kind: 'maplibre', drawn: Number(root.dataset.drawn || -1),
            signature: root.dataset.updates || '', instance: root.dataset.instance};
  }
  const gd = document.querySelector('[data-testid=stPlotlyChart] .js-plotly-plot');
  const sub = gd && gd._fullLayout && gd._fullLayout.map && gd._fullLayout.map._subplot;
  if (!sub || !sub.map || !sub.map.isStyleLoaded()) {
    return {kind: 'plotly', drawn: -1, signature: '', instance: null};
  }
  const fills = sub.map.queryRenderedFeatures().filter(f => f.layer.id.endsWith('-fill'));
  if (!sub.map.__benchInstance) sub.map.__benchInstance = Math.random().toString(36).slice(2);
  return {kind: 'plotly', drawn: new Set(fills.map(f => String(f.id))).size,
          signature: gd._fullData.map(t => Array.from(t.z || []).slice(0, 400).join(',')).join('|'),
          instance: sub.map.__benchInstance};
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
    cwd: Path | None = None


def serve_variant(
    variant: Variant, log: Path, extra_env: dict[str, str]
) -> contextlib.AbstractContextManager[Server]:
    return serve_app(
        script=variant.script,
        env={**extra_env, **variant.env},
        log_path=log,
        start_timeout_s=120,
        cwd=variant.cwd,
        warm=True,
    )


def previous_checkout(work: Path, ref: str) -> Path:
    """The repository at ``ref`` (``git archive``), to serve the previous version side by side."""
    target = work / "previous"
    target.mkdir()
    archive = subprocess.run(
        ["git", "archive", "--format=tar", ref], cwd=REPO, capture_output=True, check=True
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(target, filter="data")
    return target


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


def variants(
    work: Path, wanted: list[str], previous_ref: str
) -> tuple[list[Variant], dict[str, Any]]:
    notes: dict[str, Any] = {}
    found: list[Variant] = []
    real_boundaries = WFS_FILE.exists()
    official = {"KUNTADASH_DATA_DIR": str(OFFICIAL_DIR)}
    for name in wanted:
        if name == "app":
            found.append(
                Variant(
                    "app",
                    "app.py",
                    official,
                    True,
                    "the app: the overview map is the SVG component",
                )
            )
        elif name == "previous":
            folder = previous_checkout(work, previous_ref)
            commit = subprocess.run(
                ["git", "rev-parse", previous_ref],
                cwd=REPO,
                check=True,
                capture_output=True,
                text=True,
            ).stdout.strip()
            notes["previous_commit"] = commit
            found.append(
                Variant(
                    "previous",
                    "app.py",
                    {**official, "PYTHONPATH": str(folder / "src")},
                    True,
                    f"the app at {commit[:10]}: plotly choroplethmap, boundaries in every rerun",
                    cwd=folder,
                )
            )
        elif name == "baseline":
            boundaries = WFS_FILE if real_boundaries else densified_tiles(work)
            notes["baseline_boundaries"] = (
                f"Statistics Finland WFS file {WFS_FILE.name}"
                if real_boundaries
                else "sample tiles densified (WFS file absent)"
            )
            found.append(
                Variant(
                    "baseline",
                    "bench/baseline_app.py",
                    {**official, "KUNTADASH_BASELINE_BOUNDARIES": str(boundaries)},
                    False,
                    "naive page: boundaries re-read and re-projected every rerun, no cache",
                )
            )
        elif name == "sample":
            found.append(
                Variant(
                    "sample",
                    "app.py",
                    {"KUNTADASH_DATA_DIR": str(SAMPLE_DIR)},
                    True,
                    "the app on the bundled sample snapshot (schematic tiles)",
                )
            )
        elif name == "real" and real_boundaries:
            found.append(
                Variant(
                    "real",
                    "app.py",
                    {"KUNTADASH_DATA_DIR": str(build_real_snapshot(work))},
                    True,
                    "the app on sample values with the WFS file's boundaries "
                    "(simplified once at import)",
                )
            )
    return found, notes


# --- browser measurements ---------------------------------------------------------------------


def wait_ready(page: Page) -> None:
    page.wait_for_selector(READY, timeout=TIMEOUT_MS)
    page.wait_for_function(
        "() => !document.querySelector(\"[data-stale='true']\")", timeout=TIMEOUT_MS
    )
    page.wait_for_selector(READY, timeout=TIMEOUT_MS)


def wait_map(page: Page, previous: str | None = None) -> dict[str, Any]:
    """Until the map shows all municipalities (and, after a change, new colours); its state."""
    condition = f"s.drawn >= {MUNICIPALITIES}"
    if previous is not None:
        condition += f" && s.signature !== '' && s.signature !== {json.dumps(previous)}"
    handle = page.wait_for_function(
        f"() => {{ const s = ({MAP_STATE_JS})(); return ({condition}) ? s : false; }}",
        timeout=TIMEOUT_MS,
    )
    state = handle.json_value()
    # Two animation frames: what was queried has been painted.
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    return state


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


def choose_next_indicator(page: Page) -> float:
    """Pick the next indicator in the combobox; returns when the option was clicked."""
    box = page.get_by_role("combobox", name=INDICATOR_LABEL)
    box.scroll_into_view_if_needed()
    current = box.input_value()
    # NOTE: a selectbox that has just been scrolled into view can close again at once (the
    # scroll closes Streamlit's popover); open it until its options are there.
    options = page.get_by_role("option")
    for _ in range(3):
        box.click()
        with contextlib.suppress(Exception):
            options.first.wait_for(timeout=3000)
            break
    texts = [options.nth(i).inner_text() for i in range(options.count())]
    nxt = texts[(texts.index(current) + 1) % len(texts)] if current in texts else texts[1]
    option = page.get_by_role("option", name=nxt, exact=True)
    option.scroll_into_view_if_needed()
    started = time.perf_counter()
    option.click()
    return started


def browser_run(browser: Any, variant: Variant, server: Server) -> dict[str, Any]:
    result: dict[str, Any] = {
        "server_start_s": server.start_s,
        "warm_up_s": server.warm_s,
        "rss_idle_mib": rss_mib(server.pid),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    requests: list[Any] = []
    page.on("requestfinished", lambda request: requests.append(request))
    ws = WsBytes(page)

    started = time.perf_counter()
    page.goto(server.base + "/")
    wait_ready(page)
    result["cold_script_done_s"] = time.perf_counter() - started
    state = wait_map(page)
    result["cold_map_drawn_s"] = time.perf_counter() - started
    result["map_kind"] = state["kind"]
    page.wait_for_timeout(500)  # late requests (fonts, icons) finish
    http = [(r, r.sizes()) for r in requests]
    result["cold_http_bytes"] = sum(
        s["responseBodySize"] + s["responseHeadersSize"] for _, s in http
    )
    decoded = []
    for request, _ in http:
        response = request.response()
        with contextlib.suppress(Exception):
            decoded.append((request.url, len(response.body()) if response else 0))
    result["cold_decoded_bytes"] = sum(size for _, size in decoded)
    result["cold_requests"] = len(http)
    result["cold_js_bytes"] = sum(
        size for url, size in decoded if url.split("?")[0].endswith((".js", ".mjs"))
    )
    result["cold_plotly_fetched"] = any("plotly" in url.lower() for url, _ in decoded)
    result["cold_ws_bytes"] = ws.received
    result["cold_bytes"] = result["cold_http_bytes"] + ws.received
    result["static_urls"] = sorted(
        {r.url for r, _ in http if "/static/" in r.url or "/bidi-components/" in r.url}
    )
    result["rss_one_session_mib"] = rss_mib(server.pid)

    result["warm_reload_s"] = []
    for _ in range(2):
        started = time.perf_counter()
        page.reload()
        wait_ready(page)
        wait_map(page)
        result["warm_reload_s"].append(time.perf_counter() - started)

    result["map_update_s"], result["widget_change_s"], result["rerun_ws_bytes"] = [], [], []
    result["same_map_instance"] = []
    for _ in range(3):
        before = page.evaluate(MAP_STATE_JS)
        received = ws.received
        started = choose_next_indicator(page)
        after = wait_map(page, before["signature"])
        result["map_update_s"].append(time.perf_counter() - started)
        wait_ready(page)
        result["widget_change_s"].append(time.perf_counter() - started)
        page.wait_for_timeout(300)  # trailing frames of this rerun
        result["rerun_ws_bytes"].append(ws.received - received)
        result["same_map_instance"].append(after["instance"] == before["instance"])

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


NUMBERS = (
    "server_start_s", "warm_up_s", "rss_idle_mib", "cold_script_done_s", "cold_map_drawn_s",
    "cold_bytes", "cold_http_bytes", "cold_decoded_bytes", "cold_js_bytes", "cold_ws_bytes",
    "cold_requests", "rss_one_session_mib", "warm_reload_s", "map_update_s", "widget_change_s",
    "rerun_ws_bytes", "page_switch_s",
)  # fmt: skip


def summarise(runs: list[dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in NUMBERS:
        samples: list[float] = []
        for run in runs:
            value = run.get(key)
            if isinstance(value, list):
                samples.extend(value)
            elif value is not None:
                samples.append(value)
        if samples:
            out[key] = spread(samples)
    for key in ("same_map_instance", "cold_plotly_fetched"):
        flags = [
            f
            for run in runs
            for f in (run.get(key) if isinstance(run.get(key), list) else [run.get(key)])
            if f is not None
        ]
        if flags:
            out[key] = all(flags) if key == "same_map_instance" else any(flags)
    return out


def ratios(summary: dict[str, dict[str, Any]], ours: str, other: str) -> dict[str, float]:
    """Median of ``ours`` ÷ median of ``other`` for every figure both have."""
    a, b = summary.get(ours, {}), summary.get(other, {})
    return {
        key: round(a[key]["median"] / b[key]["median"], 3)
        for key in NUMBERS
        if key in a and key in b and b[key]["median"]
    }


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
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--duration", type=float, default=30.0, help="s of concurrent load")
    parser.add_argument("--sessions", default="10", help="comma-separated; empty: none")
    parser.add_argument("--variants", default="app,previous,baseline")
    parser.add_argument("--previous-ref", default=PREVIOUS_REF)
    parser.add_argument(
        "--malloc-arena-max", default="2", help="MALLOC_ARENA_MAX of every server ('' unset)"
    )
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    out = args.out or REPO / "bench" / "results" / f"{dt.date.today().isoformat()}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    extra_env = {"MALLOC_ARENA_MAX": args.malloc_arena_max} if args.malloc_arena_max else {}

    with tempfile.TemporaryDirectory(prefix="kuntadash-bench-") as tmp:
        work = Path(tmp)
        log = work / "streamlit.log"
        chosen, notes = variants(work, args.variants.split(","), args.previous_ref)
        raw: dict[str, list[dict[str, Any]]] = {v.name: [] for v in chosen}
        load: dict[str, list[dict[str, Any]]] = {v.name: [] for v in chosen}
        gz: dict[str, dict[str, int]] = {}
        load_avg_before = os.getloadavg()
        started = time.perf_counter()
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            for run in range(args.runs):
                for variant in chosen:  # interleaved: drift hits every variant alike
                    with serve_variant(variant, log, extra_env) as server:
                        result = browser_run(browser, variant, server)
                        if run == 0:
                            gz[variant.name] = gzip_estimate(result["static_urls"])
                        del result["static_urls"]
                        raw[variant.name].append(result)
                    print(f"run {run + 1}/{args.runs} {variant.name} (load "
                          f"{result['load_average'][0]}): cold {result['cold_map_drawn_s']:.2f} s, "
                          f"update {statistics.median(result['map_update_s']):.2f} s, "
                          f"rerun {statistics.median(result['rerun_ws_bytes']) / 1000:.1f} kB",
                          flush=True)  # fmt: skip
            browser.close()
        for sessions in (int(s) for s in args.sessions.split(",") if s):
            for variant in chosen:
                with serve_variant(variant, log, extra_env) as server:
                    result = asyncio.run(
                        concurrent(server.base, server.pid, sessions, args.duration)
                    )
                result["load_average"] = [round(x, 2) for x in os.getloadavg()]
                load[variant.name].append(result)
                print(
                    f"{sessions} sessions {variant.name}: p50 {result['p50_s']} s, "
                    f"p95 {result['p95_s']} s, peak {result['rss_peak_mib']} MiB",
                    flush=True,
                )

    summary = {name: summarise(runs) for name, runs in raw.items()}
    ours = "app" if "app" in summary else next(iter(summary), "")
    document = {
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
        "malloc_arena_max": args.malloc_arena_max or None,
        "notes": notes,
        "variants": {v.name: v.description for v in chosen},
        "summary": summary,
        "ratios": {
            f"{ours}/{other}": ratios(summary, ours, other) for other in summary if other != ours
        },
        "concurrent": load,
        "gzip_static": gz,
        "raw": raw,
    }
    out.write_text(json.dumps(document, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    shown = ("summary", "ratios", "concurrent", "gzip_static")
    print(json.dumps({k: document[k] for k in shown}, indent=1))
    print(f"written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
