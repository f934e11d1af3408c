"""The baked static site: a profile page per municipality and language (report layer).

Every page is laid out from the same :class:`kuntadash.views.profile.ProfileView` the app's
profile page and the PDF brief draw (default comparison group: the municipality type, as the
app's profile opens), so the three never disagree. Pages are plain HTML with an inline screen and
print stylesheet and no JavaScript; every text from the data is escaped by Jinja2's autoescaping.

A build writes into a staging folder beside the served one and swaps a ``current`` symlink
atomically under a lock, so readers see either the old site or the new one, never half of each;
files whose content did not change are hard-linked from the previous build (their mtimes, and so
nginx's ETags, stay as they were). Only folders this module created (they carry a marker file)
are ever removed.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import io
import json
import os
import shutil
import time
from collections.abc import Iterable, Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from xml.sax.saxutils import escape as xml_escape

import jinja2
import pandas as pd
from filelock import FileLock, Timeout

from kuntadash.charts.palette import (
    BACKGROUND,
    BETTER,
    CARD_FAINT_TEXT,
    CARD_TEXT,
    CARD_TRACK,
    PRIMARY,
    WORSE,
)
from kuntadash.crs import NATIONAL_GRID
from kuntadash.domain.groups import DEFAULT_KIND, group_keys, is_partition, key_labels
from kuntadash.domain.peers import (
    DEFAULT_PEER_COUNT,
    DEFAULT_WEIGHTS,
    nearest_peers,
    standardise,
    structural_table,
)
from kuntadash.domain.population import population_history, population_in
from kuntadash.domain.scores import DimensionScores, score_dimensions
from kuntadash.domain.stats import reference_table
from kuntadash.i18n import DEFAULT_LANGUAGE, LANGUAGES, translate
from kuntadash.links import (
    SITE_CURRENT,
    SITE_DIR_ENV,  # noqa: F401 - where the pipeline rebakes the site (off when unset)
    SITE_PATH,
    public_base_url,
    site_dir,
    site_page_path,
    site_page_url,
    slugify,  # noqa: F401 - the slug rule, for callers of this module
    slugs_of,
)
from kuntadash.provenance import value_source_ids
from kuntadash.report.brief import FONT_DIR, profile_link
from kuntadash.store import Snapshot
from kuntadash.views.profile import (
    CHANGE_PERIOD,
    ProfileInputs,
    ProfileView,
    build_profile_view,
    municipality_names,
    present_ids,
    profile_numbers,
    reference_years,
    wide_values,
)

CURRENT = SITE_CURRENT  # the symlink the proxy serves
MARKER = ".kuntadash-site"  # in every folder a build created (only those are ever removed)
BUILD_NOTE = ".kuntadash-build.json"  # what a build was baked from (its fingerprint)
LOCK_TIMEOUT_S = 5.0
CARD_SIZE = (1200, 630)
MAP_WIDTH = 160.0  # the locator map's drawing width in SVG units
OUTLINE_TOLERANCE_M = 4000.0  # Finland's outline, simplified once per build
SHAPE_TOLERANCE_M = 1500.0  # each municipality's shape, simplified once per build
TEMPLATES = Path(__file__).with_name("templates")


class SiteError(Exception):
    """The site could not be built; ``render(lang)`` says why in words."""

    def __init__(self, key: str, **values: object) -> None:
        super().__init__(key)
        self.key, self.values = key, values

    def render(self, lang: str) -> str:
        return translate(self.key, lang, **self.values)


# --- addresses -----------------------------------------------------------------------------------


def site_slugs(snapshot: Snapshot, lang: str) -> dict[str, str]:
    """Every municipality's slug in ``lang`` (its Swedish name in sv), unique: a name that
    folds to another's gets its municipality code appended (the rule is
    :func:`kuntadash.links.slugs_of`, which the shared links follow too)."""
    return slugs_of(municipality_names(snapshot, lang))


def public_base() -> str:
    """The public address of the app (``$KUNTADASH_PUBLIC_URL``, else the local default),
    without a trailing slash, as decided for every output by :mod:`kuntadash.links`."""
    return public_base_url()


page_path = site_page_path  # the page's path inside the site: ``fi/kuopio/``


def baked_page_url(snapshot: Snapshot, code: str, lang: str, base: str | None = None) -> str:
    """The public address of municipality ``code``'s baked page in ``lang`` (for links and QR
    codes that should open without the interactive app)."""
    return site_page_url(base or public_base(), site_slugs(snapshot, lang)[code], lang)


def app_link(view: ProfileView) -> str:
    """The address that opens ``view`` in the interactive app (the app's URL-state keys)."""
    return profile_link(view, public_base())


# --- the tables every page shares, computed once per build -------------------------------------


@dataclass
class _Shared:
    """What the app's loaders cache per snapshot version, held for one build."""

    snapshot: Snapshot
    inputs: ProfileInputs
    standardised: pd.DataFrame
    drawing: _MapDrawing
    slugs: dict[str, dict[str, str]]
    names: dict[str, dict[str, str]]
    base: str


def _shared(snapshot: Snapshot, base: str) -> _Shared:
    years = reference_years(snapshot)
    wide = wide_values(snapshot)
    reference = reference_table(wide, years)
    codes = pd.Index(snapshot.municipalities["municipality_code"])
    population = population_in(population_history(snapshot.values), codes)
    raw = structural_table(snapshot.municipalities, reference, population.values)
    keys: dict[str, pd.Series] = {}
    partition_scores: dict[str, DimensionScores] = {}
    other_scores: dict[tuple[str, ...], DimensionScores] = {}

    def group_keys_of(kind: str) -> pd.Series:
        if kind not in keys:
            keys[kind] = group_keys(snapshot.municipalities, kind, population.values)
        return keys[kind]

    def scores(kind: str, members: pd.Index) -> DimensionScores:
        # the app's rule (ui.loaders): partitions scored once for all their groups
        if is_partition(kind):
            if kind not in partition_scores:
                found = group_keys_of(kind)
                partition_scores[kind] = score_dimensions(
                    reference, snapshot.catalogue, found.index, groups=found
                )
            return partition_scores[kind]
        key = tuple(sorted(map(str, members)))
        if key not in other_scores:
            other_scores[key] = score_dimensions(reference, snapshot.catalogue, members)
        return other_scores[key]

    inputs = ProfileInputs(
        years=years,
        wide=wide,
        reference=reference,
        population=population,
        structure=raw,
        weights=dict(DEFAULT_WEIGHTS),
        scores=scores,
        keys=group_keys_of,
        present=present_ids(snapshot),
        source_ids=value_source_ids(snapshot.values),
        memo={},  # what the profiles of this build share (views.profile.kept)
    )
    return _Shared(
        snapshot=snapshot,
        inputs=inputs,
        standardised=standardise(raw),
        drawing=_map_drawing(snapshot),
        slugs={lang: site_slugs(snapshot, lang) for lang in LANGUAGES},
        names={lang: municipality_names(snapshot, lang) for lang in LANGUAGES},
        base=base,
    )


def build_views(shared: _Shared, code: str) -> list[ProfileView]:
    """The profile of ``code`` in every language, as the app's profile opens it: default
    group, default peers. The figures are computed once and worded in each language."""
    peers = nearest_peers(shared.standardised, code, DEFAULT_WEIGHTS, DEFAULT_PEER_COUNT)
    inputs = ProfileInputs(**{**shared.inputs.__dict__, "peers": peers})
    numbers = profile_numbers(shared.snapshot, code, None, inputs)
    return [
        build_profile_view(shared.snapshot, code, lang, None, inputs, numbers) for lang in LANGUAGES
    ]


# --- the locator map -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _MapDrawing:
    """Finland's outline and every municipality's shape as SVG path data, simplified once."""

    width: float
    height: float
    outline: str
    shapes: Mapping[str, str]
    centres: Mapping[str, tuple[float, float]]


def _path_data(geometry, to_xy) -> str:
    parts = []
    polygons = getattr(geometry, "geoms", [geometry])
    for polygon in polygons:
        if polygon.is_empty or not hasattr(polygon, "exterior"):
            continue
        for ring in (polygon.exterior, *polygon.interiors):
            points = [to_xy(x, y) for x, y in ring.coords[:-1]]
            if len(points) < 3:
                continue
            parts.append(
                "M" + "L".join(f"{x:.1f} {y:.1f}" for x, y in points).replace(".0 ", " ") + "Z"
            )
    return "".join(parts)


def _map_drawing(snapshot: Snapshot) -> _MapDrawing:
    shapes = snapshot.boundaries.to_crs(NATIONAL_GRID)
    shapes = shapes[shapes.geometry.notna() & ~shapes.geometry.is_empty]
    if shapes.empty:
        return _MapDrawing(MAP_WIDTH, MAP_WIDTH, "", {}, {})
    minx, miny, maxx, maxy = shapes.total_bounds
    scale = MAP_WIDTH / (maxx - minx)
    height = (maxy - miny) * scale

    def to_xy(x: float, y: float) -> tuple[float, float]:
        return (x - minx) * scale, (maxy - y) * scale

    outline = shapes.geometry.union_all().simplify(OUTLINE_TOLERANCE_M)
    simplified = shapes.geometry.simplify(SHAPE_TOLERANCE_M)
    codes = shapes["municipality_code"].astype(str)
    centres = {
        code: to_xy(point.x, point.y)
        for code, point in zip(codes, shapes.geometry.representative_point(), strict=True)
    }
    return _MapDrawing(
        width=MAP_WIDTH,
        height=round(height, 1),
        outline=_path_data(outline, to_xy),
        shapes={
            code: _path_data(geometry, to_xy)
            for code, geometry in zip(codes, simplified, strict=True)
        },
        centres=centres,
    )


# --- pages ---------------------------------------------------------------------------------------


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    # A few locale texts mark commands with backticks for the app's markdown; plain here.
    env.filters["plain"] = lambda text: str(text).replace("`", "")
    return env


def _summary(view: ProfileView) -> str:
    """One sentence for link previews: each dimension's score (or that it has none)."""
    parts = ", ".join(
        view.tr("site.summary_part", dimension=d.label.lower(), score=d.score_text)
        for d in view.dimensions
    )
    return view.tr("site.summary", name=view.name, group=view.group.label, parts=parts)


def _alternates(shared: _Shared, code: str) -> list[tuple[str, str]]:
    root = f"{shared.base}{SITE_PATH}/"
    pairs = [(lang, root + page_path(shared.slugs[lang][code], lang)) for lang in LANGUAGES]
    default = root + page_path(shared.slugs[DEFAULT_LANGUAGE][code], DEFAULT_LANGUAGE)
    return [*pairs, ("x-default", default)]


def render_page(env: jinja2.Environment, shared: _Shared, view: ProfileView) -> str:
    code, lang = view.code, view.lang
    url = f"{shared.base}{SITE_PATH}/{page_path(shared.slugs[lang][code], lang)}"
    return env.get_template("profile.html.j2").render(
        v=view,
        t=view.tr,
        lang=lang,
        url=url,
        card_url=url + "card.png",
        summary=_summary(view),
        alternates=_alternates(shared, code),
        languages=[
            (other, translate("site.language_name", other), f"../../{other}/{slug}/")
            for other, slug in ((o, shared.slugs[o][code]) for o in LANGUAGES)
        ],
        app_link=app_link(view),
        map=shared.drawing,
        shape=shared.drawing.shapes.get(code, ""),
        centre=shared.drawing.centres.get(code),
        tables=view.indicator_tables,
        change_period=CHANGE_PERIOD,
        colours={"primary": PRIMARY, "better": BETTER, "worse": WORSE},
    )


def render_index(env: jinja2.Environment, shared: _Shared, lang: str) -> str:
    municipalities = shared.snapshot.municipalities
    labels = key_labels(municipalities, DEFAULT_KIND, lang)
    names, slugs = shared.names[lang], shared.slugs[lang]
    groups = []
    by_type = municipalities.groupby(municipalities[DEFAULT_KIND].fillna(""), sort=False)
    order = [key for key in labels if key in by_type.groups] + [
        key for key in by_type.groups if key not in labels
    ]
    for key in order:
        codes = by_type.get_group(key)["municipality_code"].astype(str)
        members = sorted(codes, key=lambda c: names[c].casefold())
        groups.append(
            (
                labels.get(key) or translate("site.all_municipalities", lang),
                [(names[c], f"{slugs[c]}/") for c in members],
            )
        )
    root = f"{shared.base}{SITE_PATH}/"
    return env.get_template("index.html.j2").render(
        t=lambda key, **values: translate(key, lang, **values),
        lang=lang,
        groups=groups,
        url=f"{root}{lang}/",
        alternates=[(o, f"{root}{o}/") for o in LANGUAGES]
        + [("x-default", f"{root}{DEFAULT_LANGUAGE}/")],
        languages=[(o, translate("site.language_name", o), f"../{o}/") for o in LANGUAGES],
        is_sample=shared.snapshot.is_sample,
    )


def render_sitemap(shared: _Shared) -> str:
    """Every profile page with its language alternates (absolute addresses)."""
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        'xmlns:xhtml="http://www.w3.org/1999/xhtml">',
    ]
    for code in sorted(shared.names[DEFAULT_LANGUAGE]):
        alternates = _alternates(shared, code)
        for lang, url in alternates[: len(LANGUAGES)]:
            del lang
            lines.append(f"<url><loc>{xml_escape(url)}</loc>")
            lines.extend(
                f'<xhtml:link rel="alternate" hreflang="{other}" href="{xml_escape(href)}"/>'
                for other, href in alternates
            )
            lines.append("</url>")
    lines.append("</urlset>")
    return "\n".join(lines) + "\n"


