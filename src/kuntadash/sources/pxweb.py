"""PxWeb API v1 (Statistics Finland, Traficom): table metadata, batched queries, json-stat2.

Everything is driven by the table's metadata: the area, time and contents variable codes are read
from it (they changed on 8 June 2026 and differ per table). NOTE: the service allows 40 calls per
60 s and 120 000 cells per call (``GET .../api/v1/fi/?config``); ``plan_queries`` batches areas so
each call stays under the cell limit and the fetcher throttles calls.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from kuntadash.sources.checks import expected_titles, is_not_found, title_mismatch
from kuntadash.sources.errors import SourceError, SourceFormatError

MAX_CELLS = 120_000
SUPPRESSED_STATUS = frozenset({".", "..", "..."})
_MAX_PARSED_CELLS = 5_000_000
_AREA_VALUE = re.compile(r"^(KU\d{3}|SSS|MK\d{2}|SK\d{3}|\d{3})$")
_MUNICIPALITY_VALUE = re.compile(r"^(?:KU)?(\d{3})$")
_TIME_TEXTS = {"vuosi", "år", "year", "kuukausi", "månad", "month", "aika", "tid", "time"}
_CONTENTS_TEXTS = {"tiedot", "uppgifter", "information", "tunnusluku"}


@dataclass(frozen=True)
class Variable:
    code: str
    text: str
    values: tuple[str, ...]
    value_texts: tuple[str, ...]
    elimination: bool = False
    time: bool = False


@dataclass(frozen=True)
class TableMetadata:
    """A PxWeb table's variables, with the roles found in them."""

    title: str
    variables: tuple[Variable, ...]
    area: Variable
    time: Variable
    contents: Variable

    @property
    def others(self) -> tuple[Variable, ...]:
        roles = {self.area.code, self.time.code, self.contents.code}
        return tuple(v for v in self.variables if v.code not in roles)

    def municipality_values(self) -> list[str]:
        return [v for v in self.area.values if _MUNICIPALITY_VALUE.match(v)]


def parse_metadata(doc: Any, source: str, table: str) -> TableMetadata:
    """Variables and roles of a table from its metadata response (GET on the table URL)."""
    if not isinstance(doc, Mapping) or not isinstance(doc.get("variables"), list):
        raise SourceFormatError(
            source,
            "data.error.source_schema",
            table=table,
            detail="no 'variables' list in the metadata",
        )
    variables = []
    for raw in doc["variables"]:
        if not isinstance(raw, Mapping) or not isinstance(raw.get("code"), str):
            raise SourceFormatError(
                source, "data.error.source_schema", table=table, detail="a variable without a code"
            )
        values = tuple(str(v) for v in raw.get("values") or [])
        texts = tuple(str(v) for v in raw.get("valueTexts") or values)
        variables.append(
            Variable(
                raw["code"],
                str(raw.get("text", raw["code"])),
                values,
                texts,
                bool(raw.get("elimination", False)),
                bool(raw.get("time", False)),
            )
        )
    area = _pick(variables, _is_area)
    time = _pick(variables, _is_time)
    contents = _pick(variables, _is_contents)
    if area is None or time is None or contents is None:
        missing = [
            n for n, v in (("area", area), ("time", time), ("contents", contents)) if v is None
        ]
        raise SourceFormatError(
            source,
            "data.error.source_variables",
            table=table,
            roles=", ".join(missing),
            codes=", ".join(v.code for v in variables),
        )
    return TableMetadata(str(doc.get("title", table)), tuple(variables), area, time, contents)


def _pick(variables: Sequence[Variable], test: Any) -> Variable | None:
    for variable in variables:
        if test(variable):
            return variable
    return None


def _is_area(variable: Variable) -> bool:
    if not variable.values:
        return False
    matching = sum(bool(_AREA_VALUE.match(v)) for v in variable.values)
    return matching / len(variable.values) >= 0.8 and any(
        _MUNICIPALITY_VALUE.match(v) for v in variable.values
    )


