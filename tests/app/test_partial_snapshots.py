"""Every page renders on every kind of partial snapshot that ``kuntadash data check`` accepts.

Each case below is built once per module from the bundled sample (or by a real import) and
written with ``write_snapshot``; the matrix runs every page through app.py on each, asserting that
the snapshot passes ``validate_snapshot`` (so the app serves it), that no page raises, and that no
rendered text (markdown, captions, alerts, metrics, widget labels and options, table cells)
shows "nan", "None", "NaT" or "<NA>" where a value is missing. The tests after the matrix check
what the pages say about the missing data.
"""

from __future__ import annotations

import math
import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import MultiPolygon, Polygon
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Block, Element, Widget

from kuntadash.i18n import translate
from kuntadash.pipeline.importing import import_files
from kuntadash.store import Snapshot, read_snapshot, validate_snapshot, write_snapshot
from kuntadash.store.locations import DATA_DIR_ENV
from kuntadash.ui.widgets import escape_markdown
from tests import paths
from tests.apptest import open_profile_sections
from tests.conftest import REPO, route_pages_through_app

IMPORT_FIXTURES = paths.IMPORT_FIXTURES
PAGES = ("overview", "municipality", "compare", "groups", "indicators", "event", "data")
HEADLINE = "unemployment_rate"  # first economic indicator, and the event mode's economic slide


# --- building the partial snapshots ------------------------------------------------------------


def _ids(snapshot: Snapshot, dimension: str) -> set[str]:
    catalogue = snapshot.catalogue
    return set(catalogue.loc[catalogue["dimension"] == dimension, "id"])


def _keep_values(snapshot: Snapshot, keep: pd.Series) -> Snapshot:
    return replace(snapshot, values=snapshot.values[keep].reset_index(drop=True))


def _blank(snapshot: Snapshot, where: pd.Series) -> Snapshot:
    values = snapshot.values.copy()
    values.loc[where, "value"] = float("nan")
    return replace(snapshot, values=values)


def no_economic_values(sample: Snapshot) -> Snapshot:
    return _keep_values(sample, ~sample.values["indicator_id"].isin(_ids(sample, "economic")))


def dimension_not_in_catalogue(sample: Snapshot) -> Snapshot:
    gone = _ids(sample, "technological")
    catalogue = sample.catalogue[~sample.catalogue["id"].isin(gone)].reset_index(drop=True)
    kept = _keep_values(sample, ~sample.values["indicator_id"].isin(gone))
    return replace(kept, catalogue=catalogue)


def one_dimension_only(sample: Snapshot) -> Snapshot:
    return _keep_values(sample, sample.values["indicator_id"].isin(_ids(sample, "social")))


def indicator_single_year(sample: Snapshot) -> Snapshot:
    values = sample.values
    return _keep_values(sample, (values["indicator_id"] != HEADLINE) | (values["year"] == 2024))


def indicator_single_municipality(sample: Snapshot) -> Snapshot:
    # Rows for everyone, a value for Helsinki only: no year reaches half coverage.
    values = sample.values
    return _blank(
        sample, (values["indicator_id"] == HEADLINE) & (values["municipality_code"] != "091")
    )


def dimension_sparse(sample: Snapshot) -> Snapshot:
    """A dimension only a handful of municipalities report: none of its indicators reaches the
    half coverage a comparison needs."""
    values = sample.values
    few = values["municipality_code"].isin(["091", "049", "092", "837", "853"])
    return _blank(sample, values["indicator_id"].isin(_ids(sample, "ecological")) & ~few)


def indicator_all_missing(sample: Snapshot) -> Snapshot:
    return _blank(sample, sample.values["indicator_id"] == HEADLINE)


def catalogue_entry_without_values(sample: Snapshot) -> Snapshot:
    return _keep_values(sample, sample.values["indicator_id"] != HEADLINE)


def boundaries_only(sample: Snapshot) -> Snapshot:
    return _keep_values(sample, sample.values["indicator_id"].isin([]))


def no_population(sample: Snapshot) -> Snapshot:
    municipalities = sample.municipalities.assign(population=pd.NA)
    kept = _keep_values(sample, sample.values["indicator_id"] != "population")
    return replace(kept, municipalities=municipalities)


def two_years(sample: Snapshot) -> Snapshot:
    return _keep_values(sample, sample.values["year"] >= 2023)


