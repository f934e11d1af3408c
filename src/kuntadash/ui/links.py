"""Links to views of the app and their QR codes (UI layer).

A view's link is the page's path plus its state as query parameters, defaults left out (the same
form ui.state writes). Its base address is decided in :mod:`kuntadash.links` (the configured
public address, else the address the reader's browser used: ``st.context.url``, Streamlit 1.67:
scheme, host, port and path of the page, without the query), which also words the warning an
output carries when that address is the making machine's own, and decides when a profile is
shared as its baked static page (``shared_profile_url``).
"""

from __future__ import annotations

import streamlit as st

from kuntadash.i18n import translate
from kuntadash.links import (
    FALLBACK_BASE,
    PUBLIC_URL_ENV,
    holder_warning,
    is_local_address,
    public_base_url,
    qr_png,
    shared_profile_url,
    view_url,
)

__all__ = [
    "FALLBACK_BASE",
    "PUBLIC_URL_ENV",
    "app_base_url",
    "current_view_url",
    "holder_warning",
    "is_local_address",
    "profile_share_url",
    "qr_png",
    "render_share_link",
    "shared_profile_url",
    "view_url",
]


def app_base_url(current_page_path: str = "") -> str:
    """The app's root URL without a trailing slash (public URL if configured)."""
    return public_base_url(st.context.url or "", current_page_path)


def current_view_url(page_path: str) -> str:
    """The address of the view on screen: the page with every parameter now in its link (the
    widgets drawn so far have written theirs)."""
    params = {name: (value, None) for name, value in st.query_params.items()}
    return view_url(app_base_url(page_path), page_path, params)


def profile_share_url(base: str, code: str, lang: str, kind: str, default_kind: str) -> str:
    """The address to share of municipality ``code``'s profile in ``lang`` compared with its
    ``kind`` group: its baked page where served, else the interactive view at ``base``
    (:func:`kuntadash.links.shared_profile_url` decides)."""
    from kuntadash.i18n import DEFAULT_LANGUAGE
    from kuntadash.ui import state
    from kuntadash.ui.loaders import load_snapshot
    from kuntadash.ui.widgets import municipality_names

    params = {
        state.LANG_KEY: (lang, DEFAULT_LANGUAGE),
        state.MUNICIPALITY_KEY: (code, ""),
        state.GROUP_KEY: (kind, default_kind),
    }
    names = municipality_names(load_snapshot(), lang).to_dict()
    return shared_profile_url(code, lang, names, view_url(base, "municipality", params))


def render_share_link(code: str, lang: str, names, link: str) -> str:
    """The profile's "share" element: the address to share of municipality ``code``'s profile
    (its baked page where served, else ``link``, the view on screen), in a copyable box, with
    what it opens, and the holder's warning when it works only on this machine. ``names``: every
    municipality's name in ``lang``. Returns the address shown."""
    url = shared_profile_url(code, lang, names, link)
    with st.container(key="profile_share"):
        st.markdown(f"##### {translate('profile.share_title', lang)}")
        st.code(url, language=None, wrap_lines=True)
        warning = holder_warning(url, lang, "page")
        if warning:
            st.warning(warning, icon=":material/link_off:")
        else:
            st.caption(
                translate("profile.share_baked" if url != link else "profile.share_view", lang)
            )
    return url
