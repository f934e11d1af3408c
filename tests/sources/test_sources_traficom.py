"""Traficom fixed-broadband availability: the ODS layout of tests/fixtures/traficom_ods.py (built
to the manifest's description and the public script that reads the file; no real copy at hand)."""

from __future__ import annotations

import math

import httpx
import pytest

from kuntadash import resources
from kuntadash.sources import traficom
from kuntadash.sources.http import Fetcher
from kuntadash.sources.step import StepContext
from tests.fixtures.mock_sources import FakeClock
from tests.fixtures.traficom_ods import availability_ods

REGISTER = resources.read_municipality_register(2025)
ROWS = [
    ("Helsinki", "Helsingfors", "Helsinki", 0.99, 0.95, 0.9, 0.8),
    ("Raasepori", "Raseborg", "Raseborg", 0.9, 0.6, 0.5, 0.3),
    ("Maarianhamina - Mariehamn", "Mariehamn", "Mariehamn", 0.95, 0.85, 0.7, 0.65),
    ("Pertunmaa", "Pertunmaa", "Pertunmaa", 0.9, 0.5, 0.4, 0.2),  # merged into Mäntyharju 2025
    ("Alajärvi", "Alajärvi", "Alajärvi", 0.9, float("nan"), 0.4, 0.2),
]


def _shares(availability) -> dict[tuple[str, int], float]:
    frame = availability.shares
    return {(c, s): v for c, s, v in frame.itertuples(index=False)}


def test_municipalities_are_placed_by_name_and_shares_become_per_cent():
    availability = traficom.read_availability(availability_ods(ROWS), REGISTER)
    shares = _shares(availability)
    assert availability.year == 2025  # from the title "… 30.6.2025"
    assert shares[("091", 100)] == pytest.approx(95.0)
    assert shares[("091", 1000)] == pytest.approx(80.0)
    assert shares[("710", 1000)] == pytest.approx(30.0)  # Raasepori, Finnish name
    assert shares[("478", 100)] == pytest.approx(85.0)  # "Maarianhamina - Mariehamn"
    assert math.isnan(shares[("005", 100)])  # an empty cell stays missing
    assert availability.unknown_names == ["Pertunmaa"]  # reported, not silently dropped
    assert {c for c, _ in shares} == {"091", "710", "478", "005"}  # no country or region rows


def test_speed_columns_are_read_from_the_header():
    speeds = ("≥ 30 Mbit/s", "≥ 100 Mbit/s", "≥ 300 Mbit/s", "≥ 1 Gbit/s")
    data = availability_ods(ROWS[:1], speeds=speeds)
    shares = _shares(traficom.read_availability(data, REGISTER))
    assert shares[("091", 1000)] == pytest.approx(80.0)


def _context(handle, codes=("091", "005", "049")) -> StepContext:
    clock = FakeClock()
    fetcher = Fetcher(
        httpx.Client(transport=httpx.MockTransport(handle)),
        clock=clock.time,
        sleep=clock.sleep,
        wall_clock=clock.time,
    )
    entries = [
        {"id": "broadband_100mbit_share", "source": {"table": traficom.FILE, "code": "100"}},
        {"id": "broadband_1gbit_share", "source": {"table": traficom.FILE, "code": "1000"}},
        {"id": "broadband_10gbit_share", "source": {"table": traficom.FILE, "code": "10000"}},
    ]
    return StepContext(fetcher, 2025, list(codes), entries, {})


def test_step_gives_each_speed_and_reports_what_it_could_not_place():
    result = traficom.fetch_step(
        _context(lambda r: httpx.Response(200, content=availability_ods(ROWS)))
    )
    values = result.values.set_index(["municipality_code", "indicator_id"])["value"]
    assert values[("091", "broadband_1gbit_share")] == pytest.approx(80.0)
    assert set(result.values["year"]) == {2025}
    assert set(result.values["municipality_code"]) == {"091", "005"}  # only the division's
    [skipped] = result.skipped
    assert (skipped.indicator_id, skipped.reason) == (
        "broadband_10gbit_share",
        "data.skip.code_missing",
    )
    texts = [note.render("en") for note in result.notes]
    assert any("Pertunmaa" in t for t in texts)
    assert any("049" in t for t in texts)  # Espoo has no row in this file


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        (httpx.Response(404), "data.skip.not_found"),
        (httpx.Response(200, content=b"not a spreadsheet"), "data.skip.unreadable"),
    ],
)
def test_a_missing_or_unreadable_file_skips_only_its_indicators(answer, reason):
    result = traficom.fetch_step(_context(lambda r: answer))
    assert result.values.empty
    assert {s.reason for s in result.skipped} == {reason} and len(result.skipped) == 3
    assert "broadband_100mbit_share" in result.skipped[0].render("sv")