def _is_time(variable: Variable) -> bool:
    return (
        variable.time
        or variable.code.startswith("timeperiod")
        or (variable.text.casefold() in _TIME_TEXTS)
    )


def _is_contents(variable: Variable) -> bool:
    return variable.code.casefold() in {"contentscode", "tiedot"} or (
        variable.text.casefold() in _CONTENTS_TEXTS
    )


def plan_queries(
    meta: TableMetadata,
    contents: Sequence[str],
    years: Sequence[str] | None = None,
    fixed: Mapping[str, str] | None = None,
    max_cells: int = MAX_CELLS,
) -> list[dict[str, Any]]:
    """Query bodies (json-stat2) covering every municipality, each within ``max_cells``.

    ``years``: time values to ask for (None = all). ``fixed``: value of each other variable
    (e.g. sex total); variables that can be eliminated are left out, others default to their
    first value (PxWeb lists the total first).
    """
    fixed = dict(fixed or {})
    unknown = [c for c in contents if c not in meta.contents.values]
    if unknown:
        raise SourceFormatError(
            "pxweb",
            "data.error.source_contents",
            table=meta.title,
            codes=", ".join(unknown),
            known=", ".join(meta.contents.values[:10]),
        )
    selections = []
    for variable in meta.others:
        if variable.code in fixed:
            selections.append(_item(variable.code, [fixed[variable.code]]))
        elif not variable.elimination and variable.values:
            selections.append(_item(variable.code, [variable.values[0]]))
    time_values = list(years) if years else list(meta.time.values)
    per_area = max(1, len(time_values) * len(contents))
    batch = max(1, max_cells // per_area)
    areas = meta.municipality_values()
    bodies = []
    for start in range(0, len(areas), batch):
        query = [
            _item(meta.area.code, areas[start : start + batch]),
            _item(meta.time.code, time_values),
            _item(meta.contents.code, list(contents)),
            *selections,
        ]
        bodies.append({"query": query, "response": {"format": "json-stat2"}})
    return bodies


def _item(code: str, values: Sequence[str]) -> dict[str, Any]:
    return {"code": code, "selection": {"filter": "item", "values": list(values)}}


def parse_jsonstat2(doc: Any, source: str = "pxweb") -> pd.DataFrame:
    """A json-stat2 dataset as a long frame: one column per dimension (category codes), ``value``
    (NaN when missing) and ``status`` (the symbol, e.g. ".."; None when the cell has none).

    Cells with a status symbol and no number stay missing, never 0.
    """

    def bad(detail: str) -> SourceFormatError:
        return SourceFormatError(source, "data.error.jsonstat_invalid", detail=detail)

    if not isinstance(doc, Mapping):
        raise bad("the document is not a JSON object")
    if doc.get("class") != "dataset":
        raise bad("'class' is not 'dataset'")
    ids, sizes, dims = doc.get("id"), doc.get("size"), doc.get("dimension")
    if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids) or not ids:
        raise bad("'id' must be a non-empty list of dimension codes")
    if len(set(ids)) != len(ids):
        raise bad("'id' repeats a dimension")
    if (
        not isinstance(sizes, list)
        or len(sizes) != len(ids)
        or not all(isinstance(s, int) and not isinstance(s, bool) and s >= 0 for s in sizes)
    ):
        raise bad("'size' must list one non-negative length per dimension")
    total = math.prod(sizes)
    if total > _MAX_PARSED_CELLS:
        raise bad(f"{total} cells is more than this reader accepts")
    if not isinstance(dims, Mapping):
        raise bad("'dimension' is missing")
    categories = [
        _category_codes(dims.get(dim), size, dim, bad) for dim, size in zip(ids, sizes, strict=True)
    ]
    values = _cell_values(doc.get("value"), total, bad)
    status = _cell_status(doc.get("status"), total, bad)
    if total == 0:
        frame = pd.DataFrame({dim: pd.Series(dtype="string") for dim in ids})
        frame["value"] = pd.Series(dtype="float64")
        frame["status"] = pd.Series(dtype="object")
        return frame
    grid = np.indices(sizes).reshape(len(sizes), -1)  # row-major, like 'value'
    frame = pd.DataFrame(
        {
            dim: np.asarray(codes, dtype=object)[grid[i]]
            for i, (dim, codes) in enumerate(zip(ids, categories, strict=True))
        }
    )
    # NOTE: a cell marked "." (not applicable), ".." (not available) or "..." (confidential) is
    # missing even when the service also sends a number (sometimes 0) for it.
    suppressed = np.array([s in SUPPRESSED_STATUS for s in status], dtype=bool)
    frame["value"] = np.where(suppressed, np.nan, values)
    frame["status"] = status
    return frame


