"""Bundled data files (catalogue, register, groupings, locales) and their readers.

Data layer helper: everything here is read-only data shipped inside the package, so the app and
the CLI find it wherever the package is installed. Files are described in README.md beside this
module.
"""

from __future__ import annotations

import io
from functools import cache
from importlib import resources
from typing import Any

import pandas as pd
import yaml

_PACKAGE = "kuntadash.resources"

INDICATORS_FILE = "indicators.yaml"
SOURCES_FILE = "sources.yaml"
SAMPLE_REGISTER_FILE = "sample_register_2025.csv"
TYPES_FILE = "municipality_types_2025.yaml"
OFFICIAL_FILES = "official_files.yaml"
PEERS_FILE = "peers.yaml"
REGISTER_CODE_COLUMNS = (
    "municipality_code",
    "region_code",
    "subregion_code",
    "wellbeing_county_code",
)


def register_file(division_year: int) -> str:
    """Name of the official register of the ``division_year`` municipal division."""
    return f"register_{int(division_year)}.csv"


def read_resource_text(name: str) -> str:
    """Text of a bundled resource file (UTF-8)."""
    return resources.files(_PACKAGE).joinpath(name).read_text(encoding="utf-8")


# libyaml's safe loader where PyYAML was built with it (the wheels are): the same documents,
# parsed about five times faster than by the pure-Python loader (0.10 s against 0.46 s for every
# resource), which each process of the app, the CLI and the workers reads at its start.
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def parse_yaml(text: str) -> Any:
    """A YAML document's data, by the safe loader (libyaml's where there is one)."""
    return yaml.load(text, Loader=_SAFE_LOADER)


def read_resource_yaml(name: str) -> Any:
    return parse_yaml(read_resource_text(name))


def read_resource_csv(name: str, code_columns: tuple[str, ...] = ()) -> pd.DataFrame:
    """A bundled CSV with the named code columns kept as strings (leading zeros matter)."""
    return pd.read_csv(
        io.StringIO(read_resource_text(name)),
        dtype={c: str for c in code_columns},
        keep_default_na=False,
        na_values=[""],
    )


@cache
def read_indicator_catalogue_document() -> dict[str, Any]:
    """The catalogue YAML document as parsed (dimensions and indicators)."""
    return read_resource_yaml(INDICATORS_FILE)


@cache
def read_sources_document() -> dict[str, Any]:
    return read_resource_yaml(SOURCES_FILE)


@cache
def read_municipality_types_document() -> dict[str, Any]:
    return read_resource_yaml(TYPES_FILE)


@cache
def _read_register(division_year: int) -> pd.DataFrame:
    try:
        text = read_resource_text(register_file(division_year))
    except FileNotFoundError as exc:
        raise ValueError(f"no bundled register for the {division_year} division") from exc
    return pd.read_csv(
        io.StringIO(text),
        dtype={c: str for c in REGISTER_CODE_COLUMNS},
        keep_default_na=False,
        na_values=[""],
    )


def read_municipality_register(division_year: int = 2025) -> pd.DataFrame:
    """The official register of a division (Statistics Finland's classifications and the NLS
    land area; built by ``kuntadash data register``, see README.md here). A fresh copy."""
    return _read_register(int(division_year)).copy()


def read_sample_register() -> pd.DataFrame:
    """Approximate municipal centres and populations: for the synthetic sample only."""
    return read_resource_csv(SAMPLE_REGISTER_FILE, ("municipality_code",))


@cache
def read_official_files_document() -> dict[str, Any]:
    return read_resource_yaml(OFFICIAL_FILES)


@cache
def read_peers_document() -> dict[str, Any]:
    """The similar-municipality settings kept as data (the weights' order in a link)."""
    return read_resource_yaml(PEERS_FILE)


def locale_files() -> list[str]:
    """Names of the locale files (one YAML per UI area, each key with fi / sv / en)."""
    folder = resources.files(_PACKAGE).joinpath("locales")
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".yaml"))


def read_locale_file(name: str) -> dict[str, dict[str, str]]:
    return read_resource_yaml(f"locales/{name}") or {}