def sparse_register(sample: Snapshot) -> Snapshot:
    """Municipalities whose classification, population or area the register lacks."""
    municipalities = sample.municipalities.copy()
    gaps = {
        "municipality_type": ["091", "049", "005"],
        "urban_rural_group": ["091", "020"],
        "population": ["091", "837"],
        "land_area_km2": ["049", "837"],
        "language_status": ["091"],
        "name_sv": ["091"],
    }
    for column, codes in gaps.items():
        municipalities.loc[municipalities["municipality_code"].isin(codes), column] = pd.NA
    areas = [c for c in municipalities if c.startswith(("region_", "wellbeing_county_"))]
    municipalities.loc[municipalities["municipality_code"].isin(["049", "005"]), areas] = pd.NA
    return replace(sample, municipalities=municipalities)


def _real_shape(square: Polygon, seed: int) -> Polygon | MultiPolygon:
    """An irregular outline inside the tile's square, sometimes with a lake or an island."""
    (x0, y0, x1, y1) = square.bounds
    cx, cy, rx, ry = (x0 + x1) / 2, (y0 + y1) / 2, (x1 - x0) / 2, (y1 - y0) / 2
    points = []
    for step in range(36):
        angle = 2 * math.pi * step / 36
        wobble = 0.72 + 0.18 * math.sin(3 * angle + seed) + 0.08 * math.cos(7 * angle + seed)
        points.append((cx + rx * wobble * math.cos(angle), cy + ry * wobble * math.sin(angle)))
    lake = [
        (cx + dx * rx * 0.15, cy + dy * ry * 0.15)
        for dx, dy in ((-1, -1), (1, -1), (1, 1), (-1, 1))
    ]
    if seed % 7 == 0:
        return Polygon(points, holes=[lake])
    if seed % 5 == 0:
        island = Polygon(
            [
                (x1 - rx * 0.12, y1 - ry * 0.12),
                (x1 - rx * 0.02, y1 - ry * 0.12),
                (x1 - rx * 0.05, y1 - ry * 0.02),
            ]
        )
        return MultiPolygon([Polygon(points), island])
    return Polygon(points)


def official_boundaries(sample: Snapshot) -> Snapshot:
    """Real-shaped boundaries (irregular, with lakes and islands) and the tiles beside them."""
    tiles = sample.boundaries
    shapes = [_real_shape(square, seed) for seed, square in enumerate(tiles.geometry)]
    boundaries = gpd.GeoDataFrame(
        {"municipality_code": tiles["municipality_code"]}, geometry=shapes, crs=tiles.crs
    )
    return replace(
        sample.with_manifest(boundaries="official", sample=False),
        boundaries=boundaries,
        tiles=tiles,
    )


def _written(build: Callable[[Snapshot], Snapshot]) -> Callable[[Snapshot, Path], Path]:
    def write(sample: Snapshot, target: Path) -> Path:
        write_snapshot(build(sample), target)
        return target

    return write


def imported_sidecar(_: Snapshot, target: Path) -> Path:
    """What `kuntadash data import` makes of a table and the sidecar describing its indicator:
    an official snapshot with one indicator (no cadence, definition or interpretation given)
    and tiles computed for the map."""
    import_files([IMPORT_FIXTURES / "broadband.csv", IMPORT_FIXTURES / "broadband.yaml"], target)
    return target


BUILDERS: dict[str, Callable[[Snapshot, Path], Path]] = {
    "no_economic_values": _written(no_economic_values),
    "dimension_not_in_catalogue": _written(dimension_not_in_catalogue),
    "one_dimension_only": _written(one_dimension_only),
    "indicator_single_year": _written(indicator_single_year),
    "indicator_single_municipality": _written(indicator_single_municipality),
    "dimension_sparse": _written(dimension_sparse),
    "indicator_all_missing": _written(indicator_all_missing),
    "catalogue_entry_without_values": _written(catalogue_entry_without_values),
    "boundaries_only": _written(boundaries_only),
    "no_population": _written(no_population),
    "two_years": _written(two_years),
    "sparse_register": _written(sparse_register),
    "imported_sidecar": imported_sidecar,
    "official_boundaries": _written(official_boundaries),
}

