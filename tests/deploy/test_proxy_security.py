"""The proxy's defences (deploy/nginx/kuntadash.conf.in, rendered by deploy/run.py), checked on
the running deployment: security headers on every response, per-client rate and connection
limits with 429 answers, tight limits on uploads and the websocket, the metrics closed, and the
TLS site's HSTS and port-80 redirect. Every request goes to 127.0.0.1, every loop is bounded.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import httpx
import pytest

from tests.apart import run_apart, run_async
from tests.browser.drawing import wait_drawn
from tests.deploy.conftest import load_deploy_run
from tools.devserver import CHROMIUM, CHROMIUM_ARGS, READY, Deployment

REPO = Path(__file__).resolve().parents[2]


deploy_run = load_deploy_run()

PAGES = ("", "municipality", "compare", "groups", "indicators", "event", "data")
HEADERS = {
    "content-security-policy": "frame-ancestors 'none'",
    "x-content-type-options": "nosniff",
    "referrer-policy": "strict-origin-when-cross-origin",
    "x-frame-options": "DENY",
}


def _check_headers(response: httpx.Response) -> None:
    for name, wanted in HEADERS.items():
        assert wanted in response.headers.get(name, ""), (response.url, name, response.headers)
    assert "strict-transport-security" not in response.headers  # plain HTTP here


def _asset(url: str) -> str:
    page = httpx.get(url + "/", timeout=30).text
    start = page.index("./static/js/") + 1
    return page[start : page.index('"', start)]


def test_every_kind_of_response_carries_the_security_headers(deployment: Deployment) -> None:
    url = deployment.url
    for path in (
        "/",  # the app's HTML, proxied
        "/_stcore/health",  # Streamlit's API
        _asset(url),  # a static file nginx serves itself (a location with its own headers)
        "/static/js/missing-asset.js",  # nginx's own 404
        "/app/static/map/missing.json",  # the map's location (own headers), a replica's 404
        "/_stcore/metrics",  # refused by nginx
    ):
        _check_headers(httpx.get(url + path, timeout=30))


def test_the_metrics_are_not_for_visitors(deployment: Deployment) -> None:
    assert httpx.get(deployment.url + "/_stcore/metrics", timeout=30).status_code == 404
    assert httpx.get(deployment.url + "/_stcore/metrics/x", timeout=30).status_code == 404


async def _flood(url: str, count: int, local_address: str = "127.0.0.1") -> Counter[int]:
    limits = httpx.Limits(max_connections=count, max_keepalive_connections=0)
    transport = httpx.AsyncHTTPTransport(local_address=local_address, limits=limits)
    async with httpx.AsyncClient(transport=transport, timeout=60) as client:
        answers = await asyncio.gather(*(client.get(url) for _ in range(count)))
    return Counter(a.status_code for a in answers)


def test_200_parallel_requests_from_one_client_get_429s_and_others_are_served(
    deployment: Deployment,
) -> None:
    url = deployment.url + "/_stcore/health"
    counts = run_async(_flood(url, 200))
    assert set(counts) <= {200, 429}, counts
    assert counts[429] >= 50, counts  # refused at once, not queued for everyone
    assert counts[200] >= 40, counts  # the burst is served
    # Another client (another loopback source address) is not slowed down by the first.
    other = run_async(_flood(url, 5, local_address="127.0.0.2"))
    assert other == Counter({200: 5}), other
    print(f"200 parallel requests from one client: {dict(counts)}")


def test_the_websocket_has_a_tight_limit_of_its_own(deployment: Deployment) -> None:
    # Plain GETs to the websocket's address count as attempts to open one (and are refused by
    # Streamlit, which wants an upgrade): after the burst, nginx answers 429 itself.
    url = deployment.url + "/_stcore/stream"
    counts = run_async(_flood(url, 40, local_address="127.0.0.3"))
    assert counts[429] >= 10, counts


def test_uploads_are_bounded_in_size_and_rate(deployment: Deployment) -> None:
    url = deployment.url + "/_stcore/upload_file/some-session/some-file"
    with httpx.Client(transport=httpx.HTTPTransport(local_address="127.0.0.4")) as client:
        too_big = client.put(url, content=b"x" * (22 * 2**20), timeout=60)
        assert too_big.status_code == 413
        # elsewhere a body of more than 1 MB is refused
        assert client.post(deployment.url + "/", content=b"x" * (2 * 2**20)).status_code == 413
    counts = run_async(_put_flood(url, 30))
    assert counts[429] >= 10, counts
    assert set(counts) <= {403, 429}, counts  # the replicas refuse anonymous uploads too


async def _put_flood(url: str, count: int) -> Counter[int]:
    transport = httpx.AsyncHTTPTransport(local_address="127.0.0.5")
    async with httpx.AsyncClient(transport=transport, timeout=60) as client:
        answers = await asyncio.gather(*(client.put(url, content=b"a,b\n") for _ in range(count)))
    return Counter(a.status_code for a in answers)


def test_the_tls_site_adds_hsts_and_redirects_plain_http(tmp_path: Path) -> None:
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("openssl is not installed")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key),
         "-out", str(cert), "-days", "1", "-subj", "/CN=localhost"],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    site = deploy_run.render_site(
        [8501, 8502], listen="443 ssl", server_name="kunta.example.fi", tls=(cert, key)
    )
    assert 'add_header Strict-Transport-Security "max-age=31536000" always;' in site
    assert "listen 80;" in site and "return 301 https://$host$request_uri;" in site
    assert site.count("Strict-Transport-Security") == 3  # server, /static/, the map's location
    main = tmp_path / "nginx.conf"
    (tmp_path / "site.conf").write_text(site)
    main.write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
        f"http {{\n include {deploy_run.MIME_TYPES};\n include {tmp_path}/site.conf;\n}}\n"
    )
    nginx = str(deploy_run.nginx_binary())
    checked = subprocess.run(
        [nginx, "-t", "-c", str(main), "-p", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert checked.returncode == 0, checked.stderr


def test_the_app_loads_in_chromium_under_the_content_security_policy(
    deployment: Deployment, tmp_path: Path
) -> None:
    if not CHROMIUM.exists():
        if os.environ.get("KUNTADASH_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{CHROMIUM} is absent", pytrace=False)
        pytest.skip(f"{CHROMIUM} is absent (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    problems: list[str] = []

    def visit_every_page() -> None:
        with sync_playwright() as playwright:
            # A profile on disk, as a reader's: the scripts stay compiled between the pages.
            browser = playwright.chromium.launch_persistent_context(
                str(tmp_path / "profile"), executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
            )
            try:
                page = browser.new_page()
                page.on(
                    "console",
                    lambda m: (
                        problems.append(m.text) if "Content Security Policy" in m.text else None
                    ),
                )
                for path in PAGES:  # every page: the map, plotly charts, the slides, the tables
                    page.goto(f"{deployment.url}/{path}", timeout=90_000)
                    page.wait_for_selector(READY, timeout=90_000)
                    wait_drawn(page, timeout=90_000)  # charts and the map draw after the run
                    assert page.get_by_test_id("stException").count() == 0, path
                    assert page.get_by_role("heading").count() > 0, path
            finally:
                browser.close()

    run_apart(visit_every_page)  # a Playwright of its own, away from the worker's event loop
    assert not problems, problems
