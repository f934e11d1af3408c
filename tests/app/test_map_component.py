"""The overview map as the page sends it: our component (not plotly), its outlines in a file named
by their content hash, a small per-rerun payload, the same element across reruns, and a fallback
when files cannot be served."""

from __future__ import annotations

import hashlib
import json
import re
import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from kuntadash.store import read_snapshot
from kuntadash.ui import map as ui_map
from kuntadash.views.map import map_geometry
from tests.conftest import REPO, SAMPLE_DIR


def _overview(**params: str) -> AppTest:
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=90)
    for key, value in params.items():
        at.query_params[key] = value
    at.switch_page("pages/overview.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _map(at: AppTest) -> tuple[object, dict]:
    elements = at.get("bidi_component")
    assert len(elements) == 1, "one map on the overview"
    proto = elements[0].proto
    return proto, json.loads(proto.json or proto.mixed.json)


def test_overview_draws_the_map_component_not_plotly():
    at = _overview(kunta="837")
    proto, data = _map(at)
    assert proto.component_name == ui_map.COMPONENT_NAME
    assert proto.js_source_path == "map.js" and not proto.js_content
    # Its own colours (text, controls, background) come from the palette, as CSS properties.
    assert proto.css_content == ui_map.map_css()
    assert not at.get("plotly_chart"), "the overview loads no plotly"
    assert data["selected"] == "837"
    assert len(data["fill"]) == 308
    # The chosen municipality's profile is one (keyboard-reachable) link away.
    links = [link.proto for link in at.get("page_link")]
    assert any("Tampere" in link.label and "municipality" in link.page for link in links)
    assert all(colour.startswith("#") for colour in data["fill"])


def test_outlines_travel_by_a_url_named_after_their_content():
    _, data = _map(_overview())
    url = data["geometry"]
    assert isinstance(url, str) and url.startswith("app/static/map/")
    served = REPO / "static" / url.removeprefix("app/static/")
    body = served.read_bytes()
    assert served.stem == hashlib.sha256(body).hexdigest()[:16]
    document = json.loads(body)
    assert len(document["paths"]) == 308
    # Old Last-Modified: browsers keep it without asking again (its name never changes).
    assert served.stat().st_mtime == ui_map.FILE_TIME


def test_an_indicator_change_updates_the_same_map_with_a_small_payload():
    at = _overview()
    before, first = _map(at)
    box = at.selectbox(key="w_indicator")
    box.set_value(box.options[2] if box.value != box.options[2] else box.options[1]).run()
    after, second = _map(at)
    assert after.id == before.id, "the same element: the browser updates it in place"
    assert second["fill"] != first["fill"]
    assert second["geometry"] == first["geometry"]
    assert len(after.json or after.mixed.json) < 12_000


def test_outlines_go_inline_when_no_file_can_be_served(tmp_path: Path, monkeypatch):
    snapshot = read_snapshot(SAMPLE_DIR)
    table = snapshot.municipalities.set_index("municipality_code")
    geometry = map_geometry(snapshot.boundaries, {"fi": table["name_fi"]})
    monkeypatch.setattr(ui_map.st, "get_option", lambda name: True)
    blocked = tmp_path / "static"
    blocked.write_text("a file where the folder should be")
    assert ui_map._write(blocked, geometry) is None
    assert ui_map._write(None, geometry) is None
    served = tmp_path / "served"
    assert ui_map._write(served, geometry) == f"app/static/map/{geometry.digest}.json"
    assert (served / "map" / f"{geometry.digest}.json").read_bytes() == geometry.payload


def test_a_removed_outline_file_is_written_again(tmp_path: Path, monkeypatch):
    snapshot = read_snapshot(SAMPLE_DIR)
    table = snapshot.municipalities.set_index("municipality_code")
    geometry = map_geometry(snapshot.boundaries, {"fi": table["name_fi"]})
    monkeypatch.setattr(ui_map.st, "get_option", lambda name: True)
    monkeypatch.setattr(ui_map, "static_dir", lambda: tmp_path)
    monkeypatch.setattr(ui_map, "_written", {})
    url = ui_map.geometry_source(geometry)
    served = tmp_path / "map" / f"{geometry.digest}.json"
    served.unlink()
    assert ui_map.geometry_source(geometry) == url
    assert served.read_bytes() == geometry.payload


def test_old_outline_files_are_pruned(tmp_path: Path):
    folder = tmp_path / "map"
    folder.mkdir()
    files = [folder / f"{i:016x}.json" for i in range(ui_map.KEEP_FILES + 3)]
    for file in files:  # oldest first
        file.write_text("{}")
        time.sleep(0.01)
    ui_map._prune(folder, keep=files[-1])
    assert sorted(folder.glob("*.json")) == files[-ui_map.KEEP_FILES :]


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_map_words_follow_the_language(lang):
    _, data = _map(_overview(lang=lang))
    assert data["lang"] == lang
    assert data["labels"]["zoom_in"] == {"sv": "Zooma in", "en": "Zoom in"}[lang]


def test_the_maps_own_colours_are_the_palettes():
    css = ui_map.map_css()
    for name, colour in ui_map.MAP_COLOURS.items():
        assert f"--kd-{name}: {colour};" in css
    script = (REPO / "src" / "kuntadash" / "ui" / "map_component" / "map.js").read_text()
    used = set(re.findall(r"--kd-([a-z]+)", script)) | set(
        re.findall(r'colour\("([a-z]+)"\)', script)
    )
    assert used <= set(ui_map.MAP_COLOURS), used - set(ui_map.MAP_COLOURS)
