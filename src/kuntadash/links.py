"""Addresses of the app's views in every output that carries one (pure Python, no streamlit):
the PDF brief's link and QR code (its link is the profile page's view), the event slides' QR
codes, and the baked static pages' addresses.

The one place where the public base address is decided: ``$KUNTADASH_PUBLIC_URL`` when the
operator set it (the address others can reach, e.g. a public deployment while a laptop
presents offline), else the address the reader's browser opened the app at, else the local
default. An address that is the making machine's own (localhost, 127.0.0.1, ::1) opens nothing
anywhere else, so every output that carries one also carries :func:`holder_warning`, a sentence
for the person holding the brief or looking at the slide (no setting names in it).
QR codes are drawn locally with segno: no network.

A municipality's profile is shared as its baked static page (``/kunta/fi/kuopio/``, see
:mod:`kuntadash.report.site`) when that page is served: :func:`shared_profile_url` decides it,
for every output, from what the operator set: a public address (``$KUNTADASH_PUBLIC_URL``) and
a site folder (``$KUNTADASH_SITE_DIR``) whose current build holds the page. Otherwise the
interactive view's address is shared, as it was before there was a site. The baked pages'
address rule (slugs, paths) lives here so that the site and the links agree by construction.
"""

from __future__ import annotations

import io
import ipaddress
import os
import re
import unicodedata
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

import segno

from kuntadash.i18n import translate

PUBLIC_URL_ENV = "KUNTADASH_PUBLIC_URL"
FALLBACK_BASE = "http://localhost:8501"
# What carries a link, for its warning's wording (locale keys links.local.<output>).
OUTPUTS = ("brief", "slides", "page")
SITE_DIR_ENV = "KUNTADASH_SITE_DIR"  # where the baked site is built and served from
SITE_PATH = "/kunta"  # where the proxy serves the site, under the app's public address
SITE_CURRENT = "current"  # the symlink to the site's current build, which the proxy serves
_FOLD = str.maketrans({"ä": "a", "ö": "o", "å": "a", "Ä": "a", "Ö": "o", "Å": "a"})


def configured_public_url() -> str:
    """``$KUNTADASH_PUBLIC_URL`` without a trailing slash, "" when the operator set none."""
    return os.environ.get(PUBLIC_URL_ENV, "").strip().rstrip("/")


def public_base_url(seen_url: str = "", page_path: str = "") -> str:
    """The app's root address without a trailing slash: the configured public address, else
    the root of ``seen_url`` (the address a browser opened, ``page_path`` cut off its end),
    else the local default."""
    configured = configured_public_url()
    if configured:
        return configured
    parts = urlsplit(seen_url or "")
    if not parts.scheme or not parts.netloc:
        return FALLBACK_BASE
    path = parts.path.rstrip("/")
    suffix = "/" + page_path.strip("/")
    if page_path and path.endswith(suffix):
        path = path[: -len(suffix)]
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def is_local_address(url: str) -> bool:
    """Whether ``url`` points at the machine that opens it (localhost, 127.x.x.x, ::1, or the
    unspecified 0.0.0.0 / ::): a phone scanning a QR code of it reaches itself, not the app."""
    host = (urlsplit(url).hostname or "").strip("[]").lower().rstrip(".")
    if not host or host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified


def holder_warning(url: str, lang: str, output: str) -> str | None:
    """The sentence an ``output`` (one of :data:`OUTPUTS`) carries beside a link or QR code of
    ``url`` when that address works only on the machine that made it; None when it works."""
    if output not in OUTPUTS:
        raise ValueError(f"unknown output {output!r}, expected one of {OUTPUTS}")
    return translate(f"links.local.{output}", lang) if is_local_address(url) else None


def view_url(base: str, page_path: str, params: Mapping[str, tuple[object, object]]) -> str:
    """``base/page_path?...`` with each parameter given as (value, default); defaults left out."""
    query = {
        name: str(value)
        for name, (value, default) in params.items()
        if value not in (None, "") and str(value) != str(default)
    }
    path = f"{base}/{page_path.strip('/')}" if page_path else f"{base}/"
    return path + (f"?{urlencode(query)}" if query else "")


def qr_png(url: str, scale: int = 8) -> bytes:
    """A QR code of ``url`` as PNG bytes (medium error correction, quiet zone of 2)."""
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="png", scale=scale, border=2)
    return buffer.getvalue()


# --- the baked static pages ----------------------------------------------------------------------


def slugify(name: str) -> str:
    """``name`` as a readable address part: lowercase ASCII (ä→a, ö→o, å→a), anything else
    between letters and digits a single hyphen."""
    folded = unicodedata.normalize("NFKD", str(name).translate(_FOLD).lower())
    ascii_only = folded.encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_only).strip("-")


def slugs_of(names: Mapping[str, str]) -> dict[str, str]:
    """Every municipality's slug from ``names`` (code -> name in one language), unique: a name
    that folds to another's gets its municipality code appended (codes taken in order)."""
    slugs: dict[str, str] = {}
    taken: set[str] = set()
    for code in sorted(names):
        slug = slugify(names[code]) or code
        if slug in taken:
            slug = f"{slug}-{code}"
        taken.add(slug)
        slugs[code] = slug
    return slugs


def site_page_path(slug: str, lang: str) -> str:
    """A profile page's path inside the site: ``fi/kuopio/``."""
    return f"{lang}/{slug}/"


def site_page_url(base: str, slug: str, lang: str) -> str:
    """The address of a baked profile page under ``base`` (the app's public address)."""
    return f"{base.rstrip('/')}{SITE_PATH}/{site_page_path(slug, lang)}"


def site_dir() -> Path | None:
    """The site's folder: ``$KUNTADASH_SITE_DIR`` (None when unset: no site)."""
    configured = os.environ.get(SITE_DIR_ENV, "").strip()
    return Path(configured).expanduser() if configured else None


def served_page_url(code: str, lang: str, names: Mapping[str, str]) -> str | None:
    """The public address of municipality ``code``'s baked page in ``lang`` when it is served:
    a public address is configured, a site folder is configured, and its current build holds
    that page (one file check). None otherwise. ``names`` is every municipality's name in
    ``lang`` (the slugs are unique among them)."""
    base, folder = configured_public_url(), site_dir()
    if not base or folder is None or code not in names:
        return None
    slug = slugs_of(names)[code]
    if not (folder / SITE_CURRENT / site_page_path(slug, lang) / "index.html").is_file():
        return None
    return site_page_url(base, slug, lang)


def shared_profile_url(code: str, lang: str, names: Mapping[str, str], interactive: str) -> str:
    """The address every output shares for municipality ``code``'s profile: its baked page
    when that is served (:func:`served_page_url`), else ``interactive`` (the app's view)."""
    return served_page_url(code, lang, names) or interactive
