"""WFS, classification, Sotkanet and SYKE adapters against hand-written recorded responses."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kuntadash.sources import sotkanet, statfi_classifications, statfi_wfs, syke
from kuntadash.sources.errors import SourceFormatError

FIXTURES = Path(__file__).parent / "fixtures"


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


def test_classification_maps():
    mapping = statfi_classifications.parse_correspondence(
        _load("classifications/kunta_maakunta_maps.json"), "maakunta"
    )
    assert mapping == {"005": "14", "091": "01"}
    url = statfi_classifications.correspondence_url("hyvinvointialue", 2026)
    assert url.endswith("kunta_1_20260101%23hyvinvointialue_1_20260101/maps")


def test_classification_unexpected_schema():
    with pytest.raises(SourceFormatError):
        statfi_classifications.parse_correspondence({"maps": []}, "maakunta")


def test_sotkanet_regions_data_and_metadata():
    regions = sotkanet.parse_regions(_load("sotkanet/regions.json"))
    assert regions[833] == "091" and 654 not in regions  # MAAKUNTA not a municipality
    data = sotkanet.parse_data(_load("sotkanet/data_5641.json"), regions, "5641")
    assert len(data) == 6  # region and country rows dropped
    assert data.set_index(["municipality_code", "year"]).loc[("091", 2023), "value"] == 86.5
    meta = sotkanet.parse_indicator_metadata(_load("sotkanet/indicator_5641.json"))
    assert meta["title"]["en"].startswith("THL morbidity index") and meta["decimals"] == 1


def test_sotkanet_real_metadata_shape(opendata):
    doc = json.loads((opendata / "thl_sotkanet" / "indicators_metadata.json").read_text())
    for item in doc["indicators"].values():
        meta = sotkanet.parse_indicator_metadata(item)
        assert meta["title"]["fi"]


test_sotkanet_real_metadata_shape = pytest.mark.opendata(test_sotkanet_real_metadata_shape)


def test_syke_hinku_totals_with_decimal_commas():
    totals = syke.parse_syke_csv((FIXTURES / "syke" / "kunta_091.csv").read_text(encoding="utf-8"))
    assert totals[2005] == pytest.approx(2920.5)  # emissions trading (false) excluded
    assert totals[2022] == pytest.approx(2045.75)
    road = syke.parse_syke_csv((FIXTURES / "syke" / "kunta_091.csv").read_text(), sector="Tie")
    assert road[2022] == pytest.approx(610.25)


def test_syke_missing_columns():
    with pytest.raises(SourceFormatError):
        syke.parse_syke_csv("vuosi;kt\n2020;1,0\n")
