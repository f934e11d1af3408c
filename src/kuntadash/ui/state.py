"""View state shared across reruns, pages and links (UI layer).

Every shareable choice (language, municipality, indicator, year, ...) lives in a persistent
session-state key named like its URL parameter, and is mirrored into ``st.query_params`` with
defaults left out, so a copied link restores the view. Values read from a link are checked
against the options on offer (or read by the choice's own ``parse``, e.g. a municipality's name
for its code); an invalid or ambiguous one is reported and replaced by the default.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import streamlit as st

# URL parameter names = persistent session-state keys. Spelt in kuntadash.urlkeys, so that the
# outputs outside the UI (the brief, the baked pages) link with the same names; re-exported.
from kuntadash.urlkeys import (  # noqa: F401
    CATALOGUE_DIMENSION_KEY,
    CATALOGUE_SDG_GOAL_KEY,
    COMPARE_KEY,
    DATASET_KEY,
    DIMENSION_KEY,
    EVERY_KEY,
    GROUP_KEY,
    GROUPBY_KEY,
    INDICATOR_KEY,
    LANG_KEY,
    MUNICIPALITY_KEY,
    PEER_WEIGHTS_KEY,
    PEERS_KEY,
    PERIOD_KEY,
    REGION_FILTER_KEY,
    SDG_GOAL_KEY,
    SEARCH_KEY,
    SLIDE_KEY,
    STATISTIC_KEY,
    TYPE_FILTER_KEY,
    YEAR_KEY,
)

T = TypeVar("T")

# Session only (not in the link): whether the overview's and the groups page's table
# alternatives are open, and each folded section of the profile (their content is built only
# while open).
OVERVIEW_TABLE_KEY = "overview_table_open"
GROUPS_TABLE_KEYS = {name: f"groups_{name}_table_open" for name in ("members", "over_time")}
PROFILE_SECTION_KEYS = {
    name: f"profile_{name}_open" for name in ("scores", "ranks", "indicators", "trends")
}

WIDGET_PREFIX = "w_"
_NOTICES_KEY = "_state_notices"
_SEARCH_KEY = "_state_search"
_DROPPED_KEY = "_state_dropped"
_PAGE_KEY = "_state_page"


@dataclass(frozen=True)
class LinkNotice:
    """A link's value that could not be used, for a message: ``candidates`` (labels) when the
    value fits several options and choosing one would be a guess, empty when it fits none."""

    name: str
    value: str
    candidates: tuple[str, ...] = ()


class AmbiguousLinkValue(ValueError):
    """Raised by a ``parse`` function when a link's value fits several options (their labels)."""

    def __init__(self, candidates: Sequence[str]) -> None:
        super().__init__(", ".join(candidates))
        self.candidates = tuple(candidates)


@dataclass(frozen=True)
class SearchNotice:
    """Text typed into a choice that chose nothing, for a message next to it: ``candidates``
    (labels) when it fits several options, empty when it fits none."""

    text: str
    candidates: tuple[str, ...] = ()


@dataclass(frozen=True)
class DroppedLinkValues:
    """What a link asked for in a multiple choice that could not be kept, for a message.

    ``unknown``: the link's values that are not among the options, as written in the link.
    ``over_limit``: valid values beyond the widget's ``max_selections`` (the first ones are kept).
    """

    unknown: tuple[str, ...]
    over_limit: tuple[Any, ...]
    asked: int
    limit: int | None


def _parse(raw: str, options: Sequence[T]) -> T | None:
    """The option whose text form is ``raw`` (URL values are strings), or None."""
    for option in options:
        if str(option) == raw:
            return option
    return None


# A link's comma-separated value is read up to this many parts (each is parsed, a name looked
# up): a link of thousands would otherwise cost a second of the server per visit.
MAX_LINK_PARTS = 100


def _link_parts(raw: str) -> list[str]:
    """The distinct non-empty parts of a comma-separated link value, the first
    ``MAX_LINK_PARTS`` of them."""
    parts = raw.split(",", MAX_LINK_PARTS)[:MAX_LINK_PARTS]
    return list(dict.fromkeys(part.strip() for part in parts if part.strip()))


def _parse_part(
    raw: str, options: Sequence[T], parse: Callable[[str], T | None] | None
) -> T | None:
    """One value of a comma-separated link value: an option, or None (ambiguous counts as
    unknown: the value is reported as written)."""
    if parse is None:
        return _parse(raw, options)
    try:
        value = parse(raw)
    except AmbiguousLinkValue:
        return None
    return value if value in options else None


def _from_url(
    name: str, options: Sequence[T], default: T, parse: Callable[[str], T | None] | None = None
) -> T:
    raw = st.query_params.get(name)
    if raw is None:
        return default
    candidates: tuple[str, ...] = ()
    try:
        value = parse(raw) if parse is not None else _parse(raw, options)
    except AmbiguousLinkValue as exc:
        value, candidates = None, exc.candidates
    if value is None or value not in options:
        st.session_state.setdefault(_NOTICES_KEY, []).append(LinkNotice(name, raw, candidates))
        return default
    return value


