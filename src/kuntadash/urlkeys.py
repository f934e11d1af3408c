"""The names of a view's link parameters (a shared bottom module, importable from every layer):
the app's URL state (:mod:`kuntadash.ui.state`, which re-exports them) and every output that
links back to a view (the PDF brief, the baked pages, the event slides) spell them from here,
so a link made anywhere opens the view it names.

Each name is also the persistent session-state key of its choice in the app.
"""

from __future__ import annotations

LANG_KEY = "lang"
# Which snapshot this session looks at: the served one (official) or the made-up sample.
DATASET_KEY = "dataset"
SAMPLE_DATASET = "sample"  # the value of DATASET_KEY that chooses the sample
MUNICIPALITY_KEY = "kunta"
DIMENSION_KEY = "dim"
INDICATOR_KEY = "indicator"
YEAR_KEY = "year"
GROUP_KEY = "group"
COMPARE_KEY = "compare"
TYPE_FILTER_KEY = "type"
REGION_FILTER_KEY = "region"
SEARCH_KEY = "q"
# Comparison: peer count, peer weights, groups-page grouping / statistic, trend period.
PEERS_KEY = "peers"
PEER_WEIGHTS_KEY = "pw"
GROUPBY_KEY = "groupby"
STATISTIC_KEY = "stat"
PERIOD_KEY = "period"
CATALOGUE_DIMENSION_KEY = "cdim"
# The Sustainable Development Goal that narrows the indicators: the overview's choice (among
# goals with data) and the Indicators page's (among every goal of the catalogue), kept apart
# as the two dimension choices are.
SDG_GOAL_KEY = "sdg"
CATALOGUE_SDG_GOAL_KEY = "csdg"
# Event mode: the slide shown (1-based) and seconds between slides.
SLIDE_KEY = "slide"
EVERY_KEY = "every"
