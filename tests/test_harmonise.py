"""Harmonisation to the current division (domain.harmonise): tiny hand-made frames."""

from __future__ import annotations

import math

import geopandas as gpd
import pandas as pd
import pytest
from shapely import box

from kuntadash import resources
from kuntadash.domain.harmonise import (
    DivisionChange,
    detect_division,
    division_codes,
    harmonise_boundaries,
    harmonise_values,
    merger_map,
    read_division_changes,
)

CHANGES = [
    DivisionChange(2025, "588", "507", "Pertunmaa", population=1700),
    DivisionChange(2021, "099", "214", "Honkajoki", population=1700),
    DivisionChange(2020, "911", "541", "Valtimo", population=2100),
]
TARGET = {"507", "214", "541", "091"}


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


def test_detect_division_recognises_earlier_divisions():
    assert detect_division(TARGET, TARGET, CHANGES, 2025).year == 2025
    assert detect_division(TARGET | {"588"}, TARGET, CHANGES, 2025).year == 2024
    assert detect_division(TARGET | {"588", "099"}, TARGET, CHANGES, 2025).year == 2020


def test_detect_division_names_codes_it_cannot_place():
    match = detect_division(TARGET | {"588", "777"}, TARGET, CHANGES, 2025)
    assert not match.recognised
    assert match.unknown == {"777"}


def test_detect_division_names_missing_codes():
    match = detect_division(TARGET - {"091"}, TARGET, CHANGES, 2025)
    assert not match.recognised
    assert "091" in match.missing


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
