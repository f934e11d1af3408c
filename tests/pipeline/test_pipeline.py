"""The one pipeline: source steps registered from data, declared derivations, the shared tail."""

from __future__ import annotations

import math
import sys
import types

import pandas as pd
import pytest

from kuntadash import resources
from kuntadash.domain.catalogue import measure_of
from kuntadash.pipeline import steps
from kuntadash.pipeline.derive import derive, raw_aggregations
from kuntadash.pipeline.steps import registered_steps, run_steps
from kuntadash.sources.step import StepResult


def _tidy(rows):
    return pd.DataFrame(rows, columns=["municipality_code", "indicator_id", "year", "value"])


PER_RESIDENT = {
    "id": "ghg",
    "source": {"adapter": "syke", "code": "hinku"},
    "derive": {"per_resident": 1000},
}
CREDITS = {
    "id": "credits",
    "source": {"adapter": "syke", "code": "Tuu"},
    "derive": {"per_resident": 1000, "absolute": True},
}
CHANGE = {
    "id": "change",
    "source": {"adapter": "syke", "code": "hinku"},
    "derive": {"change_since": 2005},
}


def test_per_resident_uses_the_population_of_the_same_year():
    values = _tidy(
        [
            ("091", "syke:hinku", 2022, 1500.0),  # kt
            ("091", "population", 2022, 600_000.0),
            ("091", "syke:Tuu", 2022, -3.0),
        ]
    )
    result = derive(values, [PER_RESIDENT, CREDITS])
    got = result.values.set_index("indicator_id")["value"]
    assert got["ghg"] == pytest.approx(1500 * 1000 / 600_000)  # 2.5 t per resident
    assert got["credits"] == pytest.approx(3 * 1000 / 600_000)  # a credit, shown positive
    assert not result.values["indicator_id"].str.contains(":").any()  # raw measures dropped
    assert result.nearest_population == {} and result.without_population == {}


def test_per_resident_falls_back_to_the_nearest_year_and_says_so():
    values = _tidy([("091", "syke:hinku", 2005, 2000.0)])
    population = pd.DataFrame({"municipality_code": ["091"], "year": [2010], "value": [500_000.0]})
    result = derive(values, [PER_RESIDENT], population)
    assert result.values["value"].iloc[0] == pytest.approx(4.0)
    assert result.nearest_population == {"ghg": [2005]}


def test_without_any_population_the_figure_is_missing_and_reported():
    result = derive(_tidy([("091", "syke:hinku", 2022, 10.0)]), [PER_RESIDENT])
    assert math.isnan(result.values["value"].iloc[0])
    assert result.without_population == {"ghg": ["091"]}


def test_change_since_a_base_year():
    values = _tidy(
        [
            ("091", "syke:hinku", 2005, 200.0),
            ("091", "syke:hinku", 2022, 150.0),
            ("049", "syke:hinku", 2022, 9.0),
        ]
    )
    result = derive(values, [CHANGE]).values.set_index(["municipality_code", "year"])["value"]
    assert result[("091", 2022)] == pytest.approx(-25.0)
    assert ("091", 2005) not in result.index  # the base year itself is not a change
    assert math.isnan(result[("049", 2022)])  # no base year: missing, never 0


def test_raw_measures_are_counts_so_merged_municipalities_sum_before_dividing():
    from kuntadash.domain.harmonise import harmonise_values

    assert raw_aggregations([PER_RESIDENT]) == {"syke:hinku": "count"}
    values = _tidy(
        [
            ("507", "syke:hinku", 2022, 60.0),
            ("588", "syke:hinku", 2022, 20.0),
            ("507", "population", 2022, 5_000.0),
            ("588", "population", 2022, 1_000.0),
        ]
    )
    aggregations = {"population": "count", **raw_aggregations([PER_RESIDENT])}
    moved = harmonise_values(values, aggregations, {"588": "507"}).values
    got = derive(moved, [PER_RESIDENT]).values.set_index("indicator_id")["value"]
    assert got["ghg"] == pytest.approx((60 + 20) * 1000 / 6_000)  # not a mean of two rates


SHARE = {
    "id": "jobseekers",
    "source": {"adapter": "import", "code": "Tyottomat"},
    "derive": {"share_of": "Tyovoima", "factor": 100},
}
YEARLY = {"id": "population_change", "source": {}, "derive": {"yearly_change": "population"}}


