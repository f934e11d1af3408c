"""The overview as a view model (views layer, no streamlit).

One :class:`OverviewView` holds what the overview page shows of one indicator in one year: every
municipality's value and rank, which of them the chosen municipality type and region keep in
focus, the median and count of those, the chosen municipality's figure and rank, the table under
the map (as shown and as data) and what the map is sent. :func:`build_overview_view` builds it
once per page run; the page only draws it.

Every number is formatted by the language's one :class:`~kuntadash.views.format.Formatter`; every
word comes from the locale files. Texts are plain (not markdown): whoever puts them into markdown
escapes them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from kuntadash.domain.catalogue import indicator_row, indicators_of_goal
from kuntadash.domain.groups import type_labels
from kuntadash.domain.small_numbers import SMALL_POPULATION
from kuntadash.domain.stats import rank_values, values_for
from kuntadash.i18n import translate
from kuntadash.naming import slugify
from kuntadash.store import Snapshot
from kuntadash.views.format import Formatter
from kuntadash.views.indicators import parse_goal
from kuntadash.views.map import map_view
from kuntadash.views.memo import once_per_snapshot
from kuntadash.views.small import SmallPopulation, marked, with_hover

MAP_LABELS = ("zoom_in", "zoom_out", "reset", "save_svg", "save_png", "hint", "error")


@dataclass(frozen=True)
class OverviewChoice:
    """What the reader chose: the indicator and year, the municipality type and region to
    highlight ("" for all) and the chosen municipality (None for none)."""

    indicator_id: str
    year: int
    type_filter: str = ""
    region_filter: str = ""
    selected: str | None = None


@dataclass(frozen=True)
class ChosenPosition:
    """The chosen municipality's figure and rank, readable without a tooltip."""

    code: str
    name: str
    value_text: str  # "8,1 %", or "–" when missing
    rank: int | None  # None when it has no value (or no rank)
    of: int  # how many municipalities were ranked
    rank_text: str  # "Sija 12/308", or the words for no data
    key: str  # the sentence: overview.chosen_rank, chosen_order (context) or chosen_missing
    in_focus: bool  # False when the type or region filter leaves it out of the table


@dataclass(frozen=True)
class OverviewView:
    """Everything the overview shows of one indicator in one year."""

    choice: OverviewChoice
    lang: str
    name: str  # the indicator's name
    unit: str
    direction: str
    direction_text: str  # "Higher is better. Purple = better …"
    types: dict[str, str]  # the municipality types' names by key
    regions: dict[str, str]  # the regions' names by code
    ranks: pd.Series  # Int64 by municipality code (1 = best), <NA> without a value
    ranked: int  # municipalities with a value
    table: pd.DataFrame  # the map's table: one row per municipality (see views.map.map_view)
    median: float  # of the municipalities in focus (NaN when none has a value)
    median_text: str
    with_data_text: str  # "12 / 47": in focus with a value / in focus
    chosen: ChosenPosition | None
    listing: pd.DataFrame  # the table under the map as shown (headings translated)
    listing_data: pd.DataFrame  # the same rows as data (ui.downloads.EXPORT_COLUMNS keys)
    map: dict[str, Any]  # what the map is sent
    small_note: str = ""  # what "†" means ("" when no figure rests on a small population)

    @property
    def indicator_id(self) -> str:
        return self.choice.indicator_id

    @property
    def year(self) -> int:
        return self.choice.year

    @property
    def title(self) -> str:
        return f"{self.name}, {self.year}"

    @property
    def listing_chosen(self) -> list[bool]:
        """One flag per row of the listing: the chosen municipality's row."""
        return (self.listing_data["municipality_code"] == self.choice.selected).tolist()

    @property
    def download_parts(self) -> tuple[object, ...]:
        """Words for the download's file name: indicator, year and the filters in use."""
        choice = self.choice
        region = self.regions.get(choice.region_filter)
        return (choice.indicator_id, choice.year, choice.type_filter, region)


