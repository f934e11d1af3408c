"""Links to views of the app and their QR codes (UI layer).

A view's link is the page's path plus its state as query parameters, defaults left out (the same
form ui.state writes). The base URL is ``$KUNTADASH_PUBLIC_URL`` when set (the address the
audience can reach, e.g. a public deployment while the laptop runs offline), else the address
the presenter's browser used (``st.context.url``, Streamlit 1.67: scheme, host, port and path of
the page, without the query). That address is of no use to the audience when it is the
presenting machine's own (localhost, 127.0.0.1, ::1): :func:`is_local_address` says so, for a
warning. QR codes are drawn locally with segno: no network.
"""

from __future__ import annotations

import io
import ipaddress
import os
from collections.abc import Mapping
from urllib.parse import urlencode, urlsplit, urlunsplit

import segno
import streamlit as st

PUBLIC_URL_ENV = "KUNTADASH_PUBLIC_URL"
FALLBACK_BASE = "http://localhost:8501"


def app_base_url(current_page_path: str = "") -> str:
    """The app's root URL without a trailing slash (public URL if configured)."""
    configured = os.environ.get(PUBLIC_URL_ENV, "").strip()
    if configured:
        return configured.rstrip("/")
    url = st.context.url or ""
    parts = urlsplit(url)
    if not parts.scheme or not parts.netloc:
        return FALLBACK_BASE
    path = parts.path.rstrip("/")
    suffix = "/" + current_page_path.strip("/")
    if current_page_path and path.endswith(suffix):
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


def view_url(base: str, page_path: str, params: Mapping[str, tuple[object, object]]) -> str:
    """``base/page_path?...`` with each parameter given as (value, default); defaults left out."""
    query = {
        name: str(value)
        for name, (value, default) in params.items()
        if value not in (None, "") and str(value) != str(default)
    }
    path = f"{base}/{page_path.strip('/')}" if page_path else f"{base}/"
    return path + (f"?{urlencode(query)}" if query else "")


def current_view_url(page_path: str) -> str:
    """The address of the view on screen: the page with every parameter now in its link (the
    widgets drawn so far have written theirs)."""
    params = {name: (value, None) for name, value in st.query_params.items()}
    return view_url(app_base_url(page_path), page_path, params)


def qr_png(url: str, scale: int = 8) -> bytes:
    """A QR code of ``url`` as PNG bytes (medium error correction, quiet zone of 2)."""
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="png", scale=scale, border=2)
    return buffer.getvalue()