def test_share_of_merged_municipalities_is_the_ratio_of_the_summed_counts():
    """Both raw measures are counts: summed over the merger first, so the merged share is the
    members' shares weighted by their own denominators."""
    from kuntadash.domain.harmonise import harmonise_values

    assert raw_aggregations([SHARE]) == {"import:Tyottomat": "count", "import:Tyovoima": "count"}
    values = _tidy(
        [
            ("507", "import:Tyottomat", 2019, 223.0),
            ("507", "import:Tyovoima", 2019, 2368.0),
            ("588", "import:Tyottomat", 2019, 67.75),
            ("588", "import:Tyovoima", 2019, 684.0),
            ("091", "import:Tyottomat", 2019, float("nan")),  # a suppressed month
            ("091", "import:Tyovoima", 2019, 345_430.0),
        ]
    )
    moved = harmonise_values(values, raw_aggregations([SHARE]), {"588": "507"}).values
    got = derive(moved, [SHARE]).values.set_index(["municipality_code", "indicator_id"])["value"]
    assert got[("507", "jobseekers")] == pytest.approx((223 + 67.75) / (2368 + 684) * 100)
    assert math.isnan(got[("091", "jobseekers")])  # missing, never 0
    assert not derive(moved, [SHARE]).values["indicator_id"].str.contains(":").any()


def test_yearly_change_fills_only_the_years_without_a_published_figure():
    values = _tidy(
        [
            ("091", "population", 2020, 656_920.0),
            ("091", "population", 2021, 658_457.0),
            ("091", "population", 2022, 664_028.0),
            ("091", "population_change", 2021, 0.2),  # published (rounded): it stays
        ]
    )
    got = derive(values, [YEARLY]).values
    change = got[got["indicator_id"] == "population_change"].set_index("year")["value"]
    assert list(change.index) == [2021, 2022]  # 2020 has no previous year: no value
    assert change[2021] == 0.2
    assert change[2022] == pytest.approx((664_028 / 658_457 - 1) * 100)
    # without any published figure the whole series is computed
    alone = derive(values[values["indicator_id"] == "population"], [YEARLY]).values
    assert alone[alone["indicator_id"] == "population_change"]["year"].tolist() == [2021, 2022]


def test_the_catalogue_declares_the_derived_indicators():
    entries = resources.read_indicator_catalogue_document()["indicators"]
    derived = {e["id"]: measure_of(e) for e in entries if e.get("derive")}
    assert derived["ghg_emissions_per_resident"] == "syke:hinku"
    assert derived["ghg_change_since_2005"] == "syke:hinku"
    assert derived["road_transport_emissions_per_resident"] == "syke:Tie"


def test_steps_are_registered_from_sources_yaml():
    registered = registered_steps()
    assert registered["pxweb"].publisher_key == "statistics_finland"
    assert registered["sotkanet"].step is not None and registered["syke"].step is not None
    assert registered["traficom_pxweb"].step is None  # import-only until its codes are known


def test_a_new_publisher_is_one_module_and_one_yaml_entry(monkeypatch):
    """A step registered only in sources.yaml runs over its catalogue entries; an adapter with
    no registration is listed as not fetched."""
    module = types.ModuleType("kuntadash_test_publisher")
    seen = {}

    def fetch_step(context):
        seen["entries"] = [e["id"] for e in context.entries]
        seen["api"] = context.publisher["api"]
        frame = _tidy([("091", context.entries[0]["id"], 2024, 1.0)]).assign(source_id="Example")
        return StepResult("Example", frame)

    module.fetch_step = fetch_step
    monkeypatch.setitem(sys.modules, "kuntadash_test_publisher", module)
    document = {
        "example": {
            "name": {"fi": "Esimerkki", "sv": "Exempel", "en": "Example"},
            "api": "https://example.invalid/api/",
            "adapters": {"example_api": "kuntadash_test_publisher:fetch_step"},
        }
    }
    monkeypatch.setattr(steps.resources, "read_sources_document", lambda: document)
    entries = [
        {"id": "a", "source": {"adapter": "example_api"}},
        {"id": "b", "source": {"adapter": "nobody"}},
    ]
    results, skipped = run_steps(None, 2025, ["091"], entries, lambda *_: None)
    assert seen == {"entries": ["a"], "api": "https://example.invalid/api/"}
    assert [r.publisher_key for r in results] == ["example"]
    assert results[0].values["indicator_id"].tolist() == ["a"]
    assert [(s.indicator_id, s.reason) for s in skipped] == [("b", "data.skip.unknown_adapter")]
    assert skipped[0].render("en") == "b: the adapter nobody is not registered (sources.yaml)"
