"""Waiting until what a page draws after its script run has drawn: plotly's charts and our map
(test helper for the browser and deployment tests).

A page's script run ends before the browser has drawn: plotly's chunk loads and draws each
chart, the map component builds its shapes. A fixed pause either wastes time or, on a loaded
machine, is too short; these wait for the drawing itself."""

from __future__ import annotations

from typing import Any

# Every visible plotly chart has its svg at a width of its own, and every map component (an
# isolated component holding `.kd-map`) has drawn at least one municipality.
DRAWN_JS = """() => {
  const charts = Array.from(document.querySelectorAll('[data-testid=stPlotlyChart]'))
    .filter(c => c.offsetParent !== null)
    .every(c => { const svg = c.querySelector('svg.main-svg');
                  return svg && svg.getBoundingClientRect().width > 0; });
  const maps = Array.from(document.querySelectorAll('[data-testid=stBidiComponentIsolated]'))
    .map(h => h.shadowRoot && h.shadowRoot.querySelector('.kd-map'))
    .filter(m => m)
    .every(m => Array.from(m.querySelectorAll('.kd-shapes path'))
                  .some(p => p.getBBox().width > 0 && p.getAttribute('fill')));
  return charts && maps;
}"""


def wait_drawn(page: Any, timeout: float = 60_000) -> None:
    """Wait until every visible chart and every map on ``page`` has drawn."""
    page.wait_for_function(DRAWN_JS, timeout=timeout)