def follow_link(
    name: str,
    other: str,
    options: Sequence[T],
    parse: Callable[[str], T | None] | None = None,
) -> None:
    """Start ``name`` from the first valid value of the link's ``other`` (comma-separated), when
    the link names ``other`` but not ``name``, before the choice is first read.

    A compare link (``?compare=297,545``) thus opens with Kuopio as the chosen municipality,
    not the default one, so that everything anchored on the municipality (the "add similar"
    buttons, the comparison group) speaks of what the link compares. The value is then written
    into the URL like any other choice, so the link stays exact.
    """
    if name in st.session_state or name in st.query_params:
        return
    raw = st.query_params.get(other)
    if not raw:
        return
    for part in _link_parts(raw):
        value = _parse_part(part, options, parse)
        if value is not None and value in options:
            st.session_state[name] = value
            return


def begin_page(page_id: str, keep: Sequence[str] = ()) -> None:
    """Start the link afresh when the user has switched to another page.

    NOTE: on a switch through the navigation, Streamlit 1.67 hands the new page the previous
    page's query string (it filters only widget-bound parameters), so the new page's widgets saw
    their values "already in the URL" and did not write them while the browser showed another
    set. Every value lives in session state by then, so the URL is emptied here (``keep``
    excepted, for parameters written before this call) and each widget of the new page writes
    its own, defaults left out. The first run of a session (a link being opened) is untouched.
    """
    previous = st.session_state.get(_PAGE_KEY)
    st.session_state[_PAGE_KEY] = page_id
    if previous is None or previous == page_id:
        return
    for name in list(st.query_params):
        if name not in keep:
            del st.query_params[name]


def pop_invalid_params() -> list[LinkNotice]:
    """URL values rejected in this run, for a message to the user."""
    return st.session_state.pop(_NOTICES_KEY, [])


def pop_dropped_link_values(name: str) -> DroppedLinkValues | None:
    """What the link's ``name`` (a ``stateful_multiselect``) asked for but did not get in this
    run; the page reports it in its own words, so nothing is dropped silently."""
    return st.session_state.get(_DROPPED_KEY, {}).pop(name, None)


def write_param(name: str, value: Any, default: Any) -> None:
    """Mirror ``value`` into the URL, leaving it out when it equals the default."""
    text = ",".join(map(str, value)) if isinstance(value, list | tuple) else str(value)
    default_text = (
        ",".join(map(str, default)) if isinstance(default, list | tuple) else str(default)
    )
    if value is None or text == default_text or text == "":
        if name in st.query_params:
            del st.query_params[name]
    elif st.query_params.get(name) != text:
        st.query_params[name] = text


def current(
    name: str, options: Sequence[T], default: T, parse: Callable[[str], T | None] | None = None
) -> T:
    """The persistent value of ``name``, initialised from the URL once and kept valid.

    ``parse`` reads the link's text (default: the option whose text form it is); it returns
    None for a value that fits no option and may raise :class:`AmbiguousLinkValue`.
    """
    if name not in st.session_state:
        st.session_state[name] = _from_url(name, options, default, parse)
    value = st.session_state[name]
    if value not in options:
        value = default
        st.session_state[name] = value
    return value


def stateful_selectbox(
    label: str,
    options: Sequence[T] | Mapping[T, str],
    name: str,
    default: T,
    format_func: Callable[[T], str] = str,
    container: Any = None,
    *,
    parse: Callable[[str], T | None] | None = None,
    search: Callable[[str], T | None] | None = None,
    widget_key: str | None = None,
    on_change: Callable[[], None] | None = None,
    **kwargs: Any,
) -> T:
    """A selectbox bound to the persistent key and URL parameter ``name``; ``options`` may be a
    mapping of each option to its label.

    ``parse``: how a link's text becomes an option (see :func:`current`). ``search``: the same
    for text the reader types and confirms with Enter (the widget then accepts free text):
    what it finds is chosen; text that finds nothing, or several options (it raises
    :class:`AmbiguousLinkValue`), keeps the choice and leaves a :class:`SearchNotice` for
    :func:`pop_search_notice`. ``widget_key``: for a second widget of the same choice (e.g. on
    the page as well as in the sidebar); both show and change the one persistent value.
    ``on_change`` runs after a change by the user.
    """
    if isinstance(options, Mapping) and format_func is str:
        format_func = options.__getitem__  # a mapping: its values label its keys
    options = list(options)
    if default not in options and options:
        default = options[0]
    value = current(name, options, default, parse)
    widget_key = _bind_widget(name, value, widget_key)
    target = container if container is not None else st
    chosen = target.selectbox(
        label,
        options,
        key=widget_key,
        format_func=format_func,
        on_change=_copy_widget_value,
        args=(name, widget_key, on_change, options, search),
        accept_new_options=search is not None,
        **kwargs,
    )
    st.session_state[name] = chosen
    write_param(name, chosen, default)
    return chosen


