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
