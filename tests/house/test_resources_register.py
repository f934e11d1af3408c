"""Checks of the bundled municipality registers and grouping files in src/kuntadash/resources/
(register_2025.csv and register_2026.csv: official; sample_register_2025.csv: approximate places
for the synthetic sample; municipality_types_2025.yaml: our documented grouping).

The structural tests need only the files themselves. The comparison tests read the official files
in the shared open-data folder (../shared/opendata, next to the repository) at run time and are
skipped when it is absent; nothing from it is stored in the repository except what the documented
commands build.
"""

from __future__ import annotations

import json
import math

import pandas as pd
import pytest

from kuntadash.domain.population import population_history, population_in
from kuntadash.pipeline.official import build_register
from kuntadash.resources import read_resource_yaml
from kuntadash.store import read_snapshot
from tests import paths

REPO_ROOT = paths.REPO
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
CODES = ("municipality_code", "region_code", "subregion_code", "wellbeing_county_code")

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


@pytest.fixture(scope="module", params=[2025, 2026])
def register(request) -> pd.DataFrame:
    return _read_csv(f"register_{request.param}.csv", CODES)


@pytest.fixture(scope="module")
def register_2025() -> pd.DataFrame:
    return _read_csv("register_2025.csv", CODES)


@pytest.fixture(scope="module")
def places() -> pd.DataFrame:
    return _read_csv("sample_register_2025.csv", ("municipality_code",))


@pytest.fixture(scope="module")
def types_doc() -> dict:
    return read_resource_yaml("municipality_types_2025.yaml")


# ---------------------------------------------------------------- structure


def test_register_columns(register: pd.DataFrame) -> None:
    langs = ("fi", "sv", "en")
    assert list(register.columns) == [
        "municipality_code",
        *(f"name_{lang}" for lang in langs),
        *(f"region_{part}" for part in ("code", *(f"name_{lang}" for lang in langs))),
        *(f"subregion_{part}" for part in ("code", *(f"name_{lang}" for lang in langs))),
        *(f"wellbeing_county_{part}" for part in ("code", *(f"name_{lang}" for lang in langs))),
        "urban_rural_group",
        "language_status",
        "land_area_km2",
    ]
    assert not register.isna().any().any(), "no empty cells expected"
    text_columns = register.select_dtypes("str")
    assert not text_columns.apply(lambda c: c.str.strip().ne(c)).any().any(), "names are trimmed"


def test_register_codes(register: pd.DataFrame) -> None:
    codes = register["municipality_code"]
    assert len(codes) == 308
    assert codes.is_unique
    assert all(len(c) == 3 and c.isdigit() for c in codes)
    assert not {"588", "099", "911"} & set(codes), "merged municipalities must not appear"
    assert {"005", "091", "049", "507", "214", "541"} <= set(codes)
    assert register["region_code"].str.fullmatch(r"\d{2}").all()
    assert register["subregion_code"].str.fullmatch(r"\d{3}").all()
    assert register["wellbeing_county_code"].str.fullmatch(r"\d{2}").all()


def test_register_values(register: pd.DataFrame) -> None:
    assert set(register["urban_rural_group"]) == URBAN_RURAL_GROUPS
    assert set(register["language_status"]) == LANGUAGE_STATUSES
    assert (register["land_area_km2"] > 0).all()
    # Finland's land area is about 304 000 km² (inland and sea water excluded)
    assert 300_000 < register["land_area_km2"].sum() < 310_000
    by_code = register.set_index("municipality_code")
    assert by_code.at["091", "name_sv"] == "Helsingfors"
    assert by_code.at["478", "name_fi"] == "Maarianhamina"
    assert by_code.at["478", "name_en"] == "Mariehamn"
    # Pertunmaa's land was added to Mäntyharju (both from the 2023 areas)
    assert by_code.at["507", "land_area_km2"] == pytest.approx(1355.71)


def test_official_codes_of_helsinki_and_aland(register: pd.DataFrame) -> None:
    """Statistics Finland codes the City of Helsinki 90 and Åland 91 in the wellbeing services
    county classification (Helsinki organises its own services; Åland is outside the reform)."""
    by_code = register.set_index("municipality_code")
    assert by_code.at["091", "wellbeing_county_code"] == "90"
    assert (register["wellbeing_county_code"] == "90").sum() == 1
    aland = register[register["region_code"] == "21"]
    assert len(aland) == 16 and set(aland["wellbeing_county_code"]) == {"91"}
    counties = register[~register["wellbeing_county_code"].isin(["90", "91"])]
    assert sorted(counties["wellbeing_county_code"].unique()) == [f"{i:02d}" for i in range(1, 22)]


