"""The shared fetcher of the source adapters: throttling, bounded retries, raw cache, named errors.

Only this module and the adapter modules talk to the network. Clock and sleep are injectable so
tests run instantly; the HTTP transport is injectable (``httpx.MockTransport`` in tests).

Raw cache: every response body is kept under the cache directory with a JSON sidecar holding the
URL, method, request body, time fetched, publisher and licence (the "snapshot of the raw source"
stage); a re-run within ``max_age_s`` reuses it instead of calling the service.

Record and replay: a ``Recorder`` saves every request the fetcher sends and the answer it got
into a folder (one ``*.request.json`` per request, the answer's body in a file of its own beside
it); a ``ReplaySource`` answers from such a folder instead of the network, so every adapter runs
unchanged in a closed network. The folder format is described in docs/DATA.md ("Record and
replay").
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit, urlunsplit

import httpx

from kuntadash.i18n import translate
from kuntadash.sources.errors import RecordError, ReplayError, SourceError

CACHE_ENV = "KUNTADASH_CACHE_DIR"
USER_AGENT = "kuntadash (municipal sustainability dashboard; +https://github.com/)"
DEFAULT_TIMEOUT_S = 30.0
MAX_RETRIES = 3
MAX_RETRY_AFTER_S = 120.0
DEFAULT_MAX_AGE_S = 24 * 3600.0

# Record and replay. A full update makes about 400 requests (308 of them SYKE's CSVs), two files
# each; the largest answer is the WFS boundaries (under 1 MB at 1:4.5M); a PxWeb query body is a
# few kB.
REQUEST_SUFFIX = ".request.json"
MAX_REPLAY_FILES = 10_000  # directory entries of a replay folder, of any kind
MAX_REPLAY_BODY_BYTES = 64 * 1024 * 1024  # one recorded answer
MAX_REPLAY_REQUEST_BYTES = 1024 * 1024  # one *.request.json
_REQUEST_FIELDS = frozenset(
    {"method", "url", "params", "body", "status", "content_type", "file", "fetched", "note"}
)
_METHODS = ("GET", "POST")
_EXTENSIONS = (("json", ".json"), ("csv", ".csv"), ("xml", ".xml"), ("html", ".html"))


@dataclass
class RateLimit:
    """At most ``calls`` per ``window_s`` seconds (sliding window)."""

    calls: int
    window_s: float
    history: deque[float] = field(default_factory=deque)

    def wait_time(self, now: float) -> float:
        while self.history and now - self.history[0] >= self.window_s:
            self.history.popleft()
        if len(self.history) < self.calls:
            return 0.0
        return self.window_s - (now - self.history[0])

    def record(self, now: float) -> None:
        self.history.append(now)


# NOTE: PxWeb v1 `?config` answered maxCalls 40 per timeWindow 60 s (API_NOTES §1).
DEFAULT_LIMITS = {
    "pxdata.stat.fi": (40, 60.0),
    "statfin.stat.fi": (40, 60.0),
    "pxweb2.stat.fi": (40, 60.0),
    "trafi2.stat.fi": (40, 60.0),
}
FALLBACK_LIMIT = (60, 60.0)


class RawCache:
    """Raw responses on disk: ``<key>.body`` and ``<key>.meta.json``."""

    def __init__(
        self,
        folder: Path,
        max_age_s: float = DEFAULT_MAX_AGE_S,
        clock: Callable[[], float] = time.time,
    ):
        self.folder = Path(folder)
        self.max_age_s = max_age_s
        self.clock = clock

    @staticmethod
    def key(method: str, url: str, params: Any, body: Any) -> str:
        text = json.dumps([method, url, params, body], sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(text.encode()).hexdigest()[:32]

    def get(self, key: str) -> bytes | None:
        meta_path, body_path = self.folder / f"{key}.meta.json", self.folder / f"{key}.body"
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
            if self.clock() - float(meta["fetched_epoch"]) > self.max_age_s:
                return None
            return body_path.read_bytes()
        except (OSError, ValueError, KeyError):
            return None

    def put(self, key: str, body: bytes, meta: dict[str, Any]) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        tmp = self.folder / f".{key}.tmp"
        tmp.write_bytes(body)
        os.replace(tmp, self.folder / f"{key}.body")
        meta_tmp = self.folder / f".{key}.meta.tmp"
        meta_tmp.write_text(json.dumps(meta, ensure_ascii=False, indent=1), encoding="utf-8")
        os.replace(meta_tmp, self.folder / f"{key}.meta.json")


@dataclass
class FetchLog:
    """Per source: calls made, cache hits, last access time, URLs (for the manifest)."""

    calls: dict[str, int] = field(default_factory=dict)
    cached: dict[str, int] = field(default_factory=dict)
    accessed: dict[str, str] = field(default_factory=dict)
    urls: dict[str, str] = field(default_factory=dict)


class Fetcher:
    """GET/POST with throttling per host, bounded retries and the raw cache.

    With a ``recorder`` every request goes to the network (the raw cache is written but not
    read, so the recording holds what the services answer now) and is saved with its answer.
    With ``replay`` the fetcher builds no network client at all: every answer comes from the
    replay folder, without throttling and without the raw cache."""

    def __init__(
        self,
        client: httpx.Client | None = None,
        cache: RawCache | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        wall_clock: Callable[[], float] = time.time,
        max_retries: int = MAX_RETRIES,
        limits: dict[str, tuple[int, float]] | None = None,
        recorder: Recorder | None = None,
        replay: ReplaySource | None = None,
    ):
        if replay is not None and (client is not None or recorder is not None):
            raise ValueError("a replaying fetcher takes neither a network client nor a recorder")
        self.replay = replay
        self.recorder = recorder
        self.client: httpx.Client | None = None
        if replay is None:
            self.client = client or httpx.Client(
                timeout=DEFAULT_TIMEOUT_S, headers={"User-Agent": USER_AGENT}, follow_redirects=True
            )
        self.cache = cache if replay is None else None
        self.clock, self.sleep, self.wall_clock = clock, sleep, wall_clock
        self.max_retries = max_retries
        self._limits = dict(DEFAULT_LIMITS if limits is None else limits)
        self._windows: dict[str, RateLimit] = {}
        self.log = FetchLog()

    def _throttle(self, host: str) -> None:
        calls, window = self._limits.get(host, FALLBACK_LIMIT)
        limit = self._windows.setdefault(host, RateLimit(calls, window))
        wait = limit.wait_time(self.clock())
        if wait > 0:
            self.sleep(wait)
        limit.record(self.clock())

    def request(
        self,
        source: str,
        method: str,
        url: str,
        *,
        params: dict[str, Any] | None = None,
        json_body: Any = None,
        licence: str = "",
        use_cache: bool = True,
    ) -> bytes:
        key = RawCache.key(method, url, params, json_body)
        if use_cache and self.cache is not None and self.recorder is None:
            cached = self.cache.get(key)
            if cached is not None:
                self.log.cached[source] = self.log.cached.get(source, 0) + 1
                self.log.urls.setdefault(source, url)
                self.log.accessed.setdefault(source, _iso(self.wall_clock()))
                return cached
        if self.replay is not None:
            answer = self.replay.answer(source, method, url, params, json_body)
        else:
            answer = self._send(source, method, url, params, json_body)
            if self.recorder is not None:
                self.recorder.record(method, url, params, json_body, answer)
        _check_status(source, url, answer.status, self.max_retries)
        now = self.wall_clock()
        self.log.calls[source] = self.log.calls.get(source, 0) + 1
        # A replayed answer keeps the time it was recorded, so the manifest says when the
        # service gave it, not when the recording was read.
        self.log.accessed[source] = answer.fetched or _iso(now)
        self.log.urls.setdefault(source, url)
        if self.cache is not None:
            self.cache.put(
                key,
                answer.body,
                {
                    "url": url,
                    "method": method,
                    "params": params,
                    "body": json_body,
                    "source": source,
                    "licence": licence,
                    "fetched": _iso(now),
                    "fetched_epoch": now,
                },
            )
        return answer.body

    def _send(self, source: str, method: str, url: str, params: Any, json_body: Any) -> Answer:
        """The service's answer after bounded retries of timeouts, 429 and 5xx (the last answer
        is returned, whatever its status)."""
        if self.client is None:  # never: only a replaying fetcher has no client
            raise ValueError("this fetcher has no network client")
        host = urlsplit(url).hostname or ""
        attempt = 0
        while True:
            self._throttle(host)
            try:
                response = self.client.request(method, url, params=params, json=json_body)
            except httpx.TimeoutException as exc:
                if attempt < self.max_retries:
                    attempt += 1
                    self.sleep(2.0**attempt)
                    continue
                raise SourceError(source, "data.error.source_timeout", url=url) from exc
            except httpx.HTTPError as exc:
                raise SourceError(
                    source,
                    "data.error.source_network",
                    url=url,
                    reason=type(exc).__name__ + (f": {exc}" if str(exc) else ""),
                ) from exc
            status = response.status_code
            if (status == 429 or status >= 500) and attempt < self.max_retries:
                attempt += 1
                self.sleep(_retry_after(response, attempt, self.wall_clock()))
                continue
            return Answer(
                status,
                response.headers.get("Content-Type", ""),
                response.content,
                _iso(self.wall_clock()),
            )

    def get_json(
        self, source: str, url: str, *, params: dict[str, Any] | None = None, licence: str = ""
    ) -> Any:
        return _json(source, url, self.request(source, "GET", url, params=params, licence=licence))

    def post_json(self, source: str, url: str, body: Any, *, licence: str = "") -> Any:
        return _json(
            source, url, self.request(source, "POST", url, json_body=body, licence=licence)
        )

    def get_text(self, source: str, url: str, *, licence: str = "") -> str:
        data = self.request(source, "GET", url, licence=licence)
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError:
            return data.decode("cp1252", errors="replace")


def _check_status(source: str, url: str, status: int, retries: int) -> None:
    """The named error of an answer that is not a success (recorded or fresh alike)."""
    if status == 429:
        raise SourceError(source, "data.error.source_rate_limited", url=url, retries=retries)
    if status >= 500:
        raise SourceError(source, "data.error.source_server", url=url, status=status)
    if status >= 400:
        raise SourceError(source, "data.error.source_http", url=url, status=status)


# --- record and replay ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Answer:
    """A service's answer to one request: what a recording keeps of it."""

    status: int
    content_type: str
    body: bytes
    fetched: str | None = None  # ISO time the service gave it (None: not known)