def region_labels(snapshot: Snapshot, lang: str) -> dict[str, str]:
    """Every region's name in ``lang`` by region code, in code order."""

    def compute() -> dict[str, str]:
        table = snapshot.municipalities.dropna(subset=["region_code"])
        table = table.drop_duplicates("region_code").sort_values("region_code")
        names = table[f"region_name_{lang}"].astype(str)
        return dict(zip(table["region_code"], names, strict=True))

    return dict(once_per_snapshot(snapshot, ("region_labels", lang), compute))


def filter_labels(snapshot: Snapshot, lang: str) -> tuple[dict[str, str], dict[str, str]]:
    """The options of the two highlight filters: municipality types and regions by key."""
    return type_labels(lang), region_labels(snapshot, lang)


def indicators_for_goal(present: Sequence[str], goal: str) -> list[str]:
    """The indicators of ``present`` that measure the goal ``goal`` (a filter option; "" or a
    goal none of them measures keeps them all, so the indicator choice is never empty)."""
    kept = indicators_of_goal(present, parse_goal(goal))
    return kept or list(present)


# The map's unmarked texts beside the marked ones (see _map).
MAP_VALUE, MAP_RANK = "map_value_text", "map_rank_text"


def build_overview_view(
    snapshot: Snapshot,
    choice: OverviewChoice,
    lang: str,
    *,
    formatter: Formatter | None = None,
    map_codes: tuple[str, ...] | None = None,
    map_geometry: str | dict[str, Any] = "",
) -> OverviewView:
    """The overview of ``choice`` in ``lang``. ``formatter`` is the language's formatter (built
    from the catalogue when not given); ``map_codes`` are the map's municipalities in the order
    of its outlines (the snapshot's codes in order when not given) and ``map_geometry`` where the
    browser gets the outlines (see views.map.map_view)."""
    fmt = formatter or Formatter.from_catalogue(snapshot.catalogue, lang)
    ident, year = choice.indicator_id, choice.year
    meta = indicator_row(snapshot.catalogue, ident)
    direction = str(meta["direction"])
    municipalities = snapshot.municipalities.set_index("municipality_code")
    series = values_for(snapshot.values, ident, year).reindex(municipalities.index)
    ranks = rank_values(series, direction)
    ranked = int(series.notna().sum())
    types, regions = filter_labels(snapshot, lang)
    names = _names(municipalities, lang)
    small = SmallPopulation.of(snapshot, lang)
    table = _value_table(municipalities, series, ranks, small, choice, fmt, names)
    focus = table[table["in_focus"]]
    median = float(focus["value"].median())
    shown = focus.assign(rank=ranks.reindex(focus["municipality_code"]).to_numpy()).sort_values(
        ["rank", "name"], na_position="last"
    )
    unit = str(meta[f"unit_{lang}"])
    listing, listing_data = _listing(
        shown, municipalities, types, regions, unit, ranked, choice, lang
    )
    name = str(meta[f"name_{lang}"])
    codes = map_codes if map_codes is not None else tuple(sorted(municipalities.index))
    return OverviewView(
        choice=choice,
        lang=lang,
        name=name,
        unit=unit,
        direction=direction,
        direction_text=direction_note(direction, lang),
        types=types,
        regions=regions,
        ranks=ranks,
        ranked=ranked,
        table=table,
        median=median,
        median_text=fmt.value(ident, median),
        with_data_text=f"{int(focus['value'].notna().sum())} / {len(focus)}",
        chosen=_chosen(table, ranks, ranked, choice, direction, fmt),
        listing=listing,
        listing_data=listing_data,
        map=_map(
            table, codes, map_geometry, direction, name, choice, fmt, lang, small.hover(ident, True)
        ),
        small_note=small.note([ident], focus[SMALL_POPULATION]),
    )


def direction_note(direction: str, lang: str) -> str:
    """The indicator's direction and what the map's colours mean, in the words of the scale it
    is drawn in (charts.palette.colour_stops: purple-orange for a better direction, dark
    blue-yellow for a context figure)."""
    if direction == "neutral":
        return translate("overview.colour_note_neutral", lang)
    return f"{translate(f'direction.{direction}', lang)}. {translate('overview.colour_note', lang)}"


