"""Numbers in tables read in the reader's notation ("8,1" in Finnish and Swedish, "8.1" in
English) while the cells stay numbers, so columns sort as numbers (ui.widgets.render_dataframe)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from kuntadash.ui.widgets import localized_numbers
from tests.apptest import open_overview_table, run_page


def _shown(element) -> pd.DataFrame:
    """What the browser draws in each cell: the table's display text (its numbers underneath
    are ``element.value``)."""
    styler = element.proto.arrow_data.styler
    assert styler.display_values, "the table carries display text for its numbers"
    return pa.ipc.open_stream(styler.display_values).read_all().to_pandas()


@pytest.mark.parametrize(("lang", "mark"), [("fi", ","), ("sv", ","), ("en", ".")])
def test_overview_table_shows_the_languages_decimal_mark(lang, mark):
    at = open_overview_table(run_page("overview", lang))
    table = at.expander[0].dataframe[0]
    numbers, text = table.value, _shown(table)
    value_column = numbers.columns[2]  # "Arvo (%)": one decimal
    assert numbers[value_column].dtype == "float64"  # sorts as numbers
    shown = text[value_column]
    assert shown.str.fullmatch(rf"\d+\{mark}\d").all(), shown.head().tolist()
    first = numbers[value_column].iloc[0]
    assert shown.iloc[0] == f"{first:.1f}".replace(".", mark)
    # no column config format: it would override the text (and use a decimal point)
    assert '"format"' not in table.proto.columns


def test_groups_statistics_table_shows_decimal_commas_in_finnish():
    at = run_page("groups", "fi")
    tables = [t for t in at.dataframe if "Mediaani" in t.value.columns]
    assert tables, "the group statistics table"
    numbers, text = tables[0].value, _shown(tables[0])
    assert numbers["Mediaani"].dtype == "float64"
    assert text["Mediaani"].str.fullmatch(r"\d+,\d").all(), text["Mediaani"].tolist()


def test_formatting_follows_the_shared_formatter():
    frame = pd.DataFrame(
        {
            "Vuosi": [2023, 2024, 2024],
            "Asukkaita": [664028, 1200, 5],
            "Arvo": [1234.5, -0.25, np.nan],
            "Osuus": [0.5, 12.0, 3.25],
            "Nimi": ["a", "b", "c"],
        }
    )
    text = _as_text(localized_numbers(frame, {"Asukkaita": 0, "Arvo": 1}, lang="fi"))
    assert text["Vuosi"].tolist() == ["2023", "2024", "2024"]  # whole numbers not named: as is
    assert text["Asukkaita"].tolist() == ["664\u202f028", "1\u202f200", "5"]
    assert text["Arvo"].tolist() == ["1\u202f234,5", "−0,2", "–"]  # minus sign, missing dash
    assert text["Osuus"].tolist() == ["0,50", "12,00", "3,25"]  # fewest decimals exact for all
    english = _as_text(localized_numbers(frame, {"Arvo": 1}, lang="en"))
    assert english["Arvo"].tolist() == ["1,234.5", "-0.2", "–"]


def _as_text(styler) -> pd.DataFrame:
    """The Styler's display text, cell by cell (as Streamlit sends it to the browser)."""
    lines = styler.hide(axis="index").to_string(delimiter="\t").splitlines()
    rows = [line.split("\t") for line in lines]
    return pd.DataFrame(rows[1:], columns=rows[0])
