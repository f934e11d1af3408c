"""The server's request guard (kuntadash.ui.guard, served by serve.py): uploads only from a
session with an uploader on its page, refused before their body is read; no browser message
that changes what other sessions see.

The unit tests drive the ASGI middleware directly; the server tests start real servers on
127.0.0.1 (a fresh port each, stopped by pid) and talk to them as a browser or an attacker would.
"""

from __future__ import annotations

import logging
import socket
import time
from pathlib import Path

from streamlit.proto.BackMsg_pb2 import BackMsg

from kuntadash.access import UploadPermits
from kuntadash.ui.guard import ALLOWED_MESSAGES, REFUSED_MESSAGES, MessageFilter, RequestGuard
from tests import paths
from tests.apart import run_async
from tests.fixtures.stream_client import StreamSession
from tools.devserver import serve_app

REPO = paths.REPO
MB = 2**20


# --- the middleware on its own ------------------------------------------------------------------
class Downstream:
    """Stands in for Streamlit's routes: records whether it was reached."""

    def __init__(self) -> None:
        self.called = False

    async def __call__(self, scope, receive, send) -> None:
        self.called = True
        await receive()
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})


def _put(guard: RequestGuard, path: str) -> tuple[int, int]:
    """(status, how many times the body was asked for) of a PUT to ``path``."""
    reads = 0
    sent: list[dict] = []

    async def receive() -> dict:
        nonlocal reads
        reads += 1
        return {"type": "http.request", "body": b"x" * 1000, "more_body": False}

    async def send(message: dict) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "PUT", "path": path, "headers": []}
    run_async(guard(scope, receive, send))
    return sent[0]["status"], reads


def test_an_upload_from_a_session_without_an_uploader_is_refused_unread():
    downstream, permits = Downstream(), UploadPermits()
    guard = RequestGuard(downstream, permits)
    status, reads = _put(guard, "/_stcore/upload_file/visitor-session/file-1")
    assert (status, reads, downstream.called) == (403, 0, False)


def test_an_upload_from_a_permitted_session_reaches_streamlit():
    downstream, permits = Downstream(), UploadPermits()
    permits.grant("admin-session")
    guard = RequestGuard(downstream, permits)
    assert _put(guard, "/_stcore/upload_file/admin-session/file-1") == (204, 1)
    # another session is still refused, and so is the permitted one once revoked
    assert _put(guard, "/_stcore/upload_file/other/file-1")[0] == 403
    permits.revoke("admin-session")
    assert _put(guard, "/_stcore/upload_file/admin-session/file-1")[0] == 403


def test_other_requests_pass_untouched():
    downstream = Downstream()
    guard = RequestGuard(downstream, UploadPermits())
    assert _put(guard, "/_stcore/other/x/y") == (204, 1)


def test_every_message_kind_a_browser_can_send_is_decided():
    """A Streamlit upgrade that adds a kind of BackMsg fails here until someone decides it."""
    kinds = {field.name for field in BackMsg.DESCRIPTOR.oneofs_by_name["type"].fields}
    assert kinds == ALLOWED_MESSAGES | REFUSED_MESSAGES
    assert not ALLOWED_MESSAGES & REFUSED_MESSAGES
    assert {"clear_cache", "load_git_info", "debug_shutdown_runtime"} <= REFUSED_MESSAGES


def _frame(kind: str) -> dict:
    message = BackMsg()
    if kind == "rerun_script":
        message.rerun_script.query_string = "kunta=091"
    else:
        field = BackMsg.DESCRIPTOR.fields_by_name[kind]
        if field.message_type is None:
            setattr(message, kind, True)
        else:
            getattr(message, kind).SetInParent()
    return {"type": "websocket.receive", "bytes": message.SerializeToString()}


def test_refused_messages_are_dropped_and_logged_once(caplog):
    frames = [_frame("clear_cache")] * 50 + [_frame("load_git_info"), _frame("rerun_script")]
    queue = iter(frames)

    async def receive() -> dict:
        return next(queue)

    filtered = MessageFilter(receive)
    with caplog.at_level(logging.WARNING, logger="kuntadash.ui.guard"):
        passed = run_async(filtered())
    assert passed == frames[-1]
    assert filtered.dropped == 51
    records = [r for r in caplog.records if r.name == "kuntadash.ui.guard"]
    assert len(records) == 1 and records[0].exc_info is None
    assert "clear_cache" in records[0].getMessage()


def test_a_frame_that_is_not_a_message_is_left_to_streamlit():
    frame = {"type": "websocket.receive", "bytes": b"\xff\xff not a protobuf"}
    queue = iter([frame])

    async def receive() -> dict:
        return next(queue)

    assert run_async(MessageFilter(receive)()) is frame


# --- real servers -------------------------------------------------------------------------------
def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


