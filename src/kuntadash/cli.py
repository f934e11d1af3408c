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
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.handler(args))


if __name__ == "__main__":
    sys.exit(main())
