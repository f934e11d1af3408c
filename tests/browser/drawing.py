"""Waiting until what a page draws after its script run has drawn: plotly's charts and our map
(test helper for the browser and deployment tests).

A page's script run ends before the browser has drawn: plotly's chunk loads and draws each
chart, the map component builds its shapes. A fixed pause either wastes time or, on a loaded
machine, is too short; these wait for the drawing itself."""

from __future__ import annotations

from typing import Any

# Every element Streamlit loads lazily has replaced its placeholder, every visible plotly chart
# has its svg at a width of its own, every map component (an isolated component holding
# `.kd-map`) has drawn at least one municipality, and every image (the components' shadow roots
# included) has loaded or failed, so an onerror would have run.
DRAWN_JS = """() => {
  if (document.querySelector('[data-testid=stSkeleton]')) return false;
  const charts = Array.from(document.querySelectorAll('[data-testid=stPlotlyChart]'))
    .filter(c => c.offsetParent !== null)
    .every(c => { const svg = c.querySelector('svg.main-svg');
                  return svg && svg.getBoundingClientRect().width > 0; });
  const hosts = Array.from(document.querySelectorAll('[data-testid=stBidiComponentIsolated]'));
  const maps = hosts
    .map(h => h.shadowRoot && h.shadowRoot.querySelector('.kd-map'))
    .filter(m => m)
    .every(m => Array.from(m.querySelectorAll('.kd-shapes path'))
                  .some(p => p.getBBox().width > 0 && p.getAttribute('fill')));
  const roots = [document, ...hosts.map(h => h.shadowRoot).filter(Boolean)];
  const images = roots.every(r => Array.from(r.querySelectorAll('img')).every(i => i.complete));
  return charts && maps && images;
}"""


def wait_drawn(page: Any, timeout: float = 60_000) -> None:
    """Wait until everything on ``page`` has drawn (:data:`DRAWN_JS`)."""
    page.wait_for_function(DRAWN_JS, timeout=timeout)


# A chart follows its box a moment after the window changes: until plotly has drawn every chart
# at its box's size (and the fonts are in), the layout is not yet the one shown.
CHARTS_SETTLED_JS = """() => document.fonts.status === 'loaded'
  && [...document.querySelectorAll('[data-testid=stPlotlyChart]')].every(chart => {
    const svg = chart.querySelector('svg.main-svg');
    if (!svg) return false;
    const box = chart.getBoundingClientRect(), drawn = svg.getBoundingClientRect();
    return Math.abs(box.width - drawn.width) < 1 && Math.abs(box.height - drawn.height) < 1;
  })"""


# Nothing is moving: every finite CSS transition or animation (the sidebar folding away when
# the window narrows) has finished. Endless ones (a spinner) are not waited for.
STILL_JS = """() => document.getAnimations().every(a =>
  a.playState !== 'running' || a.effect.getTiming().iterations === Infinity)"""


def resize(page: Any, viewport: dict[str, int], timeout: float = 30_000) -> None:
    """Change ``page``'s window to ``viewport`` and wait until every chart has followed its box
    (:data:`CHARTS_SETTLED_JS`), everything has drawn (:data:`DRAWN_JS`) and nothing is still
    moving (:data:`STILL_JS`)."""
    page.set_viewport_size(viewport)
    page.wait_for_function(CHARTS_SETTLED_JS, timeout=timeout)
    wait_drawn(page, timeout)
    page.wait_for_function(STILL_JS, timeout=timeout)
