"""Official data bundled with kuntadash, built from copies of official open-data files.

Pipeline entry (no network): ``kuntadash data register`` writes the municipality register of a
division (``resources/register_<year>.csv``: Statistics Finland's classifications and the
National Land Survey's land areas), and ``kuntadash data official`` builds the committed default
snapshot (``data/``) from the files listed in ``resources/official_files.yaml``. Every file's
SHA-256 is checked before it is read, so a build names exactly what it was made from and can be
repeated byte for byte; a missing or different file stops the build with a sentence saying which.
The files are read by the importer's readers (``pipeline.importing.build_import``) and the
snapshot is written by ``pipeline.finish``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
from pathlib import Path
from typing import Any

import pandas as pd

from kuntadash import resources
from kuntadash.domain.harmonise import merger_map, read_division_changes
from kuntadash.errors import UserError
from kuntadash.i18n import translate
from kuntadash.provenance import OfficialFile, official_files
from kuntadash.sources.nls import land_areas_from_geojson
from kuntadash.sources.statfi_classifications import REGISTER_COLUMNS, register_from_key
from kuntadash.terminal import echo

REGISTER_DIR = Path(resources.__file__).resolve().parent
OPENDATA_DEFAULT = Path("../shared/opendata")
OFFICIAL_COMMAND = "kuntadash data official --opendata ../shared/opendata --out data"
REGISTER_FILE_COLUMNS = (*REGISTER_COLUMNS, "land_area_km2")


class OfficialDataError(UserError):
    """An official file is missing, different or unreadable; nothing was written."""


def locate(opendata: Path, entry: OfficialFile) -> Path:
    """The file's path under ``opendata`` after checking that it is the one listed."""
    path = Path(opendata) / entry.path
    if not path.is_file():
        raise OfficialDataError("official.error.missing", file=entry.path, folder=str(opendata))
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if digest != entry.sha256:
        raise OfficialDataError("official.error.different", file=entry.path, sha256=digest[:12])
    return path


def _entry(provides: str, division: int | None = None) -> OfficialFile:
    for entry in official_files():
        if entry.provides == provides and (division is None or entry.division == division):
            return entry
    raise OfficialDataError("official.error.no_entry", what=provides, division=division or "-")


def build_register(opendata: Path, division_year: int) -> pd.DataFrame:
    """The register of ``division_year``: classifications from Statistics Finland's key, land
    area from the National Land Survey (areas of an earlier division summed over mergers)."""
    key_entry = _entry("register", division_year)
    key = pd.read_csv(locate(opendata, key_entry), dtype=str, keep_default_na=False)
    register = register_from_key(key, key_entry.path)
    area_entry = _entry("land_area")
    doc = json.loads(locate(opendata, area_entry).read_text(encoding="utf-8"))
    areas = land_areas_from_geojson(doc, area_entry.path)
    changes = read_division_changes(resources.read_resource_yaml("division_changes.yaml"))
    mapping = merger_map(changes, division_year)
    areas = areas.groupby(areas.index.map(lambda code: mapping.get(code, code))).sum()
    register["land_area_km2"] = register["municipality_code"].map(areas).round(2)
    lacking = register.loc[register["land_area_km2"].isna(), "municipality_code"]
    if len(lacking):
        raise OfficialDataError(
            "official.error.no_area", codes=", ".join(lacking[:10]), file=area_entry.path
        )
    return register[list(REGISTER_FILE_COLUMNS)]


def write_register(register: pd.DataFrame, path: Path) -> None:
    text = register.to_csv(index=False, lineterminator="\n")
    path.write_text(text, encoding="utf-8")


def run_register_cli(args: argparse.Namespace) -> int:
    out = Path(args.out) if args.out else REGISTER_DIR / resources.register_file(args.division)
    try:
        register = build_register(Path(args.opendata), args.division)
    except OfficialDataError as exc:
        echo(f"error: {exc.render(args.lang)}", err=True)
        return 1
    write_register(register, out)
    echo(translate("official.register_written", args.lang, count=len(register), file=str(out)))
    return 0


def build_official_snapshot(opendata: Path, division_year: int = 2025) -> tuple[Any, Any]:
    """The default snapshot of official figures (not written) and the import report: the
    register from the classification key, boundaries and values from the listed files, merged
    figures harmonised to the division with the data's own population."""
    from kuntadash.pipeline.importing import build_import
    from kuntadash.store.snapshot import Snapshot, now_iso

    register = build_register(opendata, division_year)
    files = [e for e in official_files() if e.provides in ("boundaries", "values")]
    paths = [locate(opendata, entry) for entry in files]
    snapshot, report = build_import(
        paths, None, division_year=division_year, register=register, target="data"
    )
    renamed = {f"import:{Path(entry.path).name}": entry.id for entry in files}
    values = snapshot.values.assign(
        source_id=snapshot.values["source_id"].map(lambda s: renamed.get(s, s))
    )
    register_files = [
        e
        for e in official_files()
        if (e.provides == "register" and e.division == division_year) or e.provides == "land_area"
    ]
    manifest = {
        **snapshot.manifest,
        "title": "kuntadash default snapshot (official figures)",
        "created": now_iso(),
        "command": OFFICIAL_COMMAND,
        "sources": [e.source_entry(OFFICIAL_COMMAND) for e in register_files + files],
    }
    manifest.pop("last_import", None)
    return Snapshot(
        manifest,
        snapshot.municipalities,
        snapshot.boundaries,
        values,
        snapshot.catalogue,
        harmonised=snapshot.harmonised,
        tiles=snapshot.tiles,
    ), report


def run_official_cli(args: argparse.Namespace) -> int:
    from kuntadash.importing import DataImportError
    from kuntadash.pipeline.finish import NotWrittenError, finish

    try:
        snapshot, report = build_official_snapshot(Path(args.opendata), args.division)
    except OfficialDataError as exc:
        echo(f"error: {exc.render(args.lang)}", err=True)
        return 1
    except DataImportError as exc:
        for item in exc.messages:
            echo(f"error: {item.render(args.lang)}", err=True)
        return 1
    try:
        written = finish(snapshot, Path(args.out))
    except NotWrittenError as exc:
        if exc.problems:
            for problem in exc.problems:
                echo(f"error: {problem}", err=True)
            return 1
        echo(f"error: {exc.render(args.lang)}", err=True)
        echo(translate("data.cli.nothing_written", args.lang, dir=args.out), err=True)
        return 1
    for line in report.render(args.lang):
        echo(line)
    echo(translate("official.snapshot_written", args.lang, dir=args.out, hash=written.version))
    return 0
