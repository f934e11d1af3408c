"""The ``kuntadash`` command: build, check, update and import snapshots.

Dependency direction: cli -> pipeline (every way into a snapshot) and store (``data check``);
no streamlit here.
"""

from __future__ import annotations

import argparse
import errno
import json
import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from kuntadash.i18n import DEFAULT_LANGUAGE, LANGUAGES, translate
from kuntadash.links import site_dir
from kuntadash.store import (
    SnapshotError,
    check_target,
    read_snapshot,
    summarise_snapshot,
    validate_snapshot,
)
from kuntadash.store.targets import log as store_log
from kuntadash.terminal import echo

if TYPE_CHECKING:
    from kuntadash.report.site import SiteNote
    from kuntadash.store import Snapshot

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2


def _cmd_sample(args: argparse.Namespace) -> int:
    from kuntadash.pipeline.finish import NotWrittenError, finish
    from kuntadash.pipeline.sample import build_sample_snapshot

    out = Path(args.out)
    try:
        check_target(out)  # refuse a wrong target at once, not after building for seconds
        written = finish(build_sample_snapshot(), out)
    except NotWrittenError as exc:
        if exc.problems:
            for problem in exc.problems:
                echo(f"error: {problem}", err=True)
            echo(translate("store.cli.sample_invalid", args.lang), err=True)
            return EXIT_INVALID
        return _refused(args, [exc.render(args.lang)])
    except SnapshotError as exc:
        return _refused(args, [exc.render(args.lang)])
    echo(translate("store.cli.sample_written", args.lang, dir=args.out, version=written.version))
    return EXIT_OK


def _cmd_check(args: argparse.Namespace) -> int:
    try:
        snapshot = read_snapshot(Path(args.dir))
    except SnapshotError as exc:
        echo(f"error: {exc.render(args.lang)}", err=True)
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
            echo(f"error: {problem}", err=True)
        if not problems:
            summary = summarise_snapshot(snapshot)
            kind = "sample" if summary["sample"] else "official"
            echo(
                f"OK: {args.dir} is a valid {kind} snapshot: {summary['municipalities']} "
                f"municipalities (division {summary['division_year']}), "
                f"{summary['indicators']} indicators, years {summary['years'][0]}–"
                f"{summary['years'][-1]}."
                if summary["years"]
                else f"OK: {args.dir} is a valid snapshot with no values yet."
            )
    return EXIT_INVALID if problems else EXIT_OK


def _cmd_import(args: argparse.Namespace) -> int:
    from kuntadash.importing import DataImportError
    from kuntadash.pipeline.importing import import_files

    try:
        report = import_files(
            [Path(f) for f in args.files],
            Path(args.out),
            division_year=args.division,
            figures_year=args.year,
            replace_indicators=args.replace_indicator,
            allow_blanking=args.allow_blanking,
        )
    except DataImportError as exc:
        return _refused(args, [item.render(args.lang) for item in exc.messages])
    for line in report.render(args.lang):
        echo(line)
    echo(f"OK: {args.out} (data hash {report.snapshot.version}).")
    return EXIT_OK


def _cmd_update(args: argparse.Namespace) -> int:
    from kuntadash.pipeline.update import run_update_cli

    return run_update_cli(args)


def _cmd_register(args: argparse.Namespace) -> int:
    from kuntadash.pipeline.official import run_register_cli

    return run_register_cli(args)


def _cmd_official(args: argparse.Namespace) -> int:
    from kuntadash.pipeline.official import run_official_cli

    return run_official_cli(args)


def _cmd_site_build(args: argparse.Namespace) -> int:
    from kuntadash.report.site import SiteError, build_site
    from kuntadash.store.locations import default_data_dir

    folder = Path(args.data) if args.data else default_data_dir()
    try:
        snapshot = read_snapshot(folder)
        report = build_site(
            snapshot, Path(args.out), base=args.base, workers=args.workers, force=args.force
        )
    except SnapshotError as exc:
        echo(f"error: {exc.render(args.lang)}", err=True)
        return EXIT_INVALID
    except SiteError as exc:
        echo(f"error: {exc.render(args.lang)}", err=True)
        return EXIT_INVALID
    echo(report.render(args.lang))
    return EXIT_OK


def _refused(args: argparse.Namespace, sentences: list[str]) -> int:
    """Print why nothing was written, and the folder that was left as it was."""
    for sentence in sentences:
        echo(f"error: {sentence}", err=True)
    echo(_nothing_changed(args.lang, args.out), err=True)
    return EXIT_INVALID


def _nothing_changed(lang: str, out: str) -> str:
    return translate("data.cli.nothing_written", lang, dir=out)


class _StoreNotes(logging.Handler):
    """Prints what the store did on its own (recovering from an interrupted write) on stderr,
    in the command's language."""

    def __init__(self, lang: str):
        super().__init__(logging.WARNING)
        self.lang = lang

    def emit(self, record: logging.LogRecord) -> None:
        key = getattr(record, "kuntadash_key", None)
        params = getattr(record, "kuntadash_params", {})
        text = translate(key, self.lang, **params) if key else record.getMessage()
        echo(f"note: {text}", err=True)


