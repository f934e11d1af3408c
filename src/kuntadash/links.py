"""Addresses of the app's views in every output that carries one (pure Python, no streamlit):
the PDF brief's link and QR code (its link is the profile page's view), the event slides' QR
codes.

The one place where the public base address is decided: ``$KUNTADASH_PUBLIC_URL`` when the
operator set it (the address others can reach, e.g. a public deployment while a laptop
presents offline), else the address the reader's browser opened the app at, else the local
default. An address that is the making machine's own (localhost, 127.0.0.1, ::1) opens nothing
anywhere else, so every output that carries one also carries :func:`holder_warning`, a sentence
for the person holding the brief or looking at the slide (no setting names in it).
QR codes are drawn locally with segno: no network.
"""

from __future__ import annotations

import io
import ipaddress
import os
from collections.abc import Mapping
from urllib.parse import urlencode, urlsplit, urlunsplit

import segno

from kuntadash.i18n import translate

PUBLIC_URL_ENV = "KUNTADASH_PUBLIC_URL"
FALLBACK_BASE = "http://localhost:8501"
# What carries a link, for its warning's wording (locale keys links.local.<output>).
OUTPUTS = ("brief", "slides")


def public_base_url(seen_url: str = "", page_path: str = "") -> str:
    """The app's root address without a trailing slash: the configured public address, else
    the root of ``seen_url`` (the address a browser opened, ``page_path`` cut off its end),
    else the local default."""
    configured = os.environ.get(PUBLIC_URL_ENV, "").strip()
    if configured:
        return configured.rstrip("/")
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
