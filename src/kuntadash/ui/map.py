"""The overview map in the browser: a Streamlit component that updates in place (UI layer).

The map is our own small component (``ui/map_component/map.js``, no third-party code) mounted
as a components-v2 element. It draws the municipalities as SVG paths, so it needs no tiles, no
CDN and no WebGL. Its outlines travel once per snapshot version: they are written to
``static/map/<content hash>.json`` beside app.py, which Streamlit serves at
``app/static/map/…`` (``server.enableStaticServing``); the browser fetches that URL once and
keeps it. A rerun sends only colours, value and rank texts, the selected municipality and the
legend (a few kilobytes, see :func:`kuntadash.views.map.map_view`), and the map recolours
itself without being rebuilt. Clicking a municipality chooses it (the ``kunta`` of the link and
of every page); the table under the map is the keyboard-reachable alternative.

When the files cannot be served (static serving switched off, or the folder not writable), the
outlines travel inside the component's data instead: the map still works, only heavier.
"""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path
from typing import Any

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from kuntadash.charts import palette
from kuntadash.ui import state
from kuntadash.ui.i18n import t

COMPONENT_NAME = "kuntadash.map"
STATIC_FOLDER = "map"  # static/map/ beside app.py
# Files of earlier snapshot versions kept beside the current one (replicas that have not yet
# seen an update still point at them).
KEEP_FILES = 8
# Last-Modified of the outline files: old, so that browsers keep them without asking again
# (their heuristic freshness is a tenth of the file's age). A file never changes under its
# name, which is its content hash.
FILE_TIME = 946_684_800  # 2000-01-01T00:00:00Z

# The map's own colours (text, controls, background, the tooltip's shadow), from the palette:
# written as CSS custom properties ``--kd-<name>`` on the component's root, which map.js reads
# for its styles and for the images it saves. The data's colours come with every rerun.
MAP_COLOURS = {
    "text": palette.TEXT_COLOUR,
    "primary": palette.PRIMARY,
    "background": palette.BACKGROUND,
    "border": palette.BORDER,
    "shadow": palette.SHADOW,
}

_LOG = logging.getLogger(__name__)
_LOCK = threading.Lock()
_mount: Any = None
_written: dict[tuple[str, str], str | None] = {}


def _component() -> Any:
    """The component's mount function, registered on first use (Streamlit's runtime has read
    the package manifest, src/kuntadash/pyproject.toml, by then)."""
    global _mount
    if _mount is None:
        _mount = st.components.v2.component(COMPONENT_NAME, js="map.js", css=MAP_CSS)
    return _mount


def map_css() -> str:
    """The component's style sheet: :data:`MAP_COLOURS` as custom properties of its root."""
    lines = "".join(f"  --kd-{name}: {colour};\n" for name, colour in MAP_COLOURS.items())
    return f":host {{\n{lines}}}\n"


# The style sheet, fixed when the module loads (the palette is the package's own data).
MAP_CSS = map_css()


def static_dir() -> Path | None:
    """The folder Streamlit serves at ``app/static/`` (``static/`` beside the main script), or
    None outside a script run."""
    ctx = get_script_run_ctx()
    if ctx is None:
        return None
    return Path(ctx.main_script_path).resolve().parent / "static"


def geometry_source(geometry: Any) -> str | dict[str, Any]:
    """Where the browser gets the outlines of ``geometry`` (a ``views.map.MapGeometry``): the
    relative URL of its file, written once per process and version; the document itself when
    files cannot be served."""
    folder = static_dir()
    key = (str(folder), geometry.digest)
    with _LOCK:
        # Written once per process and version; again if someone removed the file meanwhile
        # (one stat per rerun).
        missing = _written.get(key) is not None and not (folder / _relative(_written[key])).exists()
        if key not in _written or missing:
            _written[key] = _write(folder, geometry)
    url = _written[key]
    if url is not None:
        return url
    import json

    return json.loads(geometry.payload)


def _write(folder: Path | None, geometry: Any) -> str | None:
    if folder is None or not st.get_option("server.enableStaticServing"):
        _LOG.warning(
            "server.enableStaticServing is off: the map's outlines are sent with every rerun"
        )
        return None
    target = folder / STATIC_FOLDER / f"{geometry.digest}.json"
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.exists():
            partial = target.with_name(f".{target.name}.{os.getpid()}.tmp")
            partial.write_bytes(geometry.payload)
            os.utime(partial, (FILE_TIME, FILE_TIME))
            os.replace(partial, target)
        _prune(target.parent, keep=target)
    except OSError as exc:
        _LOG.warning(
            "The map's outlines cannot be written to %s (%s): they are sent with every rerun",
            target.parent,
            exc,
        )
        return None
    return f"app/static/{STATIC_FOLDER}/{target.name}"


def _relative(url: str | None) -> str:
    return str(url).removeprefix("app/static/")


def _prune(folder: Path, keep: Path) -> None:
    """Remove all but the newest ``KEEP_FILES`` outline files (by when they were written)."""
    files = sorted(folder.glob("*.json"), key=lambda p: p.stat().st_ctime, reverse=True)
    for old in files[KEEP_FILES:]:
        if old != keep:
            old.unlink(missing_ok=True)


def render_map(view: dict[str, Any], *, key: str, codes: tuple[str, ...]) -> None:
    """Mount (or update in place) the map drawing ``view`` (``views.map.map_view``). A click on
    a municipality makes it the chosen one, for this page and every other."""
    _component()(
        key=key,
        data=view,
        height="content",
        on_select_change=lambda: _choose(key, codes),
    )


def _choose(key: str, codes: tuple[str, ...]) -> None:
    value = getattr(st.session_state.get(key), "select", None)
    if isinstance(value, str) and value in codes:
        # The sidebar's selectbox (drawn by app.py before the page) takes it from here and
        # writes the link's ``kunta``.
        st.session_state[state.MUNICIPALITY_KEY] = value


def map_labels(indicator: str, year: int) -> dict[str, str]:
    """The map's own words in the reader's language."""
    return {
        "map": t("map.aria", indicator=indicator, year=year),
        "zoom_in": t("map.zoom_in"),
        "zoom_out": t("map.zoom_out"),
        "reset": t("map.reset"),
        "save_svg": t("map.save_svg"),
        "save_png": t("map.save_png"),
        "hint": t("map.hint"),
        "error": t("map.error"),
    }


def map_legend(unit: str) -> dict[str, str]:
    """The legend's texts: the unit above the scale, the two grey swatches."""
    return {"missing": t("common.no_data"), "muted": t("map.muted")}


def render_profile_link(code: str | None, name: str) -> None:
    """Under the map: open the chosen municipality's profile (a keyboard-reachable link;
    ``name`` already escaped for markdown)."""
    if code:
        st.page_link(
            "pages/municipality.py",
            label=t("map.open_profile", name=name),
            icon=":material/location_city:",
        )