RequestKey = tuple[str, str, tuple[tuple[str, str], ...], str]


def request_key(method: str, url: str, params: Any = None, body: Any = None) -> RequestKey:
    """What makes two requests the same: the method, the URL without its query (scheme and host
    in lower case), the query pairs of the URL and of ``params`` together in sorted order, and
    the JSON body with its keys sorted (``""`` for none)."""
    parts = urlsplit(url.strip())
    base = urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path, "", ""))
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    for name, value in (params or {}).items():
        values = value if isinstance(value, list | tuple) else [value]
        pairs += [(str(name), _query_text(v)) for v in values]
    text = "" if body is None else json.dumps(body, sort_keys=True, ensure_ascii=False)
    return (method.upper(), base, tuple(sorted(pairs)), text)


def _query_text(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()  # as httpx sends it
    return str(value)


def describe_request(key: RequestKey, limit: int = 120) -> str:
    """The request in one short line: method, URL with its sorted query, the start of the body."""
    method, base, pairs, body = key
    query = "&".join(f"{name}={value}" for name, value in pairs)
    line = f"{method} {base}" + (f"?{query}" if query else "")
    if len(line) > 2 * limit:
        line = line[: 2 * limit] + "…"
    if body:
        line += " " + (body if len(body) <= limit else body[:limit] + "…")
    return line


@dataclass(frozen=True)
class _Reason:
    """A translatable part of a message (rendered by ``UserError.render``)."""

    key: str
    params: dict[str, Any] = field(default_factory=dict)

    def render(self, lang: str) -> str:
        return translate(self.key, lang, **self.params)


RECORD_SOURCE = "--record"
REPLAY_SOURCE = "--replay"


class Recorder:
    """Saves each request and its answer into ``folder``: ``NNNN-host-name.request.json`` with
    the request, status, content type and time, and the body in ``NNNN-host-name.ext`` beside it.

    The folder must be missing (its parent must exist) or empty, so that two runs never mix in
    one recording. Every entry is complete on its own (body first, then the request file, each
    written under a temporary name and renamed), so an update that fails half-way leaves a
    valid recording of what it fetched. A request sent again in the same run replaces its
    entry, so the recording never holds two answers to one request."""

    def __init__(self, folder: Path, label: str | None = None):
        self.folder = Path(folder)
        self.label = label if label is not None else str(folder)
        self.count = 0
        self._names: dict[RequestKey, tuple[str, str]] = {}  # request -> (entry stem, body file)
        self._prepare()

    def _prepare(self) -> None:
        try:
            if self.folder.exists() and not self.folder.is_dir():
                raise RecordError(RECORD_SOURCE, "data.error.record_not_folder", folder=self.label)
            if self.folder.is_dir():
                with os.scandir(self.folder) as entries:
                    if next(entries, None) is not None:
                        raise RecordError(
                            RECORD_SOURCE, "data.error.record_not_empty", folder=self.label
                        )
                return
            if not self.folder.parent.is_dir():
                raise RecordError(RECORD_SOURCE, "data.error.record_no_parent", folder=self.label)
            self.folder.mkdir()
        except OSError as exc:
            raise self._write_error(exc) from exc

    def _write_error(self, exc: OSError) -> RecordError:
        return RecordError(
            RECORD_SOURCE,
            "data.error.record_write",
            folder=self.label,
            reason=exc.strerror or type(exc).__name__,
        )

    def record(self, method: str, url: str, params: Any, body: Any, answer: Answer) -> str:
        """Writes one entry; returns the name of its request file."""
        key = request_key(method, url, params, body)
        if key not in self._names:
            self.count += 1
            stem = _entry_stem(self.count, url)
            self._names[key] = (stem, _body_name(stem, answer.content_type))
        stem, body_name = self._names[key]
        entry = {
            "method": method.upper(),
            "url": url,
            "params": params,
            "body": body,
            "status": answer.status,
            "content_type": answer.content_type,
            "file": body_name,
            "fetched": answer.fetched,
        }
        text = json.dumps(entry, ensure_ascii=False, indent=1) + "\n"
        try:
            _write_new(self.folder / body_name, answer.body)
            _write_new(self.folder / (stem + REQUEST_SUFFIX), text.encode("utf-8"))
        except OSError as exc:
            raise self._write_error(exc) from exc
        return stem + REQUEST_SUFFIX


def _entry_stem(number: int, url: str) -> str:
    parts = urlsplit(url)
    last = parts.path.rstrip("/").rsplit("/", 1)[-1] or "index"
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", f"{parts.hostname or 'host'}-{last}")[:60]
    return f"{number:04d}-{name.strip('._')}"


def _body_name(stem: str, content_type: str) -> str:
    """``stem`` plus an extension after the content type; a stem that already ends in one (a
    CSV served as text/plain) keeps its own."""
    kind = content_type.split(";", 1)[0].strip().lower()
    for word, extension in _EXTENSIONS:
        if word in kind:
            return stem if stem.endswith(extension) else stem + extension
    if any(stem.endswith(extension) for _, extension in _EXTENSIONS):
        return stem
    return stem + (".txt" if kind.startswith("text/") else ".body")


def _write_new(path: Path, data: bytes) -> None:
    """Writes ``data`` to ``path`` by renaming a complete temporary file into place."""
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)


