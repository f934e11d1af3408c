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
REGISTER_FILE = "municipalities_2025.csv"
REGIONS_FILE = "regions.csv"
COUNTIES_FILE = "wellbeing_counties.csv"
TYPES_FILE = "municipality_types_2025.yaml"


def read_resource_text(name: str) -> str:
    """Text of a bundled resource file (UTF-8)."""
    return resources.files(_PACKAGE).joinpath(name).read_text(encoding="utf-8")


def read_resource_yaml(name: str) -> Any:
    return yaml.safe_load(read_resource_text(name))


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


def read_municipality_register() -> pd.DataFrame:
    return read_resource_csv(
        REGISTER_FILE, ("municipality_code", "region_code", "wellbeing_county_code")
    )


def read_regions() -> pd.DataFrame:
    return read_resource_csv(REGIONS_FILE, ("region_code",))


def read_wellbeing_counties() -> pd.DataFrame:
    return read_resource_csv(COUNTIES_FILE, ("code",))


def locale_files() -> list[str]:
    """Names of the locale files (one YAML per UI area, each key with fi / sv / en)."""
    folder = resources.files(_PACKAGE).joinpath("locales")
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".yaml"))


def read_locale_file(name: str) -> dict[str, dict[str, str]]:
    return read_resource_yaml(f"locales/{name}") or {}
