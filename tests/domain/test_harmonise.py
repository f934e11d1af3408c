"""Harmonisation to the current division (domain.harmonise): tiny hand-made frames, and the
bundled merger table checked against the official municipality counts and boundary files."""

from __future__ import annotations

import json
import math

import geopandas as gpd
import pandas as pd
import pytest
from shapely import box

from kuntadash import resources
from kuntadash.domain.harmonise import (
    Division,
    DivisionChange,
    detect_division,
    division_codes,
    divisions,
    founding_years,
    harmonise_boundaries,
    harmonise_values,
    merger_map,
    read_division_changes,
    read_first_division_year,
    unplaced_values,
)

CHANGES = [
    DivisionChange(2025, "588", "507", "Pertunmaa"),
    DivisionChange(2021, "099", "214", "Honkajoki"),
    DivisionChange(2020, "911", "541", "Valtimo"),
]
TARGET = {"507", "214", "541", "091"}
# Oravainen 559 and Vöyri-Maksamaa 945 founded Vöyri 946 on 1.1.2011.
FOUNDING = [
    DivisionChange(2011, "559", "946", "Oravainen", into_founded=True),
    DivisionChange(2011, "945", "946", "Vöyri-Maksamaa", into_founded=True),
]
# Municipalities in Finland on 1 January of each year (Statistics Finland, Ministry of Finance).
OFFICIAL_COUNTS = {
    2009: 348,
    2010: 342,
    2011: 336,
    2012: 336,
    2013: 320,
    2014: 320,
    2015: 317,
    2016: 313,
    2017: 311,
    2018: 311,
    2019: 311,
    2020: 310,
    2021: 309,
    2022: 309,
    2023: 309,
    2024: 309,
    2025: 308,
}


def _bundled():
    document = resources.read_resource_yaml("division_changes.yaml")
    return read_division_changes(document), read_first_division_year(document)


def _register_codes() -> set[str]:
    return set(resources.read_municipality_register()["municipality_code"])


def _values(rows):
    return pd.DataFrame(rows, columns=["municipality_code", "indicator_id", "year", "value"])


def test_bundled_changes_are_readable_and_contain_the_known_mergers():
    changes = read_division_changes(resources.read_resource_yaml("division_changes.yaml"))
    mapping = merger_map(changes, 2025)
    assert mapping["588"] == "507"
    assert mapping["099"] == "214"
    assert mapping["911"] == "541"
    assert all(c.source for c in changes)


def test_merger_map_ignores_changes_after_the_target_year():
    assert merger_map(CHANGES, 2024) == {"099": "214", "911": "541"}


def test_merger_map_follows_chains():
    chain = [DivisionChange(2020, "001", "002"), DivisionChange(2022, "002", "003")]
    assert merger_map(chain, 2025) == {"001": "003", "002": "003"}


@pytest.mark.parametrize(
    ("year", "extra"),
    [
        (2025, set()),
        (2024, {"588"}),
        (2021, {"588"}),
        (2020, {"588", "099"}),
        (2019, {"588", "099", "911"}),
    ],
)
def test_division_codes_add_absorbed_codes_for_earlier_years(year, extra):
    assert division_codes(TARGET, CHANGES, 2025, year) == TARGET | extra


def test_detect_division_names_divisions_by_the_year_they_came_into_force():
    assert detect_division(TARGET, TARGET, CHANGES, 2025).year == 2025
    assert detect_division(TARGET | {"588"}, TARGET, CHANGES, 2025).year == 2021
    assert detect_division(TARGET | {"588", "099"}, TARGET, CHANGES, 2025).year == 2020
    before = detect_division(TARGET | {"588", "099", "911"}, TARGET, CHANGES, 2025)
    assert before.division is not None and before.division.end == 2019


def test_detect_division_shows_each_division_with_its_span():
    spans = {
        frozenset(extra): detect_division(TARGET | extra, TARGET, CHANGES, 2025).division.span
        for extra in (set(), {"588"}, {"588", "099"}, {"588", "099", "911"})
    }
    assert spans == {
        frozenset(): "2025–",
        frozenset({"588"}): "2021–2024",
        frozenset({"588", "099"}): "2020",
        frozenset({"588", "099", "911"}): "–2019",  # the list does not say when it began
    }
    earliest = detect_division(TARGET | {"588", "099", "911"}, TARGET, CHANGES, 2025, 2017)
    assert earliest.division.span == "2017–2019"


def test_only_the_division_in_force_in_the_target_year_is_current():
    assert detect_division(TARGET, TARGET, CHANGES, 2026).current
    assert detect_division(TARGET, TARGET, CHANGES, 2026).year == 2025  # came into force 2025
    assert not detect_division(TARGET | {"588"}, TARGET, CHANGES, 2026).current


