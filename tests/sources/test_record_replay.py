"""``data update --record DIR`` / ``--replay DIR``: every request saved with its answer, and the
whole update run again from the folder alone, with no network (sources/http.py)."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import httpx
import pandas as pd
import pytest

from kuntadash.pipeline.importing import import_files
from kuntadash.pipeline.update import run_update
from kuntadash.sources.errors import RecordError, ReplayError, SourceError
from kuntadash.sources.http import (
    MAX_REPLAY_BODY_BYTES,
    REQUEST_SUFFIX,
    Answer,
    Fetcher,
    RawCache,
    Recorder,
    ReplaySource,
    describe_request,
    request_key,
)
from kuntadash.store import read_snapshot, validate_snapshot
from tests import paths
from tests.fixtures.import_helpers import folder_bytes
from tests.fixtures.mock_sources import FakeClock, MockSources
from tests.fixtures.replay_folder import write_replay_folder

FIXTURES = paths.FIXTURES
REGIONS = "https://sotkanet.fi/rest/1.1/regions"


def _online(mock: MockSources, clock: FakeClock, **kwargs) -> Fetcher:
    return Fetcher(
        client=httpx.Client(transport=mock.transport()),
        clock=clock.time,
        sleep=clock.sleep,
        wall_clock=clock.time,
        **kwargs,
    )


def _no_sleep(seconds: float) -> None:
    pytest.fail(f"a replay slept {seconds} s: throttling must be off")


def _replaying(folder: Path) -> Fetcher:
    return Fetcher(replay=ReplaySource(folder), sleep=_no_sleep)


@pytest.fixture
def no_network(monkeypatch):
    """Fails the test if a network client is built or any request leaves through httpx."""

    def refuse_client(self, *args, **kwargs):
        pytest.fail("a network client was built during a replay")

    def refuse_request(self, request):
        pytest.fail(f"a request left during a replay: {request.method} {request.url}")

    monkeypatch.setattr(httpx.Client, "__init__", refuse_client)
    monkeypatch.setattr(httpx.HTTPTransport, "handle_request", refuse_request)
    monkeypatch.setattr(httpx.MockTransport, "handle_request", refuse_request)


@pytest.fixture(scope="module")
def recorded(tmp_path_factory) -> tuple[Path, Path, Path, MockSources]:
    """An update against the stand-in services, recorded: (recording, snapshot, raw cache, mock)."""
    root = tmp_path_factory.mktemp("recorded")
    mock, clock = MockSources(), FakeClock()
    fetcher = _online(
        mock,
        clock,
        cache=RawCache(root / "cache", clock=clock.time),
        recorder=Recorder(root / "recording"),
    )
    run_update(root / "data", 2025, fetcher)
    return root / "recording", root / "data", root / "cache", mock


@pytest.fixture(scope="module")
def existing(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("existing") / "snapshot"
    import_files([FIXTURES / "import" / "tidy.csv"], out)
    return out


def _entries(folder: Path) -> dict[str, dict]:
    return {
        p.name: json.loads(p.read_text("utf-8")) for p in sorted(folder.glob(f"*{REQUEST_SUFFIX}"))
    }


def _copy(recording: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "recording"
    shutil.copytree(recording, copy)
    return copy


def _drop(folder: Path, match) -> dict:
    """Removes the first entry whose request satisfies ``match``; returns that request."""
    for name, entry in _entries(folder).items():
        if match(entry):
            (folder / name).unlink()
            return entry
    raise AssertionError("no entry matched")


# --- recording -----------------------------------------------------------------------------------
def test_every_request_is_recorded_with_its_answer(recorded):
    recording, _, _, mock = recorded
    entries = _entries(recording)
    assert len(entries) == len(mock.calls) > 300  # each request once, none left out
    methods = {e["method"] for e in entries.values()}
    assert methods == {"GET", "POST"}
    for entry in entries.values():
        assert entry["status"] == 200 and entry["fetched"]
        assert (recording / entry["file"]).is_file()
    post = next(e for e in entries.values() if e["method"] == "POST")
    assert post["body"]["query"] and post["params"] is None
    assert post["content_type"].startswith("application/json")
    sotkanet = next(e for e in entries.values() if e["url"].endswith("/rest/1.1/json"))
    assert sotkanet["params"]["genders"] == "total" and sotkanet["body"] is None
    # nothing but entries and their answers, and no temporary files
    assert {p.name for p in recording.iterdir()} == set(entries) | {
        e["file"] for e in entries.values()
    }


def test_recorded_bodies_are_the_services_bytes(recorded):
    recording, _, _, _ = recorded
    entry = next(e for e in _entries(recording).values() if e["url"] == REGIONS)
    expected = MockSources().handle(httpx.Request("GET", REGIONS)).content
    assert (recording / entry["file"]).read_bytes() == expected


def test_recording_reads_no_raw_cache(recorded, tmp_path):
    """A fresh raw cache would hide requests from the recording, so recording skips it."""
    _, _, cache, _ = recorded
    mock, clock = MockSources(), FakeClock()
    fetcher = _online(
        mock, clock, cache=RawCache(cache, clock=clock.time), recorder=Recorder(tmp_path / "rec")
    )
    fetcher.get_json("THL Sotkanet", REGIONS)
    assert mock.calls == [("GET", REGIONS)]
    assert len(_entries(tmp_path / "rec")) == 1


def test_a_request_sent_twice_keeps_one_entry_with_the_last_answer(tmp_path):
    answers = iter([httpx.Response(200, json=[1]), httpx.Response(200, json=[2])])
    clock = FakeClock()
    online = Fetcher(
        client=httpx.Client(transport=httpx.MockTransport(lambda r: next(answers))),
        clock=clock.time,
        sleep=clock.sleep,
        wall_clock=clock.time,
        recorder=Recorder(tmp_path / "rec"),
    )
    assert online.get_json("s", REGIONS) == [1]
    assert online.get_json("s", REGIONS) == [2]
    assert len(_entries(tmp_path / "rec")) == 1 and len(list((tmp_path / "rec").iterdir())) == 2
    assert _replaying(tmp_path / "rec").get_json("s", REGIONS) == [2]


def test_an_error_answer_is_recorded_and_replays_as_the_same_error(tmp_path):
    mock, clock = MockSources(), FakeClock()
    online = _online(mock, clock, recorder=Recorder(tmp_path / "rec"))
    url = "https://example.org/missing"
    with pytest.raises(SourceError) as first:
        online.get_json("x", url)
    with pytest.raises(SourceError) as again:
        _replaying(tmp_path / "rec").get_json("x", url)
    assert first.value.key == again.value.key == "data.error.source_http"
    assert again.value.params["status"] == 404


def test_a_failed_write_of_the_recording_stops_the_update(tmp_path, existing, monkeypatch):
    import kuntadash.sources.http as http_module

    out = tmp_path / "snapshot"
    shutil.copytree(existing, out)
    before = folder_bytes(out)
    writes = []

    def full_disk(path, data):
        writes.append(path)
        if len(writes) > 3:
            raise OSError(28, "No space left on device")
        path.write_bytes(data)

    monkeypatch.setattr(http_module, "_write_new", full_disk)
    recorder = Recorder(tmp_path / "rec", label="rec")
    with pytest.raises(RecordError) as caught:
        run_update(out, 2025, _online(MockSources(), FakeClock(), recorder=recorder))
    assert caught.value.key == "data.error.record_write"
    assert "No space left on device" in caught.value.render("en")
    assert folder_bytes(out) == before


@pytest.mark.parametrize("kind", ["file", "not_empty", "no_parent"])
def test_recording_refuses_a_folder_it_would_mix_into(kind, tmp_path):
    target = tmp_path / "rec"
    if kind == "file":
        target.write_text("notes")
    elif kind == "not_empty":
        target.mkdir()
        (target / "notes.txt").write_text("keep me")
    else:
        target = tmp_path / "missing" / "rec"
    before = folder_bytes(tmp_path)
    with pytest.raises(RecordError) as caught:
        Recorder(target, label="my-rec")
    assert (
        caught.value.key
        == {
            "file": "data.error.record_not_folder",
            "not_empty": "data.error.record_not_empty",
            "no_parent": "data.error.record_no_parent",
        }[kind]
    )
    assert "my-rec" in caught.value.render("sv")
    assert folder_bytes(tmp_path) == before
    assert not (tmp_path / "missing").exists()


# --- replay --------------------------------------------------------------------------------------
def test_replay_builds_the_same_snapshot_without_network(recorded, tmp_path, no_network):
    recording, online_out, _, _ = recorded
    out = tmp_path / "data"
    result = run_update(out, 2025, _replaying(recording))
    online, replayed = read_snapshot(online_out), read_snapshot(out)
    assert validate_snapshot(replayed) == []
    assert replayed.version == online.version
    pd.testing.assert_frame_equal(replayed.values, online.values)
    pd.testing.assert_frame_equal(replayed.municipalities, online.municipalities)
    assert result.cached == {}
    # the manifest keeps when the services answered, not when the recording was read
    accessed = {s["id"]: s.get("accessed") for s in replayed.manifest["sources"]}
    assert accessed == {s["id"]: s.get("accessed") for s in online.manifest["sources"]}


def test_a_replaying_fetcher_has_no_client_and_no_cache(recorded, tmp_path):
    recording, _, cache, _ = recorded
    fetcher = Fetcher(replay=ReplaySource(recording), cache=RawCache(cache))
    assert fetcher.client is None and fetcher.cache is None
    with pytest.raises(ValueError):
        Fetcher(client=httpx.Client(), replay=ReplaySource(recording))


def test_the_raw_cache_does_not_mask_a_missing_entry(recorded, tmp_path, no_network):
    recording, _, cache, _ = recorded
    copy = _copy(recording, tmp_path)
    _drop(copy, lambda e: e["url"] == REGIONS)
    # the raw cache holds a fresh answer to that request; replay still reads only the folder
    fetcher = Fetcher(replay=ReplaySource(copy), cache=RawCache(cache, max_age_s=1e12))
    with pytest.raises(ReplayError) as caught:
        fetcher.get_json("THL Sotkanet", REGIONS)
    assert caught.value.key == "data.error.replay_missing"


@pytest.mark.parametrize(
    ("which", "named"),
    [
        (lambda e: e["url"] == REGIONS, [f"GET {REGIONS}"]),
        (
            lambda e: e["method"] == "POST" and "142h.px" in e["url"],
            [
                "POST https://pxdata.stat.fi/PxWeb/api/v1/fi/Kuntien_avainluvut/uusin/142h.px",
                '{"query": [{"code": "alue_23_20250101"',
            ],
        ),
    ],
    ids=["get", "post"],
)
def test_a_missing_entry_names_the_request_and_changes_nothing(
    which, named, recorded, existing, tmp_path, no_network
):
    recording, _, _, _ = recorded
    copy = _copy(recording, tmp_path)
    _drop(copy, which)
    out = tmp_path / "snapshot"
    shutil.copytree(existing, out)
    before = folder_bytes(out)
    with pytest.raises(ReplayError) as caught:
        run_update(out, 2025, _replaying(copy))
    assert caught.value.key == "data.error.replay_missing"
    for lang in ("fi", "sv", "en"):
        text = caught.value.render(lang)
        assert all(part in text for part in named), text
        assert str(copy) in text and len(text) < 900
    assert folder_bytes(out) == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".tmp")]


def test_a_hand_assembled_folder_replays(tmp_path, no_network):
    saved = tmp_path / "saved"
    saved.mkdir()
    (saved / "regions.json").write_text('[{"id": 1, "code": "091"}]', encoding="utf-8")
    (saved / "kunta_91.csv").write_bytes(b"kunta;vuosi\n091;2022\n")
    (saved / "px.json").write_bytes(b'{"class": "dataset"}')
    (saved / "gone.json").write_bytes(b"{}")
    folder = tmp_path / "replay"
    write_replay_folder(
        folder,
        [
            # the least an entry needs: method, url, file (status 200 by default)
            ({"method": "GET", "url": REGIONS}, saved / "regions.json"),
            (
                {
                    "method": "GET",
                    "url": "https://sotkanet.fi/rest/1.1/json?years=2023&indicator=127",
                },
                saved / "kunta_91.csv",
            ),
            (
                {
                    "method": "post",
                    "url": "https://pxdata.stat.fi/PxWeb/api/v1/fi/t.px",
                    "body": {"response": {"format": "json-stat2"}, "query": []},
                },
                saved / "px.json",
            ),
            (
                {"method": "GET", "url": "https://example.org/gone", "status": 404},
                saved / "gone.json",
            ),
        ],
    )
    fetcher = _replaying(folder)
    assert fetcher.get_json("s", REGIONS) == [{"id": 1, "code": "091"}]
    # params match the URL's query string, in any order, numbers as text
    text = fetcher.get_text(
        "s", "https://sotkanet.fi/rest/1.1/json?indicator=127&years=2023", licence="x"
    )
    assert text.startswith("kunta;vuosi")
    assert (
        fetcher.request(
            "s",
            "GET",
            "https://sotkanet.fi/rest/1.1/json",
            params={"indicator": 127, "years": [2023]},
        )
        == (saved / "kunta_91.csv").read_bytes()
    )
    # JSON bodies match whatever their key order
    body = {"query": [], "response": {"format": "json-stat2"}}
    assert fetcher.post_json("s", "https://pxdata.stat.fi/PxWeb/api/v1/fi/t.px", body) == {
        "class": "dataset"
    }
    with pytest.raises(ReplayError):  # another body is another request
        fetcher.post_json("s", "https://pxdata.stat.fi/PxWeb/api/v1/fi/t.px", {"query": [1]})
    with pytest.raises(SourceError) as refused:
        fetcher.get_json("s", "https://example.org/gone")
    assert refused.value.key == "data.error.source_http"


def test_request_keys():
    base = "https://sotkanet.fi/rest/1.1/json"
    key = request_key("GET", f"{base}?a=1&b=2")
    assert key == request_key("get", f"{base}?b=2&a=1")
    assert key == request_key("GET", base, {"b": 2, "a": "1"})
    assert key == request_key("GET", f"{base}?b=2", {"a": 1})
    assert key != request_key("GET", f"{base}?a=1&b=3")
    assert key != request_key("POST", f"{base}?a=1&b=2")
    assert request_key("POST", base, None, {"a": {"x": 1, "y": 2}}) == request_key(
        "POST", base, None, {"a": {"y": 2, "x": 1}}
    )
    assert request_key("POST", base, None, {"a": [1, 2]}) != request_key(
        "POST", base, None, {"a": [2, 1]}
    )
    long = describe_request(request_key("POST", base, None, {"values": list(range(500))}))
    assert long.startswith(f"POST {base} ") and long.endswith("…") and len(long) < 200


# --- bounds and unusable folders -----------------------------------------------------------------
def _one_entry(folder: Path, **entry) -> Path:
    folder.mkdir(exist_ok=True)
    (folder / "a.json").write_text("{}")
    request = {"method": "GET", "url": REGIONS, "file": "a.json"} | entry
    path = folder / f"a{REQUEST_SUFFIX}"
    path.write_text(json.dumps(request), encoding="utf-8")
    return path


def test_an_over_large_answer_is_refused_with_a_sentence(tmp_path):
    folder = tmp_path / "replay"
    _one_entry(folder)
    with open(folder / "a.json", "wb") as handle:  # sparse: takes no disk space
        handle.truncate(MAX_REPLAY_BODY_BYTES + 1)
    with pytest.raises(ReplayError) as caught:
        ReplaySource(folder)
    assert caught.value.key == "data.error.replay_too_large"
    assert "a.json" in caught.value.render("fi") and "64.0" in caught.value.render("fi")


def test_too_many_files_are_refused(tmp_path):
    folder = tmp_path / "replay"
    _one_entry(folder)
    for n in range(3):
        (folder / f"extra{n}.txt").write_text("x")
    assert ReplaySource(folder, max_files=5).entries
    with pytest.raises(ReplayError) as caught:
        ReplaySource(folder, max_files=4)
    assert caught.value.key == "data.error.replay_too_many_files"


def test_an_answer_grown_after_loading_is_refused(tmp_path):
    folder = tmp_path / "replay"
    _one_entry(folder)
    source = ReplaySource(folder, max_body_bytes=10)
    (folder / "a.json").write_text("[" + "1," * 20 + "1]")
    with pytest.raises(ReplayError) as caught:
        Fetcher(replay=source).get_json("s", REGIONS)
    assert caught.value.key == "data.error.replay_too_large"


BROKEN = {
    "not_json": ("{not json", "data.reason.replay_not_json"),
    "not_object": ("[1, 2]", "data.reason.replay_not_object"),
    "unknown_field": ({"header": "x"}, "data.reason.replay_unknown_fields"),
    "method": ({"method": "DELETE"}, "data.reason.replay_field"),
    "url": ({"url": "file:///etc/passwd"}, "data.reason.replay_field"),
    "status": ({"status": "200"}, "data.reason.replay_field"),
    "params": ({"params": [1]}, "data.reason.replay_field"),
    "file_outside": ({"file": "../outside.json"}, "data.reason.replay_field"),
    "file_missing": ({"file": "nothing.json"}, "data.reason.replay_no_body"),
    "file_is_folder": ({"file": "sub"}, "data.reason.replay_no_body"),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_an_unusable_entry_is_named(case, tmp_path):
    content, reason = BROKEN[case]
    folder = tmp_path / "replay"
    path = _one_entry(folder)
    (folder / "sub").mkdir()
    (tmp_path / "outside.json").write_text("{}")
    if isinstance(content, str):
        path.write_text(content)
    else:
        _one_entry(folder, **content)
    with pytest.raises(ReplayError) as caught:
        ReplaySource(folder)
    assert caught.value.key == "data.error.replay_entry"
    assert caught.value.params["problem"].key == reason
    for lang in ("fi", "sv", "en"):
        assert path.name in caught.value.render(lang)


def test_a_link_to_a_file_outside_the_folder_is_refused(tmp_path):
    folder = tmp_path / "replay"
    _one_entry(folder, file="link.json")
    (tmp_path / "secret.json").write_text("{}")
    os.symlink(tmp_path / "secret.json", folder / "link.json")
    with pytest.raises(ReplayError) as caught:
        ReplaySource(folder)
    assert caught.value.params["problem"].key == "data.reason.replay_no_body"


def test_two_entries_for_one_request_are_refused(tmp_path):
    folder = tmp_path / "replay"
    _one_entry(folder)
    (folder / f"b{REQUEST_SUFFIX}").write_text(
        json.dumps({"method": "GET", "url": REGIONS + "?", "file": "a.json"})
    )
    with pytest.raises(ReplayError) as caught:
        ReplaySource(folder)
    assert caught.value.key == "data.error.replay_duplicate"
    assert REGIONS in caught.value.render("en")


@pytest.mark.parametrize("kind", ["missing", "empty", "file"])
def test_a_folder_that_is_no_recording_is_refused(kind, tmp_path):
    folder = tmp_path / "replay"
    if kind == "empty":
        folder.mkdir()
        (folder / "readme.txt").write_text("x")
    elif kind == "file":
        folder.write_text("x")
    with pytest.raises(ReplayError) as caught:
        ReplaySource(folder)
    expected = "data.error.replay_empty" if kind == "empty" else "data.error.replay_not_folder"
    assert caught.value.key == expected


# --- the command ---------------------------------------------------------------------------------
def _patch_online(monkeypatch, mock: MockSources) -> None:
    """``data update`` against the stand-in services (keeping the recorder it is given)."""
    import kuntadash.pipeline.update as update_module

    clock = FakeClock()
    real = update_module.Fetcher

    def factory(cache=None, recorder=None, replay=None):
        if replay is not None:
            return real(replay=replay, sleep=_no_sleep)
        return _online(mock, clock, cache=cache, recorder=recorder)

    monkeypatch.setattr(update_module, "Fetcher", factory)


def test_cli_records_then_replays(tmp_path, monkeypatch, capsys):
    from kuntadash.cli import main

    mock = MockSources()
    monkeypatch.chdir(tmp_path)
    with monkeypatch.context() as patch:
        _patch_online(patch, mock)
        args = ["data", "update", "--out", "online", "--cache-dir", "c", "--lang", "en"]
        assert main([*args, "--record", "rec"]) == 0
    assert len(_entries(tmp_path / "rec")) == len(mock.calls)
    capsys.readouterr()
    # replay: nothing may build a client or send a request
    with monkeypatch.context() as patch:
        patch.setattr(httpx.Client, "__init__", lambda *a, **k: pytest.fail("client built"))
        code = main(["data", "update", "--out", "replayed", "--replay", "rec", "--lang", "sv"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "hämtade värden" in captured.out
    assert (
        read_snapshot(tmp_path / "replayed").version == read_snapshot(tmp_path / "online").version
    )


def test_cli_record_and_replay_exclude_each_other(tmp_path, monkeypatch, capsys):
    from kuntadash.cli import main

    monkeypatch.chdir(tmp_path)
    code = main(["data", "update", "--out", "d", "--record", "r", "--replay", "p", "--lang", "fi"])
    assert code == 2
    assert "--record ja --replay eivät käy yhdessä" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("record", ["data", "data/rec", "."])
def test_cli_record_may_not_overlap_the_snapshot(record, tmp_path, monkeypatch, capsys):
    from kuntadash.cli import main

    monkeypatch.chdir(tmp_path)
    mock = MockSources()
    _patch_online(monkeypatch, mock)
    code = main(["data", "update", "--out", "data", "--record", record, "--lang", "en"])
    err = capsys.readouterr().err
    assert code == 1 and f"--record {record}: the recording may not be" in err
    assert mock.calls == [] and list(tmp_path.iterdir()) == []


def test_cli_replay_failures_are_sentences(tmp_path, monkeypatch, capsys, existing, no_network):
    from kuntadash.cli import main

    monkeypatch.chdir(tmp_path)
    shutil.copytree(existing, tmp_path / "snapshot")
    before = folder_bytes(tmp_path / "snapshot")
    args = ["data", "update", "--out", "snapshot", "--lang", "en", "--replay"]
    assert main([*args, "nowhere"]) == 1
    err = capsys.readouterr().err
    assert "--replay nowhere: there is no such folder" in err and "Traceback" not in err
    _one_entry(tmp_path / "rec")  # answers one request only
    assert main([*args, "rec"]) == 1
    err = capsys.readouterr().err
    assert "has no answer to the request GET https://data.stat.fi/" in err
    assert "Nothing was written: snapshot is unchanged." in err
    assert folder_bytes(tmp_path / "snapshot") == before


# --- real saved responses ------------------------------------------------------------------------
@pytest.mark.opendata
def test_real_saved_responses_replay_byte_identical(opendata, tmp_path, no_network):
    saved = opendata / "api_responses"
    regions = saved / "sotkanet" / "oskari_sotkanet_regions.json"
    px = saved / "statfi" / "truth_engine_kuntatalous_006_kta_19_2020.json"
    px_url = (
        "https://pxdata.stat.fi/PxWeb/api/v1/en/Kuntien_talous_ja_toiminta/Kunnat/"
        "9._Tunnusluvut/006_kta_19_2020.px"
    )
    query = {
        "query": [{"code": "Vuosi", "selection": {"filter": "item", "values": ["2020"]}}],
        "response": {"format": "json-stat2"},
    }
    folder = tmp_path / "replay"
    write_replay_folder(
        folder,
        [
            ({"method": "GET", "url": REGIONS, "content_type": "application/json"}, regions),
            ({"method": "POST", "url": px_url, "body": query}, px),
        ],
    )
    fetcher = _replaying(folder)
    assert fetcher.request("THL Sotkanet", "GET", REGIONS) == regions.read_bytes()
    reordered = {"response": {"format": "json-stat2"}, "query": query["query"]}
    body = fetcher.request("Statistics Finland (PxWeb)", "POST", px_url, json_body=reordered)
    assert body == px.read_bytes()
    doc = fetcher.post_json("Statistics Finland (PxWeb)", px_url, query)
    assert doc["class"] == "dataset" and len(doc["value"]) == 1860
    kunta = [r for r in fetcher.get_json("THL Sotkanet", REGIONS) if r["category"] == "KUNTA"]
    assert len(kunta) == 320
    # nothing of the real files stays in the repository
    assert not list(paths.TESTS.rglob("oskari_sotkanet_regions.json"))


def test_an_answer_keeps_its_recorded_time(tmp_path):
    recorder = Recorder(tmp_path / "rec")
    recorder.record("GET", REGIONS, None, None, Answer(200, "", b"[]", "2026-01-02T03:04:05Z"))
    fetcher = Fetcher(replay=ReplaySource(tmp_path / "rec"), wall_clock=lambda: 0.0)
    fetcher.get_json("THL Sotkanet", REGIONS)
    assert fetcher.log.accessed["THL Sotkanet"] == "2026-01-02T03:04:05Z"
    assert fetcher.log.calls["THL Sotkanet"] == 1


def test_the_entries_docs_data_md_shows_replay(tmp_path):
    text = (paths.REPO / "docs" / "DATA.md").read_text("utf-8")
    section = text.split("### Record and replay", 1)[1].split("\n## ", 1)[0]
    blocks = [b.split("```", 1)[0] for b in section.split("```json\n")[1:]]
    assert len(blocks) == 2
    folder = tmp_path / "replay"
    folder.mkdir()
    requests = []
    for n, block in enumerate(blocks):
        entry = json.loads(block)
        (folder / entry["file"]).write_text(f'{{"n": {n}}}')
        (folder / f"{n}{REQUEST_SUFFIX}").write_text(block)
        requests.append(entry)
    fetcher = _replaying(folder)
    for n, entry in enumerate(requests):
        got = fetcher.request("s", entry["method"], entry["url"], json_body=entry.get("body"))
        assert json.loads(got) == {"n": n}