def _category_codes(dimension: Any, size: int, dim: str, bad: Any) -> list[str]:
    if not isinstance(dimension, Mapping) or not isinstance(dimension.get("category"), Mapping):
        raise bad(f"dimension {dim!r} has no category")
    category = dimension["category"]
    index = category.get("index")
    if index is None and isinstance(category.get("label"), Mapping) and len(category["label"]) == 1:
        index = {next(iter(category["label"])): 0}
    if isinstance(index, list):
        codes = [str(c) for c in index]
    elif isinstance(index, Mapping):
        codes = [None] * len(index)
        for code, position in index.items():
            if (
                not isinstance(position, int)
                or isinstance(position, bool)
                or not 0 <= position < len(index)
            ):
                raise bad(f"dimension {dim!r} has a bad index position for {code!r}")
            codes[position] = str(code)
        if any(c is None for c in codes):
            raise bad(f"dimension {dim!r} repeats an index position")
    else:
        raise bad(f"dimension {dim!r} has no category index")
    if len(codes) != size:
        raise bad(f"dimension {dim!r} has {len(codes)} categories but size says {size}")
    return codes


def _number(value: Any, bad: Any) -> float:
    if value is None:
        return float("nan")
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise bad(f"value {value!r} is not a number or null")
    number = float(value)
    if math.isinf(number):
        raise bad("infinite value")
    return number


def _cell_values(raw: Any, total: int, bad: Any) -> np.ndarray:
    if isinstance(raw, list):
        if len(raw) != total:
            raise bad(f"'value' has {len(raw)} cells, the sizes give {total} (truncated?)")
        return np.array([_number(v, bad) for v in raw], dtype="float64")
    if isinstance(raw, Mapping):
        out = np.full(total, np.nan)
        for position, value in raw.items():
            index = _position(position, total, bad)
            out[index] = _number(value, bad)
        return out
    raise bad("'value' is missing")


def _position(raw: Any, total: int, bad: Any) -> int:
    try:
        index = int(raw)
    except (TypeError, ValueError) as exc:
        raise bad(f"cell position {raw!r} is not a number") from exc
    if not 0 <= index < total:
        raise bad(f"cell position {raw!r} is outside the table")
    return index


def _cell_status(raw: Any, total: int, bad: Any) -> list[str | None]:
    status: list[str | None] = [None] * total
    if raw is None:
        return status
    if isinstance(raw, str):
        return [raw] * total
    if isinstance(raw, list):
        if len(raw) != total:
            raise bad("'status' list does not match the number of cells")
        return [None if s is None else str(s) for s in raw]
    if isinstance(raw, Mapping):
        for position, symbol in raw.items():
            status[_position(position, total, bad)] = None if symbol is None else str(symbol)
        return status
    raise bad("'status' has an unexpected type")


def municipality_code(area_value: str) -> str | None:
    """'KU091' or '091' -> '091'; None for regions, the whole country and other areas."""
    match = _MUNICIPALITY_VALUE.match(str(area_value))
    return match.group(1) if match else None


