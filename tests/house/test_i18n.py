"""UI texts: every key translated into fi, sv and en, placeholders consistent, no key missing."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kuntadash.domain.catalogue import CADENCES, DIMENSIONS, DIRECTIONS
from kuntadash.i18n import LANGUAGES, MissingTranslationError, translate, translations
from tests import paths

REPO = paths.REPO
_PLACEHOLDER = re.compile(r"\{(\w+)\}")
# t("literal.key") calls in the UI code; dynamic keys (f-strings) are checked below by prefix.
_LITERAL_KEY = re.compile(r"""\bt\(\s*["']([a-z_]+\.[a-z0-9_.]+)["']""")


def _ui_sources() -> list[Path]:
    return [
        REPO / "app.py",
        *sorted((REPO / "pages").glob("*.py")),
        *sorted((REPO / "src" / "kuntadash" / "ui").glob("*.py")),
    ]


@pytest.mark.parametrize("key", sorted(translations()))
def test_every_key_has_all_languages_with_the_same_placeholders(key):
    texts = translations()[key]
    assert set(texts) >= set(LANGUAGES), f"{key} lacks {set(LANGUAGES) - set(texts)}"
    assert all(str(texts[lang]).strip() for lang in LANGUAGES), key
    placeholders = {lang: set(_PLACEHOLDER.findall(str(texts[lang]))) for lang in LANGUAGES}
    assert placeholders["sv"] == placeholders["fi"] == placeholders["en"], (key, placeholders)


def test_every_literal_key_used_in_the_ui_exists():
    used = {key for path in _ui_sources() for key in _LITERAL_KEY.findall(path.read_text("utf-8"))}
    assert used, "the pattern found no t() calls: the test would prove nothing"
    missing = sorted(used - set(translations()))
    assert not missing, f"UI text keys without translations: {missing}"


@pytest.mark.parametrize("prefix", ["dimension", "direction", "cadence"])
def test_dynamic_key_families_cover_their_values(prefix, sample_snapshot):
    values = {
        "dimension": set(sample_snapshot.catalogue["dimension"]),
        "direction": set(sample_snapshot.catalogue["direction"]),
        "cadence": set(sample_snapshot.catalogue["cadence"]),
    }[prefix]
    for value in values:
        assert f"{prefix}.{value}" in translations(), f"{prefix}.{value}"


@pytest.mark.parametrize(
    ("prefix", "allowed"),
    [("dimension", DIMENSIONS), ("direction", DIRECTIONS), ("cadence", CADENCES)],
)
def test_every_value_data_check_accepts_has_a_translation(prefix, allowed):
    # validate_snapshot accepts exactly these values; the pages show each through this key.
    missing = [value for value in allowed if f"{prefix}.{value}" not in translations()]
    assert not missing, missing


def test_unknown_key_raises_and_fallback_is_finnish():
    with pytest.raises(MissingTranslationError):
        translate("no.such.key", "fi")
    assert translate("nav.overview", "fi") == "Yleiskartta"
    assert translate("nav.overview", "xx") == "Yleiskartta"
    assert translate("common.rank_text", "en", rank=3, of=47) == "Rank 3 of 47"


def _language_tuples(path: Path) -> list[int]:
    """Lines of ``path`` that write the UI languages out as a tuple or list of their own."""
    import ast

    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Tuple | ast.List) and len(node.elts) == len(LANGUAGES):
            values = [e.value for e in node.elts if isinstance(e, ast.Constant)]
            if values == list(LANGUAGES):
                found.append(node.lineno)
    return found


def test_the_ui_languages_are_written_once():
    """``kuntadash.i18n.LANGUAGES`` is the one list of languages; every module reads it."""
    src = REPO / "src" / "kuntadash"
    written = {
        path.relative_to(src).as_posix(): lines
        for path in sorted(src.rglob("*.py"))
        if (lines := _language_tuples(path)) and path != src / "i18n.py"
    }
    assert written == {}
