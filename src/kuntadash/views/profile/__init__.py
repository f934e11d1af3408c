"""The municipality profile as a view model (views layer, no streamlit).

One :class:`ProfileView` answers what the profile page and the PDF brief both show: who the
municipality is, where it stands in each sustainability dimension against its comparison group,
its clearest strengths and weakest spots, what changed most in five years, its rank in every
grouping, its most similar municipalities and why, every indicator against the group, and the
trends. It is built once per page run (or brief) from the snapshot, the municipality, the
comparison group and the language; the page draws it and the brief lays it out on paper, so the
two never compute anything twice or disagree.

Every number is formatted by :class:`kuntadash.views.format.Formatter`; every word comes from the
locale files. Texts are plain (not markdown): whoever puts them into markdown escapes them.

The package holds one module per part: ``inputs`` (the tables a profile is built from),
``model`` (the view and its parts), ``numbers`` (its language-free figures), ``build``
(putting them together), and ``dimensions``, ``highlights``, ``facts``, ``peers``, ``tables``,
``sources`` and ``words`` for the sections.
"""

from __future__ import annotations

from kuntadash.views.profile.build import build_profile_view, profile_numbers
from kuntadash.views.profile.inputs import (
    ProfileInputs,
    default_group,
    municipality_names,
    present_ids,
    reference_years,
    wide_values,
)
from kuntadash.views.profile.model import (
    CHANGE_PERIOD,
    HIGHLIGHTS,
    LEVEL_POINTS,
    MIDDLE,
    STATUSES,
    TRENDS,
    Change,
    DimensionSummary,
    Fact,
    GroupRank,
    Highlight,
    IndicatorTable,
    Peer,
    ProfileView,
)
from kuntadash.views.profile.numbers import ProfileNumbers
from kuntadash.views.profile.peers import peer_weights, register_label
from kuntadash.views.profile.words import change_text

__all__ = [
    "CHANGE_PERIOD",
    "HIGHLIGHTS",
    "LEVEL_POINTS",
    "MIDDLE",
    "STATUSES",
    "TRENDS",
    "Change",
    "DimensionSummary",
    "Fact",
    "GroupRank",
    "Highlight",
    "IndicatorTable",
    "Peer",
    "ProfileInputs",
    "ProfileNumbers",
    "ProfileView",
    "build_profile_view",
    "change_text",
    "default_group",
    "municipality_names",
    "peer_weights",
    "present_ids",
    "profile_numbers",
    "reference_years",
    "register_label",
    "wide_values",
]
