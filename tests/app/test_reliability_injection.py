"""Nothing injected (issue 7, item 3): data that contains markup is shown as text, never run.

A snapshot whose municipality, region, indicator, unit and source texts carry ``<script>``,
``<img onerror>`` and markdown (``**x**``, ``[a](javascript:...)``) is served to every page with
AppTest; every element that Streamlit renders as markdown (text, headings, captions, alerts,
expander / tab / metric / widget labels and help) must carry the payload escaped, never raw. The
browser half (tests/browser/test_injection_browser.py) checks that no dialog fires and the text
reads literally. Then the static guards: no ``unsafe_allow_html`` / ``st.html`` with data,
uploads limited in size and type, file names that cannot leave the data directory, XSRF
protection on, and no secrets in the repository.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tomllib
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Block, Element, Widget

from kuntadash.importing import DataImportError, safe_file_name
from kuntadash.pipeline.uploads import MAX_UPLOAD_BYTES, UPLOAD_TYPES, import_uploads
from kuntadash.store import read_snapshot
from kuntadash.store.locations import BUNDLED_SAMPLE_DIR as SAMPLE_DIR
from kuntadash.store.snapshot import write_snapshot
from kuntadash.ui.widgets import escape_markdown
from tests import paths
from tests.apptest import open_profile_sections
from tests.fixtures.admin import SECRET as ADMIN_SECRET
from tests.fixtures.admin import try_sign_in
from tests.fixtures.import_helpers import folder_bytes

REPO = paths.REPO
SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
BOLD = "**x**"
LINK = "[a](javascript:alert(1))"
ANCHOR = '<a href="javascript:alert(1)">j</a>'
# Substrings that may never reach a markdown-rendered element unescaped.
RAW_MARKERS = ("<script", "<img", "**x**", "](javascript:", "<b>", "<a href")
HOSTILE_NAMES = {
    "091": (f"Helsinki {SCRIPT}", f"Helsingfors {SCRIPT}"),
    "049": (f"Espoo {IMG}", f"Esbo {IMG}"),
    "092": (f"Vantaa {BOLD} {LINK} {ANCHOR}", f"Vanda {BOLD} {LINK} {ANCHOR}"),
}


def build_hostile_snapshot(target: Path) -> Path:
    """The committed sample with markup in names, regions, indicator texts and sources."""
    sample = read_snapshot(SAMPLE_DIR)
    municipalities = sample.municipalities.copy()
    for code, (fi, sv) in HOSTILE_NAMES.items():
        row = municipalities["municipality_code"] == code
        municipalities.loc[row, "name_fi"] = fi
        municipalities.loc[row, "name_sv"] = sv
    region = municipalities.loc[municipalities["municipality_code"] == "091", "region_code"].iloc[0]
    in_region = municipalities["region_code"] == region
    for lang in ("fi", "sv", "en"):
        municipalities.loc[in_region, f"region_name_{lang}"] = f"Uusimaa {IMG}"
        municipalities.loc[in_region, f"wellbeing_county_name_{lang}"] = f"Vantaa {LINK}"
    catalogue = sample.catalogue.copy()
    for lang in ("fi", "sv", "en"):
        catalogue[f"name_{lang}"] = catalogue[f"name_{lang}"] + f" {IMG} {BOLD}"
        catalogue[f"unit_{lang}"] = catalogue[f"unit_{lang}"] + " <b>u</b>"
        catalogue[f"definition_{lang}"] = catalogue[f"definition_{lang}"] + f" {SCRIPT} {LINK}"
        catalogue[f"interpretation_{lang}"] = (
            catalogue[f"interpretation_{lang}"].fillna("") + f" {BOLD} {IMG}"
        )
    catalogue["licence"] = catalogue["licence"] + f" {IMG}"
    catalogue["table"] = catalogue["table"].fillna("") + f" {LINK}"
    manifest = {
        **sample.manifest,
        "title": f"kuntadash {SCRIPT}",
        "sources": [
            {**source, "publisher": f"{source.get('publisher', '')} {IMG}"}
            for source in sample.manifest.get("sources", [])
        ],
    }
    hostile = replace(sample, manifest=manifest, municipalities=municipalities, catalogue=catalogue)
    write_snapshot(hostile, target)
    return target


@pytest.fixture(scope="module")
def hostile_dir(tmp_path_factory) -> Path:
    return build_hostile_snapshot(tmp_path_factory.mktemp("hostile") / "data")


@pytest.fixture
def hostile(hostile_dir, monkeypatch) -> Path:
    monkeypatch.setenv("KUNTADASH_DATA_DIR", str(hostile_dir))
    return hostile_dir


def _walk(node):
    yield node
    children = getattr(node, "children", None)
    if isinstance(children, dict):
        for child in children.values():
            yield from _walk(child)


MARKDOWN_BODIES = frozenset(
    {"markdown", "caption", "latex", "title", "header", "subheader", "heading"}
    | {"error", "warning", "info", "success", "alert", "toast"}
)


def markdown_texts(at: AppTest) -> list[tuple[str, str]]:
    """(kind, text) of everything in the page that Streamlit renders as markdown."""
    texts: list[tuple[str, str]] = []
    for node in _walk(at._tree):
        proto = getattr(node, "proto", None)
        kind = getattr(node, "type", type(node).__name__)
        if isinstance(node, Block):
            label = getattr(node, "label", None)
            if isinstance(label, str):
                texts.append((kind, label))
            continue
        if not isinstance(node, Element) or proto is None:
            continue
        if kind in MARKDOWN_BODIES:
            texts.append((kind, proto.body))
        elif kind == "metric":
            texts += [(kind, proto.label), (kind, proto.help)]
        elif isinstance(node, Widget):
            texts += [(kind, getattr(proto, "label", "")), (kind, getattr(proto, "help", ""))]
    return texts


def _app_pages() -> list[str]:
    source = (REPO / "app.py").read_text()
    return re.findall(r"st\.Page\(\s*\"(pages/[a-z_]+\.py)\"", source)


def _unescaped(text: str) -> str:
    """``text`` with every backslash-escaped character blanked out: what markdown would still
    interpret."""
    return re.sub(r"\\[!-/:-@\[-`{-~]", "\x00", text)


def _assert_nothing_raw(at: AppTest, where: str) -> None:
    assert not at.exception, [e.message for e in at.exception]
    leaks = [
        (kind, text[:160])
        for kind, text in markdown_texts(at)
        for marker in RAW_MARKERS
        if marker in _unescaped(text)
    ]
    assert not leaks, f"{where}: data rendered as markdown/HTML: {leaks}"


# Every page in Finnish; Swedish (other name columns, same escaping) on the two pages that show
# the most names, to keep the suite quick.
CASES = [(page, "fi") for page in _app_pages()] + [
    ("pages/overview.py", "sv"),
    ("pages/municipality.py", "sv"),
]


@pytest.mark.parametrize(("page", "lang"), CASES)
def test_every_page_shows_hostile_names_as_text(hostile, page, lang):
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    at.query_params["lang"] = lang
    at.query_params["kunta"] = "091"
    at.run()
    if page != "pages/overview.py":
        at.switch_page(page)
        at.run()
    _assert_nothing_raw(at, f"{page} ({lang})")


def test_the_hostile_name_is_shown_escaped_on_the_profile(hostile):
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    at.query_params["kunta"] = "091"
    at.run()
    at.switch_page("pages/municipality.py")
    at.run()
    assert not at.exception
    open_profile_sections(at)  # the trends' indicator choice is in a folded section
    shown = [text for _, text in markdown_texts(at)]
    assert escape_markdown(HOSTILE_NAMES["091"][0]) in shown  # the title, literally
    # Plain-text widgets (options, tables) keep the name as it is: no backslashes there.
    options = [option for box in at.selectbox for option in box.options]
    assert any(option.endswith(f" {IMG} {BOLD}") for option in options)  # indicator names


def test_values_from_a_link_are_shown_as_text(hostile):
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    at.query_params["kunta"] = f"{LINK}{SCRIPT}"
    at.query_params["indicator"] = f"{IMG}{BOLD}"
    at.run()
    _assert_nothing_raw(at, "invalid link values")
    notices = [text for kind, text in markdown_texts(at) if kind == "info"]
    assert any(escape_markdown(f"{LINK}{SCRIPT}") in text for text in notices)


def test_import_messages_quoting_file_contents_are_shown_as_text(tmp_path, monkeypatch):
    served = tmp_path / "data"
    shutil.copytree(SAMPLE_DIR, served)
    monkeypatch.setenv("KUNTADASH_DATA_DIR", str(served))
    monkeypatch.setenv("KUNTADASH_ADMIN_SECRET", ADMIN_SECRET)
    page = REPO / "pages" / "data.py"
    if not page.exists():
        pytest.skip("no Data page")
    at = AppTest.from_file(str(page), default_timeout=60)
    at.run()
    try_sign_in(at, ADMIN_SECRET)
    hostile_csv = f"kunta,indikaattori,vuosi,arvo\n{IMG} {BOLD},unemployment_rate,2024,1\n"
    at.file_uploader[0].set_value(("hostile.csv", hostile_csv.encode(), "text/csv"))
    at.button[-1].click()  # the form's submit button
    at.run()
    _assert_nothing_raw(at, "import error list")
    assert any("hostile" in text for _, text in markdown_texts(at))


# --- static guards -------------------------------------------------------------------------------
def _tracked_files() -> list[Path]:
    listed = subprocess.run(
        ["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True
    ).stdout.split(b"\0")
    return [REPO / name.decode() for name in listed if name and (REPO / name.decode()).is_file()]


def _python_sources() -> list[Path]:
    return [
        REPO / "app.py",
        *sorted((REPO / "pages").glob("*.py")),
        *sorted((REPO / "src" / "kuntadash").rglob("*.py")),
    ]


def test_no_unsafe_allow_html_anywhere():
    offenders = [
        f"{path.relative_to(REPO)}:{number}"
        for path in _python_sources()
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if re.search(r"unsafe_allow_html\s*=\s*True", line)
    ]
    assert not offenders


# The one component: its code is a file of the package, named by constants (its style sheet a
# constant built from the palette when the module loads); data reach it as JSON.
_COMPONENT_DECLARATION = re.compile(
    r'st\.components\.v2\.component\([A-Z_]+, js="[a-z_-]+\.js"(?:, css=[A-Z][A-Z0-9_]*)?\)'
)
# What st.html may be given: a constant, of this module or another's, or one item of a constant
# table picked by a plain name (the slides' styles for 0–2 notices).
_CONSTANT = re.compile(r"(?:[a-z_]+\.)?[A-Z][A-Z0-9_]*(?:\[[a-z_][a-z0-9_]*\])?")


def test_st_html_and_components_get_constants_only():
    """``st.html`` renders raw HTML: it may only be given module-level constants (CSS, fixed
    markup) or an item of a constant table, never an expression built from data. Components
    likewise: no ``components.v1`` or ``components.html``; a v2 component only from a constant
    name and a script file of the package (its style sheet a constant built from the palette),
    with no inline HTML or JavaScript (what it shows of the data it writes as
    text, see ``test_map_script_writes_data_as_text_only``)."""
    offenders = []
    for path in _python_sources():
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            if re.search(r"components\.v1|components\.html", line) or (
                re.search(r"st\.components", line) and not _COMPONENT_DECLARATION.search(line)
            ):
                offenders.append(f"{path.relative_to(REPO)}:{number}: {line.strip()}")
            call = re.search(r"st\.html\((.*)\)", line)
            if call and not _CONSTANT.fullmatch(call.group(1).strip()):
                offenders.append(f"{path.relative_to(REPO)}:{number}: {line.strip()}")
    assert not offenders


def test_map_script_writes_data_as_text_only():
    """The overview map's script shows names, values and legend texts through ``textContent``
    and attributes: no HTML parsing of anything, no code built from strings."""
    script = (REPO / "src" / "kuntadash" / "ui" / "map_component" / "map.js").read_text()
    sinks = r"innerHTML|outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function|srcdoc"
    assert not re.findall(sinks, script)
    assert "textContent" in script


def test_xsrf_protection_stays_on_and_uploads_are_bounded():
    config = tomllib.loads((REPO / ".streamlit" / "config.toml").read_text())
    server = config["server"]
    assert server.get("enableXsrfProtection", True) is True
    # enableCORS=false would switch XSRF protection off in Streamlit: keep CORS protection on.
    assert server.get("enableCORS", True) is True
    assert 0 < server["maxUploadSize"] <= 50  # MB, Streamlit's own cap on one upload
    assert server["maxUploadSize"] * 2**20 >= MAX_UPLOAD_BYTES  # ours is the tighter one


def test_upload_types_are_data_formats_only():
    assert set(UPLOAD_TYPES) <= {
        "csv", "txt", "tsv", "json", "geojson", "topojson", "gpkg", "xlsx", "parquet",
        "yaml", "yml",
    }  # fmt: skip
    risky = {"html", "htm", "svg", "js", "py", "exe", "sh", "xlsm", "zip", "pkl", "pickle"}
    assert not risky & set(UPLOAD_TYPES)


def test_file_uploader_passes_the_allowed_types():
    page = REPO / "pages" / "data.py"
    if not page.exists():
        pytest.skip("no Data page")
    source = page.read_text()
    assert re.search(r"file_uploader\(.{0,200}?type=list\(UPLOAD_TYPES\)", source, re.S)


@pytest.mark.parametrize(
    "name",
    [
        "../data/manifest.json",
        "..",
        "/etc/passwd",
        "C:\\Windows\\x.csv",
        "a/../../b.csv",
        "%2e%2e%2fetc.csv",
        "x.csv\x00.txt",
        "nul\n.csv",
        "~/.ssh/id_rsa",
        "a" * 200 + ".csv",
    ],
)
def test_hostile_upload_names_are_refused(name):
    with pytest.raises(DataImportError) as caught:
        safe_file_name(name)
    assert caught.value.messages[0].key == "data.error.unsafe_name"


def test_an_upload_never_writes_outside_the_data_directory(tmp_path):
    served = tmp_path / "root" / "data"
    served.parent.mkdir()
    shutil.copytree(SAMPLE_DIR, served)
    around = {p.name for p in served.parent.iterdir()}
    before = folder_bytes(served)
    with pytest.raises(DataImportError):
        import_uploads([("../manifest.json", b'{"format_version": 1}')], served)
    assert folder_bytes(served) == before
    assert {p.name for p in served.parent.iterdir()} <= around | {".data.lock"}


def test_oversized_upload_is_refused_before_it_is_written(tmp_path):
    served = tmp_path / "data"
    shutil.copytree(SAMPLE_DIR, served)
    before = folder_bytes(served)
    with pytest.raises(DataImportError) as caught:
        import_uploads([("big.csv", b"0" * (MAX_UPLOAD_BYTES + 1))], served)
    assert caught.value.messages[0].key == "data.error.file_too_large"
    assert folder_bytes(served) == before


SECRET_PATTERNS = {
    "private key": re.compile(r"-----BEGIN (?:RSA |EC |DSA |OPENSSH |PGP |ENCRYPTED )?PRIVATE KEY"),
    "AWS access key": re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"),
    "GitHub token": re.compile(r"\bgh[pousr]_[A-Za-z0-9]{36,}\b|\bgithub_pat_[A-Za-z0-9_]{40,}"),
    "GitLab token": re.compile(r"\bglpat-[A-Za-z0-9_\-]{20,}"),
    "Slack token": re.compile(r"\bxox[abprs]-[A-Za-z0-9-]{10,}"),
    "Google API key": re.compile(r"\bAIza[0-9A-Za-z_\-]{35}\b"),
    "OpenAI-style key": re.compile(r"\bsk-(?:proj-)?[A-Za-z0-9_\-]{32,}"),
    "Stripe key": re.compile(r"\b[rs]k_live_[0-9A-Za-z]{20,}"),
    "JWT": re.compile(r"\beyJ[A-Za-z0-9_\-]{10,}\.eyJ[A-Za-z0-9_\-]{10,}\.[A-Za-z0-9_\-]{10,}"),
    "password assignment": re.compile(
        r"(?i)\b(?:password|passwd|secret|api[_-]?key|token)\b\s*[:=]\s*[\"'][^\"'\s]{8,}[\"']"
    ),
    "credentials in a URL": re.compile(r"[a-z][a-z0-9+.-]*://[^/\s:@\"']+:[^/\s:@\"']+@[\w.-]+"),
}


def test_no_secrets_are_tracked_in_the_repository():
    findings = []
    for path in _tracked_files():
        if path.suffix in {".parquet", ".png", ".jpg", ".ico", ".xlsx", ".gpkg", ".woff2"}:
            continue
        if path.stat().st_size > 5_000_000:
            continue
        text = path.read_bytes().decode("utf-8", errors="ignore")
        for what, pattern in SECRET_PATTERNS.items():
            for match in pattern.finditer(text):
                if path == Path(__file__):
                    continue  # the patterns themselves
                findings.append(f"{path.relative_to(REPO)}: {what}: {match.group(0)[:24]}…")
    names = [p for p in _tracked_files() if p.name in {".env", "secrets.toml", "id_rsa"}]
    assert not findings and not names, findings + [str(p) for p in names]


def test_secret_patterns_catch_what_they_should():
    # Guard the guard: each pattern finds a made-up secret of its kind (built at run time).
    samples = {
        "private key": "-----BEGIN RSA " + "PRIVATE KEY-----",
        "AWS access key": "AKIA" + "Q" * 16,
        "GitHub token": "ghp_" + "a1" * 18,
        "password assignment": "password = " + '"' + "hunter22hunter" + '"',
        "credentials in a URL": "https://" + "user:pa55word@" + "example.org/x",
    }
    for what, text in samples.items():
        assert SECRET_PATTERNS[what].search(text), what


def test_secrets_file_is_ignored():
    ignored = (REPO / ".gitignore").read_text()
    assert ".streamlit/secrets.toml" in ignored or "secrets.toml" in ignored


def test_escape_markdown_keeps_plain_names_readable():
    assert escape_markdown("Helsinki") == "Helsinki"
    assert escape_markdown("Pedersöre – Pedersören kunta") == "Pedersöre – Pedersören kunta"
    assert escape_markdown(SCRIPT) == r"\<script\>alert\(1\)\<\/script\>"
    assert escape_markdown("a\nb") == "a b"
    frame = pd.DataFrame({"x": [escape_markdown(BOLD)]})
    assert frame["x"].iloc[0] == r"\*\*x\*\*"


# --- downloads: names never become spreadsheet formulas -----------------------------------------
FORMULAS = ['=HYPERLINK("http://x.invalid","click")', "@SUM(1+1)*cmd|' /C calc'!A0", "+1+1", "-2+3"]


def test_csv_and_excel_downloads_never_carry_a_live_formula(hostile_dir):
    import io

    import openpyxl

    from kuntadash.ui.downloads import table_csv_bytes, table_excel_bytes

    frame = pd.DataFrame(
        {
            "name": [*FORMULAS, "Helsinki", "-3,2 %"],
            FORMULAS[0]: range(6),  # a header made of data (wide tables use names as columns)
            "value": [1.5, -2.0, 3.0, 4.0, 5.0, 6.0],
        }
    )
    csv_text = table_csv_bytes(frame).decode("utf-8-sig")
    for formula in FORMULAS:
        assert f"\n{formula}" not in csv_text and f",{formula}" not in csv_text
        assert "'" + formula.split('"')[0] in csv_text
    assert "\nHelsinki," in csv_text and "-3,2 %" in csv_text and ",-2\n" in csv_text

    book = table_excel_bytes(frame, read_snapshot(hostile_dir), ["unemployment_rate"], "fi")
    workbook = openpyxl.load_workbook(io.BytesIO(book))
    formulas = [
        (sheet.title, cell.coordinate, cell.value)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.data_type == "f"
    ]
    assert formulas == []
