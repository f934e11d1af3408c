"""The deployment: replicas behind Debian's nginx, started and stopped by deploy/run.py.

Sessions are real: websocket clients speaking Streamlit's own protocol (as bench/load.py),
through nginx. Which replica answered is read from the ``X-Kuntadash-Replica`` header nginx
adds (also to the websocket's 101 response); ``state.json`` says which pid and port each
replica number has.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import os
import re
import secrets
import signal
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

from tests.deploy.conftest import REQUIRE_ENV, nginx_required
from tools.devserver import Deployment, serve_behind_nginx

COOKIE = "kuntadash_route"
REPLICA_HEADER = "x-kuntadash-replica"
YEAR_IMMUTABLE = "public, max-age=31536000, immutable"
RUN_TIMEOUT_S = 90.0  # one script run on a loaded 2-core machine, first run of a process included


# -- helpers ------------------------------------------------------------------------------------


def _get(url: str, cookie: str | None = None, **kwargs: Any) -> httpx.Response:
    cookies = {COOKIE: cookie} if cookie else None
    return httpx.get(url, cookies=cookies, timeout=30, **kwargs)


def replica_of(response: httpx.Response) -> int:
    return int(response.headers[REPLICA_HEADER])


def route_cookies(url: str, wanted: int = 2) -> dict[int, str]:
    """A route cookie, as nginx hands them out, for each of ``wanted`` replicas."""
    found: dict[int, str] = {}
    for _ in range(60):
        first = _get(url + "/")
        cookie = first.cookies[COOKIE]
        found.setdefault(replica_of(_get(url + "/_stcore/health", cookie)), cookie)
        if len(found) == wanted:
            return found
    raise AssertionError(f"60 new visitors reached only replicas {sorted(found)}")


@dataclass
class SessionRun:
    replica: int
    session_id: str
    runs: int = 0
    media: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


async def _until_finished(ws: Any, run: SessionRun, boxes: dict[str, list[str]]) -> None:
    while True:
        message = ForwardMsg()
        message.ParseFromString(await ws.recv())
        kind = message.WhichOneof("type")
        if kind == "new_session":
            run.session_id = message.new_session.initialize.session_id
        elif kind == "delta" and message.delta.WhichOneof("type") == "new_element":
            element = message.delta.new_element
            which = element.WhichOneof("type")
            if which == "exception":
                run.problems.append(f"{element.exception.type}: {element.exception.message}")
            elif which == "download_button" and element.download_button.url:
                run.media.append(element.download_button.url)
            elif which == "selectbox":
                boxes[element.selectbox.id] = list(element.selectbox.options)
        elif (
            kind == "script_finished"
            and message.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN
        ):
            run.runs += 1
            return


async def _session(
    ws_url: str,
    cookie: str,
    query: str,
    *,
    reruns: int = 0,
    resume: str | None = None,
    page: str = "",
) -> SessionRun:
    # The browser passes its XSRF token and, when reconnecting, its session id as
    # websocket subprotocols after "streamlit".
    protocols = ["streamlit", "xsrf-not-needed", *([resume] if resume else [])]
    async with websockets.connect(
        ws_url,
        subprotocols=protocols,
        additional_headers={"Cookie": f"{COOKIE}={cookie}"},
        max_size=2**27,
        open_timeout=30,
    ) as ws:
        replica = ws.response.headers.get(REPLICA_HEADER)
        run = SessionRun(int(replica) if replica else 0, "")
        boxes: dict[str, list[str]] = {}
        changed: dict[str, str] = {}
        for attempt in range(reruns + 1):
            message = BackMsg()
            message.rerun_script.query_string = query
            message.rerun_script.page_name = page  # a URL path such as "compare"; "": overview
            for widget_id, value in changed.items():
                message.rerun_script.widget_states.widgets.append(
                    WidgetState(id=widget_id, string_value=value)
                )
            await ws.send(message.SerializeToString())
            run.media = []  # a new run releases the files of the one before
            await asyncio.wait_for(_until_finished(ws, run, boxes), RUN_TIMEOUT_S)
            # The next rerun is a person choosing another option in the page's first selectbox.
            choices = {k: v for k, v in boxes.items() if len(v) > 1}
            if choices:
                widget_id = sorted(choices)[0]
                changed[widget_id] = choices[widget_id][(attempt + 1) % len(choices[widget_id])]
        return run


def open_session(base: str, cookie: str, query: str = "", **kwargs: Any) -> SessionRun:
    ws_url = base.replace("http", "ws", 1) + "/_stcore/stream"
    # In a thread of its own: after a browser test, playwright's event loop runs in this one
    # and asyncio.run refuses to start another.
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, _session(ws_url, cookie, query, **kwargs)).result()


def replica_url(deployment: Deployment, number: int) -> str:
    (replica,) = [r for r in deployment.state()["replicas"] if r["number"] == number]
    return str(replica["url"])


# -- static files -------------------------------------------------------------------------------


def _main_script(url: str) -> str:
    html = _get(url + "/").text
    match = re.search(r'src="\./(static/js/index\.[A-Za-z0-9_-]+\.js)"', html)
    assert match, "index.html names no static/js/index.<hash>.js"
    return f"{url}/{match.group(1)}"


def test_javascript_comes_gzipped_and_hashed_assets_are_cached_for_a_year(
    deployment: Deployment,
) -> None:
    script = _main_script(deployment.url)
    plain = _get(script, headers={"Accept-Encoding": "identity"})
    gzipped = _get(script, headers={"Accept-Encoding": "gzip"})

    assert plain.status_code == gzipped.status_code == 200
    assert "content-encoding" not in plain.headers
    assert gzipped.headers["content-encoding"] == "gzip"
    assert gzipped.content == plain.content  # httpx decoded it: the same script
    assert gzipped.num_bytes_downloaded < len(plain.content) / 2
    assert "accept-encoding" in gzipped.headers["vary"].lower()
    assert gzipped.headers["cache-control"] == YEAR_IMMUTABLE


def test_brotli_when_debian_ships_the_module(deployment: Deployment) -> None:
    if not deployment.state()["brotli"]:
        message = "libnginx-mod-http-brotli-filter is not installed: gzip only"
        if nginx_required():
            pytest.fail(f"{REQUIRE_ENV}=1 but {message}; .ci/run installs it")
        pytest.skip(message)
    script = _main_script(deployment.url)
    size = len(_get(script, headers={"Accept-Encoding": "identity"}).content)
    with httpx.stream("GET", script, headers={"Accept-Encoding": "br"}, timeout=30) as response:
        compressed = b"".join(response.iter_raw())
        assert response.headers["content-encoding"] == "br"
        assert response.headers["cache-control"] == YEAR_IMMUTABLE
    assert len(compressed) < size / 2


def test_only_hashed_assets_are_cached_for_a_year(deployment: Deployment) -> None:
    url = deployment.url
    page = _get(url + "/compare")
    health = _get(url + "/_stcore/health")
    # Streamlit answers unknown paths with index.html; under an asset's name that must never
    # be cached for a year.
    missing = _get(url + "/static/js/index.Zz9Zz9Zz.js")

    assert page.status_code == 200 and "<html" in page.text
    assert page.headers["cache-control"] == "no-cache"
    assert health.text == "ok"
    assert "immutable" not in health.headers.get("cache-control", "")
    assert missing.status_code == 404
    assert "immutable" not in missing.headers.get("cache-control", "")


# -- sticky sessions ----------------------------------------------------------------------------


def test_first_response_sets_the_route_cookie_and_without_it_the_address_decides(
    deployment: Deployment,
) -> None:
    answers = [_get(deployment.url + "/") for _ in range(6)]

    cookies = {answer.cookies.get(COOKIE) for answer in answers}
    assert None not in cookies and len(cookies) == 6  # a fresh random key for each newcomer
    assert all("httponly" in a.headers["set-cookie"].lower() for a in answers)
    assert len({replica_of(answer) for answer in answers}) == 1  # all from 127.0.0.1
    again = _get(deployment.url + "/", answers[0].cookies[COOKIE])
    assert COOKIE not in again.cookies  # set once, then kept by the browser


def test_a_session_its_reconnects_and_its_files_stay_on_its_replica(
    deployment: Deployment,
) -> None:
    url = deployment.url
    cookies = route_cookies(url)
    # Different languages, so that each replica's download file is its own.
    queries = {1: "", 2: "lang=sv"}
    # The compare page sends its table's downloads with the page (the overview's only once its
    # table is opened).
    runs = {n: open_session(url, cookies[n], queries[n], reruns=2, page="compare") for n in (1, 2)}

    for number, run in runs.items():
        other = 3 - number
        assert run.replica == number
        assert run.runs == 3 and not run.problems
        assert run.media, "the compare page offers its table as a CSV download (/media/…)"
        for path in run.media:
            media = _get(url + path, cookies[number])
            assert media.status_code == 200 and replica_of(media) == number
            # The file exists only in the process that holds the session.
            assert _get(replica_url(deployment, other) + path).status_code == 404
        upload = httpx.put(
            f"{url}/_stcore/upload_file/{run.session_id}/probe",
            cookies={COOKIE: cookies[number]},
            timeout=30,
        )
        assert replica_of(upload) == number
        # A dropped connection comes back to the same session, state and all ...
        back = open_session(url, cookies[number], queries[number], resume=run.session_id)
        assert (back.replica, back.session_id) == (number, run.session_id)
        # ... which only that replica can do: anywhere else it is a new, empty session.
        elsewhere = open_session(
            replica_url(deployment, other), cookies[number], resume=run.session_id
        )
        assert elsewhere.session_id != run.session_id


# -- failure of a replica -----------------------------------------------------------------------


def _down_in_config(workdir: Path, port: int) -> bool:
    config = (workdir / "kuntadash.conf").read_text(encoding="utf-8")
    return re.search(rf"server 127\.0\.0\.1:{port} [^;]* down;", config) is not None


def _running(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def test_a_killed_replica_is_routed_around_marked_down_and_ctrl_c_stops_the_rest(
    served_data: Path, tmp_path: Path
) -> None:
    workdir = tmp_path / "run"
    with serve_behind_nginx(workdir=workdir, replicas=2, data_dir=served_data) as deployment:
        url, state = deployment.url, deployment.state()
        cookies = route_cookies(url)
        first = {r["number"]: r for r in state["replicas"]}[1]

        os.kill(first["pid"], signal.SIGKILL)  # replica 1, started by this test's launcher

        # At once (nginx's passive check): replica 1's visitor gets a working session on 2 ...
        moved = open_session(url, cookies[1])
        assert (moved.replica, moved.runs, moved.problems) == (2, 1, [])
        # ... and so does every newcomer, whatever their key.
        for _ in range(8):
            answer = _get(url + "/_stcore/health", secrets.token_hex(16))
            assert (answer.text, replica_of(answer)) == ("ok", 2)
        newcomer = open_session(url, route_cookies(url, wanted=1)[2])
        assert (newcomer.replica, newcomer.runs, newcomer.problems) == (2, 1, [])
        # The launcher's own health check marks it down in nginx's upstream and reloads nginx.
        deadline = time.monotonic() + 30
        while deployment.state()["replicas"][0]["up"] and time.monotonic() < deadline:
            time.sleep(0.2)
        replicas = deployment.state()["replicas"]
        assert [r["up"] for r in replicas] == [False, True]
        assert "exited" in replicas[0]["reason"]
        assert _down_in_config(workdir, first["port"])
        assert "reconfiguring" in (workdir / "error.log").read_text()
        survivors = [replicas[1]["pid"], state["nginx"]["pid"]]
        assert all(_running(pid) for pid in survivors)

    # Ctrl-C (SIGINT to the launcher) stopped exactly what it had started; the helper has
    # checked that every port is free again.
    assert not any(_running(pid) for pid in survivors)
    assert deployment.state()["ready"] is False
    assert (workdir / "access.log").is_file()  # a folder given with --workdir is kept
