"""Statistics Finland classification API: the municipality register of a division — names in
fi / sv / en, region (maakunta), sub-region (seutukunta), wellbeing services county
(hyvinvointialue), urban/semi-urban/rural group (kuntaryhmitys) and language status (kielisuhde).

The correspondence tables are found first: ``GET …/classifications/v2/correspondenceTables``
lists every table as an address whose last segment is ``<source>%23<target>`` (local ids such as
``kunta_1_20250101`` and ``maakunta_1_20250101``); the table of each target is the one whose
source is ``kunta_1_<year>0101``. Then each table's ``/maps`` is read, one language per call.
NOTE: a target may carry another version than ``_1_`` (e.g. ``erva_3_…``), which is why the list
is read instead of building the address; rOpenGov/geofi (``inst/extras/municipality_keys.R``)
does the same. Each map row has ``sourceItem`` and ``targetItem``, each with ``code`` and
``classificationItemNames`` (``[{lang, name}]``), as read by pttry/statficlassifications
(``R/access_api.R``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import unquote, urlsplit

import pandas as pd

from kuntadash.i18n import LANGUAGES
from kuntadash.sources.errors import SourceFormatError

SOURCE = "Statistics Finland classifications"
LICENCE = "CC BY 4.0"
API = "https://data.stat.fi/api/classifications/v2/"
BASE = API + "correspondenceTables/"
_LOCAL_ID = re.compile(r"^(?P<name>[a-z0-9_]+?)_(?P<version>\d+)_(?P<date>\d{8})$")


def municipality_classification(year: int) -> str:
    """The local id of the municipality classification of the ``year`` division."""
    return f"kunta_1_{year}0101"


def maps_url(source: str, target: str) -> str:
    """The address of the maps of the correspondence table ``source`` -> ``target``."""
    return f"{BASE}{source}%23{target}/maps"


def correspondence_params(lang: str = "fi") -> dict[str, str]:
    return {"content": "data", "meta": "min", "lang": lang, "format": "json"}


def table_list_params() -> dict[str, str]:
    return {"format": "json"}


def _table_ids(row: Any) -> tuple[str, str] | None:
    """(source, target) local ids of one row of the correspondence-table list."""
    text = (
        row.get("value") or row.get("url") or row.get("localId")
        if isinstance(row, Mapping)
        else row
    )
    if not isinstance(text, str):
        return None
    # NOTE: older answers wrote the separator as a bare "#", which would start a URL fragment
    last = unquote(urlsplit(text.replace("#", "%23")).path.rstrip("/").rsplit("/", 1)[-1])
    source, hash_, target = last.partition("#")
    return (source, target) if hash_ and source and target else None


def parse_table_list(doc: Any) -> list[tuple[str, str]]:
    """(source, target) local ids of every table in a ``/correspondenceTables`` answer."""
    if not isinstance(doc, list):
        raise SourceFormatError(
            SOURCE,
            "data.error.source_schema",
            table="correspondenceTables",
            detail="expected a list of tables",
        )
    return [ids for ids in map(_table_ids, doc) if ids]


def pick_tables(
    tables: Iterable[tuple[str, str]], source: str, targets: Iterable[str]
) -> dict[str, str]:
    """Target classification name -> the local id of its table from ``source``.

    When a target has several tables from the same source, the one dated like the source wins,
    then the latest date, then the highest version."""
    date = source.rsplit("_", 1)[-1]
    found: dict[str, list[tuple[bool, str, int, str]]] = {}
    for table_source, target in tables:
        match = _LOCAL_ID.match(target)
        if table_source != source or not match:
            continue
        found.setdefault(match["name"], []).append(
            (match["date"] == date, match["date"], int(match["version"]), target)
        )
    wanted = list(targets)
    missing = [t for t in wanted if t not in found]
    if missing:
        raise SourceFormatError(
            SOURCE,
            "data.error.source_schema",
            table="correspondenceTables",
            detail=f"no table from {source} to {', '.join(missing)}",
        )
    return {t: max(found[t])[3] for t in wanted}


def _code(item: Any) -> str | None:
    """The code of a map row's item: ``code``, else the last segment of ``localId``."""
    if not isinstance(item, Mapping):
        return None
    if item.get("code") is not None and str(item["code"]).strip():
        return str(item["code"]).strip()
    local = item.get("localId")
    return local.rstrip("/").rsplit("/", 1)[-1] if isinstance(local, str) else None


