"""The shared fetcher of the source adapters: throttling, bounded retries, raw cache, named errors.

Only this module and the adapter modules talk to the network. Clock and sleep are injectable so
tests run instantly; the HTTP transport is injectable (``httpx.MockTransport`` in tests).

Raw cache: every response body is kept under the cache directory with a JSON sidecar holding the
URL, method, request body, time fetched, publisher and licence (the "snapshot of the raw source"
stage); a re-run within ``max_age_s`` reuses it instead of calling the service.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from kuntadash.sources.errors import SourceError

CACHE_ENV = "KUNTADASH_CACHE_DIR"
USER_AGENT = "kuntadash (municipal sustainability dashboard; +https://github.com/)"
DEFAULT_TIMEOUT_S = 30.0
MAX_RETRIES = 3
MAX_RETRY_AFTER_S = 120.0
DEFAULT_MAX_AGE_S = 24 * 3600.0


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
    """GET/POST with throttling per host, bounded retries and the raw cache."""

    def __init__(
        self,
        client: httpx.Client | None = None,
        cache: RawCache | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        wall_clock: Callable[[], float] = time.time,
        max_retries: int = MAX_RETRIES,
        limits: dict[str, tuple[int, float]] | None = None,
    ):
        self.client = client or httpx.Client(
            timeout=DEFAULT_TIMEOUT_S, headers={"User-Agent": USER_AGENT}, follow_redirects=True
        )
        self.cache = cache
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
        if use_cache and self.cache is not None:
            cached = self.cache.get(key)
            if cached is not None:
                self.log.cached[source] = self.log.cached.get(source, 0) + 1
                self.log.urls.setdefault(source, url)
                self.log.accessed.setdefault(source, _iso(self.wall_clock()))
                return cached
        body = self._send(source, method, url, params, json_body)
        now = self.wall_clock()
        self.log.calls[source] = self.log.calls.get(source, 0) + 1
        self.log.accessed[source] = _iso(now)
        self.log.urls.setdefault(source, url)
        if self.cache is not None:
            self.cache.put(
                key,
                body,
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
        return body

    def _send(self, source: str, method: str, url: str, params: Any, json_body: Any) -> bytes:
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
            if status == 429 or status >= 500:
                if attempt < self.max_retries:
                    attempt += 1
                    self.sleep(_retry_after(response, attempt, self.wall_clock()))
                    continue
                if status == 429:
                    raise SourceError(
                        source, "data.error.source_rate_limited", url=url, retries=self.max_retries
                    )
                raise SourceError(source, "data.error.source_server", url=url, status=status)
            if status >= 400:
                raise SourceError(source, "data.error.source_http", url=url, status=status)
            return response.content

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
