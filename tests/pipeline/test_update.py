"""``kuntadash data update`` against an offline stand-in of the official services."""

from __future__ import annotations

import shutil
from pathlib import Path

import httpx
import pytest

from kuntadash.pipeline.importing import import_files
from kuntadash.pipeline.update import UpdateError, default_cache_dir, run_update
from kuntadash.sources.errors import SourceError
from kuntadash.sources.http import Fetcher, RawCache
from kuntadash.store import read_snapshot, validate_snapshot
from tests import paths
from tests.fixtures.import_helpers import folder_bytes
from tests.fixtures.mock_sources import FakeClock, MockSources

FIXTURES = paths.FIXTURES


def _fetcher(mock: MockSources, clock: FakeClock, cache: Path | None = None) -> Fetcher:
    return Fetcher(
        client=httpx.Client(transport=mock.transport()),
        cache=RawCache(cache, clock=clock.time) if cache else None,
        clock=clock.time,
        sleep=clock.sleep,
        wall_clock=clock.time,
    )


@pytest.fixture(scope="module")
def updated(tmp_path_factory) -> tuple[Path, MockSources, FakeClock, list]:
    root = tmp_path_factory.mktemp("update")
    mock, clock, steps = MockSources(), FakeClock(), []
    out = root / "data"
    run_update(
        out,
        2025,
        _fetcher(mock, clock, root / ".kuntadash-cache"),
        lambda label, fraction: steps.append((label, fraction)),
    )
    return out, mock, clock, steps


