"""Where the bundled official data comes from: the entries of resources/official_files.yaml and
the manifest source entries made from them (assembling layer helper, no I/O beyond resources).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kuntadash import resources
from kuntadash.i18n import translate, translations

REGISTER_COMMAND = "kuntadash data register --opendata ../shared/opendata --division {division}"


@dataclass(frozen=True)
class OfficialFile:
    """One entry of official_files.yaml."""

    id: str
    path: str
    sha256: str
    publisher: str  # key of sources.yaml
    licence: str
    title: Mapping[str, str]
    vintage: Mapping[str, str]
    url: str
    via: str
    provides: str  # register | land_area | boundaries | values
    accessed: str
    division: int | None = None

    def source_entry(self, command: str) -> dict[str, Any]:
        """The manifest's description of this file (publisher named as in sources.yaml)."""
        publisher = resources.read_sources_document()[self.publisher]
        return {
            "id": self.id,
            "publisher": str(publisher["name"]["en"]),
            "publisher_key": self.publisher,
            "licence": self.licence,
            "url": self.url,
            "accessed": self.accessed,
            "title": dict(self.title),
            "vintage": dict(self.vintage),
            "file": Path(self.path).name,
            "sha256": self.sha256,
            "via": self.via,
            "command": command,
        }


def official_files() -> list[OfficialFile]:
    document = resources.read_official_files_document()
    return [
        OfficialFile(
            id=str(entry["id"]),
            path=str(entry["path"]),
            sha256=str(entry["sha256"]),
            publisher=str(entry["publisher"]),
            licence=str(entry["licence"]),
            title={k: str(v) for k, v in entry["title"].items()},
            vintage={k: str(v) for k, v in entry["vintage"].items()},
            url=str(entry["url"]),
            via=str(entry["via"]),
            provides=str(entry["provides"]),
            accessed=str(entry["accessed"]),
            division=int(entry["division"]) if entry.get("division") is not None else None,
        )
        for entry in document["files"]
    ]


def register_sources(division_year: int) -> list[dict[str, Any]]:
    """Manifest entries for the bundled register of a division: Statistics Finland's
    classification key it was built from and the land areas."""
    command = REGISTER_COMMAND.format(division=division_year)
    return [
        entry.source_entry(command)
        for entry in official_files()
        if (entry.provides == "register" and entry.division == division_year)
        or entry.provides == "land_area"
    ]


# --- Where shown values came from -----------------------------------------------------------


@dataclass(frozen=True)
class SourceLine:
    """One source of the values shown, in words of one language (no empty part is "nan")."""

    id: str
    publisher: str  # the publisher's name in the language
    title: str  # the dataset or file ("" when the source names none)
    vintage: str  # e.g. "2020–2021 (downloaded November 2022)", "" when unknown
    licence: str
    url: str  # an http(s) address to the source, or ""
    accessed: str  # date part only, "" when unknown
    synthetic: bool = False  # the made-up sample


def _text(value: object) -> str:
    """A manifest field as text; missing, None and NaN become ""."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    text = str(value).strip()
    return "" if text.lower() in ("nan", "none", "<na>") else text


def _publisher_name(source: Mapping[str, Any], fallback_key: str, lang: str) -> str:
    # The sample's own sources (made-up values, GeoNames' centres) are no publisher of
    # sources.yaml: their names are in the locale files, by source id.
    own = f"source.{_text(source.get('id'))}.publisher"
    if own in translations():
        return translate(own, lang)
    publishers = resources.read_sources_document() or {}
    for key in (_text(source.get("publisher_key")), _text(source.get("publisher")), fallback_key):
        names = (publishers.get(key) or {}).get("name") or {}
        if names:
            return _text(names.get(lang) or names.get("fi"))
    return _text(source.get("publisher")) or fallback_key


def describe_source(
    source: Mapping[str, Any], lang: str, fallback_publisher: str = ""
) -> SourceLine:
    """A manifest source entry as a :class:`SourceLine` in ``lang``."""
    ident = _text(source.get("id"))
    title = source.get("title")
    if isinstance(title, Mapping):
        title_text = _text(title.get(lang) or title.get("fi") or title.get("en"))
    else:
        title_text = _text(title)
    if not title_text and ident.startswith("import:"):
        title_text = ident.split(":", 1)[1]
    url = _text(source.get("url"))
    vintage = source.get("vintage")
    if isinstance(vintage, Mapping):
        vintage = vintage.get(lang) or vintage.get("fi") or vintage.get("en")
    return SourceLine(
        id=ident,
        publisher=_publisher_name(source, fallback_publisher, lang),
        title=title_text,
        vintage=_text(vintage),
        licence=_text(source.get("licence")),
        url=url if url.startswith(("https://", "http://")) else "",
        accessed=_text(source.get("accessed"))[:10],
        synthetic=ident == "synthetic",
    )


def value_source_ids(values: Any) -> dict[tuple[str, int], tuple[str, ...]]:
    """(indicator id, year) -> the source ids of its values (empty without a source column)."""
    if "source_id" not in values.columns:
        return {}
    pairs = values.loc[values["source_id"].notna(), ["indicator_id", "year", "source_id"]]
    pairs = pairs.drop_duplicates()
    result: dict[tuple[str, int], tuple[str, ...]] = {}
    for (indicator, year), group in pairs.groupby(["indicator_id", "year"], sort=False):
        result[(str(indicator), int(year))] = tuple(sorted(map(str, group["source_id"])))
    return result


def sources_of(
    manifest: Mapping[str, Any],
    by_key: Mapping[tuple[str, int], tuple[str, ...]],
    indicator_id: str,
    years: list[int] | None,
    lang: str,
    fallback_publisher: str = "",
) -> list[SourceLine]:
    """The sources of one indicator's values in ``years`` (None: every year), first seen first."""
    ids: list[str] = []
    for (indicator, year), found in sorted(by_key.items()):
        if indicator == indicator_id and (years is None or year in years):
            ids += [i for i in found if i not in ids]
    listed = {
        _text(s.get("id")): s for s in manifest.get("sources") or [] if isinstance(s, Mapping)
    }
    return [describe_source(listed[i], lang, fallback_publisher) for i in ids if i in listed]
