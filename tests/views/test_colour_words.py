"""Every caption's colour words match the scale drawn: the overview's note under the map names
the colours at the two ends of the map's own scale (its legend's stops), for every indicator of
the sample and of the official snapshot, in fi, sv and en. A context figure is drawn dark
blue to yellow, so its note may not speak of purple being better."""

from __future__ import annotations

import colorsys
import re

import pytest

from kuntadash.i18n import LANGUAGES
from kuntadash.store import read_snapshot
from kuntadash.views.overview import OverviewChoice, build_overview_view
from tests.conftest import DATASETS

# What a reader calls a colour, by its hue (degrees): the words a caption may use for it.
HUES = {
    "orange": ((15, 45), {"fi": "oranssi", "sv": "orange", "en": "orange"}),
    "yellow": ((45, 75), {"fi": "keltainen", "sv": "gul", "en": "yellow"}),
    "blue": ((180, 250), {"fi": "sininen", "sv": "blå", "en": "blue"}),
    "purple": ((250, 320), {"fi": "violetti", "sv": "lila", "en": "purple"}),
}


def hue_name(colour: str) -> str:
    """The reader's name of a "#rrggbb" colour's hue (a key of HUES)."""
    red, green, blue = (int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    hue = colorsys.rgb_to_hls(red, green, blue)[0] * 360
    (name,) = [name for name, ((low, high), _) in HUES.items() if low <= hue < high]
    return name


def named_hues(text: str, lang: str) -> set[str]:
    """The hues whose word stands in ``text``, alone or in a compound ("sininen", "tummansininen",
    "mörkblå")."""
    lowered = text.lower()
    return {
        name
        for name, (_, words) in HUES.items()
        if re.search(rf"{re.escape(words[lang])}", lowered)
    }


def test_the_check_finds_what_it_looks_for():
    assert hue_name("#7b3294") == "purple" and hue_name("#e66101") == "orange"
    assert hue_name("#00204c") == "blue" and hue_name("#fee838") == "yellow"
    assert named_hues("violetti = parempi, oranssi = heikompi", "fi") == {"purple", "orange"}
    assert named_hues("mörkblå = minst, gul = störst", "sv") == {"blue", "yellow"}


def _cases():
    for dataset, folder in DATASETS.items():
        snapshot = read_snapshot(folder)
        values = snapshot.values.dropna(subset=["value"])
        for ident, rows in values.groupby("indicator_id"):
            yield pytest.param(snapshot, ident, int(rows["year"].max()), id=f"{dataset}-{ident}")


@pytest.mark.parametrize(("snapshot", "ident", "year"), list(_cases()))
def test_the_map_note_names_the_colours_of_the_scale_drawn(snapshot, ident, year):
    for lang in LANGUAGES:
        view = build_overview_view(snapshot, OverviewChoice(ident, year), lang)
        stops = view.map["legend"]["stops"]
        if not stops:
            continue  # nothing drawn to a scale
        drawn = {hue_name(stops[0][1]), hue_name(stops[-1][1])}
        assert named_hues(view.direction_text, lang) == drawn, (lang, view.direction_text)