@dataclass(frozen=True)
class _Entry:
    name: str  # the request file
    file: str  # the answer's body file
    status: int
    content_type: str
    fetched: str | None


class ReplaySource:
    """Answers requests from a replay folder (what ``Recorder`` writes, or entries made by hand).

    Reads the whole index when built, so a folder that cannot answer anything (not a folder, too
    many files, an entry that cannot be read, an answer over the size limit, two entries for one
    request) is refused before the update starts. Bodies are read when asked for, bounded."""

    def __init__(
        self,
        folder: Path,
        label: str | None = None,
        max_files: int = MAX_REPLAY_FILES,
        max_body_bytes: int = MAX_REPLAY_BODY_BYTES,
    ):
        self.folder = Path(folder)
        self.label = label if label is not None else str(folder)
        self.max_body_bytes = max_body_bytes
        self.entries: dict[RequestKey, _Entry] = {}
        self._load(max_files)

    def _error(self, key: str, **params: Any) -> ReplayError:
        return ReplayError(REPLAY_SOURCE, key, folder=self.label, **params)

    def _load(self, max_files: int) -> None:
        if not self.folder.is_dir():
            raise self._error("data.error.replay_not_folder")
        try:
            names = []
            with os.scandir(self.folder) as found:
                for item in found:
                    names.append(item.name)
                    if len(names) > max_files:
                        raise self._error("data.error.replay_too_many_files", limit=max_files)
        except OSError as exc:
            raise self._error("data.error.replay_unreadable", reason=exc.strerror or "") from exc
        requests = sorted(n for n in names if n.endswith(REQUEST_SUFFIX) and n[:1] != ".")
        if not requests:
            raise self._error("data.error.replay_empty")
        for name in requests:
            key, entry = self._read_entry(name)
            if key in self.entries:
                raise self._error(
                    "data.error.replay_duplicate",
                    first=self.entries[key].name,
                    second=name,
                    request=describe_request(key),
                )
            self.entries[key] = entry

    def _read_entry(self, name: str) -> tuple[RequestKey, _Entry]:
        def bad(reason: str, **params: Any) -> ReplayError:
            return self._error(
                "data.error.replay_entry", file=name, problem=_Reason(reason, params)
            )

        data = self._read(name, MAX_REPLAY_REQUEST_BYTES)
        try:
            doc = json.loads(data.decode("utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise bad("data.reason.replay_not_json") from exc
        if not isinstance(doc, dict):
            raise bad("data.reason.replay_not_object")
        unknown = sorted(set(doc) - _REQUEST_FIELDS)
        if unknown:
            raise bad("data.reason.replay_unknown_fields", fields=", ".join(unknown))
        method = str(doc.get("method") or "").upper()
        if method not in _METHODS:
            raise bad("data.reason.replay_field", field="method", expected="GET, POST")
        url = doc.get("url")
        if not isinstance(url, str) or urlsplit(url).scheme not in ("http", "https"):
            raise bad("data.reason.replay_field", field="url", expected="https://…")
        params = doc.get("params")
        if params is not None and not isinstance(params, dict):
            raise bad("data.reason.replay_field", field="params", expected="{…} / null")
        status = doc.get("status", 200)
        if isinstance(status, bool) or not isinstance(status, int) or not 100 <= status <= 599:
            raise bad("data.reason.replay_field", field="status", expected="100–599")
        content_type = doc.get("content_type") or ""
        fetched = doc.get("fetched")
        texts = (fetched, doc.get("note"))
        if not isinstance(content_type, str) or not all(isinstance(t, str | None) for t in texts):
            raise bad(
                "data.reason.replay_field", field="content_type, fetched, note", expected="text"
            )
        file = doc.get("file")
        if not isinstance(file, str) or not _plain_name(file):
            raise bad("data.reason.replay_field", field="file", expected="a file name")
        size = self._size(name, file)
        if size > self.max_body_bytes:
            raise self._error(
                "data.error.replay_too_large",
                file=file,
                size_mb=_mb(size),
                limit_mb=_mb(self.max_body_bytes),
            )
        key = request_key(method, url, params, doc.get("body"))
        return key, _Entry(name, file, status, content_type, fetched)

    def _size(self, name: str, file: str) -> int:
        """The size of the body file ``file``: a regular file inside the folder."""
        path = self.folder / file
        try:
            inside = path.resolve().parent == self.folder.resolve()
            info = os.stat(path)
        except OSError as exc:
            raise self._error(
                "data.error.replay_entry",
                file=name,
                problem=_Reason("data.reason.replay_no_body", {"body": file}),
            ) from exc
        if not inside or not stat.S_ISREG(info.st_mode):
            raise self._error(
                "data.error.replay_entry",
                file=name,
                problem=_Reason("data.reason.replay_no_body", {"body": file}),
            )
        return info.st_size

    def _read(self, name: str, limit: int) -> bytes:
        """The bytes of the regular file ``name`` of the folder, at most ``limit`` of them."""
        path = self.folder / name
        try:
            if not stat.S_ISREG(os.stat(path).st_mode):
                raise self._error(
                    "data.error.replay_entry",
                    file=name,
                    problem=_Reason("data.reason.replay_not_file"),
                )
            descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
            with os.fdopen(descriptor, "rb") as handle:
                data = handle.read(limit + 1)
        except OSError as exc:
            raise self._error("data.error.replay_unreadable", reason=exc.strerror or "") from exc
        if len(data) > limit:
            raise self._error(
                "data.error.replay_too_large",
                file=name,
                size_mb=f"> {_mb(limit)}",
                limit_mb=_mb(limit),
            )
        return data

    def answer(self, source: str, method: str, url: str, params: Any, body: Any) -> Answer:
        """The recorded answer to the request; a request without an entry is named."""
        key = request_key(method, url, params, body)
        entry = self.entries.get(key)
        if entry is None:
            raise ReplayError(
                source,
                "data.error.replay_missing",
                folder=self.label,
                request=describe_request(key),
            )
        data = self._read(entry.file, self.max_body_bytes)
        return Answer(entry.status, entry.content_type, data, entry.fetched)


def _plain_name(name: str) -> bool:
    return bool(name) and name not in (".", "..") and "/" not in name and "\\" not in name


def _mb(size: int) -> str:
    return f"{size / 2**20:.1f}"


def _json(source: str, url: str, data: bytes) -> Any:
    try:
        # NOTE: Traficom's PxWeb answers start with a UTF-8 BOM (API_NOTES §6).
        return json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SourceError(source, "data.error.source_truncated", url=url) from exc


def _retry_after(response: httpx.Response, attempt: int, now: float) -> float:
    """Seconds to wait before a retry: the Retry-After header (seconds or a date), bounded."""
    header = response.headers.get("Retry-After")
    wait = 2.0**attempt
    if header:
        try:
            wait = float(header)
        except ValueError:
            try:
                wait = parsedate_to_datetime(header).timestamp() - now
            except (TypeError, ValueError):
                wait = 2.0**attempt
    return max(0.0, min(wait, MAX_RETRY_AFTER_S))


def _iso(epoch: float) -> str:
    return (
        datetime.fromtimestamp(epoch, UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    )
