"""The event mode's sequence of slides and its timing (UI layer, no streamlit calls).

Kept apart from pages/event.py so the sequence and the advance rule are tested directly.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from kuntadash.domain.catalogue import DIMENSIONS, headline_indicators

# One headline indicator per dimension, shown on the national map; a dimension whose indicator
# has no data falls back to its first indicator with data that has a better direction, and only
# then to a context (neutral) one, which a slide shows without ranks.
EVENT_INDICATORS = headline_indicators()  # the catalogue's `roles: [headline]`
INTERVALS = (8, 10, 15, 20, 30, 45, 60)
DEFAULT_INTERVAL = 15
TIMER_SLACK_S = 0.5


@dataclass(frozen=True)
class Slide:
    kind: str  # "map" or "profile"
    dimension: str = ""
    indicator_id: str = ""


def build_slides(indicators_with_data: pd.DataFrame) -> list[Slide]:
    """A national map per dimension that has data, then the municipality's profile summary.

    ``indicators_with_data`` is the catalogue restricted to indicators with values.
    """
    slides = []
    for dimension in DIMENSIONS:
        rows = indicators_with_data[indicators_with_data["dimension"] == dimension]
        ids = rows["id"].tolist()
        if not ids:
            continue
        wanted = EVENT_INDICATORS.get(dimension)
        if wanted not in ids and "direction" in rows.columns:
            directional = rows.loc[rows["direction"] != "neutral", "id"].tolist()
            wanted = (directional or ids)[0]
        slides.append(Slide("map", dimension, wanted if wanted in ids else ids[0]))
    slides.append(Slide("profile"))
    return slides


def next_index(index: int, count: int, step: int) -> int:
    """The slide ``step`` away from ``index`` (0-based), wrapping round at both ends."""
    return (index + step) % count


def advance_due(last: float, now: float, interval: float) -> bool:
    """Whether a timed run at ``now`` should move on; a little slack, as timers fire late or
    early by a few milliseconds."""
    return now - last >= interval - TIMER_SLACK_S
