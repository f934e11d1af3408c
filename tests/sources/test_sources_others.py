"""WFS, classification, Sotkanet and SYKE adapters: hand-written responses in the shapes real
clients read (tests/fixtures/README.md) and, where one exists, a real saved response."""

from __future__ import annotations

import json
import math

import httpx
import pytest

from kuntadash.sources import sotkanet, statfi_classifications, statfi_wfs, syke
from kuntadash.sources.checks import title_mismatch
from kuntadash.sources.errors import SourceFormatError
from kuntadash.sources.http import Fetcher
from kuntadash.sources.step import StepContext
from tests import paths
from tests.fixtures.mock_sources import FakeClock

FIXTURES = paths.FIXTURES


def _load(path: str):
    return json.loads((FIXTURES / path).read_text(encoding="utf-8"))


def test_wfs_boundaries():
    frame = statfi_wfs.parse_boundaries(_load("wfs/kunta4500k_2025_small.json"), 2025)
    assert list(frame["municipality_code"]) == ["091", "005"]
    assert frame.crs.to_epsg() == 4326
    params = statfi_wfs.boundary_params(2025)
    assert params["typeName"] == "tilastointialueet:kunta4500k_2025"
    assert params["srsName"] == "EPSG:4326"


@pytest.mark.parametrize(
    "doc",
    [
        {"type": "Feature"},
        {
            "type": "FeatureCollection",
            "features": [{"type": "Feature", "properties": {"nimi": "x"}, "geometry": None}],
        },
        [],
    ],
)
def test_wfs_unexpected_schema(doc):
    with pytest.raises(SourceFormatError):
        statfi_wfs.parse_boundaries(doc, 2025)


def test_classification_maps_in_the_real_shape():
    doc = _load("classifications/kunta_maakunta_maps.json")
    mapping = statfi_classifications.parse_correspondence(doc, "maakunta")
    assert mapping == {"005": "14", "091": "01"}
    municipalities, regions = statfi_classifications.parse_item_names(doc, "maakunta", "fi")
    assert municipalities == {"005": "Alajärvi", "091": "Helsinki"}
    assert regions == {"14": "Etelä-Pohjanmaa", "01": "Uusimaa"}


def test_classification_tables_are_picked_from_the_list():
    tables = statfi_classifications.parse_table_list(
        _load("classifications/correspondence_tables.json")
    )
    assert ("kunta_1_20250101", "erva_3_20250101") in tables
    bare = "https://data.stat.fi/api/classifications/v2/correspondenceTables/kunta_1_20200101#seutukunta_1_20200101?format=json"
    assert statfi_classifications.parse_table_list([{"value": bare}]) == [
        ("kunta_1_20200101", "seutukunta_1_20200101")
    ]
    chosen = statfi_classifications.pick_tables(
        tables, "kunta_1_20250101", ["maakunta", "hyvinvointialue", "erva"]
    )
    assert chosen == {
        "maakunta": "maakunta_1_20250101",  # not the 2024 table
        "hyvinvointialue": "hyvinvointialue_2_20250101",  # another version than _1_
        "erva": "erva_3_20250101",
    }
    url = statfi_classifications.maps_url("kunta_1_20250101", chosen["erva"])
    assert url.endswith("correspondenceTables/kunta_1_20250101%23erva_3_20250101/maps")
    with pytest.raises(SourceFormatError) as caught:
        statfi_classifications.pick_tables(tables, "kunta_1_20250101", ["kielisuhde"])
    assert "kielisuhde" in caught.value.render("en")


@pytest.mark.parametrize(
    "doc",
    [
        {"maps": []},
        # the shape the reader used to expect: no sourceItem / targetItem, so no rows
        [{"source": {"localId": "kunta_1_20250101/091"}, "target": {"localId": "m/01"}}],
    ],
)
def test_classification_unexpected_schema(doc):
    with pytest.raises(SourceFormatError):
        statfi_classifications.parse_correspondence(doc, "maakunta")