def test_detect_division_names_codes_it_cannot_place():
    match = detect_division(TARGET | {"588", "777"}, TARGET, CHANGES, 2025)
    assert not match.recognised
    assert match.unknown == {"777"}
    assert match.closest.span == "2021–2024"
    assert not match.gone and not match.missing


def test_detect_division_names_missing_codes():
    match = detect_division(TARGET - {"091"}, TARGET, CHANGES, 2025)
    assert not match.recognised
    assert match.missing == {"091"}
    assert match.closest.current


def test_detect_division_names_codes_that_no_longer_existed():
    match = detect_division(TARGET | {"911"}, TARGET, CHANGES, 2025)
    assert match.closest.current
    assert match.gone == {"911"} and not match.unknown and not match.not_yet


def test_detect_division_names_codes_that_did_not_exist_yet():
    target = {"946", "091"}
    before = division_codes(target, FOUNDING, 2025, 2010)
    assert before == {"559", "945", "091"}
    match = detect_division(before | {"946"}, target, FOUNDING, 2025, 2009)
    assert match.not_yet == {"946"} and not match.gone and not match.unknown
    assert match.closest.span == "2009–2010"


def test_founded_code_is_absent_before_its_founding():
    target = {"946", "091"}
    assert division_codes(target, FOUNDING, 2025, 2011) == target
    assert founding_years(FOUNDING, 2025) == {"946": 2011}
    assert merger_map(FOUNDING, 2025) == {"559": "946", "945": "946"}


def test_bundled_changes_undo_to_the_official_count_of_every_year():
    changes, _ = _bundled()
    codes = _register_codes()
    assert len(codes) == 308
    counts = {year: len(division_codes(codes, changes, 2025, year)) for year in OFFICIAL_COUNTS}
    assert counts == OFFICIAL_COUNTS


def test_bundled_divisions_are_named_by_the_year_they_came_into_force():
    changes, first = _bundled()
    assert first == 2009
    named = [(d.span, len(d.codes)) for d in divisions(_register_codes(), changes, 2025, first)]
    assert named == [
        ("2025–", 308),
        ("2021–2024", 309),
        ("2020", 310),
        ("2017–2019", 311),
        ("2016", 313),
        ("2015", 317),
        ("2013–2014", 320),
        ("2011–2012", 336),
        ("2010", 342),
        ("2009", 348),
    ]


def test_bundled_changes_take_effect_only_in_the_consolidation_years():
    changes, _ = _bundled()
    assert {c.year for c in changes} == {2010, 2011, 2013, 2015, 2016, 2017, 2020, 2021, 2025}
    assert len({c.absorbed for c in changes}) == len(changes)  # each code ends once
    # the change the list used to miss
    assert any(c.absorbed == "283" and c.into == "098" and c.year == 2016 for c in changes)


def test_bundled_changes_are_complete_records_without_guessed_populations():
    document = resources.read_resource_yaml("division_changes.yaml")
    required = {"year", "absorbed", "name_fi", "name_sv", "into", "into_name_fi", "source"}
    for entry in document["changes"]:
        assert required <= set(entry), entry
        assert "population" not in entry, entry
        assert isinstance(entry["absorbed"], str) and len(entry["absorbed"]) == 3, entry
        assert isinstance(entry["into"], str) and len(entry["into"]) == 3, entry
        assert f"1.1.{entry['year']}" in entry["source"], entry


def test_only_voyri_was_founded_with_a_new_code():
    changes, _ = _bundled()
    founded = {(c.absorbed, c.into) for c in changes if c.into_founded}
    assert founded == {("559", "946"), ("945", "946")}


def _topojson_codes(path):
    doc = json.loads(path.read_text(encoding="utf-8"))
    return {g["properties"]["id"] for g in doc["objects"]["munis"]["geometries"]}


def _geojson_codes(path, field):
    doc = json.loads(path.read_text(encoding="utf-8"))
    return {str(f["properties"][field]).zfill(3) for f in doc["features"]}


@pytest.mark.opendata
@pytest.mark.parametrize(
    ("year", "relative", "reader"),
    [
        (2020, "yle_geodata/finland-munis-2020.topo.json", _topojson_codes),
        (
            2023,
            "nls_hallinnolliset_aluejaot/kuntarajat.2023.json",
            lambda p: _geojson_codes(p, "NATCODE"),
        ),
        (
            2025,
            "statfi_wfs_2025/kunta1000k_2025_with_neighbors_and_province.geojson",
            lambda p: _geojson_codes(p, "kunta"),
        ),
    ],
)
def test_bundled_changes_reproduce_the_code_sets_of_real_boundary_files(
    opendata, year, relative, reader
):
    path = opendata / relative
    if not path.exists():
        pytest.skip(f"{path} is absent")
    changes, first = _bundled()
    codes = reader(path)
    assert codes == division_codes(_register_codes(), changes, 2025, year)
    match = detect_division(codes, _register_codes(), changes, 2025, first)
    assert match.division is not None and match.division.in_force(year)


