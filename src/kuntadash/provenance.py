"""Where the bundled official data comes from: the entries of resources/official_files.yaml and
the manifest source entries made from them (assembling layer helper, no I/O beyond resources).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kuntadash import resources

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
    vintage: str
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
            "vintage": self.vintage,
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
            vintage=str(entry["vintage"]),
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
