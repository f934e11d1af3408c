"""The one palette: read from resources/palette.yaml, the same colours as Streamlit's theme."""

from __future__ import annotations

import ast
import re
import tomllib

from kuntadash import resources
from kuntadash.charts import palette
from tests import paths

REPO = paths.REPO
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


# A hex colour (#rgb, #rgba, #rrggbb, #rrggbbaa) or a CSS colour function.
_SCRIPT_COLOUR = re.compile(
    r"#(?:[0-9a-fA-F]{3,4}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})\b|\b(?:rgba?|hsla?)\("
)
# Modules allowed to type colours as RGB numbers: none (the palette module is skipped itself).
_RGB_KNOWN: set[str] = set()


def test_no_script_or_style_sheet_types_a_colour_of_its_own():
    """The browser's code takes its colours from the palette (CSS properties the Python side
    writes from palette.yaml), never from a literal of its own."""
    files = [p for ext in ("*.js", "*.css") for p in (REPO / "src").rglob(ext)]
    assert files, "the map component's script is found"
    found = [
        f"{path.relative_to(REPO)}:{number}: {match.group()}"
        for path in files
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        for match in _SCRIPT_COLOUR.finditer(line)
    ]
    assert not found, found


def _rgb_numbers(nodes: list[ast.expr]) -> bool:
    return len(nodes) == 3 and all(
        isinstance(n, ast.Constant) and type(n.value) is int and 0 <= n.value <= 255 for n in nodes
    )


def _names_a_colour(name: str | None) -> bool:
    return name is not None and ("color" in name.lower() or "colour" in name.lower())


def rgb_literals(source: str) -> list[int]:
    """Lines of ``source`` that type a colour as RGB numbers: a tuple of three 0–255 integers
    (one of them above 20, so small counts and steps do not count), three such numbers given to
    a ``*_color`` / ``*colour*`` call, or a tuple of them as a colour keyword or default."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Tuple) and _rgb_numbers(node.elts):
            if max(n.value for n in node.elts if isinstance(n, ast.Constant)) > 20:
                lines.append(node.lineno)
        elif isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            if _names_a_colour(name) and _rgb_numbers(node.args[:3]):
                lines.append(node.lineno)
            lines += [
                k.value.lineno
                for k in node.keywords
                if _names_a_colour(k.arg)
                and isinstance(k.value, ast.Tuple)
                and _rgb_numbers(k.value.elts)
            ]
        elif isinstance(node, ast.arguments):
            named = [*node.posonlyargs, *node.args][-len(node.defaults) :] if node.defaults else []
            named += [a for a, d in zip(node.kwonlyargs, node.kw_defaults, strict=True) if d]
            defaults = [*node.defaults, *(d for d in node.kw_defaults if d)]
            lines += [
                d.lineno
                for a, d in zip(named, defaults, strict=True)
                if _names_a_colour(a.arg) and isinstance(d, ast.Tuple) and _rgb_numbers(d.elts)
            ]
    return sorted(set(lines))


def test_no_module_types_a_colour_as_rgb_numbers():
    """Outside the palette's reader, colours are the palette's: a library that wants numbers
    gets them made from the palette's hex colours, not typed."""
    src = REPO / "src" / "kuntadash"
    found = {
        path.relative_to(src).as_posix(): lines
        for path in sorted(src.rglob("*.py"))
        if path.relative_to(src).as_posix() not in {"charts/palette.py", *_RGB_KNOWN}
        and (lines := rgb_literals(path.read_text(encoding="utf-8")))
    }
    assert found == {}


def test_rgb_numbers_are_found_however_they_are_written():
    source = """
GREY = (90, 90, 90)
pdf.set_draw_color(200, 200, 200)
pdf.set_text_color(0, 0, 0)
face = FontFace(color=(0, 0, 0))
def paragraph(text, colour=(0, 0, 0)): ...
STEPS = (1, 5, 10)
"""
    assert rgb_literals(source) == [2, 3, 4, 5, 6]