@pytest.fixture(scope="module")
def existing(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("existing") / "snapshot"
    import_files([FIXTURES / "import" / "tidy.csv"], out)
    return out


def test_update_builds_a_valid_official_snapshot(updated):
    out, _, _, _ = updated
    snapshot = read_snapshot(out)
    assert validate_snapshot(snapshot) == []
    assert not snapshot.is_sample
    assert snapshot.manifest["boundaries"] == "official"
    assert len(snapshot.boundaries) == 308 and snapshot.tiles is not None
    ids = set(snapshot.values["indicator_id"])
    assert {"unemployment_rate", "morbidity_index", "ghg_emissions_per_resident"} <= ids
    values = snapshot.values.set_index(["municipality_code", "indicator_id", "year"])["value"]
    # Hinku total without the wind-power credits (Tie 2.0 + Kau 1.5 + Ölj 0.5 t per resident;
    # the Rai row is NULL, the emissions-trading row is not counted)
    assert values[("091", "ghg_emissions_per_resident", 2022)] == pytest.approx(4.0, rel=1e-3)
    assert values[("091", "district_heating_emissions_per_resident", 2022)] == pytest.approx(1.5)
    assert values[("091", "wind_power_credits_per_resident", 2022)] == pytest.approx(0.3)
    assert values[("091", "ghg_change_since_2005", 2022)] == pytest.approx(-100 / 3, rel=1e-3)
    assert pd_isna(values[("005", "unemployment_rate", 2024)])  # status ".." stays missing
    # Traficom's spreadsheet: fractions of households as %, placed by Finnish or Swedish name
    assert values[("091", "broadband_1gbit_share", 2025)] == pytest.approx(40.0)
    assert 50.0 <= values[("049", "broadband_100mbit_share", 2025)] <= 90.0
    # Åland is outside SYKE's calculation: no emission values there, nothing invented
    assert not ((snapshot.values["municipality_code"] == "478") & ids_like(snapshot, "ghg_")).any()


def pd_isna(value: float) -> bool:
    return value != value


def ids_like(snapshot, prefix: str):
    return snapshot.values["indicator_id"].str.startswith(prefix)


def test_syke_files_are_named_by_the_unpadded_number(updated):
    _, mock, _, _ = updated
    syke = [url for _, url in mock.calls if "hiilineutraalisuomi" in url]
    assert any(url.endswith("/kunta_91.csv") for url in syke)
    assert not any(url.endswith("/kunta_091.csv") for url in syke)
    assert syke[0].endswith("/asukasluvut_2025.csv")  # the list of municipalities comes first


def test_classification_tables_are_found_through_the_list(updated):
    _, mock, _, _ = updated
    calls = [url for _, url in mock.calls if "data.stat.fi" in url]
    assert "/correspondenceTables?" in calls[0]
    # the wellbeing-county table carries version 2 in the list: its maps are read there
    assert any("%23hyvinvointialue_2_20250101/maps" in url for url in calls)
    assert not any("erva" in url for url in calls)


def test_manifest_records_each_source_with_licence_and_time(updated):
    out, _, _, _ = updated
    sources = {s["id"]: s for s in read_snapshot(out).manifest["sources"]}
    assert sources["THL Sotkanet"]["data_updated"]["5641"] == "2025-05-20"
    for name in ("Statistics Finland WFS", "Statistics Finland (PxWeb)", "THL Sotkanet", "SYKE"):
        assert sources[name]["licence"] == "CC BY 4.0"
        assert sources[name]["accessed"] and sources[name]["url"].startswith("https://")


def test_progress_is_reported_per_source(updated):
    _, _, _, steps = updated
    labels = {label for label, _ in steps}
    assert {
        "Statistics Finland WFS",
        "Statistics Finland (PxWeb)",
        "THL Sotkanet",
        "SYKE",
    } <= labels
    assert all(0.0 <= fraction <= 1.0 for _, fraction in steps)


def test_calls_are_throttled(updated):
    _, mock, clock, _ = updated
    syke_calls = sum(1 for _, url in mock.calls if "hiilineutraalisuomi" in url)
    assert syke_calls == len(mock.syke_codes()) + 1 == 293  # the list, then the mainland files
    assert sum(clock.sleeps) >= 60.0 * (syke_calls // 60 - 1)  # at most 60 calls a minute


def test_raw_cache_is_outside_the_snapshot_and_reused(updated, tmp_path):
    out, _, clock, _ = updated
    cache = out.parent / ".kuntadash-cache"
    assert any(cache.glob("*.meta.json"))
    assert not any(out.glob("*.body"))
    mock = MockSources()
    target = tmp_path / "data"
    run_update(target, 2025, _fetcher(mock, FakeClock(now=clock.now), cache))
    assert mock.calls == []  # everything came from fresh cache entries


def test_default_cache_dir_is_beside_the_snapshot(tmp_path, monkeypatch):
    monkeypatch.delenv("KUNTADASH_CACHE_DIR", raising=False)
    assert default_cache_dir(tmp_path / "data") == tmp_path / ".kuntadash-cache"
    monkeypatch.setenv("KUNTADASH_CACHE_DIR", str(tmp_path / "elsewhere"))
    assert default_cache_dir(tmp_path / "data") == tmp_path / "elsewhere"


def _timeout(request):
    raise httpx.ReadTimeout("timed out", request=request)


def _connect(request):
    raise httpx.ConnectError("no route to host", request=request)


FAULTS = {
    "timeout": ("pxdata.stat.fi", _timeout, "data.error.source_timeout"),
    "network": ("sotkanet.fi", _connect, "data.error.source_network"),
    "rate_limited": (
        "pxdata.stat.fi",
        lambda r: httpx.Response(429, headers={"Retry-After": "7"}),
        "data.error.source_rate_limited",
    ),
    "server_error": ("sotkanet.fi", lambda r: httpx.Response(500), "data.error.source_server"),
    "truncated": (
        "geo.stat.fi",
        lambda r: httpx.Response(200, text='{"type": "FeatureCollection", "feat'),
        "data.error.source_truncated",
    ),
    "renamed_variables": (
        "pxdata.stat.fi",
        lambda r: httpx.Response(
            200,
            json={
                "title": "x",
                "variables": [
                    {"code": "Alue2", "text": "Region", "values": ["X1", "X2"]},
                    {"code": "Vuosi2", "text": "Jahr", "values": ["2024"]},
                ],
            },
        ),
        "data.error.source_variables",
    ),
    "not_found": ("data.stat.fi", lambda r: httpx.Response(404), "data.error.source_http"),
}


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_faults_give_a_named_error_and_leave_the_snapshot_untouched(fault, tmp_path, existing):
    needle, answer, key = FAULTS[fault]
    out = tmp_path / "snapshot"
    shutil.copytree(existing, out)
    before = folder_bytes(out)
    mock, clock = MockSources(), FakeClock()
    mock.faults[needle] = answer
    with pytest.raises(SourceError) as caught:
        run_update(out, 2025, _fetcher(mock, clock))
    assert caught.value.key == key
    assert caught.value.source in caught.value.render("fi")
    assert folder_bytes(out) == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".tmp")]
    if fault == "rate_limited":
        assert clock.sleeps.count(7.0) == 3  # Retry-After honoured, retries bounded