def render_robots(shared: _Shared) -> str:
    return f"User-agent: *\nAllow: /\nSitemap: {shared.base}{SITE_PATH}/sitemap.xml\n"


# --- the link preview card -----------------------------------------------------------------------


def render_card(view: ProfileView) -> bytes:
    """A 1200×630 PNG for link previews: the name and each dimension's score as a bar."""
    from PIL import Image, ImageDraw

    width, height = CARD_SIZE
    image = Image.new("RGB", CARD_SIZE, BACKGROUND)
    draw = ImageDraw.Draw(image)
    primary = PRIMARY
    draw.rectangle((0, 0, width, 16), fill=primary)
    draw.text((60, 50), view.tr("site.index_title"), fill=CARD_FAINT_TEXT, font=_font(False, 30))
    name_font = _font(True, 76 if len(view.name) <= 20 else 56)
    draw.text((60, 92), view.name, fill=primary, font=name_font)
    label_font = _font(False, 34)
    score_font = _font(True, 30)
    top, bar_left, bar_right = 230, 470, 850
    for index, summary in enumerate(view.dimensions):
        y = top + index * 80
        draw.text((60, y), summary.label, fill=CARD_TEXT, font=label_font)
        draw.rectangle((bar_left, y + 6, bar_right, y + 40), fill=CARD_TRACK)
        if summary.status == "scored":
            end = bar_left + (bar_right - bar_left) * max(0.0, min(100.0, summary.score)) / 100
            draw.rectangle((bar_left, y + 6, end, y + 40), fill=primary)
        middle = (bar_left + bar_right) / 2
        draw.line((middle, y, middle, y + 46), fill=CARD_TEXT, width=3)
        draw.text((bar_right + 24, y), summary.score_text, fill=CARD_TEXT, font=score_font)
    footer = view.tr("site.card_footer", group=view.group.label)
    draw.text((60, height - 70), footer, fill=CARD_FAINT_TEXT, font=_font(False, 28))
    buffer = io.BytesIO()
    # Few colours: a palette image is a third of the size and quick to compress.
    image.quantize(64, method=Image.Quantize.FASTOCTREE).save(
        buffer, format="PNG", compress_level=6
    )
    return buffer.getvalue()


