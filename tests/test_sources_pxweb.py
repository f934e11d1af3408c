"""PxWeb v1 adapter: metadata roles, batched queries, json-stat2 parsing (recorded fixtures)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import httpx
import pytest

from kuntadash.sources import pxweb
from kuntadash.sources.errors import SourceFormatError
from kuntadash.sources.http import Fetcher
from tests.fixtures.mock_sources import FakeClock

FIXTURES = Path(__file__).parent / "fixtures" / "pxweb"


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
