"""Key-figure tables (PxWeb "wide" CSV / Excel) of any vintage: headers with or without a year,
the publisher's punctuation variants of a label, and every unused column reported."""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kuntadash.cli import main
from kuntadash.importing import DataImportError
from kuntadash.importing.context import build_context
from kuntadash.importing.readers.pxweb import label_and_year, read_pxweb_wide, year_in_file_name
from kuntadash.pipeline.importing import import_files
from kuntadash.sources.statfi_keyfigures import key_figure_code, key_figure_labels, label_key
from kuntadash.store import read_snapshot, validate_snapshot
from tests import paths
from tests.fixtures.import_helpers import folder_bytes

FIXTURES = paths.IMPORT_FIXTURES
KEY_FIGURES = (
    paths.REPO.parent
    / "shared"
    / "opendata"
    / "statfi_kuntien_avainluvut"
    / "key_figures_municipalities.csv"
)
CONTEXT = build_context(2025)
# The key-figure table's labels by contents code, as the catalogue lists them.
LABELS = key_figure_labels()
SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
# Key-figure codes the bundled catalogue holds, with their catalogue ids.
CATALOGUED = {
    code: CONTEXT.indicator_by_source_code(code, ("pxweb",))
    for code in LABELS
    if CONTEXT.indicator_by_source_code(code, ("pxweb",))
}
YEARLESS = (
    '"Alue";"Työllisyysaste, %";"Työttömien osuus työvoimasta (%)";"Väkiluku"\n'
    '"KOKO MAA";"72,5";"10,3";"5548241"\n'
    '"Helsinki";"71,5";"10,4";"656920"\n'
    '"Vörå";"75,0";"4,0";"6600"\n'
)