def test_unsupported_year_is_refused(tmp_path):
    with pytest.raises(UpdateError):
        run_update(tmp_path / "x", 2019, _fetcher(MockSources(), FakeClock()))


def test_update_keeps_imported_indicators(tmp_path, existing):
    out = tmp_path / "snapshot"
    shutil.copytree(existing, out)
    import_files(
        [FIXTURES / "import" / "broadband.csv", FIXTURES / "import" / "broadband.yaml"], out
    )
    run_update(out, 2025, _fetcher(MockSources(), FakeClock()))
    snapshot = read_snapshot(out)
    assert validate_snapshot(snapshot) == []
    # the user's own indicator survives the update, with its catalogue entry
    assert "gigabit_households_share" in set(snapshot.values["indicator_id"])
    assert "gigabit_households_share" in set(snapshot.catalogue["id"])
    # unemployment_rate now comes from PxWeb, not from the earlier import
    helsinki = snapshot.values[
        (snapshot.values["municipality_code"] == "091")
        & (snapshot.values["indicator_id"] == "unemployment_rate")
    ]
    assert set(helsinki["year"]) == {2022, 2023, 2024}


def test_entries_sharing_a_contents_code_are_skipped_not_mixed_up(updated):
    out, _, _, _ = updated
    ids = set(read_snapshot(out).values["indicator_id"])
    # both use StatFin/tyokay/115h.px code tyolliset3 and differ only by industry
    assert "ict_jobs_share" not in ids and "professional_scientific_jobs_share" not in ids


def _patch_fetcher(monkeypatch, mock: MockSources) -> None:
    import kuntadash.pipeline.update as update_module

    clock = FakeClock()

    def factory(cache=None, **_):
        return Fetcher(
            client=httpx.Client(transport=mock.transport()),
            cache=cache,
            clock=clock.time,
            sleep=clock.sleep,
            wall_clock=clock.time,
        )

    monkeypatch.setattr(update_module, "Fetcher", factory)


def test_cli_update_reports_per_source_and_writes(tmp_path, monkeypatch, capsys):
    from kuntadash.cli import main

    _patch_fetcher(monkeypatch, MockSources())
    out = tmp_path / "data"
    code = main(
        ["data", "update", "--out", str(out), "--cache-dir", str(tmp_path / "c"), "--lang", "sv"]
    )
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "THL Sotkanet: 100 %" in captured.err  # progress per source
    assert "hämtade värden" in captured.out
    assert main(["data", "check", str(out)]) == 0


def test_cli_update_failure_is_translated_and_changes_nothing(
    tmp_path, monkeypatch, capsys, existing
):
    from kuntadash.cli import main

    mock = MockSources()
    mock.faults["sotkanet.fi"] = lambda r: httpx.Response(503)
    _patch_fetcher(monkeypatch, mock)
    out = tmp_path / "snapshot"
    shutil.copytree(existing, out)
    before = folder_bytes(out)
    assert (
        main(
            [
                "data",
                "update",
                "--out",
                str(out),
                "--lang",
                "fi",
                "--cache-dir",
                str(tmp_path / "c"),
            ]
        )
        == 1
    )
    err = capsys.readouterr().err
    assert "THL Sotkanet: palvelussa on häiriö (HTTP 503" in err
    assert folder_bytes(out) == before


