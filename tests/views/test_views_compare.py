"""The compare page's view models (kuntadash.views.compare) on a tiny hand-made snapshot with
known answers: the default comparison, bars and medians, lines, changes with their direction and
series breaks, missing values kept missing, and every text in the reader's language."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from kuntadash.domain.groups import describe_group
from kuntadash.i18n import translate
from kuntadash.store import Snapshot
from kuntadash.views.compare import (
    DEFAULT_COMPANIONS,
    build_compare_view,
    compare_choices,
)

CODES = ["001", "002", "003", "004", "005"]
TYPES = ["large_city", "large_city", "large_city", "small_rural", None]
YEARS = list(range(2014, 2021))


def _rate(code: str, year: int) -> float:
    """Lower is better. 001 improves by 0.5 a year, 002 stays, 003 worsens by 0.1 a year, 004
    stays high and 005 has no figures at all."""
    step = year - 2014
    return {
        "001": 10.0 - 0.5 * step,
        "002": 6.0,
        "003": 8.0 + 0.1 * step,
        "004": 12.0,
        "005": np.nan,
    }[code]


def _catalogue() -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "id": ["rate", "tax"],
            "dimension": ["social", "economic"],
            "direction": ["lower_better", "neutral"],
            "decimals": [1, 2],
            "breaks": ["", json.dumps([{"year": 2020, "reason": {"en": "new method"}}])],
        }
    )
    for lang in ("fi", "sv", "en"):
        frame[f"name_{lang}"] = ["Työttömyys", "Veroprosentti"]
        frame[f"unit_{lang}"] = ["%", "%"]
    return frame


def _values() -> pd.DataFrame:
    rows = []
    for code in CODES:
        for year in YEARS:
            rows += [(code, "rate", year, _rate(code, year)), (code, "tax", year, 20.0 + year % 3)]
    return pd.DataFrame(rows, columns=["municipality_code", "indicator_id", "year", "value"])


def _municipalities() -> pd.DataFrame:
    frame = pd.DataFrame({"municipality_code": CODES})
    for lang in ("fi", "sv", "en"):
        frame[f"name_{lang}"] = [f"Kunta {c}" for c in CODES]
    frame["name_sv"] = [f"Kommun {c}" for c in CODES]
    frame["municipality_type"] = TYPES
    return frame


@pytest.fixture(scope="module")
def snapshot() -> Snapshot:
    return Snapshot(
        manifest={"division_year": 2025, "sample": False},
        municipalities=_municipalities(),
        boundaries=None,  # the view draws no map
        values=_values(),
        catalogue=_catalogue(),
    )


def _view(snapshot, chosen=("001", "002", "003"), lang="en", indicator="rate", year=2020):
    group = describe_group(snapshot.municipalities, "001", "municipality_type", lang)
    return build_compare_view(snapshot, "001", list(chosen), indicator, year, group, lang)


def test_bars_best_first_missing_last_with_both_medians(snapshot):
    view = _view(snapshot, chosen=("005", "001", "002", "003"))
    assert view.bars["name"].tolist() == ["Kunta 002", "Kunta 001", "Kunta 003", "Kunta 005"]
    assert math.isnan(view.bars["value"].iloc[-1])  # missing stays missing, never 0
    assert view.bars.set_index("name")["highlight"].to_dict() == {
        "Kunta 002": False,
        "Kunta 001": True,
        "Kunta 003": False,
        "Kunta 005": False,
    }
    assert view.references == {
        "Median: Large cities": 7.0,  # 7.0, 6.0, 8.6
        "Median: Whole country": pytest.approx(7.8),  # and 12.0; 005 has none
    }
    assert view.has_values


def test_lines_follow_the_chosen_order_and_the_table_keeps_gaps(snapshot):
    view = _view(snapshot, chosen=("003", "005", "001"))
    assert list(view.history["series"].unique()) == ["Kunta 003", "Kunta 005", "Kunta 001"]
    assert view.years == YEARS and view.year_span == "2014-2020"
    table = view.table.set_index(translate("common.municipality", "en"))
    assert table.columns.tolist() == [str(y) for y in YEARS]
    assert table.at["Kunta 001", "2020"] == 7.0
    assert table.loc["Kunta 005"].isna().all()


def test_no_values_for_any_chosen_is_said(snapshot):
    assert not _view(snapshot, chosen=("005",)).has_values


@pytest.mark.parametrize(
    ("lang", "one_year", "unchanged", "heading"),
    [
        ("fi", "↓ −0,5 %-yks. (parempaan)", "→ ±0,0 %-yks. (ennallaan)", "Muutos 1 v"),
        ("sv", "↓ −0,5 %-enh. (till det bättre)", "→ ±0,0 %-enh. (oförändrad)", "Förändring 1 år"),
        ("en", "↓ −0.5 pp (better)", "→ ±0.0 pp (unchanged)", "Change 1 yr"),
    ],
)
def test_changes_in_the_readers_language(snapshot, lang, one_year, unchanged, heading):
    view = _view(snapshot, chosen=("001", "002", "003", "005"), lang=lang)
    changes = view.changes
    names = changes.iloc[:, 0].tolist()
    own = {"sv": "Kommun", "fi": "Kunta", "en": "Kunta"}[lang]
    assert names[:4] == [f"{own} 001", f"{own} 002", f"{own} 003", f"{own} 005"]
    assert names[-1] == translate("common.median_of", lang, group=view.group.label)
    column = changes[heading]
    assert column.iloc[0] == one_year
    assert column.iloc[1] == unchanged
    assert column.iloc[2].startswith("↑ +0") and column.iloc[2].endswith(
        f"({translate('comparison.verdict.worse', lang)})"
    )
    assert column.iloc[3] == "–"  # no figures: missing, not zero
    assert column.iloc[4] == unchanged  # the group's median change: 0.0 of -0.5, 0.0, +0.1


def test_periods_the_data_do_not_reach_are_missing_and_said(snapshot):
    view = _view(snapshot)
    assert view.changes["Change 5 yr"].iloc[0] == "↓ −2.5 pp (better)"
    assert view.changes["Change 10 yr"].eq("–").all()
    assert view.unavailable == [
        translate(
            "comparison.trend_unavailable",
            "en",
            period=translate("comparison.period_label", "en", n=10),
            years=10,
        )
    ]


def test_a_change_across_a_series_break_is_not_judged(snapshot):
    view = _view(snapshot, indicator="tax", lang="fi")
    one_year = view.changes[translate("comparison.col.change", "fi", n=1)]
    assert one_year.iloc[0] == "– (sarjan katko 2020: ei verrattavissa)"
    in_2019 = _view(snapshot, indicator="tax", lang="fi", year=2019)
    assert in_2019.changes["Muutos 1 v"].iloc[0].endswith("(laski)")  # neutral: no judgement


def _structure() -> pd.DataFrame:
    return pd.DataFrame({"population": [0.0, 1.0, 0.2, 0.1, 3.0]}, index=CODES)


POPULATION = pd.Series([10.0, 500.0, 30.0, 400.0, np.nan], index=CODES)


def test_the_default_is_the_municipality_and_its_most_similar():
    similar = ["004", "003", "999", "002", "005", "001"][: DEFAULT_COMPANIONS + 2]
    choices = compare_choices(
        _municipalities(), "001", similar, _structure(), {"population": 1.0}, POPULATION
    )
    assert choices.similar == ["004", "003", "002", "005", "001"]  # no unknown code
    assert choices.default == ["001", "004", "003", "002", "005"]
    assert choices.same_type == ["003", "002"]  # the most similar first
    assert choices.own_type == "large_city"


def test_without_similar_ones_the_type_then_the_largest():
    by_type = compare_choices(
        _municipalities(), "001", [], _structure(), {"population": 1.0}, POPULATION
    )
    assert by_type.default == ["001", "003", "002"]
    untyped = compare_choices(
        _municipalities(), "005", [], _structure(), {"population": 1.0}, POPULATION
    )
    assert untyped.own_type is None and untyped.same_type == []
    assert untyped.default == ["005", "002", "004", "003", "001"]  # the largest first
