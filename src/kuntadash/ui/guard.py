"""The server's request guard: what a visitor's browser may ask of the process (ui layer).

An ASGI middleware that ``serve.py`` puts in front of Streamlit's own routes (``st.App(...,
middleware=...)``, the supported way in Streamlit 1.67). It decides on the request line and the
messages alone, before Streamlit or anyone reads a request body:

- **Uploads** (``PUT /_stcore/upload_file/<session>/<file>``) are accepted only for a session
  whose page offers a file uploader now (``kuntadash.access.UPLOAD_PERMITS``: a signed-in
  administrator on the Data page). Any other upload is answered 403 at once, its body left
  unread, so anonymous uploads cannot pile up in the server's memory.
- **Messages over the websocket** that change what other sessions see, or tell a visitor about
  the server, are dropped (see ``REFUSED_MESSAGES``), and widget states with an id no widget
  can have are stripped; the first of each in a connection is logged, later ones only counted.

Without ``serve.py`` (``streamlit run app.py``, as in development) nothing here runs: the app
warns once in the log when administration is on but the guard is not (kuntadash.ui.admin).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from kuntadash.access import UPLOAD_PERMITS, UploadPermits

LOG = logging.getLogger(__name__)

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

# Every kind of message (BackMsg's ``type`` oneof, Streamlit 1.67) a browser may send, and our
# decision. Allowed ones touch only the sender's own session.
ALLOWED_MESSAGES = frozenset(
    {
        "rerun_script",  # the session's own widgets and page: how the app works
        "stop_script",  # stops the sender's own script run only
        "app_heartbeat",  # keeps the connection alive
        "file_urls_request",  # names where an upload would go; the upload itself is gated
        "backend_operation_request",  # bound to the sender's own session id by Streamlit
    }
)
REFUSED_MESSAGES = frozenset(
    {
        # Clears st.cache_data and st.cache_resource for every session of the process, and
        # releases session resources (a running import's handle among them). The operator
        # restarts a replica to clear its caches.
        "clear_cache",
        # Reruns the script whenever a file changes: a development setting.
        "set_run_on_save",
        # Tells the browser the repository, branch and uncommitted files of the checkout.
        "load_git_info",
        # Development-mode test hooks (Streamlit ignores them in production; so do we).
        "debug_disconnect_websocket",
        "debug_shutdown_runtime",
    }
)
_UPLOAD_PATH = re.compile(r"(?:^|/)_stcore/upload_file/(?P<session>[^/]+)/[^/]+/?$")
_STREAM_PATH = re.compile(r"(?:^|/)_stcore/stream/?$")
_REFUSAL = b"Uploads are accepted only on the administration page."


class RequestGuard:
    """ASGI middleware: refuses unpermitted uploads unread and drops refused messages."""

    def __init__(self, app: ASGIApp, permits: UploadPermits = UPLOAD_PERMITS) -> None:
        self.app = app
        self.permits = permits
        self._refused_uploads: set[str] = set()
        install()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope.get("type")
        path = str(scope.get("path", ""))
        if kind == "http" and scope.get("method") == "PUT":
            match = _UPLOAD_PATH.search(path)
            if match and not self.permits.allows(match["session"]):
                self._log_refused_upload(match["session"])
                await _refuse(send)  # the body is never read: the client's bytes stay unread
                return
        if kind == "websocket" and _STREAM_PATH.search(path):
            receive = MessageFilter(receive)
        await self.app(scope, receive, send)

    def _log_refused_upload(self, session_id: str) -> None:
        if session_id in self._refused_uploads:
            return
        if len(self._refused_uploads) > 10_000:  # a bound on what is remembered, not on refusals
            self._refused_uploads.clear()
        self._refused_uploads.add(session_id)
        LOG.warning("upload refused: session %s… has no file uploader", session_id[:8])


async def _refuse(send: Send) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": 403,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(_REFUSAL)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": _REFUSAL})


class MessageFilter:
    """One websocket's ``receive``: skips the frames whose message is refused, and strips
    widget states whose id no widget can have (a forged state would make Streamlit fail the
    session's script run, logging a traceback each time). Each is logged once per connection."""

    def __init__(self, receive: Receive) -> None:
        self._receive = receive
        self.dropped = 0
        self.forged = 0

    async def __call__(self) -> Message:
        while True:
            message = await self._receive()
            back = _back_message(message)
            if back is None:
                return message
            kind = back.WhichOneof("type")
            if kind in REFUSED_MESSAGES:
                self.dropped += 1
                if self.dropped == 1:
                    LOG.warning("a browser's %s message was ignored (refused to visitors)", kind)
                continue
            if kind == "rerun_script" and _strip_forged_widget_states(back):
                self.forged += 1
                if self.forged == 1:
                    LOG.warning("a browser sent widget states that no widget has; ignored")
                message = {**message, "bytes": back.SerializeToString()}
            return message


def _back_message(message: Message) -> Any:
    """The BackMsg a websocket frame carries, or None (then it is passed on as it is)."""
    if message.get("type") != "websocket.receive":
        return None
    from google.protobuf.message import DecodeError
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.runtime.runtime_util import get_max_widget_state_size_bytes

    data = message.get("bytes")
    # A frame over Streamlit's own limit (server.maxWidgetStateSize) is passed on unparsed:
    # Streamlit closes the connection on it.
    if not data or len(data) > get_max_widget_state_size_bytes():
        return None

    back = BackMsg()
    try:
        back.ParseFromString(data)
    except DecodeError:
        return None  # not ours to judge: Streamlit closes the connection on it
    return back


def _strip_forged_widget_states(back: Any) -> bool:
    """Remove the widget states whose id lacks Streamlit's element-id form; whether any."""
    from streamlit.runtime.state.common import is_element_id

    widgets = back.rerun_script.widget_states.widgets
    kept = [w for w in widgets if is_element_id(w.id)]
    if len(kept) == len(widgets):
        return False
    copies = [type(w)() for w in kept]
    for copy, original in zip(copies, kept, strict=True):
        copy.CopyFrom(original)
    del widgets[:]
    widgets.extend(copies)
    return True


_installed = False


def install() -> None:
    """Note that the guard is in front of this process's routes."""
    global _installed
    _installed = True


def is_installed() -> bool:
    return _installed