def stateful_multiselect(
    label: str,
    options: Sequence[T],
    name: str,
    default: Sequence[T],
    format_func: Callable[[T], str] = str,
    container: Any = None,
    max_selections: int | None = None,
    *,
    parse: Callable[[str], T | None] | None = None,
    search: Callable[[str], T | None] | None = None,
    **kwargs: Any,
) -> list[T]:
    """A multiselect bound to ``name``; the URL holds the choices comma-separated.

    ``search``: as :func:`stateful_selectbox`'s, for each text typed and confirmed.

    A link's values that are not options (``parse`` reads each one, like
    :func:`stateful_selectbox`'s), and valid ones beyond ``max_selections`` (the first ones are
    kept), are left out and recorded for ``pop_dropped_link_values``; repeats count once.
    NOTE: Streamlit refuses a multiselect value longer than ``max_selections`` with an
    exception, so a long link has to be cut here, before the widget sees it.
    """
    options = list(options)
    default = list(dict.fromkeys(d for d in default if d in options))[:max_selections]
    if name not in st.session_state:
        raw = st.query_params.get(name)
        chosen: list[T] = list(default)
        if raw:
            parts = _link_parts(raw)
            parsed = [(_parse_part(part, options, parse), part) for part in parts]
            unknown = tuple(part for value, part in parsed if value is None)
            valid = list(dict.fromkeys(value for value, _ in parsed if value is not None))
            kept = valid[:max_selections]
            if unknown or len(kept) < len(valid):
                st.session_state.setdefault(_DROPPED_KEY, {})[name] = DroppedLinkValues(
                    unknown=unknown,
                    over_limit=tuple(valid[len(kept) :]),
                    asked=len(valid),
                    limit=max_selections,
                )
            chosen = kept or list(default)
        st.session_state[name] = chosen
    value = list(dict.fromkeys(v for v in st.session_state[name] if v in options))
    value = value[:max_selections]
    widget_key = _bind_widget(name, value)
    target = container if container is not None else st
    picked = target.multiselect(
        label,
        options,
        key=widget_key,
        format_func=format_func,
        on_change=_copy_widget_values,
        args=(name, widget_key, options, search),
        max_selections=max_selections,
        accept_new_options=search is not None,
        **kwargs,
    )
    picked = [value for value in st.session_state[name] if value in options]
    picked = picked[:max_selections]
    st.session_state[name] = picked
    write_param(name, picked, list(default))
    return picked


def _bind_widget(name: str, value: Any, widget_key: str | None = None) -> str:
    """Give the widget of ``name`` the persistent value before it is drawn.

    NOTE: widget ids are page-scoped under st.navigation, so a sidebar widget drawn from app.py
    is a new widget after a page switch and would fall back to its first option; the persistent
    key (updated by the on_change callback) is the source of truth instead.
    """
    widget_key = widget_key or WIDGET_PREFIX + name
    st.session_state[widget_key] = value
    return widget_key


def _copy_widget_value(
    name: str,
    widget_key: str,
    then: Callable[[], None] | None = None,
    options: Sequence[Any] = (),
    search: Callable[[str], Any] | None = None,
) -> None:
    value = st.session_state[widget_key]
    if search is not None and value is not None and value not in options:
        value = _search(widget_key, str(value), options, search)
        if value is None:  # nothing chosen: the widget shows the choice as it was
            return
    st.session_state[name] = value
    if then is not None:
        then()


def _search(
    widget_key: str, text: str, options: Sequence[T], search: Callable[[str], Any]
) -> T | None:
    """The option ``text`` finds, or None with a notice for the widget ``widget_key``."""
    candidates: tuple[str, ...] = ()
    try:
        found = search(text)
    except AmbiguousLinkValue as exc:
        found, candidates = None, exc.candidates
    if found is not None and found in options:
        return found
    st.session_state.setdefault(_SEARCH_KEY, {})[widget_key] = SearchNotice(text, candidates)
    return None


def pop_search_notice(name: str, widget_key: str | None = None) -> SearchNotice | None:
    """What was typed into the widget of ``name`` (``widget_key`` for a second widget) and
    chose nothing in this run, for a message next to that widget."""
    return st.session_state.get(_SEARCH_KEY, {}).pop(widget_key or WIDGET_PREFIX + name, None)


def _copy_widget_values(
    name: str,
    widget_key: str,
    options: Sequence[Any] = (),
    search: Callable[[str], Any] | None = None,
) -> None:
    """A multiselect's values: typed text (not an option) goes through ``search``; what finds
    nothing is left out with a notice."""
    values = []
    for value in st.session_state[widget_key] or []:
        if search is not None and value not in options:
            value = _search(widget_key, str(value), options, search)
        if value is not None and value not in values:
            values.append(value)
    st.session_state[name] = values


def stateful_text_input(
    label: str, name: str, default: str = "", container: Any = None, **kwargs: Any
) -> str:
    """A text input bound to ``name``: free text, so any value from a link is accepted."""
    if name not in st.session_state:
        st.session_state[name] = st.query_params.get(name, default)
    widget_key = WIDGET_PREFIX + name
    if widget_key not in st.session_state:
        st.session_state[widget_key] = st.session_state[name]
    target = container if container is not None else st
    text = target.text_input(label, key=widget_key, **kwargs)
    st.session_state[name] = text
    write_param(name, text.strip(), default)
    return text