def test_sotkanet_regions_data_and_metadata():
    regions = sotkanet.parse_regions(_load("sotkanet/regions.json"))
    assert regions[833] == "091" and 654 not in regions  # MAAKUNTA not a municipality
    data = sotkanet.parse_data(_load("sotkanet/data_5641.json"), regions, "5641")
    assert len(data) == 6  # region and country rows dropped
    assert data.set_index(["municipality_code", "year"]).loc[("091", 2023), "value"] == 86.5
    meta = sotkanet.parse_indicator_metadata(_load("sotkanet/indicator_5641.json"))
    assert meta["title"]["en"].startswith("Morbidity index") and meta["decimals"] == 1


def test_sotkanet_real_metadata_shape(opendata):
    doc = json.loads((opendata / "thl_sotkanet" / "indicators_metadata.json").read_text())
    for item in doc["indicators"].values():
        meta = sotkanet.parse_indicator_metadata(item)
        assert meta["title"]["fi"]


test_sotkanet_real_metadata_shape = pytest.mark.opendata(test_sotkanet_real_metadata_shape)


def test_syke_hinku_totals_with_decimal_commas_and_missing_cells():
    text = (FIXTURES / "syke" / "kunta_91.csv").read_text(encoding="utf-8")
    totals = syke.parse_syke_csv(text)
    assert totals[2005] == pytest.approx(2920.5)  # emissions trading (false) excluded
    assert totals[2022] == pytest.approx(2045.75)  # the NULL row counts as missing, not 0
    assert math.isnan(totals[2023])  # a year with only NA cells is missing, never 0
    road = syke.parse_syke_csv(text, sector="Tie")
    assert road[2022] == pytest.approx(610.25)  # both taso_3 Tie rows
    assert syke.parse_syke_csv(text, sector="taso_4:TaL") == {2022: pytest.approx(10.0)}
    credits = syke.parse_syke_csv(text, sector="Tuu")  # from kt_tuuli
    assert credits[2022] == pytest.approx(-12.5) and math.isnan(credits[2005])


def test_syke_sector_codes_are_matched_on_their_level_only():
    header = ["kt", "kt_tuuli", "vuosi", "hinku_laskenta", "taso_3", "taso_4", "taso_5"]
    rows = [["1,0", "1,0", "2022", "true", "Tie", "HeL", "MaL"]]  # MaL on taso_5: passengers
    assert syke.hinku_totals_from_rows(header, rows, sector="taso_4:MaL") == {}
    assert syke.hinku_totals_from_rows(header, rows, sector="Tie") == {2022: 1.0}


def test_syke_file_names_and_municipality_list():
    assert syke.file_url(syke.DEFAULT_API, "091").endswith("/Tulokset_taso_5/kunta_91.csv")
    assert syke.file_url(syke.DEFAULT_API, "005").endswith("/kunta_5.csv")
    text = "kuntanro;kunta_fi;maakunta_fi\n91;Helsinki;Uusimaa\n5;Alajärvi;Etelä-Pohjanmaa\n"
    assert syke.parse_municipality_list(text) == ["091", "005"]


def test_syke_missing_columns():
    with pytest.raises(SourceFormatError):
        syke.parse_syke_csv("vuosi;kt\n2020;1,0\n")


def test_syke_step_notes_a_missing_file_and_skips_a_measure_without_its_column():
    def handle(request: httpx.Request) -> httpx.Response:
        url = str(request.url)
        if url.endswith("asukasluvut_2025.csv"):
            return httpx.Response(200, text="kuntanro;kunta_fi;maakunta_fi\n91;H;U\n5;A;E\n")
        if url.endswith("kunta_5.csv"):
            return httpx.Response(404)
        head = "kt;GWh;vuosi;hinku_laskenta;päästökauppa;taso_1;taso_2;taso_3;taso_4;taso_5"
        return httpx.Response(200, text=f"{head}\nNA;1;2022;true;false;NA;NA;Tie;HeL;Hen\n")

    entries = [
        {"id": "road", "source": {"adapter": "syke", "code": "Tie"}},
        {"id": "wind", "source": {"adapter": "syke", "code": "Tuu"}},  # needs kt_tuuli
    ]
    context = StepContext(_fetcher(handle), 2025, ["005", "091", "478"], entries, {})
    result = syke.fetch_step(context)
    assert result.values[["municipality_code", "indicator_id"]].values.tolist() == [
        ["091", "syke:Tie"]
    ]
    assert math.isnan(result.values["value"].iloc[0])  # NA stays missing
    [skipped] = result.skipped
    assert (skipped.indicator_id, skipped.reason) == ("wind", "data.skip.no_column")
    [note] = result.notes
    assert "005, 478" in note.render("en")  # 404 and not in SYKE's list