def test_division_span_of_a_single_year_is_that_year():
    assert Division(2020, 2020, frozenset()).span == "2020"
    assert Division(2021, 2024, frozenset()).span == "2021–2024"
    assert Division(2025, None, frozenset()).span == "2025–"


def _placed(rows, target=TARGET, changes=CHANGES):
    frame = pd.DataFrame(rows, columns=["municipality_code", "indicator_id", "year"])
    return {(u.code, u.reason): u for u in unplaced_values(frame, target, changes, 2025)}


def test_a_merged_municipality_is_refused_from_its_merger_year_on():
    found = _placed([("588", "a", 2024), ("588", "a", 2025), ("588", "a", 2026)])
    assert set(found) == {("588", "gone")}
    assert found[("588", "gone")].years == (2025, 2026)
    assert found[("588", "gone")].change.into == "507"


def test_an_unknown_code_is_refused_with_all_its_years():
    found = _placed([("777", "a", 2019), ("777", "b", 2021), ("091", "a", 2019)])
    assert set(found) == {("777", "unknown")}
    assert found[("777", "unknown")].years == (2019, 2021)


def test_a_founded_code_before_its_founding_is_fine_alone():
    """Publishers give long series on the current division: Vöyri 946 for 2005 is normal."""
    target = {"946", "091"}
    assert _placed([("946", "a", 2005), ("946", "a", 2011)], target, FOUNDING) == {}


def test_a_founded_code_beside_its_predecessors_in_the_same_year_is_refused():
    target = {"946", "091"}
    found = _placed(
        [("946", "a", 2010), ("945", "a", 2010), ("946", "b", 2010), ("559", "c", 2010)],
        target,
        FOUNDING,
    )
    assert set(found) == {("946", "not_yet")}
    assert found[("946", "not_yet")].years == (2010,)
    assert found[("946", "not_yet")].change.year == 2011


def test_values_before_a_founding_are_combined_from_the_predecessors():
    values = _values(
        [
            ("559", "pop", 2010, 3000.0),
            ("945", "pop", 2010, 3500.0),
            ("946", "pop", 2011, 6400.0),
        ]
    )
    result = harmonise_values(
        values,
        {"pop": "count"},
        merger_map(FOUNDING, 2025),
        merged_in={"559": 2011, "945": 2011},
        founded_in=founding_years(FOUNDING, 2025),
    )
    by_year = result.values.set_index("year")["value"]
    assert by_year[2010] == 6500.0  # 946 did not exist in 2010: not a missing member
    assert by_year[2011] == 6400.0
    assert list(result.harmonised["members"]) == ["559+945"]


def test_counts_are_summed_and_recorded():
    values = _values(
        [("507", "pop", 2023, 5000.0), ("588", "pop", 2023, 1700.0), ("091", "pop", 2023, 650000.0)]
    )
    result = harmonise_values(values, {"pop": "count"}, {"588": "507"})
    got = result.values.set_index("municipality_code")["value"]
    assert got["507"] == 6700.0
    assert got["091"] == 650000.0
    assert "588" not in got.index
    assert result.harmonised.to_dict("records") == [
        {
            "municipality_code": "507",
            "indicator_id": "pop",
            "year": 2023,
            "method": "sum",
            "members": "507+588",
        }
    ]


def test_rates_are_weighted_by_population_in_the_data():
    values = _values([("507", "rate", 2023, 10.0), ("588", "rate", 2023, 20.0)])
    population = _values([("507", "pop", 2023, 3000.0), ("588", "pop", 2023, 1000.0)])
    result = harmonise_values(values, {"rate": "rate"}, {"588": "507"}, population)
    assert result.values["value"].iloc[0] == pytest.approx(12.5)
    assert result.harmonised["method"].iloc[0] == "population_weighted"


def test_rates_use_the_nearest_year_of_the_datas_population_and_say_so():
    values = _values([("507", "rate", 2023, 10.0), ("588", "rate", 2023, 20.0)])
    population = _values(
        [
            ("507", "pop", 2019, 9000.0),
            ("507", "pop", 2021, 3000.0),
            ("588", "pop", 2021, 1000.0),
            ("588", "pop", 2026, 9000.0),
        ]
    )
    result = harmonise_values(values, {"rate": "per_resident"}, {"588": "507"}, population)
    assert result.values["value"].iloc[0] == pytest.approx(12.5)  # 2021 weights, the nearest
    assert [(n.municipality_code, n.year, n.weight_years) for n in result.nearest_weights] == [
        ("507", 2023, (2021,))
    ]
    assert result.unweighted == ()


