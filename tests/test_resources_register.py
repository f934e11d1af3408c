"""Checks of the hand-authored municipality register and grouping files in
src/kuntadash/resources/ (municipalities_2025.csv, regions.csv, wellbeing_counties.csv,
municipality_types_2025.yaml).

The structural tests need only the files themselves. The comparison test reads Statistics
Finland's 2025 boundary file from the shared third-party data folder (../shared/opendata, next to
the repository) at run time and is skipped when that folder is absent; nothing from it is stored
in the repository.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd
import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parents[1]
RESOURCES = REPO_ROOT / "src" / "kuntadash" / "resources"
SHARED_OPENDATA = REPO_ROOT.parent / "shared" / "opendata"
BOUNDARY_FILE = (
    SHARED_OPENDATA / "statfi_wfs_2025" / "kunta1000k_2025_with_neighbors_and_province.geojson"
)

TYPE_IDS = {"large_city", "regional_city", "frame", "small_rural"}
LANGUAGE_STATUSES = {"fi", "fi_sv", "sv_fi", "sv"}
URBAN_RURAL_GROUPS = {1, 2, 3}
# Finland incl. Åland, generous margins (WGS84)
LAT_RANGE = (59.3, 70.2)
LON_RANGE = (19.0, 31.7)
MAX_DISTANCE_KM = 40.0

# Known, explained differences from the shared boundary file. Its `province` property was added
# by the third-party repository's author (it is not a Statistics Finland field) and lags one of
# the region changes of 1.1.2021 (Heinävesi, Joroinen, Iitti, Kuhmoinen and Isokyrö changed
# region; the file follows the change for all but Isokyrö).
PROVINCE_EXCEPTIONS = {
    "152": ("Etelä-Pohjanmaa", "Pohjanmaa"),  # Isokyrö: Pohjanmaa -> Etelä-Pohjanmaa 1.1.2021
}


def _read_csv(name: str, code_columns: tuple[str, ...]) -> pd.DataFrame:
    return pd.read_csv(
        RESOURCES / name,
        dtype={c: str for c in code_columns},
        keep_default_na=False,
        na_values=[""],
        encoding="utf-8",
    )


@pytest.fixture(scope="module")
def register() -> pd.DataFrame:
    return _read_csv(
        "municipalities_2025.csv", ("municipality_code", "region_code", "wellbeing_county_code")
    )


@pytest.fixture(scope="module")
def regions() -> pd.DataFrame:
    return _read_csv("regions.csv", ("region_code",))


@pytest.fixture(scope="module")
def counties() -> pd.DataFrame:
    return _read_csv("wellbeing_counties.csv", ("code",))


@pytest.fixture(scope="module")
def types_doc() -> dict:
    with open(RESOURCES / "municipality_types_2025.yaml", encoding="utf-8") as f:
        return yaml.safe_load(f)


# ---------------------------------------------------------------- structure


def test_register_columns(register: pd.DataFrame) -> None:
    assert list(register.columns) == [
        "municipality_code",
        "name_fi",
        "name_sv",
        "region_code",
        "wellbeing_county_code",
        "urban_rural_group",
        "language_status",
        "lat",
        "lon",
        "coord_source",
        "population",
        "land_area_km2",
    ]
    assert not register.isna().any().any(), "no empty cells expected"


def test_register_codes(register: pd.DataFrame) -> None:
    codes = register["municipality_code"]
    assert len(codes) == 308
    assert codes.is_unique
    assert all(len(c) == 3 and c.isdigit() for c in codes)
    assert not {"588", "099", "911"} & set(codes), "merged municipalities must not appear"
    assert {"005", "091", "049", "507", "214", "541"} <= set(codes)


def test_register_values(register: pd.DataFrame) -> None:
    assert set(register["urban_rural_group"]) <= URBAN_RURAL_GROUPS
    assert set(register["language_status"]) <= LANGUAGE_STATUSES
    assert (register["population"] > 0).all()
    assert (register["land_area_km2"] > 0).all()
    total = register["population"].sum()
    assert 5_300_000 < total < 5_900_000, total
    assert register["coord_source"].str.match(r"^(geonames:\d+|estimate)$").all()


def test_register_coordinates_in_finland(register: pd.DataFrame) -> None:
    assert register["lat"].between(*LAT_RANGE).all()
    assert register["lon"].between(*LON_RANGE).all()


def test_region_codes_known(register: pd.DataFrame, regions: pd.DataFrame) -> None:
    assert list(regions.columns) == ["region_code", "name_fi", "name_sv", "name_en"]
    assert len(regions) == 19 and regions["region_code"].is_unique
    assert set(register["region_code"]) <= set(regions["region_code"])
    assert set(regions["region_code"]) == set(register["region_code"]), "every region is used"


def test_wellbeing_county_codes_known(register: pd.DataFrame, counties: pd.DataFrame) -> None:
    assert list(counties.columns) == ["code", "name_fi", "name_sv", "name_en"]
    assert len(counties) == 23 and counties["code"].is_unique  # 21 counties + Helsinki + Åland
    assert set(register["wellbeing_county_code"]) <= set(counties["code"])
    assert set(counties["code"]) == set(register["wellbeing_county_code"]), "every county is used"
    helsinki = register.loc[register["municipality_code"] == "091", "wellbeing_county_code"]
    assert (register["wellbeing_county_code"] == helsinki.iloc[0]).sum() == 1
    aland = register[register["region_code"] == "21"]["wellbeing_county_code"]
    assert aland.nunique() == 1
    mainland = register[register["region_code"] != "21"]
    assert not (mainland["wellbeing_county_code"] == aland.iloc[0]).any()


def test_county_within_one_region(register: pd.DataFrame) -> None:
    """Every wellbeing services county lies inside a single region."""
    assert (register.groupby("wellbeing_county_code")["region_code"].nunique() == 1).all()


def test_aland_is_swedish(register: pd.DataFrame) -> None:
    aland = register[register["region_code"] == "21"]
    assert len(aland) == 16
    assert (aland["language_status"] == "sv").all()
    assert not (register[register["region_code"] != "21"]["language_status"] == "sv").any()


def test_types_document(types_doc: dict, register: pd.DataFrame) -> None:
    assert types_doc["valid_for_division"] == 2025
    assert str(types_doc["compiled"]) == "2026-11-23"
    assert types_doc["sources"] and all("title" in s and "url" in s for s in types_doc["sources"])
    assert set(types_doc["rules"]) == TYPE_IDS
    assert set(types_doc["labels"]) == TYPE_IDS
    for labels in types_doc["labels"].values():
        assert set(labels) == {"fi", "sv", "en"}
    assignments = types_doc["assignments"]
    assert all(isinstance(k, str) for k in assignments), "codes must be quoted strings"
    assert set(assignments) == set(register["municipality_code"])
    for code, item in assignments.items():
        assert item["type"] in TYPE_IDS, code
        assert isinstance(item["uncertain"], bool), code
        if item["uncertain"]:
            assert item.get("note"), f"{code}: uncertain assignments need a note"


def test_types_rules(types_doc: dict, register: pd.DataFrame) -> None:
    assignments = types_doc["assignments"]
    assert assignments["091"]["type"] == "large_city"
    for code in ("272", "205"):  # Kokkola, Kajaani
        assert assignments[code]["type"] == "large_city"
    pop = dict(zip(register["municipality_code"], register["population"], strict=True))
    for code, item in assignments.items():
        if item["type"] == "large_city" and code not in ("272", "205"):
            assert pop[code] > 50_000, code
    for code in ("186", "245", "257", "505", "543", "611", "753", "858", "927"):  # KUUMA
        assert assignments[code]["type"] == "frame", code


# ------------------------------------------------- comparison with Statistics Finland


def _haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    r = 6371.0
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(a))


@pytest.fixture(scope="module")
def boundaries() -> dict:
    if not BOUNDARY_FILE.is_file():
        pytest.skip(f"shared boundary file not available: {BOUNDARY_FILE}")
    with open(BOUNDARY_FILE, encoding="utf-8") as f:
        doc = json.load(f)
    return {feat["properties"]["kunta"]: feat for feat in doc["features"]}


@pytest.mark.opendata
def test_matches_statistics_finland_boundaries(
    boundaries: dict, register: pd.DataFrame, regions: pd.DataFrame
) -> None:
    shapely_geometry = pytest.importorskip("shapely.geometry")
    point_cls = shapely_geometry.Point
    shape = shapely_geometry.shape

    assert set(boundaries) == set(register["municipality_code"])
    region_name = dict(zip(regions["region_code"], regions["name_fi"], strict=True))
    problems: list[str] = []
    for row in register.itertuples(index=False):
        props = boundaries[row.municipality_code]["properties"]
        code = row.municipality_code
        if row.name_fi != props["nimi"]:
            problems.append(f"{code}: name_fi {row.name_fi!r} != nimi {props['nimi']!r}")
        if row.name_sv != props["namn"]:
            problems.append(f"{code}: name_sv {row.name_sv!r} != namn {props['namn']!r}")
        expected = PROVINCE_EXCEPTIONS.get(code)
        if expected is not None:
            if (region_name[row.region_code], props["province"]) != expected:
                problems.append(f"{code}: documented province exception no longer applies")
        elif region_name[row.region_code] != props["province"]:
            problems.append(
                f"{code}: region {region_name[row.region_code]!r} != province {props['province']!r}"
            )
        geom = shape(boundaries[code]["geometry"])
        point = point_cls(row.lon, row.lat)
        if not geom.contains(point):
            rep = geom.representative_point()
            dist = _haversine_km(row.lat, row.lon, rep.y, rep.x)
            if dist > MAX_DISTANCE_KM:
                problems.append(f"{code}: ({row.lat}, {row.lon}) is {dist:.0f} km from the polygon")
    assert not problems, "\n".join(problems)