def dataset_roles(doc: Mapping[str, Any], frame: pd.DataFrame) -> tuple[str, str, str | None]:
    """(area, time, contents) dimension ids of a parsed json-stat2 dataset.

    Read from ``role`` when present, else from the category codes (area = codes like KU091/SSS,
    time = 4-digit years).
    """
    dims = [c for c in frame.columns if c not in ("value", "status")]
    role = doc.get("role") if isinstance(doc.get("role"), Mapping) else {}
    time = next((d for d in (role.get("time") or []) if d in dims), None)
    metric = next((d for d in (role.get("metric") or []) if d in dims), None)
    area = None
    for dim in dims:
        codes = frame[dim].astype(str).unique()
        if (
            len(codes)
            and np.mean([bool(_AREA_VALUE.match(c)) for c in codes]) >= 0.8
            and any(_MUNICIPALITY_VALUE.match(c) for c in codes)
        ):
            area = dim
            break
    if time is None:
        time = next(
            (
                d
                for d in dims
                if d != area and len(frame) and frame[d].astype(str).str.fullmatch(r"\d{4}").all()
            ),
            None,
        )
    if metric is None:
        rest = [d for d in dims if d not in (area, time)]
        metric = (
            rest[0]
            if len(rest) == 1
            else next((d for d in rest if "content" in d.lower() or d.lower() == "tiedot"), None)
        )
    if area is None or time is None:
        raise SourceFormatError("pxweb", "data.error.jsonstat_roles", dims=", ".join(dims))
    return area, time, metric


STATFI_BASE = "https://pxdata.stat.fi/PxWeb/api/v1/fi/"
TRAFICOM_BASE = "https://trafi2.stat.fi/PXWeb/api/v1/fi/"
LICENCE = "CC BY 4.0"


def read_table_metadata(fetcher: Any, source: str, table_url: str, table: str) -> TableMetadata:
    """The table's metadata (GET on the table's address)."""
    return parse_metadata(fetcher.get_json(source, table_url, licence=LICENCE), source, table)


def contents_text(meta: TableMetadata, code: str) -> str:
    """The text (valueText) the table gives a contents code; empty when it has none."""
    values = meta.contents.values
    return meta.contents.value_texts[values.index(code)] if code in values else ""


def fetch_table_values(
    fetcher: Any,
    source: str,
    table_url: str,
    table: str,
    contents: Sequence[str],
    last_years: int = 10,
    fixed: Mapping[str, str] | None = None,
    meta: TableMetadata | None = None,
) -> pd.DataFrame:
    """Tidy values (municipality_code, contents, year, value) of ``contents`` for every
    municipality over the table's latest ``last_years`` annual periods (the metadata is read
    first unless given)."""
    meta = meta or read_table_metadata(fetcher, source, table_url, table)
    years = _annual_periods(meta.time.values)[-last_years:]
    if not years:
        raise SourceFormatError(
            source,
            "data.error.source_schema",
            table=table,
            detail=f"no annual periods in {meta.time.code}",
        )
    frames = []
    for body in plan_queries(meta, contents, years, fixed):
        doc = fetcher.post_json(source, table_url, body, licence=LICENCE)
        frame = parse_jsonstat2(doc, source)
        for dim in (meta.area.code, meta.time.code, meta.contents.code):
            if dim not in frame.columns:
                raise SourceFormatError(
                    source,
                    "data.error.source_variables",
                    table=table,
                    roles=dim,
                    codes=", ".join(map(str, frame.columns)),
                )
        frames.append(frame)
    frame = pd.concat(frames, ignore_index=True)
    codes = frame[meta.area.code].map(municipality_code)
    frame = frame.assign(municipality_code=codes).dropna(subset=["municipality_code"])
    return pd.DataFrame(
        {
            "municipality_code": frame["municipality_code"].astype(str),
            "contents": frame[meta.contents.code].astype(str),
            "year": frame[meta.time.code].astype(str).str[:4].astype("int64"),
            "value": frame["value"].astype("float64"),
        }
    ).reset_index(drop=True)


def _annual_periods(values: Sequence[str]) -> list[str]:
    return sorted(v for v in values if re.fullmatch(r"\d{4}", v))


STEP_SOURCE = "Statistics Finland (PxWeb)"


