"""The one palette: read from resources/palette.yaml, the same colours as Streamlit's theme."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from kuntadash import resources
from kuntadash.charts import palette

REPO = Path(__file__).resolve().parents[1]
HEX = re.compile(r"^#[0-9a-fA-F]{6}$")


def test_streamlit_theme_uses_the_palettes_text_and_primary_colours():
    theme = tomllib.loads((REPO / ".streamlit" / "config.toml").read_text())["theme"]
    assert theme["primaryColor"].lower() == palette.PRIMARY.lower()
    assert theme["textColor"].lower() == palette.TEXT_COLOUR.lower()


def test_every_colour_is_a_hex_colour_and_the_scales_run_worse_to_better():
    document = resources.read_resource_yaml("palette.yaml")
    for name, value in document.items():
        for colour in value if isinstance(value, list) else [value]:
            assert name == "neutral_scale" or HEX.match(colour), (name, colour)
    assert palette.PUOR[0] == palette.WORSE and palette.PUOR[-1] == palette.BETTER
    assert palette.colour_stops("lower_better")[0][1] == palette.BETTER  # lowest value is best


def test_no_chart_or_page_types_a_colour_of_its_own():
    """Colours come from the palette: no hex colour literal in the charts, the PDF or pages
    (the map component's CSS falls back to the theme's primary colour only)."""
    places = [*(REPO / "src" / "kuntadash" / "charts").glob("*.py")]
    places += [
        *(REPO / "src" / "kuntadash" / "report").glob("*.py"),
        *(REPO / "pages").glob("*.py"),
    ]
    places += [REPO / "src" / "kuntadash" / "ui" / "widgets.py"]
    literal = re.compile(r"[\"'][^\"']*#[0-9a-fA-F]{6}\b")
    found = [
        f"{path.name}:{number}"
        for path in places
        if path.name != "palette.py"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if literal.search(line)
    ]
    assert not found, found
