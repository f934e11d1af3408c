"""The shared fetcher: throttling, Retry-After, bounded retries, raw cache (no real network)."""

from __future__ import annotations

import httpx
import pytest

from kuntadash.sources.errors import SourceError
from kuntadash.sources.http import Fetcher, RateLimit, RawCache, _retry_after
from tests.fixtures.mock_sources import FakeClock


def _fetcher(handler, clock, **kwargs) -> Fetcher:
    return Fetcher(
        httpx.Client(transport=httpx.MockTransport(handler)),
        clock=clock.time,
        sleep=clock.sleep,
        wall_clock=clock.time,
        **kwargs,
    )


def test_rate_limit_window():
    limit = RateLimit(2, 60.0)
    limit.record(0.0)
    limit.record(1.0)
    assert limit.wait_time(2.0) == pytest.approx(58.0)
    assert limit.wait_time(61.0) == 0.0


def test_pxweb_calls_are_throttled_to_40_per_minute():
    clock = FakeClock()
    fetcher = _fetcher(lambda r: httpx.Response(200, json={}), clock)
    for n in range(81):
        fetcher.get_json("px", f"https://pxdata.stat.fi/PxWeb/api/v1/fi/t{n}")
    assert sum(clock.sleeps) >= 120.0 - 1e-6


def test_retry_after_seconds_and_date():
    assert _retry_after(httpx.Response(429, headers={"Retry-After": "5"}), 1, 0.0) == 5.0
    assert _retry_after(httpx.Response(429, headers={"Retry-After": "9999"}), 1, 0.0) == 120.0
    dated = httpx.Response(429, headers={"Retry-After": "Thu, 01 Jan 1970 00:00:30 GMT"})
    assert _retry_after(dated, 1, 0.0) == pytest.approx(30.0)


def test_429_then_success_is_retried():
    answers = iter(
        [httpx.Response(429, headers={"Retry-After": "3"}), httpx.Response(200, json=[1])]
    )
    clock = FakeClock()
    fetcher = _fetcher(lambda r: next(answers), clock)
    assert fetcher.get_json("s", "https://sotkanet.fi/rest/1.1/x") == [1]
    assert 3.0 in clock.sleeps


def test_retries_are_bounded():
    calls = []
    clock = FakeClock()
    fetcher = _fetcher(lambda r: calls.append(1) or httpx.Response(503), clock, max_retries=2)
    with pytest.raises(SourceError) as caught:
        fetcher.get_json("THL Sotkanet", "https://sotkanet.fi/rest/1.1/x")
    assert len(calls) == 3
    assert caught.value.key == "data.error.source_server"
    assert "THL Sotkanet" in caught.value.render("sv")


def test_truncated_json_is_named():
    clock = FakeClock()
    fetcher = _fetcher(lambda r: httpx.Response(200, text='[{"a": 1'), clock)
    with pytest.raises(SourceError) as caught:
        fetcher.get_json("src", "https://example.org/x")
    assert caught.value.key == "data.error.source_truncated"


def test_bom_prefixed_json_is_read():
    clock = FakeClock()
    fetcher = _fetcher(lambda r: httpx.Response(200, content=b'\xef\xbb\xbf{"a": 1}'), clock)
    assert fetcher.get_json("traficom", "https://trafi2.stat.fi/x") == {"a": 1}


def test_raw_cache_keeps_metadata_and_expires(tmp_path):
    clock = FakeClock()
    cache = RawCache(tmp_path, max_age_s=100, clock=clock.time)
    calls = []
    fetcher = Fetcher(
        httpx.Client(
            transport=httpx.MockTransport(
                lambda r: calls.append(1) or httpx.Response(200, json={"n": len(calls)})
            )
        ),
        cache=cache,
        clock=clock.time,
        sleep=clock.sleep,
        wall_clock=clock.time,
    )
    url = "https://sotkanet.fi/rest/1.1/regions"
    assert fetcher.get_json("s", url, licence="CC BY 4.0") == {"n": 1}
    assert fetcher.get_json("s", url) == {"n": 1}
    assert len(calls) == 1
    meta = next(tmp_path.glob("*.meta.json")).read_text()
    assert url in meta and "CC BY 4.0" in meta and "fetched" in meta
    clock.now += 101
    assert fetcher.get_json("s", url) == {"n": 2}
