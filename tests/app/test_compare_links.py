"""Compare links (``?compare=``): too many codes, unknown codes and repeats.

A link asking for more municipalities than can be compared keeps the first ten and says so; a
code that is not a municipality is reported by name, never dropped silently.
"""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from kuntadash.ui.widgets import escape_markdown
from tests import paths

REPO = paths.REPO
ELEVEN = ["091", "049", "092", "853", "837", "564", "179", "405", "398", "609", "167"]


def _compare(link: str, lang: str = "fi") -> AppTest:
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    at.switch_page("pages/compare.py")
    at.query_params["compare"] = link
    if lang != "fi":
        at.query_params["lang"] = lang
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _notices(at: AppTest) -> list[str]:
    return [info.value for info in at.info]


@pytest.mark.parametrize(
    ("lang", "words"),
    [("fi", "Linkissä oli 11 kuntaa"), ("sv", "Länken hade 11 kommuner"), ("en", "had 11")],
)
def test_a_link_with_eleven_municipalities_keeps_the_first_ten_and_says_so(
    lang, words, sample_snapshot
):
    at = _compare(",".join(ELEVEN), lang)
    assert at.multiselect[0].value == ELEVEN[:10]
    notice = next(text for text in _notices(at) if words in text)
    left_out = sample_snapshot.municipalities.set_index("municipality_code").at["167", "name_fi"]
    assert escape_markdown(left_out) in notice and "10" in notice
    assert at.query_params["compare"] == ",".join(ELEVEN[:10])  # the link now says so too
    assert len(at.get("plotly_chart")) >= 2  # the comparison is drawn


def test_codes_that_are_not_municipalities_are_reported_and_the_rest_kept():
    at = _compare("091,999,049,abc")
    assert at.multiselect[0].value == ["091", "049"]
    notices = _notices(at)
    assert any(escape_markdown("999, abc") in text for text in notices), notices


def test_a_link_of_unknown_codes_only_is_reported_and_falls_back_to_the_default():
    at = _compare("999,998")
    assert len(at.multiselect[0].value) >= 2  # the default comparison
    assert any(escape_markdown("999, 998") in text for text in _notices(at))


def test_too_many_and_unknown_together_are_both_reported():
    at = _compare(",".join([*ELEVEN[:5], "999", *ELEVEN[5:]]), "en")
    assert at.multiselect[0].value == ELEVEN[:10]
    notices = _notices(at)
    assert any("999" in text for text in notices)
    assert any("had 11" in text for text in notices)


def test_a_repeated_code_counts_once():
    at = _compare("091,091,049,049,837")
    assert at.multiselect[0].value == ["091", "049", "837"]
    assert not _notices(at)


def test_markup_in_an_unknown_code_is_shown_as_text():
    at = _compare("091,049,**x**[a](javascript:alert(1))")
    notice = next(text for text in _notices(at) if "eivät ole kuntia" in text)
    assert escape_markdown("**x**[a](javascript:alert(1))") in notice
    assert "**x**" not in notice


def test_the_notice_is_shown_once():
    at = _compare(",".join(ELEVEN))
    assert _notices(at)
    at.run()
    assert not at.exception
    assert not _notices(at)
    assert at.multiselect[0].value == ELEVEN[:10]