def parse_correspondence(doc: Any, target: str) -> dict[str, str]:
    """Municipality code -> target code from a correspondence 'maps' response."""
    if not isinstance(doc, list):
        raise SourceFormatError(
            SOURCE, "data.error.source_schema", table=target, detail="expected a list of maps"
        )
    mapping = {}
    for row in doc:
        if not isinstance(row, Mapping):
            continue
        source, dest = _code(row.get("sourceItem")), _code(row.get("targetItem"))
        if source and dest and source.isdigit():
            mapping[source.zfill(3)] = dest
    if not mapping:
        raise SourceFormatError(
            SOURCE,
            "data.error.source_schema",
            table=target,
            detail="no municipality rows (sourceItem / targetItem codes) in the maps",
        )
    return mapping


# --- The municipality register: codes, names and official groupings of one division ----------

# Register column prefix -> the classification it comes from (kunta_1_<date>#<target>_1_<date>).
GROUPINGS = {
    "region": "maakunta",
    "subregion": "seutukunta",
    "wellbeing_county": "hyvinvointialue",
}
REGISTER_TARGETS = (*GROUPINGS.values(), "kuntaryhmitys", "kielisuhde")
# Width of each grouping's code as Statistics Finland writes it ("01" Uusimaa, "011" Helsinki
# sub-region, "90" City of Helsinki in the wellbeing county classification).
_CODE_WIDTH = {"region": 2, "subregion": 3, "wellbeing_county": 2}
REGISTER_COLUMNS: tuple[str, ...] = (
    "municipality_code",
    *(f"name_{lang}" for lang in LANGUAGES),
    *(
        column
        for prefix in GROUPINGS
        for column in (f"{prefix}_code", *(f"{prefix}_name_{lang}" for lang in LANGUAGES))
    ),
    "urban_rural_group",
    "language_status",
)
# NOTE: the language-status classification (kielisuhde) is matched by its Finnish item names, not
# by code: the codes seen in the classification key of 2025 are 0–3 (0 Finnish, 1 bilingual with
# a Finnish majority, 2 Swedish, 3 bilingual with a Swedish majority), while older notes give 1–4.
_LANGUAGE_BY_NAME = {
    "yksikielinen suomenkielinen kunta": "fi",
    "kaksikielinen kunta, jossa enemmistön kieli on suomi": "fi_sv",
    "kaksikielinen kunta, jossa enemmistön kieli on ruotsi": "sv_fi",
    "yksikielinen ruotsinkielinen kunta": "sv",
}


def language_status_key(name_fi: object) -> str | None:
    """Our language-status key (fi, fi_sv, sv_fi, sv) of a kielisuhde item's Finnish name."""
    return _LANGUAGE_BY_NAME.get(" ".join(str(name_fi).split()).casefold())


def _clean(text: object) -> str:
    # NOTE: some Swedish names carry trailing spaces in the classification key ("S:t Mårtens  ").
    return " ".join(str(text).split()) if isinstance(text, str) else ""


def _finish_register(frame: pd.DataFrame, table: str) -> pd.DataFrame:
    """Checks shared by both register readers: complete, unique, recognised values."""
    problems = []
    if frame["municipality_code"].duplicated().any():
        problems.append("duplicate municipality codes")
    unknown_language = frame.loc[frame["language_status"].isna(), "municipality_code"]
    if len(unknown_language):
        problems.append(f"unknown language status for {', '.join(unknown_language[:5])}")
    if not frame["urban_rural_group"].isin([1, 2, 3]).all():
        problems.append("urban/rural group outside 1–3")
    empty = [c for c in REGISTER_COLUMNS if frame[c].isna().any() or frame[c].eq("").any()]
    if empty:
        problems.append(f"empty cells in {', '.join(empty)}")
    if problems:
        raise SourceFormatError(
            SOURCE, "data.error.source_schema", table=table, detail="; ".join(problems)
        )
    frame["urban_rural_group"] = frame["urban_rural_group"].astype("int64")
    return frame[list(REGISTER_COLUMNS)].sort_values("municipality_code", ignore_index=True)


def register_from_key(key: pd.DataFrame, table: str = "classification key") -> pd.DataFrame:
    """The register from a classification key table: one row per municipality with the columns
    ``kunta``, ``municipality_name_{fi,sv,en}`` and ``<target>_code`` / ``<target>_name_{lang}``
    for each target (the form in which rOpenGov/geofi stores the classification API's
    correspondence tables, ``municipality_key_<year>``)."""
    needed = ["kunta", *(f"municipality_name_{lang}" for lang in LANGUAGES)]
    needed += [f"{target}_code" for target in REGISTER_TARGETS]
    needed += [f"{t}_name_{lang}" for t in GROUPINGS.values() for lang in LANGUAGES]
    needed += ["kielisuhde_name_fi"]
    missing = [c for c in needed if c not in key.columns]
    if missing:
        raise SourceFormatError(
            SOURCE, "data.error.source_schema", table=table, detail=f"missing {', '.join(missing)}"
        )
    out = pd.DataFrame({"municipality_code": key["kunta"].astype(str).str.zfill(3)})
    for lang in LANGUAGES:
        out[f"name_{lang}"] = key[f"municipality_name_{lang}"].map(_clean)
    for prefix, target in GROUPINGS.items():
        out[f"{prefix}_code"] = [
            _grouping_code(value, _CODE_WIDTH[prefix]) for value in key[f"{target}_code"]
        ]
        for lang in LANGUAGES:
            out[f"{prefix}_name_{lang}"] = key[f"{target}_name_{lang}"].map(_clean)
    out["urban_rural_group"] = pd.to_numeric(key["kuntaryhmitys_code"], errors="coerce")
    out["language_status"] = key["kielisuhde_name_fi"].map(language_status_key)
    return _finish_register(out, table)