# Link parameters that open the view where the case bites (the indicator it is about, a
# municipality without the value, a grouping that needs the missing column ...).
_HEADLINE_VIEW = {"dim": "economic", "indicator": HEADLINE}
PARAMS: dict[str, dict[str, dict[str, str]]] = {
    "indicator_single_year": {page: _HEADLINE_VIEW for page in PAGES},
    "indicator_single_municipality": {
        **{page: {**_HEADLINE_VIEW, "kunta": "049"} for page in PAGES},
        "compare": {**_HEADLINE_VIEW, "kunta": "049", "compare": "049,837"},
    },
    "indicator_all_missing": {page: _HEADLINE_VIEW for page in PAGES},
    "catalogue_entry_without_values": {page: _HEADLINE_VIEW for page in PAGES},
    "no_population": {"groups": {"groupby": "size_class", "stat": "weighted_mean"}},
    "sparse_register": {
        **{page: {"kunta": "091"} for page in PAGES},
        "overview": {"kunta": "049", "type": "large_city", "region": "01"},
        "groups": {"kunta": "091", "groupby": "urban_rural", "stat": "weighted_mean"},
        "compare": {"kunta": "091", "compare": "091,049,837"},
    },
}


@pytest.fixture(scope="module")
def snapshots(tmp_path_factory, sample_snapshot) -> Iterator[Callable[[str], Path]]:
    """The folder of a case, built on first use and kept for the module."""
    root = tmp_path_factory.mktemp("partial")
    built: dict[str, Path] = {}

    def folder(case: str) -> Path:
        if case not in built:
            built[case] = BUILDERS[case](sample_snapshot, root / case)
        return built[case]

    yield folder
    shutil.rmtree(root, ignore_errors=True)


# --- reading what a page shows -----------------------------------------------------------------

# A missing value printed as Python or pandas spells it ("kunnan" must not count: whole words).
_LEAK = re.compile(r"(?<![\w])(?:nan|NaN|None|NaT)(?![\w])|<NA>")
_BODIES = frozenset(
    {"markdown", "caption", "latex", "title", "header", "subheader", "heading", "text"}
    | {"error", "warning", "info", "success", "alert", "toast"}
)


def _walk(node) -> Iterator[object]:
    yield node
    children = getattr(node, "children", None)
    if isinstance(children, dict):
        for child in children.values():
            yield from _walk(child)


def shown_texts(at: AppTest) -> list[tuple[str, str]]:
    """(where, text) of every text a reader sees; a missing table cell counts as the text the
    browser draws for it (the placeholder, "None" when the table sets none)."""
    texts: list[tuple[str, str]] = []
    for node in _walk(at._tree):
        kind = getattr(node, "type", type(node).__name__)
        proto = getattr(node, "proto", None)
        if isinstance(node, Block):
            label = getattr(node, "label", None)
            if isinstance(label, str):
                texts.append((kind, label))
            continue
        if not isinstance(node, Element) or proto is None:
            continue
        if kind in _BODIES:
            texts.append((kind, proto.body))
        elif kind == "metric":
            texts += [(kind, proto.label), (kind, proto.body), (kind, proto.help)]
        elif kind == "dataframe":
            texts += _cell_texts(node.value, proto.placeholder or "None")
        elif isinstance(node, Widget):
            texts += [(kind, getattr(proto, "label", "")), (kind, getattr(proto, "help", ""))]
            texts += [(kind, str(option)) for option in getattr(node, "options", None) or ()]
    return texts


def _cell_texts(frame: pd.DataFrame, placeholder: str) -> list[tuple[str, str]]:
    texts = [("table heading", str(column)) for column in frame.columns]
    for column in frame.columns:
        for cell in frame[column]:
            missing = cell is None or (not isinstance(cell, str) and pd.isna(cell))
            texts.append(("table cell", placeholder if missing else str(cell)))
    return texts


def leaks(at: AppTest) -> list[tuple[str, str]]:
    return [(kind, text[:200]) for kind, text in shown_texts(at) if _LEAK.search(text)]


def _charts(at: AppTest) -> list:
    """The charts on the page: plotly's, and the overview map (our component)."""
    return [*at.get("plotly_chart"), *at.get("bidi_component")]


def run_page(folder: Path, page: str, lang: str = "fi", **params: str) -> AppTest:
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=90)
    if lang != "fi":
        at.query_params["lang"] = lang
    for key, value in params.items():
        at.query_params[key] = value
    at.switch_page(f"pages/{page}.py")
    at.run()
    return at


@pytest.fixture
def serve(snapshots, monkeypatch) -> Callable[[str], Path]:
    def use(case: str) -> Path:
        folder = snapshots(case)
        monkeypatch.setenv(DATA_DIR_ENV, str(folder))
        return folder

    return use


# --- the matrix --------------------------------------------------------------------------------

# Case by case (the app's per-snapshot caches hold two), every page in Finnish; two of the
# harshest cases in Swedish and English as well.
MATRIX = [(case, page, "fi") for case in BUILDERS for page in PAGES] + [
    (case, page, lang)
    for case in ("no_economic_values", "boundaries_only")
    for lang in ("sv", "en")
    for page in PAGES
]