def _checked_contents(
    meta: TableMetadata,
    table: str,
    codes: Mapping[str, dict[str, Any]],
    fixed: Mapping[str, str],
) -> tuple[dict[str, str], list[Any]]:
    """(contents code -> indicator id, skipped entries) of one table: a code the metadata no
    longer lists, a fixed value it no longer has, or a code whose text is not the one the
    catalogue expects (``source.title``) skips only its entry."""
    from kuntadash.sources.step import skip

    variables = {v.code: v for v in meta.others}
    absent = [
        f"{code}={value}"
        for code, value in fixed.items()
        if code not in variables or value not in variables[code].values
    ]
    contents: dict[str, str] = {}
    skipped = []
    for code, entry in codes.items():
        if absent or code not in meta.contents.values:
            skipped.append(
                skip(entry, "code_missing", table=table, code=absent[0] if absent else code)
            )
            continue
        mismatch = title_mismatch(expected_titles(entry), {"fi": contents_text(meta, code)})
        if mismatch:
            expected, found = mismatch
            skipped.append(skip(entry, "title_mismatch", code=code, expected=expected, found=found))
            continue
        contents[code] = str(entry["id"])
    return contents, skipped


def fetch_step(context: Any) -> Any:
    """The pipeline step of the ``pxweb`` adapter: one batch of queries per (table, fixed
    selections) of the catalogue entries, from the publisher's API base in sources.yaml.

    An entry is fetched when its contents code says which cells it is: entries without a code,
    with a combined code ("39+44") or sharing a code with another entry of the same query (they
    differ by a variable the catalogue does not name yet) are skipped with their reason; they
    need a ``query:`` block in indicators.yaml. The table's metadata is read first: a code it no
    longer lists, or whose text differs from the catalogue's ``source.title``, skips only that
    entry, and a table that is gone (404, or 400 for a retired table id) skips its entries.
    """
    import json

    from kuntadash.sources.step import TIDY_COLUMNS, StepResult, empty_values, skip

    base = str(context.publisher.get("api") or "https://pxdata.stat.fi/PxWeb/api/v1/") + "fi/"
    skipped: list[Any] = []
    groups: dict[tuple[str, str], dict[str, list[dict[str, Any]]]] = {}
    for entry in context.entries:
        source = entry["source"]
        query = entry.get("query") or {}
        code = query.get("contents") or source.get("code")
        if not source.get("table") or not code:
            skipped.append(skip(entry, "no_code"))
            continue
        if "+" in str(code):
            skipped.append(skip(entry, "needs_query", code=str(code)))
            continue
        fixed = json.dumps(query.get("fixed") or {}, sort_keys=True)
        key = (str(query.get("table") or source["table"]), fixed)
        groups.setdefault(key, {}).setdefault(str(code), []).append(entry)
    frames = []
    for position, ((table, fixed), codes) in enumerate(sorted(groups.items())):
        context.report(STEP_SOURCE, position / max(1, len(groups)))
        single = {}
        for code, entries in codes.items():
            if len(entries) == 1:
                single[code] = entries[0]
            else:
                skipped += [skip(e, "needs_query", code=code) for e in entries]
        if not single:
            continue
        try:
            meta = read_table_metadata(context.fetcher, STEP_SOURCE, base + table, table)
        except SourceError as exc:
            if not is_not_found(exc, also=frozenset({400})):
                raise
            status = exc.params.get("status")
            skipped += [
                skip(e, "not_found", url=base + table, status=status) for e in single.values()
            ]
            continue
        contents, rejected = _checked_contents(meta, table, single, json.loads(fixed))
        skipped += rejected
        if not contents:
            continue
        tidy = fetch_table_values(
            context.fetcher,
            STEP_SOURCE,
            base + table,
            table,
            list(contents),
            context.last_years,
            json.loads(fixed),
            meta,
        )
        tidy["indicator_id"] = tidy["contents"].map(contents)
        tidy["source_id"] = STEP_SOURCE
        frames.append(tidy[list(TIDY_COLUMNS)])
    context.report(STEP_SOURCE, 1.0)
    values = pd.concat(frames, ignore_index=True) if frames else empty_values()
    return StepResult(STEP_SOURCE, values, skipped)