def _write(folder: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = folder / name
    path.write_bytes(text.encode(encoding))
    return path


def _values(out: Path):
    return read_snapshot(out).values.set_index(["municipality_code", "indicator_id", "year"])[
        "value"
    ]


def _note(report, key: str):
    return next(m for m in report.notes if m.key == key)


# --- the year of headers without one ----------------------------------------------------------
def test_the_year_comes_from_the_option_and_a_note_says_so(tmp_path):
    out = tmp_path / "snap"
    path = _write(tmp_path, "avainluvut.csv", YEARLESS, "cp1252")
    report = import_files([path], out, figures_year=2019)
    values = _values(out)
    assert values[("091", "employment_rate", 2019)] == pytest.approx(71.5)
    assert values[("946", "unemployment_rate", 2019)] == pytest.approx(4.0)
    note = _note(report, "data.note.year_from_option")
    assert note.params["year"] == 2019 and "2019" in note.render("fi")


def test_the_year_comes_from_the_file_name_and_a_note_says_so(tmp_path):
    out = tmp_path / "snap"
    path = _write(tmp_path, "avainluvut_2019.csv", YEARLESS)
    report = import_files([path], out)
    assert _values(out)[("091", "employment_rate", 2019)] == pytest.approx(71.5)
    note = _note(report, "data.note.year_from_file_name")
    assert "--year" in note.render("en") and note.params["year"] == 2019


def test_the_option_wins_over_the_file_name(tmp_path):
    out = tmp_path / "snap"
    path = _write(tmp_path, "avainluvut_2019.csv", YEARLESS)
    import_files([path], out, figures_year=2018)
    years = set(read_snapshot(out).values["year"])
    assert years == {2018}


@pytest.mark.parametrize("name", ["avainluvut.csv", "avainluvut_2019_2020.csv"])
def test_without_a_year_anywhere_the_file_is_refused_saying_how_to_give_it(name, tmp_path):
    out = tmp_path / "snap"
    path = _write(tmp_path, name, YEARLESS)
    with pytest.raises(DataImportError) as caught:
        import_files([path], out)
    assert [m.key for m in caught.value.messages] == ["data.error.no_year"]
    for lang in ("fi", "sv", "en"):
        text = caught.value.render(lang)
        assert name in text and "--year" in text and "_2019.csv" in text
    assert not out.exists()


@pytest.mark.parametrize(
    ("name", "year"),
    [
        ("avainluvut_2019.csv", 2019),
        ("Kuntien avainluvut 2021 (fi).xlsx", 2021),
        ("kf2019.csv", 2019),
        ("avainluvut_2019_2020.csv", None),
        ("avainluvut_12019.csv", None),
        ("avainluvut.csv", None),
        ("2100.csv", 2100),
        ("1979.csv", None),
    ],
)
def test_year_in_file_name(name, year):
    assert year_in_file_name(name) == year


def test_an_unused_year_option_is_reported(tmp_path):
    out = tmp_path / "snap"
    report = import_files([FIXTURES / "keyfigures_wide.csv"], out, figures_year=2019)
    assert 2019 not in set(read_snapshot(out).values["year"])  # the headers' years are used
    assert _note(report, "data.note.year_option_unused").params["year"] == 2019


def test_an_option_year_outside_the_range_is_refused(tmp_path):
    with pytest.raises(DataImportError) as caught:
        import_files([FIXTURES / "keyfigures_wide.csv"], tmp_path / "snap", figures_year=19)
    assert caught.value.messages[0].key == "data.error.figures_year"


def test_cli_year_is_the_figures_year_and_division_the_division(tmp_path, capsys):
    out = tmp_path / "snap"
    path = _write(tmp_path, "avainluvut.csv", YEARLESS)
    argv = ["data", "import", "--lang", "en", "--out", str(out)]
    assert main([*argv, "--division", "2025", "--year", "2019", str(path)]) == 0
    assert "2019" in capsys.readouterr().out
    assert read_snapshot(out).manifest["division_year"] == 2025
    assert set(read_snapshot(out).values["year"]) == {2019}
    assert main([*argv, "--division", "2024", "--year", "2019", str(path)]) == 1
    assert "2024" in capsys.readouterr().err


# --- punctuation variants of the publisher's labels ---------------------------------------------
_UNIT_FORMS = (", {u}", " {u}", " ({u})", " - {u}", " – {u}", ",{u}", " [{u}]", "({u})")
_DASHES = ("-", "–", "‐", "‑", "—")


@st.composite
def label_variants(draw) -> tuple[str, str]:
    """(a spelling of a key-figure label the publisher could have used, its catalogue id)."""
    code = draw(st.sampled_from(sorted(CATALOGUED)))
    label = draw(st.sampled_from(LABELS[code]))
    if ", " in label:
        words, unit = label.rsplit(", ", 1)
        label = words + draw(st.sampled_from(_UNIT_FORMS)).format(u=unit)
    label = label.replace("-", draw(st.sampled_from(_DASHES)))
    label = draw(st.sampled_from([str.lower, str.upper, str.title, str]))(label)
    space = draw(st.sampled_from([" ", "  ", "\u00a0", "\t", " \u200b"]))
    label = label.replace(" ", space)
    return draw(st.sampled_from(["", " ", "\ufeff"])) + label, CATALOGUED[code]


YEAR_FORMS = ["", ", {y}", " {y}", " ({y})", ", {y} ", " – {y}"]


@SETTINGS
@given(variant=label_variants(), year_form=st.sampled_from(YEAR_FORMS))
def test_every_spelling_of_a_label_finds_its_indicator(variant, year_form):
    label, indicator = variant
    header = ["Alue", label + year_form.format(y=2020)]
    rows = [["Helsinki", "71,5"]]
    result = read_pxweb_wide(header, rows, "avainluvut_2020.csv", CONTEXT, decimal_comma=True)
    assert list(result.values["indicator_id"]) == [indicator], label
    assert list(result.values["year"]) == [2020]


WORDS = st.lists(
    st.text("abcdefghijklmnopqrstuvwxyzåäöABCDEFGHIJKLMNOPQRSTUVWXYZÅÄÖ0123456789", min_size=1),
    min_size=1,
    max_size=5,
)
SEPARATORS = st.text(" ,;:()[]/–—-‐‑\u00a0\t", min_size=1, max_size=4)


@SETTINGS
@given(words=WORDS, separators=st.lists(SEPARATORS, min_size=4, max_size=4))
def test_label_key_ignores_case_spacing_dashes_and_punctuation(words, separators):
    plain = " ".join(words)
    middle = "".join(word + separators[1 + i % 2] for i, word in enumerate(words[:-1]))
    written = separators[0] + middle + words[-1] + separators[3]
    assert label_key(written) == label_key(plain.upper()) == label_key(plain)


def test_soft_hyphens_and_zero_width_spaces_inside_a_word_are_ignored():
    assert label_key("Työllisyys\u00adaste, %") == label_key("työllisyysaste %")
    assert label_key("Työllisyys\u200baste") == label_key("työllisyysaste")


@pytest.mark.parametrize(
    ("header", "label", "year"),
    [
        ("Employment rate, %, 2020", "Employment rate, %", 2020),
        ("Työllisyysaste (%) 2020", "Työllisyysaste (%)", 2020),
        ("Työllisyysaste, % (2020)", "Työllisyysaste, %", 2020),
        ("2020 Työllisyysaste", "Työllisyysaste", 2020),
        ("2020: Työllisyysaste, %", "Työllisyysaste, %", 2020),
        ("Työllisyysaste – 2020", "Työllisyysaste", 2020),
        ("Työllisyysaste, %", "Työllisyysaste, %", None),
        ("Share of persons aged 15 to 64 of the population, %", None, None),
        ("Population, 1975", "Population", 1975),
    ],
)
def test_label_and_year(header, label, year):
    found = label_and_year(header)
    assert found[1] == year
    if label is not None:
        assert found[0] == label


@pytest.mark.parametrize(
    "label",
    [
        "Työllisyysaste %",
        "Työllisyysaste, %",
        "Työllisyysaste (%)",
        "TYÖLLISYYSASTE – %",
        "Sysselsättningsgrad (%)",
        "employment rate %",
        "Employment rate",
    ],
)
def test_key_figure_code_of_spelling_variants(label):
    assert key_figure_code(label) == "M140"


@pytest.mark.parametrize(
    "label", ["Employment rate, men", "Employment rate (women)", "Työllisyysaste, naiset, %"]
)
def test_only_a_unit_is_left_out_when_matching(label):
    """A tail that is not a unit narrows the figure: it must not match the whole one."""
    assert key_figure_code(label) is None
    assert CONTEXT.indicator_by_label(label) is None


# --- unused columns, each with its reason -----------------------------------------------------
WIDE = (
    '"Region 2021","Employment rate, %, 2020","Employment rate (%) 2020",'
    '"Number of saunas, 2020","Total, 2020","Unemployment rate guess, 2020",'
    '"Proportion of the unemployed among the labour force, %, 2020",'
    '"Employment rate, %, 1975","Population, 2021"\n'
    '"WHOLE COUNTRY",69.5,69.5,9,1,1,..,60,5548241\n'
    '"Helsinki",71.2,71.2,1,1,1,..,60,656920\n'
    '"Raseborg",72.0,72.0,2,1,1,..,60,27528\n'
)


def test_every_unused_column_is_listed_with_its_reason(tmp_path):
    out = tmp_path / "snap"
    report = import_files([_write(tmp_path, "wide.csv", WIDE)], out)
    unused = {
        m.params["reason"].key: m.params["columns"]
        for m in report.notes
        if m.key == "data.note.columns_unused"
    }
    assert unused["data.reason.column_not_indicator"] == (
        "Number of saunas, 2020; Unemployment rate guess, 2020"
    )
    assert unused["data.reason.column_aggregate"] == "Total, 2020"
    assert unused["data.reason.column_duplicates"] == (
        "Employment rate (%) 2020 (= Employment rate, %, 2020)"
    )
    assert unused["data.reason.column_empty"] == (
        "Proportion of the unemployed among the labour force, %, 2020"
    )
    assert unused["data.reason.column_years"] == "Employment rate, %, 1975"
    weights = _note(report, "data.note.population_weights")
    assert weights.params["columns"] == "Population, 2021"
    for lang in ("fi", "sv", "en"):
        assert "Number of saunas, 2020" in "\n".join(report.render(lang))


def test_an_empty_column_does_not_blank_existing_figures(tmp_path):
    out = tmp_path / "snap"
    existing = _write(
        tmp_path,
        "tidy.csv",
        "municipality_code,indicator_id,year,value\n091,unemployment_rate,2020,9.1\n",
    )
    import_files([existing], out)
    import_files([_write(tmp_path, "wide.csv", WIDE)], out)
    assert _values(out)[("091", "unemployment_rate", 2020)] == pytest.approx(9.1)


def test_a_bad_population_cell_is_refused_not_dropped(tmp_path):
    text = WIDE.replace("656920", "lots")
    with pytest.raises(DataImportError) as caught:
        import_files([_write(tmp_path, "wide.csv", text)], tmp_path / "snap")
    message = caught.value.messages[0]
    assert message.key == "data.error.bad_number"
    assert message.params["column"] == "Population, 2021"


def test_a_repeated_area_and_year_in_a_long_table_is_refused(tmp_path):
    text = (FIXTURES / "pxweb_long_semicolon.csv").read_bytes().decode("cp1252")
    lines = text.splitlines()
    text = "\n".join([*lines, lines[2]]) + "\n"  # "KU091 Helsinki";"2023" again
    with pytest.raises(DataImportError) as caught:
        import_files([_write(tmp_path, "long.csv", text, "cp1252")], tmp_path / "snap")
    problem = caught.value.messages[0]
    assert problem.key == "data.error.duplicate_area_year"
    assert problem.params["where"].params["n"] == len(lines) + 1


def test_bad_numbers_of_a_long_table_name_their_own_row(tmp_path):
    text = (FIXTURES / "pxweb_long_semicolon.csv").read_bytes().decode("cp1252")
    lines = text.splitlines()
    lines[3] = lines[3].replace('"71,9"', '"many"')
    with pytest.raises(DataImportError) as caught:
        import_files([_write(tmp_path, "long.csv", "\n".join(lines), "cp1252")], tmp_path / "x")
    problem = caught.value.messages[0]
    assert problem.key == "data.error.bad_number" and problem.params["where"].params["n"] == 4


# --- the real key-figure download -------------------------------------------------------------
@pytest.mark.opendata
def test_every_column_of_the_real_key_figures_file_is_used_or_listed(tmp_path):
    if not KEY_FIGURES.exists():
        pytest.skip(f"{KEY_FIGURES} is absent")
    report = import_files([KEY_FIGURES], tmp_path / "snap")
    header = KEY_FIGURES.read_bytes().decode("latin-1").splitlines()[0]
    columns = [c.strip('"') for c in header.split('","')][1:]
    listed = [
        c
        for m in report.notes
        if m.key in ("data.note.columns_unused", "data.note.population_weights")
        for c in str(m.params["columns"]).split("; ")
    ]
    imported = {
        "Degree of urbanisation, %, 2020",
        "Population change from the previous year, %, 2021",
        "Share of persons aged over 64 of the population, %, 2021",
        "Share of foreign citizens of the population, %, 2021",
        "Share of persons aged 15 or over with tertiary level qualifications, %, 2020",
        "Employment rate, %, 2020",
        "Proportion of the unemployed among the labour force, %, 2020",
        "Economic dependency ratio, 2020",
        "Workplace self-sufficiency, 2020",
        "Annual contribution margin, EUR per capita, 2020",
        "Loan stock, EUR per capita, 2020",
        "Group loan stock, EUR per capita, 2020",
        "Share of persons aged under 15 of the population, %, 2021",
        "Share of persons aged 15 to 64 of the population, %, 2021",
        "Share of Swedish-speakers of the population, %, 2021",
        "Share of household-dwelling units living in terraced houses and detached houses, %, 2021",
        "Share of household-dwelling units living in rental dwellings, %, 2020",
        "Share of persons aged 15 or over with at least upper secondary qualifications, %, 2020",
        "Share of persons working in their municipality of residence, %, 2020",
        "Proportion of pensioners of the population, %, 2020",
        "Share of workplaces in primary production, %, 2020",
        "Share of workplaces in secondary production, %, 2020",
        "Share of workplaces in services, %, 2020",
        "Educational and cultural activities, total, operating net costs, EUR per capita, 2020",
        "Social and health care activities, total, operating net costs, EUR per capita, 2020",
    }
    # raw counts are not comparable between municipalities of different sizes: left out
    counts = {
        "Excess of births, persons, 2021",
        "Intermunicipal migration gain/loss, persons, 2021",
        "Number of families, 2020",
        "Number of household-dwelling units, 2021",
        "Employed labour force resident in the area, 2020",
        "Number of workplaces in the area, 2020",
    }
    used = [c for c in columns if c not in listed]
    assert set(used) == imported & set(columns) == imported
    assert set(listed) == counts | {"Population, 2021"}
    assert len(used) + len(listed) == len(columns) == 32


@pytest.mark.opendata
def test_the_real_key_figures_without_years_import_with_the_file_names_year(tmp_path):
    """The same download as an older vintage would be written: no year in the headers."""
    if not KEY_FIGURES.exists():
        pytest.skip(f"{KEY_FIGURES} is absent")
    text = KEY_FIGURES.read_bytes().decode("latin-1")
    header, rest = text.split("\n", 1)
    header = header.replace(", 2020", "").replace(", 2021", "")
    path = _write(tmp_path, "avainluvut_2019.csv", header + "\n" + rest, "latin-1")
    out = tmp_path / "snap"
    report = import_files([path], out)
    assert _note(report, "data.note.year_from_file_name").params["year"] == 2019
    values = _values(out)
    assert not math.isnan(values[("091", "employment_rate", 2019)])
    assert validate_snapshot(read_snapshot(out)) == []


def test_a_refused_key_figure_file_leaves_the_snapshot_unchanged(tmp_path):
    out = tmp_path / "snap"
    import_files([FIXTURES / "tidy.csv"], out)
    before = folder_bytes(out)
    with pytest.raises(DataImportError):
        import_files([_write(tmp_path, "avainluvut.csv", YEARLESS)], out)
    assert folder_bytes(out) == before
    shutil.rmtree(out)