def _viewed(case: str, page: str, lang: str) -> tuple[str, str, str, tuple[tuple[str, str], ...]]:
    """A page of the matrix as the reader opens it: the case, the page, the language and the
    link parameters (PARAMS) it is run with."""
    return case, page, lang, tuple(PARAMS.get(case, {}).get(page, {}).items())


# The matrix's runs that tests after it read again, exactly as the matrix ran them (the same
# case, page, language and link): kept from their first run instead of run a second time.
NO_VALUES_PAGES = ("overview", "municipality", "compare", "groups", "event")
REREAD = {
    _viewed("no_economic_values", "overview", "fi"),
    _viewed("indicator_single_municipality", "compare", "fi"),
    *(_viewed("boundaries_only", p, lang) for p in NO_VALUES_PAGES for lang in ("fi", "sv", "en")),
}


@pytest.fixture(scope="module")
def shown(snapshots) -> Callable[[str, str, str], AppTest]:
    """``case``'s ``page`` in ``lang`` with the matrix's link parameters, run through app.py on
    the case's snapshot; the runs of REREAD are kept for the module (their tests only read
    what the page shows)."""
    kept: dict[tuple, AppTest] = {}

    def show(case: str, page: str, lang: str) -> AppTest:
        viewed = _viewed(case, page, lang)
        if viewed in kept:
            return kept[viewed]
        folder = snapshots(case)
        with pytest.MonkeyPatch.context() as patch:
            route_pages_through_app(patch)
            patch.setenv(DATA_DIR_ENV, str(folder))
            at = run_page(folder, page, lang, **dict(viewed[3]))
        if viewed in REREAD:
            kept[viewed] = at
        return at

    return show


def test_data_check_accepts_every_case(snapshots):
    problems = {case: validate_snapshot(read_snapshot(snapshots(case))) for case in BUILDERS}
    assert not any(problems.values()), {
        case: list(map(str, p)) for case, p in problems.items() if p
    }


