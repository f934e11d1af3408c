"""Time ``kuntadash data import`` of a large, valid tidy CSV (not a test).

Usage: python bench/import_large.py [--rows 1000000] [--keep DIR]

Writes a tidy CSV of ``--rows`` rows (every municipality of the bundled register × every catalogue
indicator × as many years from 1980 on as needed, values inside each indicator's plausible
range, one cell in 50 a suppression symbol) to a temporary folder, then imports it into a new
snapshot in a fresh process, exactly as the command line does, and prints the file size, the wall
time of the import and its peak memory (RSS). The figures go to docs/RELIABILITY.md.
"""

from __future__ import annotations

import argparse
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from kuntadash import resources


def write_tidy_csv(path: Path, rows: int, seed: int = 7) -> int:
    """A valid tidy CSV of exactly ``rows`` data rows; returns its size in bytes."""
    rng = random.Random(seed)
    codes = list(resources.read_municipality_register()["municipality_code"])
    document = resources.read_indicator_catalogue_document()
    ranges = [(e["id"], *map(float, e["valid_range"])) for e in document["indicators"]]
    written = 0
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write("municipality_code,indicator_id,year,value\n")
        year = 1980
        while written < rows:
            for ident, low, high in ranges:
                for code in codes:
                    if written == rows:
                        break
                    cell = ".." if rng.random() < 0.02 else f"{rng.uniform(low, high):.2f}"
                    out.write(f"{code},{ident},{year},{cell}\n")
                    written += 1
            year += 1
    return path.stat().st_size


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--keep", help="write the CSV and the snapshot here instead of a temp dir")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kuntadash-bench-") as temp:
        folder = Path(args.keep) if args.keep else Path(temp)
        folder.mkdir(parents=True, exist_ok=True)
        csv_path = folder / "large_tidy.csv"
        size = write_tidy_csv(csv_path, args.rows)
        out = folder / "snapshot"
        started = time.perf_counter()
        command = ["data", "import", "--lang", "en", "--out", str(out), str(csv_path)]
        result = subprocess.run(
            [sys.executable, "-m", "kuntadash.cli", *command],
            capture_output=True,
            text=True,
            check=False,
        )
        elapsed = time.perf_counter() - started
        peak_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(result.stdout[-2000:], result.stderr[-2000:], sep="\n")
        print(
            f"rows={args.rows} size={size / 2**20:.1f} MiB exit={result.returncode} "
            f"wall={elapsed:.1f} s peak_rss={peak_mib:.0f} MiB"
        )
        return result.returncode


if __name__ == "__main__":
    sys.exit(main())
