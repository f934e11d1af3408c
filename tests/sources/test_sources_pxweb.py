"""PxWeb v1 adapter: metadata roles, batched queries, json-stat2 parsing (recorded fixtures)."""

from __future__ import annotations

import json
import math

import httpx
import pytest

from kuntadash.sources import pxweb
from kuntadash.sources.errors import SourceFormatError
from kuntadash.sources.http import Fetcher
from tests import paths
from tests.fixtures.mock_sources import FakeClock

FIXTURES = paths.FIXTURES / "pxweb"


def _load(name: str):
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def test_metadata_roles_are_read_from_the_response():
    meta = pxweb.parse_metadata(_load("142h_meta.json"), "test", "142h")
    assert meta.area.code == "alue_23_20250101"
    assert meta.time.code == "timeperiod_y"
    assert meta.contents.code == "contentscode"
    assert meta.municipality_values() == ["KU005", "KU091"]


def test_old_style_variable_names_are_recognised_too():
    doc = {
        "variables": [
            {"code": "Alue", "text": "Alue", "values": ["SSS", "091", "049"]},
            {"code": "Tiedot", "text": "Tiedot", "values": ["vaesto"]},
            {"code": "Vuosi", "text": "Vuosi", "values": ["2020"]},
        ]
    }
    meta = pxweb.parse_metadata(doc, "test", "old")
    assert (meta.area.code, meta.time.code, meta.contents.code) == ("Alue", "Vuosi", "Tiedot")


def test_unexpected_variables_give_a_named_error():
    doc = {"variables": [{"code": "Region", "text": "Region", "values": ["X1"]}]}
    with pytest.raises(SourceFormatError) as caught:
        pxweb.parse_metadata(doc, "Statistics Finland (PxWeb)", "142h")
    assert caught.value.key == "data.error.source_variables"
    assert "Region" in caught.value.render("en")


def test_queries_stay_within_the_cell_limit():
    areas = [f"KU{n:03d}" for n in range(1, 309)]
    doc = {
        "variables": [
            {"code": "alue_23_20260101", "text": "Alue", "values": ["SSS", *areas]},
            {"code": "contentscode", "text": "Tiedot", "values": ["a", "b", "c"]},
            {
                "code": "timeperiod_y",
                "text": "Vuosi",
                "values": [str(y) for y in range(1990, 2026)],
                "time": True,
            },
            {"code": "sukupuoli_9_20180101", "text": "Sukupuoli", "values": ["SSS", "1", "2"]},
        ]
    }
    meta = pxweb.parse_metadata(doc, "t", "t")
    bodies = pxweb.plan_queries(meta, ["a", "b", "c"], max_cells=1000)
    covered = []
    for body in bodies:
        selections = {q["code"]: q["selection"]["values"] for q in body["query"]}
        cells = 1
        for values in selections.values():
            cells *= len(values)
        assert cells <= 1000
        assert selections["sukupuoli_9_20180101"] == ["SSS"]  # non-eliminable: the total
        covered += selections["alue_23_20260101"]
        assert body["response"] == {"format": "json-stat2"}
    assert covered == areas


def test_unknown_contents_code_is_named():
    meta = pxweb.parse_metadata(_load("142h_meta.json"), "t", "142h")
    with pytest.raises(SourceFormatError) as caught:
        pxweb.plan_queries(meta, ["M999"])
    assert "M999" in caught.value.render("en")


def test_jsonstat2_keeps_status_cells_missing():
    frame = pxweb.parse_jsonstat2(_load("142h_data.json"))
    assert len(frame) == 12
    row = frame[
        (frame["alue_23_20250101"] == "KU005")
        & (frame["timeperiod_y"] == "2024")
        & (frame["contentscode"] == "M162")
    ].iloc[0]
    assert math.isnan(row["value"]) and row["status"] == ".."
    helsinki = frame[
        (frame["alue_23_20250101"] == "KU091")
        & (frame["timeperiod_y"] == "2024")
        & (frame["contentscode"] == "M140")
    ]
    assert helsinki["value"].iloc[0] == pytest.approx(71.5)


def test_jsonstat2_roles():
    doc = _load("142h_data.json")
    frame = pxweb.parse_jsonstat2(doc)
    assert pxweb.dataset_roles(doc, frame) == ("alue_23_20250101", "timeperiod_y", "contentscode")


@pytest.mark.parametrize(
    "mutate",
    [
        lambda d: d.update(value=d["value"][:-1]),
        lambda d: d.update(size=[3, 2]),
        lambda d: d.pop("dimension"),
        lambda d: d.update({"class": "collection"}),
        lambda d: d["dimension"]["timeperiod_y"]["category"].update(index={"2023": 0, "2024": 0}),
        lambda d: d.update(value=["x"] * 12),
        lambda d: d.update(status={"99": ".."}),
    ],
)
def test_malformed_jsonstat2_gives_a_named_error(mutate):
    doc = _load("142h_data.json")
    mutate(doc)
    with pytest.raises(SourceFormatError):
        pxweb.parse_jsonstat2(doc)


def test_municipality_code():
    assert pxweb.municipality_code("KU091") == "091"
    assert pxweb.municipality_code("091") == "091"
    assert pxweb.municipality_code("SSS") is None
    assert pxweb.municipality_code("MK01") is None


