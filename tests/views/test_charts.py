"""Chart builders: trace types, location counts, colours by direction, hover content."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from kuntadash.charts.maps import build_map_figure
from kuntadash.charts.series import BreakMark, build_bar_figure, build_trend_figure
from kuntadash.charts.theme import direction_colorscale


def _map_input(sample_snapshot, in_focus=None, missing=()):
    codes = sample_snapshot.municipalities["municipality_code"]
    values = np.linspace(1, 10, len(codes))
    frame = pd.DataFrame(
        {
            "municipality_code": codes,
            "name": sample_snapshot.municipalities["name_fi"],
            "value": values,
            "value_text": [f"{v:.1f} %" for v in values],
            "rank_text": "Sija 1/308",
            "in_focus": True if in_focus is None else in_focus,
        }
    )
    frame.loc[frame["municipality_code"].isin(missing), "value"] = np.nan
    geojson = json.loads(sample_snapshot.boundaries.set_index("municipality_code").to_json())
    return geojson, frame


def test_map_draws_every_municipality_offline(sample_snapshot):
    geojson, frame = _map_input(sample_snapshot, missing=("091", "049"))
    figure = build_map_figure(
        geojson, frame, direction="higher_better", unit="%", lang="fi", selected="091"
    )
    drawn = {code for trace in figure.data if trace.name != "selected" for code in trace.locations}
    assert drawn == set(frame["municipality_code"])
    assert all(trace.type == "choroplethmap" for trace in figure.data)
    assert figure.layout.map.style == "white-bg"
    missing_trace = next(trace for trace in figure.data if trace.name == "missing")
    assert set(missing_trace.locations) == {"091", "049"}
    values_trace = next(trace for trace in figure.data if trace.name == "values")
    assert (
        "customdata[1]" in values_trace.hovertemplate
        and "customdata[2]" in values_trace.hovertemplate
    )
    assert figure.layout.separators == ", "
    selected = next(trace for trace in figure.data if trace.name == "selected")
    assert list(selected.locations) == ["091"] and selected.marker.line.width == 3


def test_map_fades_municipalities_outside_the_filter(sample_snapshot):
    codes = sample_snapshot.municipalities["municipality_code"]
    focus = codes.str.startswith("0").to_numpy()
    geojson, frame = _map_input(sample_snapshot, in_focus=focus)
    figure = build_map_figure(geojson, frame, direction="neutral", unit="%", lang="en")
    muted = next(trace for trace in figure.data if trace.name == "muted")
    assert len(muted.locations) == int((~focus).sum())
    values_trace = next(trace for trace in figure.data if trace.name == "values")
    assert len(values_trace.locations) == int(focus.sum())


def test_colour_scale_puts_better_at_the_same_colour_for_both_directions():
    higher = direction_colorscale("higher_better")
    lower = direction_colorscale("lower_better")
    assert higher[-1][1] == lower[0][1]  # the best value gets the same hue either way
    assert direction_colorscale("neutral") == "cividis"


def test_trend_figure_marks_reference_series_dashed():
    data = pd.DataFrame(
        {
            "series": ["Akaa"] * 3 + ["Median"] * 3,
            "year": [2022, 2023, 2024] * 2,
            "value": [1.0, np.nan, 3.0, 2.0, 2.0, 2.0],
        }
    )
    figure = build_trend_figure(data, unit="%", lang="fi", decimals=1, reference_series=("Median",))
    assert [trace.name for trace in figure.data] == ["Akaa", "Median"]
    assert figure.data[1].line.dash == "dash" and figure.data[0].line.dash is None
    assert np.isnan(figure.data[0].y[1]) and figure.data[0].connectgaps is False


def test_trend_figure_marks_a_break_inside_the_years_shown_only():
    data = pd.DataFrame({"series": ["Akaa"] * 4, "year": [2021, 2022, 2023, 2024], "value": 1.0})
    figure = build_trend_figure(
        data,
        unit="%",
        lang="fi",
        decimals=1,
        breaks=[
            BreakMark(2023, "Sarjan katko 2023", "<b>Uudistus</b>"),
            BreakMark(2021, "Ennen ensimmäistä vuotta"),  # no earlier year: nothing to break
            BreakMark(2030, "Myöhemmin"),
        ],
    )
    lines = [shape for shape in figure.layout.shapes if shape.type == "line"]
    assert [shape.x0 for shape in lines] == [2022.5]
    assert lines[0].line.dash == "dot"
    (note,) = figure.layout.annotations
    assert note.text == "Sarjan katko 2023"
    assert note.hovertext == "&lt;b&gt;Uudistus&lt;/b&gt;"  # data shown as text, not markup


def test_bar_figure_highlights_the_chosen_municipality_and_formats_in_finnish():
    data = pd.DataFrame({"name": ["A", "B"], "value": [1234.5, np.nan], "highlight": [True, False]})
    figure = build_bar_figure(data, unit="€", lang="fi", decimals=1, references={"Mediaani": 2.0})
    bar = figure.data[0]
    assert bar.marker.color[0] != bar.marker.color[1]
    assert bar.text[0] == "1\u202f234,5" and bar.text[1] == "–"
    assert figure.layout.shapes and figure.layout.shapes[0].x0 == 2.0


def test_markup_in_data_is_shown_as_text_in_every_chart(sample_snapshot):
    hostile = "<b>Kunta</b> <a href='http://x'>x</a>"
    geojson, frame = _map_input(sample_snapshot)
    frame.loc[0, "name"] = hostile
    figure = build_map_figure(geojson, frame, direction="higher_better", unit="<i>%</i>", lang="fi")
    values_trace = next(trace for trace in figure.data if trace.name == "values")
    names = {row[0] for row in values_trace.customdata}
    assert (
        hostile not in names
        and "&lt;b&gt;Kunta&lt;/b&gt; &lt;a href='http://x'&gt;x&lt;/a&gt;" in names
    )
    assert values_trace.colorbar.title.text == "&lt;i&gt;%&lt;/i&gt;"
    trend = build_trend_figure(
        pd.DataFrame({"series": [hostile], "year": [2024], "value": [1.0]}),
        unit="%",
        lang="fi",
        decimals=1,
    )
    assert trend.data[0].name.startswith("&lt;b&gt;") and "<b>" not in trend.data[0].hovertemplate
    bars = build_bar_figure(
        pd.DataFrame({"name": [hostile], "value": [1.0], "highlight": [True]}),
        unit="%",
        lang="fi",
        decimals=1,
    )
    assert list(bars.data[0].y) == ["&lt;b&gt;Kunta&lt;/b&gt; &lt;a href='http://x'&gt;x&lt;/a&gt;"]


def test_ten_compared_lines_are_each_drawn_their_own_way():
    """Up to ten municipalities are compared and Okabe–Ito has eight colours: no two lines may
    look alike (colour, stroke and marker together)."""
    names = [f"Kunta {i}" for i in range(10)]
    data = pd.DataFrame(
        [
            {"series": n, "year": y, "value": float(i + y % 3)}
            for i, n in enumerate(names)
            for y in (2020, 2021)
        ]
    )
    figure = build_trend_figure(data, unit="%", lang="fi", decimals=1)
    looks = [(t.line.color, t.line.dash, t.marker.symbol) for t in figure.data]
    assert len(looks) == 10 and len(set(looks)) == 10, looks


def test_median_lines_pass_beneath_the_bars_and_their_labels():
    data = pd.DataFrame({"name": ["A", "B"], "value": [1.0, 3.0], "highlight": [True, False]})
    figure = build_bar_figure(
        data, unit="%", lang="fi", decimals=1, references={"Median": 2.0, "Country": 1.5}
    )
    assert len(figure.layout.shapes) == 2
    assert all(shape.layer == "below" for shape in figure.layout.shapes)