BLANKING_HELP = (
    "let a blank or '..' value replace a figure already in the snapshot (by default the figure "
    "is kept, and the report names it)"
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kuntadash", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    data = commands.add_parser("data", help="build, check, update and import snapshots")
    actions = data.add_subparsers(dest="action", required=True)
    _add_sample(actions)
    _add_check(actions)
    _add_update(actions)
    _add_register(actions)
    _add_official(actions)
    _add_import(actions)
    site = commands.add_parser("site", help="bake the static profile pages")
    _add_site_build(site.add_subparsers(dest="action", required=True))
    return parser


def _add_lang(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--lang", choices=LANGUAGES, default="fi", help="message language")


def _add_sample(actions: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    sample = actions.add_parser("sample", help="build the synthetic sample snapshot")
    sample.add_argument(
        "--out",
        required=True,
        help="snapshot directory to write (missing, empty, or a snapshot to replace)",
    )
    _add_lang(sample)
    sample.set_defaults(handler=_cmd_sample)


def _add_check(actions: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    check = actions.add_parser("check", help="validate a snapshot directory")
    check.add_argument("dir", help="snapshot directory")
    check.add_argument("--json", action="store_true", help="print a JSON summary")
    _add_lang(check)
    check.set_defaults(handler=_cmd_check)


def _add_update(actions: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
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
    update.add_argument(
        "--record",
        metavar="DIR",
        help="also save every request and its answer into DIR (a new or empty folder), "
        "to replay the update where there is no network",
    )
    update.add_argument(
        "--replay",
        metavar="DIR",
        help="answer every request from the recording in DIR, without any network "
        "(not with --record; see docs/DATA.md)",
    )
    update.add_argument("--allow-blanking", action="store_true", help=BLANKING_HELP)
    _add_lang(update)
    update.set_defaults(handler=_cmd_update)


def _add_register(actions: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    register = actions.add_parser(
        "register",
        help="write the municipality register of a division from official classification files",
    )
    register.add_argument(
        "--opendata", default="../shared/opendata", help="folder of the official files"
    )
    register.add_argument("--division", type=int, default=2025, help="municipal division year")
    register.add_argument("--out", help="CSV to write (default: the bundled register_<year>.csv)")
    _add_lang(register)
    register.set_defaults(handler=_cmd_register)


def _add_official(actions: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    official = actions.add_parser(
        "official",
        help="build the default snapshot of official figures from the official open-data files",
    )
    official.add_argument(
        "--opendata", default="../shared/opendata", help="folder of the official files"
    )
    official.add_argument("--division", type=int, default=2025, help="municipal division year")
    official.add_argument("--out", required=True, help="snapshot directory to write")
    _add_lang(official)
    official.set_defaults(handler=_cmd_official)


def _add_import(actions: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
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
    imp.add_argument("--allow-blanking", action="store_true", help=BLANKING_HELP)
    _add_lang(imp)
    imp.add_argument(
        "files",
        nargs="+",
        metavar="FILE",
        help="boundaries (GeoJSON, TopoJSON, GeoPackage), tables (CSV, Excel, "
        "json-stat2, Sotkanet JSON, SYKE CSV) and catalogue sidecars (YAML)",
    )
    imp.set_defaults(handler=_cmd_import)


def _add_site_build(site_actions: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    bake = site_actions.add_parser(
        "build", help="a page per municipality and language, swapped in atomically"
    )
    bake.add_argument(
        "--out", required=True, help="site folder (the served build is its 'current' link)"
    )
    bake.add_argument("--data", help="snapshot directory (default: the served data dir)")
    bake.add_argument("--base", help="public address of the app (default: $KUNTADASH_PUBLIC_URL)")
    bake.add_argument("--workers", type=int, help="processes baking pages (default: cores)")
    bake.add_argument(
        "--force",
        action="store_true",
        help="bake every page even when the snapshot and the program are unchanged",
    )
    _add_lang(bake)
    bake.set_defaults(handler=_cmd_site_build)


def _register_after_write() -> None:
    """Every snapshot this command writes rebakes the static pages when
    ``$KUNTADASH_SITE_DIR`` is set (off otherwise). Imports on the Data page run in a bounded
    child that never bakes; the page starts a separate build afterwards (kuntadash.ui.admin)."""
    from kuntadash.pipeline.finish import AFTER_WRITE

    if _bake_after_write not in AFTER_WRITE:
        AFTER_WRITE.append(_bake_after_write)


def _bake_after_write(snapshot: Snapshot, folder: Path) -> SiteNote | None:
    """:func:`kuntadash.report.site.after_write`, imported only when a site is configured: the
    site's builder brings the brief's PDF and chart libraries (fpdf2, matplotlib), about 0.9
    CPU-seconds at every command's start, and most commands never bake."""
    if site_dir() is None:
        return None
    from kuntadash.report.site import after_write

    return after_write(snapshot, folder)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    _register_after_write()
    lang = getattr(args, "lang", DEFAULT_LANGUAGE)
    notes = _StoreNotes(lang)
    store_log.addHandler(notes)
    try:
        return int(args.handler(args))
    except OSError as exc:
        # Whatever the commands did not foresee still ends in a sentence, not a traceback.
        code = errno.errorcode.get(exc.errno or 0, type(exc).__name__)
        echo(f"error: {translate('store.cli.os_error', lang, code=code)}", err=True)
        return EXIT_INVALID
    finally:
        store_log.removeHandler(notes)


if __name__ == "__main__":
    sys.exit(main())
