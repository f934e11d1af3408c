"""Take screenshots of every page (desktop and phone width) for a person to look at.

Usage: python bench/screenshots.py OUTDIR [--lang fi] [--base http://127.0.0.1:8501]
Starts its own server on a free port unless --base is given. Needs /usr/bin/chromium.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # tools/: the test and benchmark tooling

from tools.devserver import CHROMIUM_ARGS, READY, serve_app  # noqa: E402

PAGES = ("", "municipality", "compare", "indicators", "groups", "data", "event")


@contextlib.contextmanager
def serve(env: dict[str, str] | None = None):
    """The app on a fresh local port (tools/devserver.py); yields the base URL."""
    with serve_app(env=env) as server:
        yield server.base


def shoot(base: str, out: Path, lang: str, pages: tuple[str, ...]) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        for width, height, tag in (
            (1400, 900, "desktop"),
            (390, 844, "phone"),
            (1400, 2600, "tall"),
        ):
            page = browser.new_page(viewport={"width": width, "height": height})
            for name in pages:
                url = f"{base}/{name}" + (f"?lang={lang}" if lang != "fi" else "")
                page.goto(url)
                page.wait_for_selector(READY, timeout=60_000)
                page.wait_for_timeout(2500)
                page.screenshot(
                    path=str(out / f"{name or 'overview'}-{lang}-{tag}.png"), full_page=True
                )
            page.close()
        browser.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--lang", default="fi")
    parser.add_argument("--base")
    parser.add_argument("--pages", default=",".join(PAGES))
    args = parser.parse_args()
    pages = tuple("" if p == "overview" else p for p in args.pages.split(","))
    if args.base:
        shoot(args.base, Path(args.out), args.lang, pages)
    else:
        with serve() as base:
            shoot(base, Path(args.out), args.lang, pages)


if __name__ == "__main__":
    main()