def _grouping_code(value: object, width: int) -> str:
    text = str(value).strip()
    if text.endswith(".0"):  # integer codes read through a float column
        text = text[:-2]
    return text.zfill(width) if text.isdigit() else ""


def _name(item: Mapping[str, Any], lang: str) -> str:
    names = [n for n in item.get("classificationItemNames") or [] if isinstance(n, Mapping)]
    chosen = next((n for n in names if n.get("lang") == lang and n.get("name")), None)
    chosen = chosen or next((n for n in names if n.get("name")), None)
    return _clean(chosen["name"]) if chosen else ""


def parse_item_names(
    doc: Any, target: str, lang: str = "fi"
) -> tuple[dict[str, str], dict[str, str]]:
    """(municipality code -> its name, target code -> its name) from one language's maps."""
    if not isinstance(doc, list):
        raise SourceFormatError(
            SOURCE, "data.error.source_schema", table=target, detail="expected a list of maps"
        )
    municipalities: dict[str, str] = {}
    targets: dict[str, str] = {}
    for row in doc:
        if not isinstance(row, Mapping):
            continue
        for part, names in (("sourceItem", municipalities), ("targetItem", targets)):
            item = row.get(part)
            code = _code(item)
            if code and isinstance(item, Mapping) and (name := _name(item, lang)):
                names[code] = name
    return municipalities, targets


def register_from_maps(docs: Mapping[tuple[str, str], Any], table: str) -> pd.DataFrame:
    """The register from correspondence maps, ``docs[(target, lang)]`` for every target of
    REGISTER_TARGETS and language of LANGUAGES (names come with the maps' items)."""
    first = REGISTER_TARGETS[0]
    codes = sorted(c.zfill(3) for c in parse_correspondence(docs[(first, "fi")], first))
    out = pd.DataFrame({"municipality_code": codes})
    for lang in LANGUAGES:
        names, _ = parse_item_names(docs[(first, lang)], first, lang)
        out[f"name_{lang}"] = out["municipality_code"].map(
            {c.zfill(3): n for c, n in names.items()}
        )
    for prefix, target in GROUPINGS.items():
        mapping = parse_correspondence(docs[(target, "fi")], target)
        out[f"{prefix}_code"] = [
            _grouping_code(mapping.get(c, ""), _CODE_WIDTH[prefix]) for c in codes
        ]
        for lang in LANGUAGES:
            _, names = parse_item_names(docs[(target, lang)], target, lang)
            by_code = {_grouping_code(c, _CODE_WIDTH[prefix]): n for c, n in names.items()}
            out[f"{prefix}_name_{lang}"] = out[f"{prefix}_code"].map(by_code)
    groups = parse_correspondence(docs[("kuntaryhmitys", "fi")], "kuntaryhmitys")
    out["urban_rural_group"] = pd.to_numeric(out["municipality_code"].map(groups), errors="coerce")
    _, language_names = parse_item_names(docs[("kielisuhde", "fi")], "kielisuhde")
    language = parse_correspondence(docs[("kielisuhde", "fi")], "kielisuhde")
    out["language_status"] = [
        language_status_key(language_names.get(language.get(c, ""), "")) for c in codes
    ]
    return _finish_register(out, table)


def fetch_register(fetcher: Any, year: int) -> pd.DataFrame:
    """The register of the ``year`` division from the classification API: the table list,
    then each target's maps in fi / sv / en (16 small calls)."""
    source = municipality_classification(year)
    tables = parse_table_list(
        fetcher.get_json(SOURCE, BASE.rstrip("/"), params=table_list_params(), licence=LICENCE)
    )
    chosen = pick_tables(tables, source, REGISTER_TARGETS)
    docs = {
        (target, lang): fetcher.get_json(
            SOURCE,
            maps_url(source, chosen[target]),
            params=correspondence_params(lang),
            licence=LICENCE,
        )
        for target in REGISTER_TARGETS
        for lang in LANGUAGES
    }
    return register_from_maps(docs, source)