@functools.cache
def _font(bold: bool, size: int):
    from PIL import ImageFont

    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    return ImageFont.truetype(str(FONT_DIR / name), size)


# --- building ------------------------------------------------------------------------------------

_WORKER: dict[str, _Shared] = {}


def _bake(codes: list[str]) -> dict[str, bytes]:
    """The files of ``codes``' pages in every language: {relative path: bytes}."""
    shared = _WORKER["shared"]
    env = _environment()
    files: dict[str, bytes] = {}
    for code in codes:
        for view in build_views(shared, code):
            lang = view.lang
            folder = page_path(shared.slugs[lang][code], lang)
            files[folder + "index.html"] = render_page(env, shared, view).encode("utf-8")
            files[folder + "card.png"] = render_card(view)
    return files


@dataclass(frozen=True)
class SiteReport:
    """What a build did."""

    folder: Path  # the built site (what ``current`` now points at)
    pages: int  # profile pages
    written: int  # files written anew
    kept: int  # files unchanged since the previous build (linked, not rewritten)
    seconds: float

    def render(self, lang: str) -> str:
        return translate(
            "site.build_done",
            lang,
            pages=self.pages,
            dir=self.folder,
            written=self.written,
            kept=self.kept,
            seconds=f"{self.seconds:.1f}",
        )