def test_update_refuses_a_folder_that_is_not_a_snapshot(tmp_path):
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "notes.txt").write_text("keep me")
    mock = MockSources()
    with pytest.raises(UpdateError):
        run_update(folder, 2025, _fetcher(mock, FakeClock()))
    assert mock.calls == []
    assert (folder / "notes.txt").read_text() == "keep me"


def _per_indicator_faults(mock: MockSources) -> None:
    """One renamed PxWeb code, one Sotkanet title that now names another series, one Sotkanet
    indicator answering 404 and one SYKE file answering 404: each concerns one indicator (or
    one municipality's file) only."""
    mock.hidden_contents.add("M151")
    mock.faults["/indicators/3219"] = lambda r: httpx.Response(
        200, json={"id": 3219, "title": {"fi": "Nuorisotyöttömät, % 18-24-vuotiaasta työvoimasta"}}
    )
    mock.faults["indicator=5641"] = lambda r: httpx.Response(404)
    mock.faults["/kunta_91.csv"] = lambda r: httpx.Response(404)


def test_per_indicator_failures_skip_only_those_and_the_snapshot_is_still_swapped(
    tmp_path, existing
):
    out = tmp_path / "snapshot"
    shutil.copytree(existing, out)
    before = read_snapshot(out).version
    mock = MockSources()
    _per_indicator_faults(mock)
    result = run_update(out, 2025, _fetcher(mock, FakeClock()))
    snapshot = read_snapshot(out)
    assert snapshot.version == result.snapshot.version != before  # written, atomically
    assert validate_snapshot(snapshot) == []
    reasons = {s.indicator_id: s.reason for s in result.skipped}
    assert reasons["jobs_self_sufficiency"] == "data.skip.code_missing"
    assert reasons["youth_not_in_education_17_24"] == "data.skip.title_mismatch"
    assert reasons["morbidity_index"] == "data.skip.not_found"
    ids = set(snapshot.values["indicator_id"])
    assert {"unemployment_rate", "social_assistance_recipients_25_64"} <= ids
    # skipped, and the earlier snapshot (one imported file) had no values of them to keep
    assert not {"jobs_self_sufficiency", "youth_not_in_education_17_24", "morbidity_index"} & ids
    # Helsinki's SYKE file is gone: no emission values there, the others have theirs
    emissions = snapshot.values[snapshot.values["indicator_id"] == "ghg_emissions_per_resident"]
    codes = set(emissions["municipality_code"])
    assert "091" not in codes and "049" in codes
    notes = [n.render("en") for n in result.notes]
    assert any("Syke" in n and "091" in n for n in notes)


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("fi", ("jäi hakematta", "ei enää ole tunnusta M151", "lähde nimeää", "ei löydy")),
        ("sv", ("hämtades inte", "har inte längre koden M151", "källan kallar", "finns inte")),
        ("en", ("were not fetched", "no longer has the code M151", "now calls", "not found")),
    ],
)
def test_cli_names_each_skipped_indicator_and_why(tmp_path, monkeypatch, capsys, lang, words):
    from kuntadash.cli import main

    mock = MockSources()
    _per_indicator_faults(mock)
    _patch_fetcher(monkeypatch, mock)
    out = tmp_path / "data"
    args = ["data", "update", "--out", str(out), "--cache-dir", str(tmp_path / "c")]
    assert main([*args, "--lang", lang]) == 0
    printed = capsys.readouterr().out
    lines = {line.split(": ", 1)[0].strip(" -"): line for line in printed.splitlines()}
    assert words[0] in printed
    assert words[1] in lines["jobs_self_sufficiency"]
    assert words[2] in lines["youth_not_in_education_17_24"]
    assert words[3] in lines["morbidity_index"]
    assert "broadband" not in printed.split(words[0], 1)[1]  # fetched now, not skipped
