"""Checks of the indicator catalogue and source definitions as plain YAML files.

Deliberately independent of the kuntadash package: it reads the resource files with PyYAML,
so a broken catalogue is reported even when the package itself fails to import.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from kuntadash.resources import parse_yaml
from tests import paths

RESOURCES = paths.RESOURCES
CATALOGUE_PATH = RESOURCES / "indicators.yaml"
SOURCES_PATH = RESOURCES / "sources.yaml"

LANGUAGES = ("fi", "sv", "en")
DIMENSIONS = ("economic", "social", "ecological", "technological")
DIRECTIONS = {"higher_better", "lower_better", "neutral"}
AGGREGATIONS = {"count", "rate", "per_resident", "index", "share"}
ADAPTERS = {"pxweb", "sotkanet", "syke", "traficom_pxweb", "traficom_broadband", "import"}
CADENCES = {"annual", "monthly", "quarterly", "every_4_years"}
INDICATOR_KEYS = {
    "id",
    "dimension",
    "name",
    "definition",
    "interpretation",
    "unit",
    "decimals",
    "direction",
    "aggregation",
    "source",
    "cadence",
    "valid_range",
    "sample",
}
# Optional: how the values are derived from the source's raw measure (pipeline/derive.py), the
# column labels of the source's tables that name it (columns), an
# explicit PxWeb query, a direction that is a value choice says why (direction_note), and a
# series with a known break names its first year and the reason (breaks), and an indicator
# that measures Sustainable Development Goals names them, their targets and the mapping's
# source (sdg).
OPTIONAL_INDICATOR_KEYS = {
    "derive",
    "query",
    "direction_note",
    "breaks",
    "roles",
    "columns",
    "sdg",
    "small_population",
}
# Aggregations whose figures rest on the municipality's residents (a rate, share or per-resident
# figure of a hundred residents jumps from year to year): each such indicator names the
# population under which its figure is marked (small_population); a count never does.
SMALL_POPULATION_REQUIRED = {"rate", "share", "per_resident"}
ROLES = {"headline", "structural"}
DERIVE_KINDS = (
    {"per_resident"},
    {"per_resident", "absolute"},
    {"change_since"},
    {"share_of", "factor"},
    {"yearly_change"},
)
SOURCE_KEYS = {"publisher", "adapter", "table", "code", "licence"}
# Optional: the title the source gives the code (fi / sv / en), checked by `data update`.
OPTIONAL_SOURCE_KEYS = {"title"}
SAMPLE_KEYS = {"mean", "sd", "urban", "prosperity", "trend", "missing"}
SAMPLE_OPTIONAL_KEYS = {"scale"}
PUBLISHER_KEYS = {"name", "url", "api", "licence", "licence_url", "attribution", "adapters"}
TRANSLATED_FIELDS = ("name", "definition", "interpretation", "unit")
MIN_PER_DIMENSION = 8
MAX_NAME_LENGTH = 45
SNAKE_CASE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")
LOCALES = RESOURCES / "locales"
SDG_GOALS = range(1, 18)
SDG_KEYS = {"goals", "targets", "source"}
# A target of the UN framework: "<goal>.<number>" or "<goal>.<letter>" (means of
# implementation), e.g. "8.5", "9.c".
SDG_TARGET = re.compile(r"^([1-9]|1[0-7])\.([1-9][0-9]?|[a-z])$")


def _load(path: Path) -> Any:
    return parse_yaml(path.read_text(encoding="utf-8"))


CATALOGUE: dict[str, Any] = _load(CATALOGUE_PATH)
SOURCES: dict[str, Any] = _load(SOURCES_PATH)
INDICATORS: list[dict[str, Any]] = CATALOGUE["indicators"]
IDS = [str(entry.get("id")) for entry in INDICATORS]


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def test_top_level_keys() -> None:
    assert set(CATALOGUE) == {"version", "dimensions", "indicators"}
    assert CATALOGUE["version"] == 1
    assert isinstance(INDICATORS, list) and INDICATORS


def test_dimensions_are_the_four_in_display_order_with_names() -> None:
    dimensions = CATALOGUE["dimensions"]
    assert tuple(dimensions) == DIMENSIONS
    for key, names in dimensions.items():
        for lang in LANGUAGES:
            assert isinstance(names.get(lang), str) and names[lang].strip(), (key, lang)


def test_ids_are_unique() -> None:
    duplicates = [name for name, count in Counter(IDS).items() if count > 1]
    assert not duplicates


@pytest.mark.parametrize("indicator_id", IDS)
def test_id_is_snake_case(indicator_id: str) -> None:
    assert SNAKE_CASE.match(indicator_id), indicator_id


@pytest.mark.parametrize("dimension", DIMENSIONS)
def test_each_dimension_has_enough_indicators(dimension: str) -> None:
    count = sum(1 for entry in INDICATORS if entry.get("dimension") == dimension)
    assert count >= MIN_PER_DIMENSION, (dimension, count)


@pytest.mark.parametrize("entry", INDICATORS, ids=IDS)
def test_indicator_has_exactly_the_schema_keys(entry: dict[str, Any]) -> None:
    assert INDICATOR_KEYS <= set(entry) <= INDICATOR_KEYS | OPTIONAL_INDICATOR_KEYS
    assert SOURCE_KEYS <= set(entry["source"]) <= SOURCE_KEYS | OPTIONAL_SOURCE_KEYS
    title = entry["source"].get("title")
    if title is not None:
        assert isinstance(title, dict) and set(title) <= set(LANGUAGES), title
        assert all(isinstance(t, str) and t.strip() for t in title.values()), title
    if "derive" in entry:
        assert set(entry["derive"]) in DERIVE_KINDS, entry["derive"]
    assert set(entry.get("roles") or ()) <= ROLES
    assert SAMPLE_KEYS <= set(entry["sample"]) <= SAMPLE_KEYS | SAMPLE_OPTIONAL_KEYS


@pytest.mark.parametrize("entry", INDICATORS, ids=IDS)
def test_texts_present_in_every_language(entry: dict[str, Any]) -> None:
    for field in TRANSLATED_FIELDS:
        texts = entry[field]
        assert isinstance(texts, dict), field
        for lang in LANGUAGES:
            text = texts.get(lang)
            assert isinstance(text, str) and text.strip(), (field, lang)


@pytest.mark.parametrize("entry", INDICATORS, ids=IDS)
def test_optional_direction_note_and_breaks_are_complete(entry: dict[str, Any]) -> None:
    if "direction_note" in entry:
        assert entry["direction"] != "neutral", "a context indicator has no direction to qualify"
        for lang in LANGUAGES:
            text = entry["direction_note"].get(lang)
            assert isinstance(text, str) and text.strip(), ("direction_note", lang)
    breaks = entry.get("breaks", [])
    assert isinstance(breaks, list)
    years = [item["year"] for item in breaks]
    assert years == sorted(set(years)), "breaks in year order, one per year"
    for item in breaks:
        assert set(item) == {"year", "reason"}
        assert isinstance(item["year"], int) and 1980 <= item["year"] <= 2100
        for lang in LANGUAGES:
            text = item["reason"].get(lang)
            assert isinstance(text, str) and text.strip(), ("breaks.reason", lang)
            assert str(item["year"]) in text, "the reason names the year of the break"


@pytest.mark.parametrize(
    ("indicator_id", "year"),
    [
        # Wellbeing services reform, 1 January 2023: tax points moved to the state.
        ("municipal_tax_rate", 2023),
        ("annual_margin_per_resident", 2023),
        # Basic social assistance moved to Kela on 1 January 2017.
        ("social_assistance_recipients_25_64", 2017),
    ],
)
def test_known_series_breaks_are_in_the_catalogue(indicator_id: str, year: int) -> None:
    entry = INDICATORS[IDS.index(indicator_id)]
    assert year in [item["year"] for item in entry.get("breaks", [])]


@pytest.mark.parametrize("indicator_id", ["municipal_tax_rate", "loan_stock_per_resident"])
def test_value_laden_directions_say_so(indicator_id: str) -> None:
    assert INDICATORS[IDS.index(indicator_id)].get("direction_note")


@pytest.mark.parametrize("entry", INDICATORS, ids=IDS)
def test_names_are_short_enough_for_menus(entry: dict[str, Any]) -> None:
    for lang in LANGUAGES:
        assert len(entry["name"][lang]) <= MAX_NAME_LENGTH, (lang, entry["name"][lang])


@pytest.mark.parametrize("entry", INDICATORS, ids=IDS)
def test_enumerations_are_allowed_values(entry: dict[str, Any]) -> None:
    assert entry["dimension"] in DIMENSIONS
    assert entry["direction"] in DIRECTIONS
    assert entry["aggregation"] in AGGREGATIONS
    assert entry["cadence"] in CADENCES
    assert entry["source"]["adapter"] in ADAPTERS


@pytest.mark.parametrize("entry", INDICATORS, ids=IDS)
def test_decimals_between_zero_and_three(entry: dict[str, Any]) -> None:
    decimals = entry["decimals"]
    assert isinstance(decimals, int) and not isinstance(decimals, bool)
    assert 0 <= decimals <= 3


@pytest.mark.parametrize("entry", INDICATORS, ids=IDS)
def test_valid_range_is_ordered_pair(entry: dict[str, Any]) -> None:
    valid_range = entry["valid_range"]
    assert isinstance(valid_range, list) and len(valid_range) == 2
    lower, upper = valid_range
    assert _is_number(lower) and _is_number(upper)
    assert lower < upper


@pytest.mark.parametrize("entry", INDICATORS, ids=IDS)
def test_sample_parameters_are_plausible(entry: dict[str, Any]) -> None:
    sample = entry["sample"]
    assert all(_is_number(sample[key]) for key in SAMPLE_KEYS), sample
    assert sample.get("scale", "register_population") == "register_population"
    lower, upper = entry["valid_range"]
    assert lower <= sample["mean"] <= upper
    assert sample["sd"] > 0
    assert sample["urban"] ** 2 + sample["prosperity"] ** 2 <= 0.9 + 1e-9
    assert 0 <= sample["missing"] <= 0.08


@pytest.mark.parametrize("entry", INDICATORS, ids=IDS)
def test_source_refers_to_a_known_publisher(entry: dict[str, Any]) -> None:
    source = entry["source"]
    assert source["publisher"] in SOURCES, source["publisher"]
    assert isinstance(source["licence"], str) and source["licence"].strip()


@pytest.mark.parametrize("entry", INDICATORS, ids=IDS)
def test_fetched_sources_name_a_table_or_code(entry: dict[str, Any]) -> None:
    source = entry["source"]
    if source["adapter"] != "import":
        assert source["table"] or source["code"], "a fetched indicator needs table or code"
    for key in ("table", "code"):
        assert source[key] is None or isinstance(source[key], str), (key, source[key])


@pytest.mark.parametrize("publisher", sorted(SOURCES))
def test_publisher_definition_is_complete(publisher: str) -> None:
    definition = SOURCES[publisher]
    assert set(definition) == PUBLISHER_KEYS
    for field in ("name", "attribution"):
        for lang in LANGUAGES:
            text = definition[field].get(lang)
            assert isinstance(text, str) and text.strip(), (field, lang)
    assert str(definition["url"]).startswith("https://")
    assert definition["api"] is None or str(definition["api"]).startswith("https://")


def test_every_publisher_is_used() -> None:
    """Every publisher defined is named by an indicator or by a bundled official file."""
    official = _load(RESOURCES / "official_files.yaml")
    used = {entry["source"]["publisher"] for entry in INDICATORS}
    used |= {entry["publisher"] for entry in official["files"]}
    assert set(SOURCES) == used


def test_every_dimension_has_exactly_one_headline_indicator() -> None:
    headlines = [e["dimension"] for e in INDICATORS if "headline" in (e.get("roles") or ())]
    assert sorted(headlines) == sorted(DIMENSIONS)


def test_structural_variables_describe_conditions_not_results() -> None:
    """A similar-municipality variable is context or a slow structural trait: at least one
    exists, and none is a result the profile scores (all but population change are context)."""
    structural = [e for e in INDICATORS if "structural" in (e.get("roles") or ())]
    assert len(structural) >= 3
    assert sum(e["direction"] != "neutral" for e in structural) <= 2


KEY_FIGURES = [
    e for e in INDICATORS if str(e["source"].get("table") or "").startswith("Kuntien_avainluvut/")
]


@pytest.mark.parametrize("entry", KEY_FIGURES, ids=[e["id"] for e in KEY_FIGURES])
def test_key_figures_list_the_tables_column_labels(entry: dict[str, Any]) -> None:
    """A download of the key-figure table names its columns by label only: every key figure
    lists the labels it is published under, the ones whose code is known in all three
    languages (sources/statfi_keyfigures.py maps them to the code)."""
    columns = entry.get("columns") or []
    assert columns and all(isinstance(c, str) and c.strip() for c in columns), entry["id"]
    if entry["source"].get("code"):
        assert len(columns) == len(LANGUAGES), entry["id"]


SDG_TAGGED = [e for e in INDICATORS if "sdg" in e]


def test_some_indicators_measure_sustainable_development_goals() -> None:
    assert SDG_TAGGED


@pytest.mark.parametrize("entry", SDG_TAGGED, ids=[e["id"] for e in SDG_TAGGED])
def test_sdg_tag_names_goals_targets_of_them_and_a_source(entry: dict[str, Any]) -> None:
    """Goals 1-17, listed once in order; each target "<goal>.<n or letter>" of a listed goal;
    the mapping's source named in every language (an indicator without a sound mapping has
    no tag at all rather than an empty one)."""
    tag = entry["sdg"]
    assert isinstance(tag, dict) and {"goals", "source"} <= set(tag) <= SDG_KEYS, tag
    goals = tag["goals"]
    assert isinstance(goals, list) and goals, goals
    assert all(type(goal) is int and goal in SDG_GOALS for goal in goals), goals
    assert goals == sorted(set(goals)), goals
    targets = tag.get("targets", [])
    assert isinstance(targets, list) and len(targets) == len(set(targets)), targets
    for target in targets:
        match = SDG_TARGET.match(target) if isinstance(target, str) else None
        assert match, target
        assert int(match.group(1)) in goals, (target, goals)
    source = tag["source"]
    assert isinstance(source, dict) and set(source) == set(LANGUAGES), source
    for lang in LANGUAGES:
        assert isinstance(source[lang], str) and source[lang].strip(), lang
        # the source names what it maps to: each target (or its indicator) appears in it
        for target in targets:
            assert target in source[lang], (target, lang)


def test_every_goal_has_its_short_name_in_every_language() -> None:
    texts: dict[str, Any] = {}
    for path in sorted(LOCALES.glob("*.yaml")):
        texts |= _load(path) or {}
    for goal in SDG_GOALS:
        names = texts.get(f"sdg.goal.{goal}")
        assert isinstance(names, dict), goal
        for lang in LANGUAGES:
            assert isinstance(names.get(lang), str) and names[lang].strip(), (goal, lang)
    extra = {key for key in texts if key.startswith("sdg.goal.")}
    assert extra == {f"sdg.goal.{goal}" for goal in SDG_GOALS}, extra


@pytest.mark.parametrize("entry", INDICATORS, ids=lambda e: e["id"])
def test_small_population_threshold_where_figures_rest_on_residents(entry: dict[str, Any]) -> None:
    threshold = entry.get("small_population")
    if entry["aggregation"] in SMALL_POPULATION_REQUIRED:
        assert threshold is not None, f"{entry['id']}: a {entry['aggregation']} needs one"
    if entry["aggregation"] == "count":
        assert threshold is None, f"{entry['id']}: a count does not rest on a small population"
    if threshold is not None:
        assert isinstance(threshold, int) and not isinstance(threshold, bool)
        # Above the smallest municipality (Sottunga, about 100 residents), below the median one
        assert 100 < threshold <= 5000