def build_site(
    snapshot: Snapshot,
    out: Path,
    *,
    base: str | None = None,
    workers: int | None = None,
    codes: Iterable[str] | None = None,
    force: bool = False,
) -> SiteReport:
    """Bake the site of ``snapshot`` into a new folder under ``out`` and make it current.

    The old site keeps being served until the new one is complete; on any failure it is left as
    it was and the half-built folder is removed. When the current site was baked from the same
    snapshot, addresses and program (:func:`build_fingerprint`), nothing is baked unless
    ``force``. Raises SiteError when another build holds the lock."""
    started = time.monotonic()
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(out / ".site.lock"), timeout=LOCK_TIMEOUT_S)
    try:
        lock.acquire()
    except Timeout as exc:
        raise SiteError("site.busy", dir=out) from exc
    codes = None if codes is None else sorted(map(str, codes))
    fingerprint = build_fingerprint(snapshot, (base or public_base()).rstrip("/"), codes)
    try:
        done = None if force else _unchanged(out, fingerprint)
        if done is not None:
            folder, pages, kept = done
            return SiteReport(folder, pages, 0, kept, time.monotonic() - started)
        files = bake_files(snapshot, base=base, workers=workers, codes=codes)
        pages = sum(1 for path in files if path.count("/") == 2 and path.endswith("/index.html"))
        note = {"fingerprint": fingerprint, "pages": pages, "files": len(files)}
        folder, written, kept = _publish(out, files, snapshot.version, note)
    finally:
        lock.release()
    return SiteReport(folder, pages, written, kept, time.monotonic() - started)


