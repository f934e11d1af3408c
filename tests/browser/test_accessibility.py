"""Accessibility in the browser: axe-core on every page, the main flow by keyboard alone, the
theme's contrast (WCAG 2.1 AA) and colour scales that survive colour-vision deficiencies.

axe-core comes from the npm registry (``.ci/run`` installs it into ``.ci/node``). Its results are
kept as JSON under ``test-artifacts/axe/``.
"""

from __future__ import annotations

import json
import re
import tomllib

import pytest
from playwright.sync_api import Page, expect

from kuntadash.charts import theme
from kuntadash.i18n import translate
from kuntadash.ui import state
from tests.browser.conftest import PHONE, REPO, wait_ready, wait_rerun
from tests.browser.test_pages_browser import (
    MAP_STATE_JS,
    assert_no_error,
    query,
    wait_map_drawn,
)

AXE_JS = REPO / ".ci" / "node" / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = ("serious", "critical")
# Violations inside Streamlit's own widgets that our code cannot change, with the reason.
# Keep this empty unless a finding is proven to be Streamlit's; fix ours instead.
NOT_OURS: dict[str, str] = {}


def run_axe(page: Page, axe_source: str) -> list[dict]:
    """axe-core's violations of WCAG 2.0/2.1 A and AA and best practices on the current page."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=axe_source)
    return page.evaluate(
        """async () => {
          const result = await axe.run(document, {
            runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa',
                                            'best-practice']},
            resultTypes: ['violations'],
          });
          return result.violations.map(v => ({
            id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
            nodes: v.nodes.map(n => ({target: n.target.join(' '), html: n.html.slice(0, 300),
                                      summary: n.failureSummary}))}));
        }"""
    )


def blocking(violations: list[dict]) -> list[str]:
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {len(v['nodes'])}× e.g. "
        f"{v['nodes'][0]['target']}: {v['nodes'][0]['summary']}"
        for v in violations
        if v["impact"] in BLOCKING and v["id"] not in NOT_OURS
    ]


# The sections built only once opened (ui.widgets.lazy_expander): opening one reruns the script.
LAZY_KEYS = frozenset(
    {
        state.OVERVIEW_TABLE_KEY,
        *state.GROUPS_TABLE_KEYS.values(),
        *state.PROFILE_SECTION_KEYS.values(),
    }
)


def open_expanders(page: Page) -> None:
    """Unfold every folded part (the table alternatives, the profile's sections) so that axe
    and the label check read them too."""
    keys: list[str] = []
    for _ in range(8):  # folded expanders (and those in other tabs) are inert: skip those
        opened = page.evaluate(
            """() => { const summary = Array.from(document.querySelectorAll(
                         '[data-testid=stExpander] details:not([open]) > summary'))
                         .find(e => !e.closest('[inert]'));
                       if (!summary) return null;
                       const keyed = summary.closest('[class*="st-key-"]');
                       summary.click();
                       return keyed ? Array.from(keyed.classList) : []; }"""
        )
        if opened is None:
            break
        keys += [name.removeprefix("st-key-") for name in opened if name.startswith("st-key-")]
    if LAZY_KEYS.intersection(keys):  # a section built once opened: read the run's result
        wait_rerun(page)


def test_axe_on_phone_width(page: Page, axe_source: str) -> None:
    page.set_viewport_size(PHONE)
    page.goto("/")
    wait_ready(page)
    assert not blocking(run_axe(page, axe_source))


def _focused(page: Page) -> dict[str, str]:
    return page.evaluate(
        """() => { const e = document.activeElement;
                   return {tag: e.tagName, label: e.getAttribute('aria-label') || '',
                           text: (e.innerText || '').trim(),
                           href: e.getAttribute('href') || ''}; }"""
    )


def tab_to(page: Page, matches, limit: int = 80) -> dict[str, str]:
    """Press Tab until the focused element satisfies ``matches`` (fails after ``limit``)."""
    seen = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = _focused(page)
        if matches(focused):
            return focused
        seen.append(focused.get("label") or focused.get("text")[:30] or focused["tag"])
    raise AssertionError(f"never reached the element by Tab; focus went through {seen}")


def test_main_flow_with_keyboard_only(page: Page) -> None:
    page.goto("/")
    wait_ready(page)
    wait_map_drawn(page)
    before = page.evaluate(MAP_STATE_JS)["fills"]
    page.locator("body").focus()

    # Choose another indicator on the overview map.
    tab_to(page, lambda f: f["label"] == translate("common.indicator", "fi"))
    page.keyboard.press("ArrowDown")  # opens the list
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(page.locator("[data-stale='true']")).to_have_count(0)
    page.wait_for_function(
        f"() => JSON.stringify(({MAP_STATE_JS})().fills) !== {json.dumps(json.dumps(before))}"
    )
    wait_ready(page)
    # The link follows the script run: the map may be recoloured a moment before it arrives.
    expect(page).to_have_url(re.compile(r"[?&]indicator="))
    assert "indicator" in query(page)
    # A visible focus indicator: the focused control is outlined or ringed.
    ring = page.evaluate(
        """() => { const e = document.activeElement.closest('[data-baseweb=select]')
                              || document.activeElement;
                   const s = getComputedStyle(e);
                   return s.outlineStyle + ' ' + s.boxShadow + ' ' + s.borderColor; }"""
    )
    assert ring.strip() not in ("", "none none"), ring

    # Change the language from the sidebar.
    tab_to(page, lambda f: f["label"] == "Kieli · Språk · Language")
    page.keyboard.press("ArrowDown")
    page.keyboard.type("English")
    page.keyboard.press("Enter")
    expect(page.locator("h1").first).to_have_text(translate("overview.title", "en"))
    wait_ready(page)

    # Go to the comparison page through the sidebar navigation.
    tab_to(page, lambda f: f["href"].rstrip("/").endswith("/compare"))
    page.keyboard.press("Enter")
    expect(page.locator("h1").first).to_have_text(translate("compare.title", "en"))
    wait_ready(page)
    assert_no_error(page)
    assert query(page).get("lang") == "en"


# --- theme contrast (WCAG 2.1 AA) ------------------------------------------------------------


def _rgb(colour: str) -> tuple[float, float, float]:
    colour = colour.lstrip("#")
    return tuple(int(colour[i : i + 2], 16) / 255 for i in (0, 2, 4))  # type: ignore[return-value]


def _luminance(rgb: tuple[float, float, float]) -> float:
    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = map(linear, rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str | tuple, b: str | tuple) -> float:
    la, lb = (_luminance(_rgb(c) if isinstance(c, str) else c) for c in (a, b))
    return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)


def _blend(foreground: str, background: str, alpha: float) -> tuple[float, float, float]:
    return tuple(  # type: ignore[return-value]
        f * alpha + b * (1 - alpha) for f, b in zip(_rgb(foreground), _rgb(background), strict=True)
    )


THEME = tomllib.loads((REPO / ".streamlit" / "config.toml").read_text(encoding="utf-8"))["theme"]


@pytest.mark.parametrize("background", ["backgroundColor", "secondaryBackgroundColor"])
def test_theme_text_contrast_meets_wcag_aa(background: str) -> None:
    text, bg = THEME["textColor"], THEME[background]
    assert contrast(text, bg) >= 4.5
    # Captions and help texts are the text colour at 60 % opacity in Streamlit.
    assert contrast(_blend(text, bg, 0.6), bg) >= 4.5
    # Links, focus rings and selected widgets use the primary colour: text contrast for links,
    # 3:1 for the outline of a control.
    assert contrast(THEME["primaryColor"], bg) >= 4.5


def test_primary_button_text_contrast() -> None:
    assert contrast("#ffffff", THEME["primaryColor"]) >= 4.5


def test_chart_template_matches_theme() -> None:
    assert theme.TEXT_COLOUR.lower() == THEME["textColor"].lower()
    assert theme.PRIMARY.lower() == THEME["primaryColor"].lower()
    assert contrast(theme.TEXT_COLOUR, "#ffffff") >= 4.5


# --- colour-vision deficiencies -----------------------------------------------------------------

# Machado, Oliveira & Fernandes (2009), severity 1.0, applied to linear RGB.
CVD = {
    "protanopia": ((0.152286, 1.052583, -0.204868), (0.114503, 0.786281, 0.099216),
                   (-0.003882, -0.048116, 1.051998)),
    "deuteranopia": ((0.367322, 0.860646, -0.227968), (0.280085, 0.672501, 0.047413),
                     (-0.011820, 0.042940, 0.968881)),
    "tritanopia": ((1.255528, -0.076749, -0.178779), (-0.078411, 0.930809, 0.147602),
                   (0.004733, 0.691367, 0.303900)),
}  # fmt: skip


def _simulate(colour: str, matrix) -> tuple[float, float, float]:
    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    def gamma(c: float) -> float:
        c = min(max(c, 0.0), 1.0)
        return 12.92 * c if c <= 0.0031308 else 1.055 * c ** (1 / 2.4) - 0.055

    rgb = [linear(c) for c in _rgb(colour)]
    return tuple(gamma(sum(m * c for m, c in zip(row, rgb, strict=True))) for row in matrix)  # type: ignore[return-value]


@pytest.mark.parametrize("kind", list(CVD))
def test_better_and_worse_stay_apart_for_colour_blind_readers(kind: str) -> None:
    """The two ends of the direction scale must not collapse into one colour."""
    scale = theme.direction_colorscale("higher_better")
    worse, better = scale[0][1], scale[-1][1]
    a, b = _simulate(worse, CVD[kind]), _simulate(better, CVD[kind])
    distance = sum((x - y) ** 2 for x, y in zip(a, b, strict=True)) ** 0.5
    assert distance > 0.25, (kind, a, b)
    # Lightness alone also separates the middle of the scale from both ends.
    assert contrast(scale[0][1], scale[len(scale) // 2][1]) > 1.5
    assert contrast(scale[-1][1], scale[len(scale) // 2][1]) > 1.5
