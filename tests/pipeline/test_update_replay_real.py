"""One whole ``data update`` replayed from a folder that holds the real saved answers of the
services wherever a real one exists, and hand-written answers elsewhere, each entry saying which
in its ``note`` (docs/DATA.md, "Record and replay").

Real answers (read from ../shared/opendata at run time, never committed):
- ``GET https://sotkanet.fi/rest/1.1/regions``: THL's regions list as oskari-server saved it
  (api_responses/sotkanet/oskari_sotkanet_regions.json);
- the Statistics Finland WFS ``GetFeature`` answer of the 2025 municipalities
  (statfi_wfs_2025/…geojson, the service's answer with two properties added by its saver).

Every other entry is the stand-in service of tests/fixtures/mock_sources.py, recorded; the
Sotkanet data answers of the stand-in are rewritten to the region ids of the real regions list,
as the real service would number them.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import httpx
import pytest

from kuntadash.pipeline.update import run_update
from kuntadash.sources.http import REQUEST_SUFFIX, Fetcher, Recorder, ReplaySource
from kuntadash.store import read_snapshot, validate_snapshot
from tests.fixtures.mock_sources import FakeClock, MockSources

pytestmark = pytest.mark.opendata

REGIONS = "https://sotkanet.fi/rest/1.1/regions"
REAL_REGIONS = "api_responses/sotkanet/oskari_sotkanet_regions.json"
REAL_WFS = "statfi_wfs_2025/kunta1000k_2025_with_neighbors_and_province.geojson"
STAND_IN = "hand-written: the stand-in service of tests/fixtures/mock_sources.py, recorded"


def _record_stand_in(folder: Path, out: Path) -> MockSources:
    mock, clock = MockSources(), FakeClock()
    fetcher = Fetcher(
        client=httpx.Client(transport=mock.transport()),
        clock=clock.time,
        sleep=clock.sleep,
        wall_clock=clock.time,
        recorder=Recorder(folder),
    )
    run_update(out, 2025, fetcher)
    return mock


def _entries(folder: Path) -> dict[Path, dict]:
    return {p: json.loads(p.read_text("utf-8")) for p in sorted(folder.glob(f"*{REQUEST_SUFFIX}"))}


def _real_region_ids(regions: list[dict]) -> dict[str, int]:
    return {r["code"]: r["id"] for r in regions if r.get("category") == "KUNTA"}


def _mixed_folder(opendata: Path, root: Path) -> tuple[Path, dict[str, int]]:
    """The stand-in's recording with the real answers put in where they exist."""
    folder = root / "replay"
    mock = _record_stand_in(folder, root / "stand-in")
    real_regions = json.loads((opendata / REAL_REGIONS).read_text("utf-8"))
    real_ids = _real_region_ids(real_regions)
    stand_in_ids = {1000 + int(c): c for c in mock.codes}
    for path, entry in _entries(folder).items():
        body = folder / entry["file"]
        host = httpx.URL(entry["url"]).host
        if entry["url"] == REGIONS:
            shutil.copyfile(opendata / REAL_REGIONS, body)
            entry["note"] = f"real answer: ../shared/opendata/{REAL_REGIONS}"
        elif host == "geo.stat.fi":
            shutil.copyfile(opendata / REAL_WFS, body)
            entry["note"] = f"real answer: ../shared/opendata/{REAL_WFS}"
        elif host == "sotkanet.fi" and "/rest/1.1/json" in entry["url"]:
            rows = json.loads(body.read_text("utf-8"))
            for row in rows:
                row["region"] = real_ids[stand_in_ids[row["region"]]]
            body.write_text(json.dumps(rows), encoding="utf-8")
            entry["note"] = f"{STAND_IN}; region ids of the real regions list"
        else:
            entry["note"] = STAND_IN
        path.write_text(json.dumps(entry, ensure_ascii=False, indent=1), encoding="utf-8")
    return folder, real_ids


@pytest.fixture(scope="module")
def replayed(opendata, tmp_path_factory):
    root = tmp_path_factory.mktemp("real-replay")
    folder, real_ids = _mixed_folder(opendata, root)

    def refuse(self, request):
        raise AssertionError(f"a request left during a replay: {request.method} {request.url}")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(httpx.HTTPTransport, "handle_request", refuse)
        patch.setattr(httpx.MockTransport, "handle_request", refuse)
        result = run_update(root / "data", 2025, Fetcher(replay=ReplaySource(folder)))
    return folder, real_ids, result, read_snapshot(root / "data")


def test_every_entry_says_whether_its_answer_is_real(replayed):
    folder, _, _, _ = replayed
    notes = [entry["note"] for entry in _entries(folder).values()]
    real = [n for n in notes if n.startswith("real answer:")]
    assert len(real) == 2
    assert all(n.startswith(("real answer:", "hand-written:")) for n in notes)


def test_the_update_replayed_from_real_answers_is_a_valid_snapshot(replayed):
    _, _, _, snapshot = replayed
    assert validate_snapshot(snapshot) == []
    assert len(snapshot.municipalities) == 308
    assert snapshot.boundaries["municipality_code"].nunique() == 308


def test_the_real_boundaries_are_served(replayed, opendata):
    _, _, _, snapshot = replayed
    # The stand-in draws squares in the south; the real answer puts Utsjoki (890) at the top
    # of Lapland and Helsinki on the south coast.
    bounds = snapshot.boundaries.set_index("municipality_code").geometry.bounds
    assert bounds.loc["890", "maxy"] > 69.5
    assert 60.0 < bounds.loc["091", "miny"] < 60.3 and 24.7 < bounds.loc["091", "minx"] < 25.0


def test_sotkanet_values_are_placed_through_the_real_regions_list(replayed):
    _, real_ids, result, snapshot = replayed
    fetched = snapshot.values[snapshot.values["source_id"].str.contains("sotkanet", case=False)]
    assert not fetched.empty
    # every municipality the real list numbers got its figures, under its own code
    assert set(fetched["municipality_code"]) == set(snapshot.municipalities["municipality_code"])
    # and the real ids differ from the stand-in's, so a placement by id alone would have failed
    assert real_ids["091"] != 1091
    assert not [s for s in result.skipped if "sotkanet" in str(s).lower()]