def test_rates_without_any_population_stay_missing_and_are_reported():
    values = _values([("507", "rate", 2023, 10.0), ("588", "rate", 2023, 20.0)])
    population = _values([("507", "pop", 2023, 3000.0), ("588", "pop", 2023, 0.0)])
    for weights in (None, population):  # none at all, or a zero weight (not a usable figure)
        result = harmonise_values(values, {"rate": "rate"}, {"588": "507"}, weights)
        assert math.isnan(result.values["value"].iloc[0])
        assert [(n.indicator_id, n.year) for n in result.unweighted] == [("rate", 2023)]


def test_same_year_weights_need_no_note_and_extra_columns_travel():
    values = _values([("507", "rate", 2023, 10.0), ("588", "rate", 2023, 20.0)])
    values["source_id"] = ["a.csv", "a.csv"]
    population = _values([("507", "pop", 2023, 1000.0), ("588", "pop", 2023, 1000.0)])
    result = harmonise_values(values, {"rate": "rate"}, {"588": "507"}, population)
    assert result.values.to_dict("records") == [
        {
            "municipality_code": "507",
            "indicator_id": "rate",
            "year": 2023,
            "value": 15.0,
            "source_id": "a.csv",
        }
    ]
    assert result.nearest_weights == () and result.unweighted == ()


def test_missing_member_gives_missing_value_not_a_partial_sum():
    values = _values(
        [
            ("507", "pop", 2023, 5000.0),
            ("588", "pop", 2023, float("nan")),
            ("507", "pop", 2022, 5100.0),
        ]
    )
    result = harmonise_values(values, {"pop": "count"}, {"588": "507"})
    by_year = result.values.set_index("year")["value"]
    assert math.isnan(by_year[2023])
    assert math.isnan(by_year[2022])  # 588 absent that year: incomplete


def test_values_without_old_codes_pass_through_unchanged():
    values = _values([("091", "pop", 2023, 1.0)])
    result = harmonise_values(values, {"pop": "count"}, {"588": "507"})
    pd.testing.assert_frame_equal(result.values, values)
    assert result.harmonised.empty


def test_boundaries_are_dissolved():
    frame = gpd.GeoDataFrame(
        {"municipality_code": ["507", "588", "091"]},
        geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1), box(5, 5, 6, 6)],
        crs=4326,
    )
    out = harmonise_boundaries(frame, {"588": "507"})
    assert sorted(out["municipality_code"]) == ["091", "507"]
    assert out.set_index("municipality_code").geometry["507"].area == pytest.approx(2.0)


def test_bundled_changes_agree_with_the_register():
    register = resources.read_municipality_register().set_index("municipality_code")
    for change in read_division_changes(resources.read_resource_yaml("division_changes.yaml")):
        assert change.absorbed not in register.index, change
        assert change.into in register.index, change
        assert change.into_name_fi == register.loc[change.into, "name_fi"], change
    document = resources.read_resource_yaml("division_changes.yaml")
    for entry in document["changes"]:
        assert register.loc[entry["into"], "name_fi"] == entry["into_name_fi"]


def test_indicators_without_old_codes_are_left_alone():
    values = _values([("507", "a", 2023, 1.0), ("588", "a", 2023, 2.0), ("507", "b", 2023, 5.0)])
    result = harmonise_values(values, {"a": "count", "b": "count"}, {"588": "507"})
    got = result.values.set_index("indicator_id")["value"]
    assert got["a"] == 3.0
    assert got["b"] == 5.0  # b never had a 588 row: nothing to merge
    assert list(result.harmonised["indicator_id"]) == ["a"]


def test_years_after_the_merger_need_no_old_code():
    values = _values(
        [
            ("507", "a", 2024, 1.0),
            ("588", "a", 2024, 2.0),
            ("507", "a", 2025, 4.0),
            ("507", "a", 2023, 7.0),
        ]
    )
    result = harmonise_values(values, {"a": "count"}, {"588": "507"}, merged_in={"588": 2025})
    by_year = result.values.set_index("year")["value"]
    assert by_year[2024] == 3.0
    assert by_year[2025] == 4.0  # Mäntyharju's own figure already covers Pertunmaa
    assert math.isnan(by_year[2023])  # 588 missing before the merger: incomplete
    assert sorted(result.harmonised["year"]) == [2023, 2024]