def test_fetch_table_values_reads_metadata_then_posts_queries():
    seen = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request.method)
        if request.method == "GET":
            return httpx.Response(200, json=_load("142h_meta.json"))
        body = json.loads(request.content)
        assert body["query"][0]["code"] == "alue_23_20250101"
        return httpx.Response(200, json=_load("142h_data.json"))

    clock = FakeClock()
    fetcher = Fetcher(
        httpx.Client(transport=httpx.MockTransport(handle)),
        clock=clock.time,
        sleep=clock.sleep,
        wall_clock=clock.time,
    )
    tidy = pxweb.fetch_table_values(
        fetcher, "px", "https://pxdata.stat.fi/PxWeb/api/v1/fi/x/142h.px", "142h", ["M162", "M140"]
    )
    assert seen == ["GET", "POST"]
    assert set(tidy["municipality_code"]) == {"005", "091"}  # SSS dropped
    assert tidy["value"].isna().sum() == 1


def test_a_zero_sent_with_a_status_symbol_is_missing():
    doc = _load("142h_data.json")
    doc["value"][6] = 0
    frame = pxweb.parse_jsonstat2(doc)
    assert frame["value"].isna().sum() == 1
    assert (frame["value"] == 0).sum() == 0


def _step_fetcher(handle) -> Fetcher:
    clock = FakeClock()
    return Fetcher(
        httpx.Client(transport=httpx.MockTransport(handle)),
        clock=clock.time,
        sleep=clock.sleep,
        wall_clock=clock.time,
    )


def _entry(ident: str, code: str, title: str | None = None, table: str = "x/142h.px") -> dict:
    source = {"adapter": "pxweb", "table": table, "code": code}
    if title:
        source["title"] = {"fi": title}
    return {"id": ident, "source": source}


def _answer_for(body: dict) -> dict:
    """A json-stat2 answer to exactly the asked cells (value 1.0 each)."""
    ids = [q["code"] for q in body["query"]]
    values = [q["selection"]["values"] for q in body["query"]]
    return {
        "class": "dataset",
        "id": ids,
        "size": [len(v) for v in values],
        "dimension": {
            code: {"category": {"index": {c: i for i, c in enumerate(v)}}}
            for code, v in zip(ids, values, strict=True)
        },
        "value": [1.0] * math.prod(len(v) for v in values),
    }


def _context(fetcher, entries):
    from kuntadash.sources.step import StepContext

    api = {"api": "https://pxdata.stat.fi/PxWeb/api/v1/"}
    return StepContext(fetcher, 2025, ["005", "091"], entries, api)


def test_step_skips_only_the_renamed_code_and_the_title_mismatch():
    posted = []

    def handle(request: httpx.Request) -> httpx.Response:
        if request.method == "GET":
            return httpx.Response(200, json=_load("142h_meta.json"))  # no M151 in it
        body = json.loads(request.content)
        posted.append(body["query"][2]["selection"]["values"])
        return httpx.Response(200, json=_answer_for(body))

    entries = [
        # same text with other case and spacing: still the same series
        _entry("unemployment_rate", "M162", "työttömien  osuus TYÖVOIMASTA , %"),
        _entry("jobs_self_sufficiency", "M151"),  # renamed away: not in the metadata
        _entry("employment_rate", "M140", "Työllisyysaste, 20–64-vuotiaat, %"),  # another series
    ]
    result = pxweb.fetch_step(_context(_step_fetcher(handle), entries))
    assert posted == [["M162"]]
    assert set(result.values["indicator_id"]) == {"unemployment_rate"}
    assert set(result.values["municipality_code"]) == {"005", "091"}
    reasons = {s.indicator_id: s for s in result.skipped}
    assert reasons["jobs_self_sufficiency"].reason == "data.skip.code_missing"
    assert reasons["jobs_self_sufficiency"].params["code"] == "M151"
    assert reasons["employment_rate"].reason == "data.skip.title_mismatch"
    assert "Työllisyysaste, %" in reasons["employment_rate"].render("fi")
    assert set(reasons) == {"jobs_self_sufficiency", "employment_rate"}


def test_step_skips_the_entries_of_a_table_that_is_gone():
    def handle(request: httpx.Request) -> httpx.Response:
        if "old" in request.url.path:
            return httpx.Response(404)
        if request.method == "GET":
            return httpx.Response(200, json=_load("142h_meta.json"))
        return httpx.Response(200, json=_answer_for(json.loads(request.content)))

    entries = [_entry("a", "M162"), _entry("b", "M140", table="x/old.px")]
    result = pxweb.fetch_step(_context(_step_fetcher(handle), entries))
    assert set(result.values["indicator_id"]) == {"a"}
    [skipped] = result.skipped
    assert (skipped.indicator_id, skipped.reason) == ("b", "data.skip.not_found")
    assert skipped.params["status"] == 404


def test_step_stops_on_a_failure_that_is_not_about_one_table():
    from kuntadash.sources.errors import SourceError

    fetcher = _step_fetcher(lambda r: httpx.Response(403))
    with pytest.raises(SourceError) as caught:
        pxweb.fetch_step(_context(fetcher, [_entry("a", "M162")]))
    assert caught.value.key == "data.error.source_http"


@pytest.mark.opendata
def test_real_jsonstat2_response_is_read(opendata):
    path = opendata / "api_responses" / "statfi" / "truth_engine_kuntatalous_006_kta_19_2020.json"
    doc = json.loads(path.read_text(encoding="utf-8"))
    frame = pxweb.parse_jsonstat2(doc, "test")
    area, time, _ = pxweb.dataset_roles(doc, frame)
    assert len(frame) == 1860 and frame["value"].notna().all()
    helsinki = frame[frame[area].map(pxweb.municipality_code) == "091"]
    assert len(helsinki) == 6 and set(helsinki[time]) == {"2020"}
    assert 1510 in set(helsinki["value"])  # loan stock EUR/resident, per the manifest