def _value_table(
    municipalities: pd.DataFrame,
    series: pd.Series,
    ranks: pd.Series,
    small: SmallPopulation,
    choice: OverviewChoice,
    fmt: Formatter,
    names: pd.Series,
) -> pd.DataFrame:
    """One row per municipality: its value, the value and rank as read (marked when resting on
    a small population, unmarked for the map), whether it is in focus, and its flag."""
    ident, lang = choice.indicator_id, fmt.lang
    ranked = int(series.notna().sum())
    flags = small.flags_of(ident, choice.year, series)
    plain_values = [fmt.value(ident, v) for v in series]
    plain_ranks = [_rank_text(r, ranked, lang) for r in ranks]
    return pd.DataFrame(
        {
            "municipality_code": municipalities.index,
            "name": names.to_numpy(),
            "value": series.to_numpy(),
            "value_text": [
                small.mark(text, f) for text, f in zip(plain_values, flags, strict=True)
            ],
            "rank_text": [
                with_hover(text, small.hover(ident, f))
                for text, f in zip(plain_ranks, flags, strict=True)
            ],
            # The map sends the texts unmarked and the mark once (views.map.map_view).
            MAP_VALUE: plain_values,
            MAP_RANK: plain_ranks,
            "in_focus": _in_focus(municipalities, choice).to_numpy(),
            SMALL_POPULATION: flags.to_numpy(),
        }
    )


def _names(municipalities: pd.DataFrame, lang: str) -> pd.Series:
    """Municipality names in ``lang`` by code: Swedish in sv where there is one, else Finnish."""
    column = "name_sv" if lang == "sv" else "name_fi"
    return municipalities[column].fillna(municipalities["name_fi"]).astype(str)


def _rank_text(rank: object, ranked: int, lang: str) -> str:
    if pd.isna(rank):
        return translate("common.no_data", lang)
    return translate("common.rank_text", lang, rank=int(rank), of=ranked)


def _in_focus(municipalities: pd.DataFrame, choice: OverviewChoice) -> pd.Series:
    """True for the municipalities of the chosen type and region (all when none is chosen)."""
    focus = pd.Series(True, index=municipalities.index)
    # A municipality the register gives no type or region is outside every such filter.
    if choice.type_filter:
        chosen_type = municipalities["municipality_type"].eq(choice.type_filter)
        focus &= chosen_type.fillna(False).astype(bool)
    if choice.region_filter:
        chosen_region = municipalities["region_code"].eq(choice.region_filter)
        focus &= chosen_region.fillna(False).astype(bool)
    return focus