def test_places_of_the_sample(places: pd.DataFrame, register_2025: pd.DataFrame) -> None:
    assert list(places.columns) == ["municipality_code", "lat", "lon", "coord_source", "population"]
    assert set(places["municipality_code"]) == set(register_2025["municipality_code"])
    assert places["lat"].between(*LAT_RANGE).all()
    assert places["lon"].between(*LON_RANGE).all()
    assert places["coord_source"].str.match(r"^(geonames:\d+|estimate)$").all()
    assert (places["population"] > 0).all()


def test_county_within_one_region(register: pd.DataFrame) -> None:
    """Every wellbeing services county lies inside a single region, and so does a sub-region."""
    assert (register.groupby("wellbeing_county_code")["region_code"].nunique() == 1).all()
    assert (register.groupby("subregion_code")["region_code"].nunique() == 1).all()


def test_aland_is_swedish(register: pd.DataFrame) -> None:
    aland = register[register["region_code"] == "21"]
    assert len(aland) == 16
    assert (aland["language_status"] == "sv").all()
    assert not (register[register["region_code"] != "21"]["language_status"] == "sv").any()


@pytest.mark.opendata
@pytest.mark.parametrize("division", [2025, 2026])
def test_registers_are_what_the_official_files_give(division: int) -> None:
    """The committed registers are exactly what `kuntadash data register` builds from the
    official files (so they can be rebuilt, and nothing in them is typed by hand)."""
    if not SHARED_OPENDATA.is_dir():
        pytest.skip("../shared/opendata is absent")
    built = build_register(SHARED_OPENDATA, division)
    committed = _read_csv(f"register_{division}.csv", CODES)
    pd.testing.assert_frame_equal(
        committed, built.reset_index(drop=True), check_dtype=False, check_exact=False
    )


def test_types_document(types_doc: dict, register_2025: pd.DataFrame) -> None:
    register = register_2025
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


def test_types_rules(types_doc: dict, register_2025: pd.DataFrame) -> None:
    """The documented rules, re-checked against the official register and population: the
    large cities are exactly those over 50 000 plus Kokkola and Kajaani, and all are urban;
    a frame municipality outside every large city's sub-region, and a regional city that is
    not the largest of its sub-region, are marked uncertain with a note."""
    assignments = types_doc["assignments"]
    for code in ("186", "245", "257", "505", "543", "611", "753", "858", "927"):  # KUUMA
        assert assignments[code]["type"] == "frame", code
    official = read_snapshot(REPO_ROOT / "data")
    assert not official.is_sample
    table = register_2025.set_index("municipality_code")
    population = population_in(population_history(official.values), table.index).values
    types = pd.Series({code: item["type"] for code, item in assignments.items()})
    uncertain = pd.Series({code: item["uncertain"] for code, item in assignments.items()})
    large = set(types[types == "large_city"].index)
    assert large == set(population[population > 50_000].index) | {"272", "205"}
    assert (table.loc[sorted(large), "urban_rural_group"] == 1).all()
    large_subregions = set(table.loc[sorted(large), "subregion_code"])
    frames = types[types == "frame"].index
    outside = [c for c in frames if table.at[c, "subregion_code"] not in large_subregions]
    assert outside and all(uncertain[c] for c in outside), outside
    largest = population.groupby(table["subregion_code"]).idxmax()
    regional = types[types == "regional_city"].index
    not_centre = [c for c in regional if c not in set(largest)]
    assert not_centre and all(uncertain[c] for c in not_centre), not_centre


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
    boundaries: dict, register_2025: pd.DataFrame, places: pd.DataFrame
) -> None:
    shapely_geometry = pytest.importorskip("shapely.geometry")
    point_cls = shapely_geometry.Point
    shape = shapely_geometry.shape

    register = register_2025.merge(places, on="municipality_code")
    assert set(boundaries) == set(register["municipality_code"])
    region_name = dict(zip(register["region_code"], register["region_name_fi"], strict=True))
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
