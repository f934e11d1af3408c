"""The baked profile pages through Debian's nginx, configured by deploy/run.py: status, type,
compression, caching headers, revalidation and the security headers, which a location adding
headers of its own would otherwise drop. nginx runs alone here (no replica is needed to serve
files from disk), in a folder of its own, and is stopped by its pid."""

from __future__ import annotations

import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from kuntadash.report import site
from kuntadash.store import read_snapshot
from tests.deploy.conftest import load_deploy_run
from tools.devserver import free_port, wait_port_free

REPO = Path(__file__).resolve().parents[2]
KUOPIO = "297"


@pytest.fixture(scope="module")
def static_proxy(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, bool]]:
    run = load_deploy_run()
    nginx = run.nginx_binary()
    if nginx is None:
        pytest.skip("nginx is not installed")
    site_dir = tmp_path_factory.mktemp("site")
    site.build_site(read_snapshot(REPO / "data"), site_dir, workers=1, codes=[KUOPIO])
    workdir = tmp_path_factory.mktemp("nginx")
    (workdir / "tmp").mkdir()
    port = free_port()
    brotli = run.BROTLI_MODULE.is_file()
    (workdir / "kuntadash.conf").write_text(
        run.render_site(
            [free_port()],
            listen=f"127.0.0.1:{port}",
            static_dir=workdir,
            brotli=brotli,
            site_dir=site_dir,
        )
    )
    (workdir / "nginx.conf").write_text(run.render_main(workdir, brotli=brotli))
    command = [str(nginx), "-p", str(workdir), "-c", str(workdir / "nginx.conf")]
    with (workdir / "nginx.out").open("ab") as output:
        proxy = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            assert proxy.poll() is None, (workdir / "error.log").read_text(errors="replace")
            try:
                httpx.get(url + "/kunta/", timeout=1)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "nginx did not answer within 20 s"
                time.sleep(0.1)
        yield url, brotli
    finally:
        proxy.send_signal(signal.SIGTERM)
        proxy.wait(timeout=15)
        wait_port_free(port, what=f"nginx pid {proxy.pid}")


def test_baked_page_is_served_compressed_and_cacheable(static_proxy):
    url, _ = static_proxy
    response = httpx.get(url + "/kunta/fi/kuopio/", headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["content-encoding"] == "gzip"
    assert "max-age=300" in response.headers["cache-control"]
    assert response.headers.get("etag")
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert "<h1>Kuopio</h1>" in response.text


def test_baked_page_revalidates_with_its_etag(static_proxy):
    url, _ = static_proxy
    first = httpx.get(url + "/kunta/fi/kuopio/index.html")
    again = httpx.get(
        url + "/kunta/fi/kuopio/index.html", headers={"If-None-Match": first.headers["etag"]}
    )
    assert again.status_code == 304


def test_brotli_where_the_module_exists(static_proxy):
    url, brotli = static_proxy
    if not brotli:
        pytest.skip("Debian's brotli module is not installed")
    response = httpx.get(url + "/kunta/fi/kuopio/", headers={"Accept-Encoding": "br"})
    assert response.headers["content-encoding"] == "br"


def test_card_sitemap_and_missing_page(static_proxy):
    url, _ = static_proxy
    card = httpx.get(url + "/kunta/fi/kuopio/card.png")
    assert card.status_code == 200 and card.headers["content-type"] == "image/png"
    sitemap = httpx.get(url + "/kunta/sitemap.xml")
    assert sitemap.status_code == 200 and "xml" in sitemap.headers["content-type"]
    assert httpx.get(url + "/kunta/fi/no-such-town/").status_code == 404
    assert httpx.get(url + "/kunta").status_code == 301
