"""The ``kuntadash`` command: build, check, update and import snapshots.

Dependency direction: cli -> {sources, store, domain}; no streamlit here.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from kuntadash.store import SnapshotError, read_snapshot, summarise_snapshot, validate_snapshot
from kuntadash.store.snapshot import write_snapshot

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2


def _cmd_sample(args: argparse.Namespace) -> int:
    from kuntadash.assemble import build_sample_snapshot

    snapshot = build_sample_snapshot()
    problems = validate_snapshot(snapshot)
    if problems:
        for problem in problems:
            print(f"error: {problem}", file=sys.stderr)
        print("The sample was not written.", file=sys.stderr)
        return EXIT_INVALID
    written = write_snapshot(snapshot, Path(args.out))
    print(f"Sample snapshot written to {args.out} (data hash {written.version}).")
    return EXIT_OK


def _cmd_check(args: argparse.Namespace) -> int:
    try:
        snapshot = read_snapshot(Path(args.dir))
    except SnapshotError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_INVALID
    problems = validate_snapshot(snapshot)
    if args.json:
        summary = summarise_snapshot(snapshot) | {
            "valid": not problems,
            "problems": [str(p) for p in problems],
        }
        print(json.dumps(summary, ensure_ascii=False, indent=2))
    else:
        for problem in problems:
            print(f"error: {problem}", file=sys.stderr)
        if not problems:
            summary = summarise_snapshot(snapshot)
            kind = "sample" if summary["sample"] else "official"
            print(
                f"OK: {args.dir} is a valid {kind} snapshot: {summary['municipalities']} "
                f"municipalities (division {summary['division_year']}), "
                f"{summary['indicators']} indicators, years {summary['years'][0]}–"
                f"{summary['years'][-1]}."
                if summary["years"]
                else f"OK: {args.dir} is a valid snapshot with no values yet."
            )
    return EXIT_INVALID if problems else EXIT_OK


def _cmd_import(args: argparse.Namespace) -> int:
    from kuntadash.importing import DataImportError, import_files

    try:
        report = import_files(
            [Path(f) for f in args.files],
            Path(args.out),
            division_year=args.division,
            figures_year=args.year,
            replace_indicators=args.replace_indicator,
        )
    except DataImportError as exc:
        for item in exc.messages:
            print(f"error: {item.render(args.lang)}", file=sys.stderr)
        print(_nothing_changed(args.lang, args.out), file=sys.stderr)
        return EXIT_INVALID
    for line in report.render(args.lang):
        print(line)
    print(f"OK: {args.out} (data hash {report.snapshot.version}).")
    return EXIT_OK


def _cmd_update(args: argparse.Namespace) -> int:
    from kuntadash.update import run_update_cli

    return run_update_cli(args)


def _nothing_changed(lang: str, out: str) -> str:
    from kuntadash.i18n import translate

    return translate("data.cli.nothing_written", lang, dir=out)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kuntadash", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    data = commands.add_parser("data", help="build, check, update and import snapshots")
    actions = data.add_subparsers(dest="action", required=True)

    sample = actions.add_parser("sample", help="build the synthetic sample snapshot")
    sample.add_argument("--out", required=True, help="snapshot directory to write")
    sample.set_defaults(handler=_cmd_sample)

    check = actions.add_parser("check", help="validate a snapshot directory")
    check.add_argument("dir", help="snapshot directory")
    check.add_argument("--json", action="store_true", help="print a JSON summary")
    check.set_defaults(handler=_cmd_check)

    languages = ("fi", "sv", "en")
    update = actions.add_parser(
        "update", help="fetch the catalogue's indicators from the official sources"
    )
    update.add_argument("--out", help="snapshot directory (default: the served data dir)")
    update.add_argument("--year", type=int, default=2025, help="municipal division year")
    update.add_argument(
        "--cache-dir",
        help="raw response cache (default: $KUNTADASH_CACHE_DIR "
        "or .kuntadash-cache next to the snapshot's parent)",
    )
    update.add_argument("--lang", choices=languages, default="fi", help="message language")
    update.set_defaults(handler=_cmd_update)

    imp = actions.add_parser("import", help="build or extend a snapshot from local files")
    imp.add_argument("--out", required=True, help="snapshot directory to create or extend")
    imp.add_argument(
        "--division", type=int, default=2025, help="municipal division year (default 2025)"
    )
    imp.add_argument(
        "--year",
        type=int,
        help="year of the figures in tables whose column headers give none (older key-figure "
        "downloads); without it, the year is taken from the file name (avainluvut_2019.csv)",
    )
    imp.add_argument(
        "--replace-indicator",
        action="append",
        default=[],
        metavar="ID",
        help="let a catalogue file of this import redefine the catalogue indicator ID "
        "(repeatable); other redefinitions are refused",
    )
    imp.add_argument("--lang", choices=languages, default="fi", help="message language")
    imp.add_argument(
        "files",
        nargs="+",
        metavar="FILE",
        help="boundaries (GeoJSON, TopoJSON, GeoPackage), tables (CSV, Excel, "
        "json-stat2, Sotkanet JSON, SYKE CSV) and catalogue sidecars (YAML)",
    )
    imp.set_defaults(handler=_cmd_import)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.handler(args))


if __name__ == "__main__":
    sys.exit(main())
