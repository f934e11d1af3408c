"""Municipality codes an import cannot place, as short translatable messages (importing layer).

Each message says which codes (with names where known), in which years (or which division) and
why: a code of no known division, a municipality that no longer existed (merged: into what and
when), one that did not exist yet (formed when and from what). Long lists are cut after
``MAX_LISTED`` items with "and N more", so a wrong file gives a readable message, not a page.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import pandas as pd

from kuntadash.domain.harmonise import (
    DivisionChange,
    DivisionMatch,
    divisions,
    unplaced_values,
)
from kuntadash.errors import Listing, Message, message
from kuntadash.importing.context import ImportContext

MAX_LISTED = 8


def year_ranges(years: Iterable[int]) -> str:
    """Years as runs: 2015, 2016, 2017, 2019 -> "2015–2017, 2019"."""
    ordered = sorted(set(years))
    runs: list[list[int]] = []
    for year in ordered:
        if runs and year == runs[-1][-1] + 1:
            runs[-1].append(year)
        else:
            runs.append([year])
    return ", ".join(str(r[0]) if len(r) == 1 else f"{r[0]}–{r[-1]}" for r in runs)


def listing(items: Sequence[Message | str]) -> Listing:
    """At most ``MAX_LISTED`` items, then "and N more"."""
    shown: list[Message | str] = list(items[:MAX_LISTED])
    if len(items) > MAX_LISTED:
        shown.append(message("data.reason.and_more", count=len(items) - MAX_LISTED))
    return Listing(tuple(shown))


def value_problems(
    values: pd.DataFrame,
    context: ImportContext,
    file: str,
    where: Mapping[tuple[str, int], Message] | None = None,
) -> list[Message]:
    """Messages for the codes of ``values`` that cannot be placed in the year of their value.

    ``where``: (code, year) -> the row or item that holds it, to point at the first offending
    value of each code.
    """
    if values.empty:
        return []
    unplaced = unplaced_values(values, context.codes, context.changes, context.division_year)
    by_reason: dict[str, list[Message | str]] = {"unknown": [], "gone": [], "not_yet": []}
    for item in unplaced:
        years: Listing | str = year_ranges(item.years)
        first = next(
            (where[(item.code, y)] for y in item.years if (item.code, y) in (where or {})), None
        )
        if first is not None:
            years = Listing((years, first), ", ")
        if item.reason == "unknown":
            by_reason["unknown"].append(
                message("data.reason.code_unknown", code=item.code, years=years)
            )
        elif item.change is not None:
            by_reason[item.reason].append(
                _detail(item.reason, item.code, years, item.change, context)
            )
    problems = []
    if by_reason["unknown"]:
        problems.append(
            message(
                "data.error.codes_unknown",
                file=file,
                codes=listing(by_reason["unknown"]),
                first=_first_year(context),
            )
        )
    if by_reason["gone"]:
        problems.append(
            message("data.error.codes_gone", file=file, codes=listing(by_reason["gone"]))
        )
    if by_reason["not_yet"]:
        problems.append(
            message("data.error.codes_not_yet", file=file, codes=listing(by_reason["not_yet"]))
        )
    return problems


def boundary_problems(match: DivisionMatch, context: ImportContext, file: str) -> list[Message]:
    """Messages for a boundary file whose codes form no known division, against the nearest."""
    division = match.closest.span
    absorbed = {c.absorbed: c for c in context.changes if c.year <= context.division_year}
    founded = {
        c.into: c for c in context.changes if c.into_founded and c.year <= context.division_year
    }
    problems = []
    if match.unknown:
        problems.append(
            message(
                "data.error.boundary_unknown_codes",
                file=file,
                codes=listing(sorted(match.unknown)),
                first=_first_year(context),
            )
        )
    if match.gone:
        items = [_detail("gone", c, division, absorbed[c], context) for c in sorted(match.gone)]
        problems.append(
            message(
                "data.error.boundary_gone_codes",
                file=file,
                codes=listing(items),
                division=division,
            )
        )
    if match.not_yet:
        items = [
            _detail("not_yet", c, division, founded[c], context) for c in sorted(match.not_yet)
        ]
        problems.append(
            message(
                "data.error.boundary_not_yet_codes",
                file=file,
                codes=listing(items),
                division=division,
            )
        )
    if match.missing:
        names = [f"{c} {_name(c, context)}".strip() for c in sorted(match.missing)]
        problems.append(
            message(
                "data.error.boundary_missing_codes",
                file=file,
                count=len(match.missing),
                codes=listing(names),
                division=division,
            )
        )
    return problems


def _detail(
    reason: str, code: str, years: Listing | str, change: DivisionChange, context: ImportContext
) -> Message:
    if reason == "gone":
        return message(
            "data.reason.code_gone",
            code=code,
            name=_name(code, context),
            years=years,
            into=change.into,
            into_name=change.into_name_fi or _name(change.into, context),
            year=change.year,
        )
    parts = sorted(c.absorbed for c in context.changes if c.into == code and c.year == change.year)
    return message(
        "data.reason.code_not_yet",
        code=code,
        name=_name(code, context),
        years=years,
        year=change.year,
        parts=", ".join(parts),
    )


def _name(code: str, context: ImportContext) -> str:
    """The Finnish name of a current or former municipality, "" when the code is unknown."""
    register = context.register
    hit = register.loc[register["municipality_code"] == code, "name_fi"]
    if len(hit):
        return str(hit.iloc[0])
    return next((c.name_fi for c in context.changes if c.absorbed == code), "")


def _first_year(context: ImportContext) -> int:
    """The earliest division the merger table covers (its start, else the year it ended)."""
    earliest = divisions(
        context.codes, context.changes, context.division_year, context.first_division_year
    )[-1]
    return earliest.start or earliest.end or context.division_year