def _listing(
    shown: pd.DataFrame,
    municipalities: pd.DataFrame,
    types: dict[str, str],
    regions: dict[str, str],
    unit: str,
    ranked: int,
    choice: OverviewChoice,
    lang: str,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The table under the map (in rank order, the municipalities in focus) as shown, and the
    same rows as data: the value beside its unit, the rank beside how many were ranked."""

    def tr(key: str) -> str:
        return translate(key, lang)

    codes = shown["municipality_code"]
    type_names = municipalities.loc[codes, "municipality_type"].map(types).to_numpy()
    region_names = municipalities.loc[codes, "region_code"].map(regions).to_numpy()
    rank_numbers = shown["rank"].astype("Int64").to_numpy()
    listing = pd.DataFrame(
        {
            tr("common.rank"): rank_numbers,
            tr("common.municipality"): shown["name"],
            f"{tr('common.value')} ({unit})": shown["value"],
            tr("small.column"): [marked("", f, lang).strip() for f in shown[SMALL_POPULATION]],
            tr("common.municipality_type"): type_names,
            tr("common.region"): region_names,
        }
    )
    data = pd.DataFrame(
        {
            "municipality_code": codes.to_numpy(),
            "municipality": shown["name"].to_numpy(),
            "municipality_type": type_names,
            "region": region_names,
            "year": choice.year,
            "value": shown["value"].to_numpy(),
            SMALL_POPULATION: shown[SMALL_POPULATION].astype(bool).to_numpy(),
            "rank": rank_numbers,
            "ranked": ranked,
        }
    )
    return listing, data


def _chosen(
    table: pd.DataFrame,
    ranks: pd.Series,
    ranked: int,
    choice: OverviewChoice,
    direction: str,
    fmt: Formatter,
) -> ChosenPosition | None:
    """The chosen municipality's figure and rank (None when none is chosen, or the choice is
    not a municipality of the snapshot)."""
    rows = table.set_index("municipality_code")
    code = choice.selected
    if code is None or code not in rows.index:
        return None
    row = rows.loc[code]
    rank = ranks.get(code)
    known = not (pd.isna(row["value"]) or pd.isna(rank))
    if not known:
        key = "overview.chosen_missing"
    else:
        key = "overview.chosen_order" if direction == "neutral" else "overview.chosen_rank"
    return ChosenPosition(
        code=code,
        name=str(row["name"]),
        value_text=str(row["value_text"]),
        rank=int(rank) if known else None,
        of=ranked,
        rank_text=str(row["rank_text"]),
        key=key,
        in_focus=bool(row["in_focus"]),
    )


def _map(
    table: pd.DataFrame,
    codes: tuple[str, ...],
    geometry: str | dict[str, Any],
    direction: str,
    name: str,
    choice: OverviewChoice,
    fmt: Formatter,
    lang: str,
    small_hover: str,
) -> dict[str, Any]:
    """What the map is sent: colours, texts, the legend and its own words in the language;
    ``small_hover`` is the hover line of a figure resting on a small population."""
    ident, year = choice.indicator_id, choice.year
    labels = {"map": translate("map.aria", lang, indicator=name, year=year)}
    plain = table.drop(columns=["value_text", "rank_text"]).rename(
        columns={MAP_VALUE: "value_text", MAP_RANK: "rank_text"}
    )
    return map_view(
        codes,
        plain,
        direction=direction,
        selected=choice.selected,
        geometry=geometry,
        legend={
            "missing": translate("common.no_data", lang),
            "muted": translate("map.muted", lang),
        },
        labels=labels | {key: translate(f"map.{key}", lang) for key in MAP_LABELS},
        lang=lang,
        file_stem=_file_stem("map", ident, year),
        format_value=lambda value: fmt.value(ident, value),
        small={"mark": translate("small.mark", lang), "hover": small_hover},
    )


def _file_stem(*parts: object) -> str:
    """'kuntadash-map-unemployment-rate-2024' (the file names of ui.downloads.file_stem)."""
    words = [slugify(str(part)) for part in parts if part not in (None, "")]
    return "-".join(["kuntadash", *words])


@dataclass(frozen=True)
class RankRow:
    """One line of the ranked list beside the map; a gap (rows left out) has no rank or name."""

    rank: int | None
    name: str
    value_text: str
    chosen: bool = False

    @property
    def gap(self) -> bool:
        return self.rank is None and not self.name


def rank_excerpt(
    view: OverviewView, head: int = 3, around: int = 2, tail: int = 3
) -> list[RankRow]:
    """Where the chosen municipality stands, in a few lines: the first ``head`` and last
    ``tail`` of the ranked municipalities in focus, the chosen one with ``around`` neighbours
    on either side, and a gap row wherever rows are left out. Ranks are those of the table under
    the map (over every municipality with a value); the municipalities without a value are not
    listed (missing is not last). The chosen municipality is listed in its place even when the
    filters leave it out of focus."""
    table = view.table.assign(rank=view.ranks.reindex(view.table["municipality_code"]).to_numpy())
    chosen = view.choice.selected
    keep = table["in_focus"] | table["municipality_code"].eq(chosen)
    ranked = table[keep & table["rank"].notna()].sort_values(["rank", "name"])
    codes = ranked["municipality_code"].tolist()
    shown = set(range(min(head, len(codes)))) | set(range(max(len(codes) - tail, 0), len(codes)))
    if chosen in codes:
        at = codes.index(chosen)
        shown |= set(range(max(at - around, 0), min(at + around + 1, len(codes))))
    rows: list[RankRow] = []
    for position in sorted(shown):
        if rows and position - 1 not in shown:
            rows.append(RankRow(rank=None, name="", value_text=""))
        row = ranked.iloc[position]
        rows.append(
            RankRow(
                rank=int(row["rank"]),
                name=str(row["name"]),
                value_text=str(row["value_text"]),
                chosen=row["municipality_code"] == chosen,
            )
        )
    return rows