def build_fingerprint(snapshot: Snapshot, base: str, codes: Iterable[str] | None = None) -> str:
    """What a build's files depend on: the snapshot's content hash, the public address, the
    municipalities baked, and every file of this program (code, templates, texts, fonts)."""
    digest = hashlib.sha256()
    digest.update(f"{snapshot.version}\n{base}\n{codes}\n".encode())
    package = Path(__file__).resolve().parents[1]
    for path in sorted(package.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(package)).encode() + b"\0")
            digest.update(path.read_bytes())
    return digest.hexdigest()


def _unchanged(out: Path, fingerprint: str) -> tuple[Path, int, int] | None:
    """The current build (folder, pages, files) when it was baked with ``fingerprint`` and
    still holds as many files as it wrote; None otherwise."""
    if not (out / CURRENT).is_symlink():
        return None
    folder = (out / CURRENT).resolve()
    try:
        note = json.loads((folder / BUILD_NOTE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(note, dict) or note.get("fingerprint") != fingerprint:
        return None
    count = sum(1 for p in folder.rglob("*") if p.is_file()) - 2  # the marker and this note
    if count != note.get("files"):
        return None
    return folder, int(note.get("pages", 0)), count


def bake_files(
    snapshot: Snapshot,
    *,
    base: str | None = None,
    workers: int | None = None,
    codes: Iterable[str] | None = None,
) -> dict[str, bytes]:
    """Every file of the site as {relative path: bytes}, nothing written."""
    shared = _shared(snapshot, (base or public_base()).rstrip("/"))
    all_codes = sorted(shared.names[DEFAULT_LANGUAGE]) if codes is None else list(codes)
    workers = workers or max(1, min(os.cpu_count() or 1, 4))
    _WORKER["shared"] = shared
    # read the texts and resource files once here: forked workers inherit them
    for lang in LANGUAGES:
        render_index(_environment(), shared, lang)
    try:
        if workers == 1 or len(all_codes) < 8:
            files = _bake(all_codes)
        else:
            chunks = [all_codes[i :: workers * 4] for i in range(workers * 4)]
            files = {}
            # fork: the workers inherit the shared tables instead of pickling them
            import multiprocessing

            context = multiprocessing.get_context("fork")
            with ProcessPoolExecutor(workers, mp_context=context) as pool:
                for part in pool.map(_bake, chunks):
                    files.update(part)
    finally:
        _WORKER.clear()
    env = _environment()
    for lang in LANGUAGES:
        files[f"{lang}/index.html"] = render_index(env, shared, lang).encode("utf-8")
    files["index.html"] = (
        env.get_template("root.html.j2")
        .render(
            languages=[(o, translate("site.language_name", o), f"{o}/") for o in LANGUAGES],
            title=translate("site.index_title", DEFAULT_LANGUAGE),
        )
        .encode("utf-8")
    )
    files["sitemap.xml"] = render_sitemap(shared).encode("utf-8")
    files["robots.txt"] = render_robots(shared).encode("utf-8")
    return files


def _digest(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def _publish(
    out: Path, files: Mapping[str, bytes], version: str, note: Mapping[str, object]
) -> tuple[Path, int, int]:
    """Write ``files`` into a new folder under ``out``, linking unchanged ones from the current
    site, then point ``current`` at it in one rename."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
    staging = out / f"site.tmp-{stamp}-{os.getpid()}"
    final = out / f"site-{stamp}-{(version or 'unversioned')[:12]}"
    previous = (out / CURRENT).resolve() if (out / CURRENT).is_symlink() else None
    written = kept = 0
    staging.mkdir()
    try:
        (staging / MARKER).write_text(version + "\n", encoding="utf-8")
        (staging / BUILD_NOTE).write_text(json.dumps(dict(note)), encoding="utf-8")
        for relative, data in files.items():
            target = staging / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            old = previous / relative if previous is not None else None
            if old is not None and _digest(old) == hashlib.sha256(data).hexdigest():
                os.link(old, target)  # the same inode: content and mtime as they were
                kept += 1
                continue
            target.write_bytes(data)
            os.chmod(target, 0o644)
            written += 1
        os.chmod(staging, 0o755)
        os.rename(staging, final)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    link = out / f".{CURRENT}.tmp-{os.getpid()}"
    if link.is_symlink():
        link.unlink()
    os.symlink(final.name, link)
    os.replace(link, out / CURRENT)
    _sweep(out, keep={final, *([previous] if previous else [])})
    return final, written, kept


def _sweep(out: Path, keep: set[Path]) -> None:
    """Remove earlier builds but the current one and the one before it (a reader may be midway
    through its pages): only folders this module created."""
    kept = {k.resolve() for k in keep}
    for folder in out.iterdir():
        if folder.is_symlink() or not folder.name.startswith("site-"):
            continue
        if (folder / MARKER).is_file() and folder.resolve() not in kept:
            shutil.rmtree(folder)


def gzipped_size(data: bytes) -> int:
    return len(gzip.compress(data, 9))


# --- the pipeline's step -------------------------------------------------------------------------


@dataclass(frozen=True)
class SiteNote:
    """What the pipeline's site step did, for the update's or import's report."""

    key: str
    values: Mapping[str, object]

    def render(self, lang: str) -> str:
        values = {k: v.render(lang) if hasattr(v, "render") else v for k, v in self.values.items()}
        return translate(self.key, lang, **values)


@dataclass(frozen=True)
class _Failure:
    reason: str

    def render(self, lang: str) -> str:
        return translate("site.build_failed", lang, reason=self.reason)


def rebuild_after_write(snapshot: Snapshot) -> SiteNote | None:
    """After a new snapshot was swapped in: rebake the site when one is configured
    (``$KUNTADASH_SITE_DIR``; None when unset). A failure is reported in the note, never
    raised: the snapshot is already written."""
    folder = site_dir()
    if folder is None:
        return None
    try:
        report = build_site(snapshot, folder)
    except SiteError as exc:
        return SiteNote("site.after_update_failed", {"reason": exc})
    except Exception as exc:  # any failure of this extra step is reported, never raised
        return SiteNote("site.after_update_failed", {"reason": _Failure(type(exc).__name__)})
    return SiteNote(
        "site.build_done",
        {
            "pages": report.pages,
            "dir": report.folder,
            "written": report.written,
            "kept": report.kept,
            "seconds": f"{report.seconds:.1f}",
        },
    )


def after_write(snapshot: Snapshot, folder: Path) -> SiteNote | None:
    """The pipeline's ``AFTER_WRITE`` hook (registered by the command line): the site rebaked
    from the snapshot just written to ``folder`` when ``$KUNTADASH_SITE_DIR`` is set and
    ``folder`` is the data the app serves (a sample or a test snapshot written elsewhere never
    replaces the public pages)."""
    from kuntadash.store.locations import default_data_dir

    if Path(folder).resolve() != default_data_dir().resolve():
        return None
    return rebuild_after_write(snapshot)