def _upload(base: str, session_id: str, cookie: str, size: int) -> int:
    """PUT a ``size``-byte multipart upload as Streamlit's frontend does; the status code."""
    host, port = base.split("//", 1)[1].split(":")
    boundary = "kuntadashtest"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.csv"\r\n'
        "Content-Type: text/csv\r\n\r\n"
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    length = len(head) + size + len(tail)
    request = (
        f"PUT /_stcore/upload_file/{session_id}/f{time.monotonic_ns()} HTTP/1.1\r\n"
        f"Host: {host}:{port}\r\nContent-Type: multipart/form-data; boundary={boundary}\r\n"
        f"Content-Length: {length}\r\nX-Xsrftoken: {cookie}\r\n"
        f"Cookie: _streamlit_xsrf={cookie}\r\n\r\n"
    ).encode()
    chunk = b"1;2;3\n" * (MB // 6)
    with socket.create_connection((host, int(port)), timeout=30) as conn:
        conn.sendall(request + head)
        status = int(conn.recv(4096).split(b" ", 2)[1])  # the answer comes before the body
        try:
            sent = 0
            while sent < size:  # what a client pushes regardless; the server must not keep it
                conn.sendall(chunk[: size - sent])
                sent += len(chunk)
            conn.sendall(tail)
        except OSError:
            pass  # the server closed the connection on its refusal
    return status


def test_anonymous_uploads_are_refused_and_the_replica_keeps_its_memory(tmp_path, sample_copy):
    """The attack: a visitor's own live session, the XSRF cookie any visitor gets, and many
    uploads of 20 MB. Each is refused, and the process grows by less than 50 MB."""
    log = tmp_path / "server.log"
    with serve_app(
        script="serve.py",
        data_dir=sample_copy,
        log_path=log,
        args=["--server.enableXsrfProtection", "true"],
        env={"MALLOC_ARENA_MAX": "2"},
    ) as server:
        visitor = StreamSession(server.base)
        try:
            visitor.run_script()
            assert visitor.session_id and visitor.cookie
            before = _rss_mb(server.pid)
            statuses = [
                _upload(server.base, visitor.session_id, visitor.cookie, 20 * MB) for _ in range(24)
            ]
            time.sleep(1.0)
            after = _rss_mb(server.pid)
        finally:
            visitor.close()
    assert statuses == [403] * 24
    assert after - before < 50, f"RSS grew from {before:.0f} MB to {after:.0f} MB"
    text = log.read_text()
    assert text.count("upload refused") == 1  # once per session, no traceback
    assert "Traceback" not in text
    print(f"RSS before {before:.0f} MB, after 24 refused 20 MB uploads {after:.0f} MB")


def _guard_server(tmp_path: Path, script: str):
    out = tmp_path / f"{Path(script).stem}.runs"
    context = serve_app(
        script=f"tests/fixtures/{script}",
        log_path=tmp_path / f"{Path(script).stem}.log",
        env={"GUARD_TEST_OUT": str(out)},
    )
    return context, out


def _clear_cache_between_runs(tmp_path: Path, script: str) -> tuple[list[str], Path]:
    context, out = _guard_server(tmp_path, script)
    with context as server:
        administrator, visitor = StreamSession(server.base), StreamSession(server.base)
        try:
            administrator.run_script()
            visitor.run_script()
            clear = BackMsg()
            clear.clear_cache = True
            for _ in range(5):
                visitor.send(clear)
            time.sleep(1.0)  # Streamlit handles a message as it arrives
            administrator.run_script()
        finally:
            administrator.close()
            visitor.close()
    return [line.split()[0] for line in out.read_text().splitlines()], out


def test_a_visitors_clear_cache_leaves_caches_and_a_running_import_alone(tmp_path):
    tokens, out = _clear_cache_between_runs(tmp_path, "guard_serve.py")
    assert len(tokens) == 3 and len(set(tokens)) == 1, "the shared cache was cleared"
    # the administrator's session ended only at the close above: its "import" ran till then
    stopped = out.with_suffix(".stopped")
    assert not stopped.exists() or stopped.read_text() == "session"
    log = (tmp_path / "guard_serve.log").read_text()
    assert log.count("clear_cache message was ignored") == 1 and "Traceback" not in log


def test_without_the_guard_a_visitors_clear_cache_reaches_everyone(tmp_path):
    """The same run against the bare app: what the guard prevents really happens."""
    tokens, out = _clear_cache_between_runs(tmp_path, "guard_app.py")
    assert len(set(tokens)) == 2
    assert out.with_suffix(".stopped").exists()


def _forged(widget_id: str) -> BackMsg:
    message = BackMsg()
    message.rerun_script.query_string = ""
    forged = message.rerun_script.widget_states.widgets.add()
    forged.id, forged.string_value = widget_id, "x"
    real = message.rerun_script.widget_states.widgets.add()
    real.id, real.string_value = "$$ID-0123abcd-lang", "fi"
    return message


def test_widget_states_with_a_plain_id_are_stripped_and_logged_once(caplog):
    frames = iter(
        [{"type": "websocket.receive", "bytes": _forged("plain_id").SerializeToString()}] * 3
    )

    async def receive() -> dict:
        return next(frames)

    filtered = MessageFilter(receive)
    with caplog.at_level(logging.WARNING, logger="kuntadash.ui.guard"):
        passed = [run_async(filtered()) for _ in range(3)]
    for frame in passed:
        message = BackMsg()
        message.ParseFromString(frame["bytes"])
        assert [w.id for w in message.rerun_script.widget_states.widgets] == ["$$ID-0123abcd-lang"]
    records = [r for r in caplog.records if r.name == "kuntadash.ui.guard"]
    assert len(records) == 1 and records[0].exc_info is None


def test_a_forged_widget_state_costs_one_short_log_line_on_a_real_server(tmp_path):
    context, _out = _guard_server(tmp_path, "guard_serve.py")
    with context as server:
        visitor = StreamSession(server.base)
        try:
            visitor.run_script()
            for _ in range(5):
                visitor.send(_forged("plain_id"))
                visitor.wait_finished(60)  # the run finishes: nothing failed
        finally:
            visitor.close()
    log = (tmp_path / "guard_serve.log").read_text()
    assert log.count("widget states that no widget has") == 1
    assert "Traceback" not in log and len(log) < 1000