def _fetcher(handle) -> Fetcher:
    clock = FakeClock()
    return Fetcher(
        httpx.Client(transport=httpx.MockTransport(handle)),
        clock=clock.time,
        sleep=clock.sleep,
        wall_clock=clock.time,
    )


def _sotkanet_handler(titles: dict, missing: set[str]):
    regions = _load("sotkanet/regions.json")

    def handle(request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path.endswith("/regions"):
            return httpx.Response(200, json=regions)
        if "/indicators/" in path:
            ident = path.rsplit("/", 1)[1]
            if ident in missing:
                return httpx.Response(404)
            return httpx.Response(200, json={"id": int(ident), "title": titles[ident]})
        return httpx.Response(200, json=_load("sotkanet/data_5641.json"))

    return handle


def test_sotkanet_step_checks_titles_and_skips_a_missing_indicator():
    meta = _load("sotkanet/indicator_5641.json")
    titles = {
        "5641": meta["title"],
        "5": {"fi": "Toimeentulotukea saaneet 18 - 24-vuotiaat, % vastaavanikäisestä väestöstä"},
    }
    entries = [
        # the title at the source has other spacing and dashes: still the same series
        {
            "id": "morbidity",
            "source": {"code": "5641", "title": {"fi": "sairastavuusindeksi,ikävakioitu"}},
        },
        {
            "id": "assistance",
            "source": {
                "code": "5",
                "title": {
                    "fi": "Toimeentulotukea saaneet 25–64-vuotiaat, % vastaavanikäisestä väestöstä"
                },
            },
        },
        {"id": "gone", "source": {"code": "9999"}},
    ]
    handler = _sotkanet_handler(titles, missing={"9999"})
    result = sotkanet.fetch_step(StepContext(_fetcher(handler), 2025, ["091"], entries, {}))
    assert set(result.values["indicator_id"]) == {"morbidity"}
    reasons = {s.indicator_id: s.reason for s in result.skipped}
    assert reasons == {"assistance": "data.skip.title_mismatch", "gone": "data.skip.not_found"}


@pytest.mark.opendata
def test_sotkanet_real_regions_response(opendata):
    path = opendata / "api_responses" / "sotkanet" / "oskari_sotkanet_regions.json"
    regions = sotkanet.parse_regions(json.loads(path.read_text(encoding="utf-8")))
    assert len(regions) == 320 and "091" in regions.values()
    assert all(len(code) == 3 and code.isdigit() for code in regions.values())


@pytest.mark.opendata
def test_sotkanet_title_check_against_real_metadata(opendata):
    doc = json.loads((opendata / "thl_sotkanet" / "indicators_metadata.json").read_text())
    found = sotkanet.parse_indicator_metadata(doc["indicators"]["322"])["title"]
    # real titles carry trailing spaces and "vastaavan ikäistä"; spacing does not count …
    expected = {"fi": "Kuolleisuus 65 vuotta täyttäneillä / 100 000 vastaavanikäistä"}
    assert title_mismatch(expected, found) is None
    # … but another series does
    other = {"fi": "Kuolleisuus / 100 000 asukasta"}
    assert title_mismatch(other, found) == (other["fi"], found["fi"])


def test_syke_step_without_any_file_skips_every_syke_indicator():
    def handle(request: httpx.Request) -> httpx.Response:
        return httpx.Response(404)  # the list and every file

    entries = [
        {"id": "total", "source": {"code": "hinku"}},
        {"id": "road", "source": {"code": "Tie"}},
    ]
    result = syke.fetch_step(StepContext(_fetcher(handle), 2025, ["005", "091"], entries, {}))
    assert result.values.empty
    assert {(s.indicator_id, s.reason) for s in result.skipped} == {
        ("total", "data.skip.not_found"),
        ("road", "data.skip.not_found"),
    }