@pytest.mark.parametrize(
    ("case", "page", "lang"), MATRIX, ids=[f"{c}-{p}-{lang}" for c, p, lang in MATRIX]
)
def test_page_renders_partial_snapshot(shown, case, page, lang):
    at = shown(case, page, lang)
    assert not at.exception, [e.message for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    assert at.title, "the page drew its title"
    assert not leaks(at)


# --- what the pages say about missing data -----------------------------------------------------


def _infos(at: AppTest) -> list[str]:
    return [info.value for info in at.info]


def _tr(key: str, lang: str = "fi", **values: object) -> str:
    return translate(key, lang, **values)


def test_overview_opens_on_the_first_dimension_with_data_and_names_the_rest(shown):
    at = shown("no_economic_values", "overview", "fi")
    dimension = at.selectbox(key="w_dim")
    assert dimension.value == "social"
    assert (
        "economic" not in dimension.options and _tr("dimension.economic") not in dimension.options
    )
    note = next(c.value for c in at.caption if _tr("coverage.dimensions_note")[:20] in c.value)
    assert note.index(_tr("dimension.social")) < note.index(_tr("dimension.economic"))
    # whose update brings the missing dimension, in words (no command)
    assert _tr("coverage.arrives_from", sources="").split(":")[0] in note
    assert "kuntadash" not in note


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
@pytest.mark.parametrize("page", NO_VALUES_PAGES)
def test_without_any_values_each_page_says_so_and_how_data_arrive(shown, page, lang):
    at = shown("boundaries_only", page, lang)
    said = " ".join(_infos(at))
    assert _tr("coverage.no_values", lang) in said
    assert _tr("coverage.how_data_arrives", lang) in said and "kuntadash" not in said
    assert not _charts(at), "no empty charts in place of the data"


def test_profile_says_which_dimension_is_missing_instead_of_an_empty_table(serve):
    at = open_profile_sections(run_page(serve("dimension_not_in_catalogue"), "municipality"))
    tabs = {tab.label: tab for tab in at.tabs}
    missing = tabs[_tr("dimension.technological")]
    assert [info.value for info in missing.info] == [
        _tr("coverage.dimension_missing") + " " + _tr("coverage.how_data_arrives")
    ]
    assert not missing.dataframe
    assert tabs[_tr("dimension.social")].dataframe, "dimensions with data keep their table"
    # The first screen says it too, in its card: no figures yet, and how they arrive.
    cards = {metric.label: metric.value for metric in at.metric}
    assert cards[_tr("dimension.technological")] == _tr("profile.no_data_yet")
    said = "\n".join(markdown.value for markdown in at.markdown)
    assert escape_markdown(_tr("profile.reading_missing")) in said


def test_profile_tells_a_sparsely_reported_dimension_from_a_missing_one(serve):
    at = open_profile_sections(run_page(serve("dimension_sparse"), "municipality"))
    tabs = {tab.label: tab for tab in at.tabs}
    assert [i.value for i in tabs[_tr("dimension.ecological")].info] == [
        _tr("coverage.dimension_sparse")
    ]
    overview = run_page(serve("dimension_sparse"), "overview", dim="ecological")
    assert overview.selectbox(key="w_dim").value == "ecological"
    assert overview.get("bidi_component"), "the overview still maps the few figures there are"


def test_groups_page_explains_a_grouping_the_data_cannot_form(serve):
    at = run_page(serve("no_population"), "groups", groupby="size_class")
    kind = _tr("groups.kind.size_class")
    assert _tr("coverage.grouping_unavailable", kind=kind) in _infos(at)
    assert not at.get("plotly_chart")


def test_groups_page_says_a_weighted_mean_needs_population(serve):
    at = run_page(serve("no_population"), "groups", groupby="region", stat="weighted_mean")
    statistic = _tr("groups.stat.weighted_mean").lower()
    assert _tr("coverage.statistic_unavailable", statistic=statistic) in _infos(at)
    median = run_page(serve("no_population"), "groups", groupby="region")
    assert not any(_tr("coverage.statistic_unavailable").split("(")[0] in i for i in _infos(median))


def test_compare_says_when_the_chosen_municipalities_have_no_values(shown):
    # the matrix's link for this case: PARAMS["indicator_single_municipality"]["compare"]
    at = shown("indicator_single_municipality", "compare", "fi")
    assert _tr("coverage.no_values_chosen") in _infos(at)
    assert not at.get("plotly_chart")


def test_indicators_page_shows_each_indicators_years_and_the_imported_cadence(serve):
    at = run_page(serve("imported_sidecar"), "indicators", "en")
    listing = at.dataframe[0].value.set_index(_tr("common.indicator", "en"))
    years = listing[_tr("coverage.years_column", "en")]
    assert years["Households with gigabit access"] == "2023–2024"
    assert (years.drop("Households with gigabit access") == _tr("coverage.not_yet", "en")).all()
    cadence = listing.at["Households with gigabit access", _tr("catalogue.cadence", "en")]
    assert cadence == _tr("cadence.irregular", "en")


def test_event_map_of_a_sparsely_reported_indicator_names_its_latest_year(serve):
    at = run_page(serve("indicator_single_municipality"), "event")
    assert any(h.value.endswith("2024") or "2024" in h.value for h in at.subheader)


# --- the app serves only what data check accepts ----------------------------------------------


def _broken_cadence(sample: Snapshot, target: Path) -> Path:
    catalogue = sample.catalogue.copy()
    catalogue.loc[0, "cadence"] = "weekly"
    write_snapshot(replace(sample, catalogue=catalogue), target)
    return target


@pytest.fixture(scope="module")
def rejected(tmp_path_factory, sample_snapshot) -> tuple[Path, int]:
    """A snapshot that data check rejects, written once for the pages that only read it, and
    how many problems data check finds in it."""
    folder = _broken_cadence(sample_snapshot, tmp_path_factory.mktemp("rejected") / "snapshot")
    return folder, len(validate_snapshot(read_snapshot(folder)))


@pytest.mark.parametrize("page", ["overview", "indicators", "data"])
def test_app_refuses_a_snapshot_that_data_check_rejects(rejected, monkeypatch, page):
    folder, problems = rejected
    assert problems
    monkeypatch.setenv(DATA_DIR_ENV, str(folder))
    at = run_page(folder, page, "sv")
    assert not at.exception, [e.message for e in at.exception]
    assert [e.value for e in at.error] == [_tr("coverage.snapshot_invalid", "sv", count=problems)]
    assert not at.dataframe and not _charts(at)


def test_an_unreadable_snapshot_gets_a_notice_without_its_path(sample_copy, monkeypatch):
    (sample_copy / "values.parquet").write_bytes(b"PAR1 not a table PAR1")
    monkeypatch.setenv(DATA_DIR_ENV, str(sample_copy))
    at = run_page(sample_copy, "overview")
    assert not at.exception
    assert len(at.error) == 1
    assert at.error[0].value.startswith(_tr("coverage.snapshot_unreadable"))
    assert str(sample_copy) not in at.error[0].value and "values.parquet" not in at.error[0].value
