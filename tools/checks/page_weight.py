"""Measure what a reader downloads for a page: every request Chromium makes,
with the gzip-compressed size of each local file (what a gzip-serving host
would transfer).

    python -m tools.checks.page_weight site/ "" "open-or-closed/"
    python -m tools.checks.page_weight --search site/ ""     # after opening search (index loaded)

Prints one row per page: requests, raw bytes, gzip bytes, and any request that
left the site's own host.
"""

from __future__ import annotations

import argparse
import gzip
from pathlib import Path
from urllib.parse import unquote, urlparse

from tools.browser import CHROMIUM, CHROMIUM_ARGS, serve_directory


def _local_file(site: Path, url: str) -> Path | None:
    path = unquote(urlparse(url).path).lstrip("/")
    candidate = site / path
    if candidate.is_dir():
        candidate = candidate / "index.html"
    return candidate if candidate.is_file() else None


def measure(
    site: Path, pages: list[str], *, chromium: Path = CHROMIUM, browser: object = None, search: bool = False
) -> list[dict]:
    """One row per page. `browser`: an already launched Playwright browser (the tests' one);
    without it, Chromium is launched for the measurement. `search`: also open the search
    box, so the row includes the search index (which a page fetches only then)."""
    if browser is not None:
        return _measure(site, pages, browser, search)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        try:
            return _measure(site, pages, launched, search)
        finally:
            launched.close()


def _measure(site: Path, pages: list[str], browser: object, search: bool) -> list[dict]:
    rows = []
    with serve_directory(site) as url:
        base = url + "/"
        for page_path in pages:
            context = browser.new_context()
            page = context.new_page()
            urls: list[str] = []
            page.on("request", lambda request, urls=urls: urls.append(request.url))
            page.goto(base + page_path, wait_until="networkidle")
            if search:
                page.locator("input.md-search__input").focus()
                page.wait_for_load_state("networkidle")
                page.wait_for_timeout(500)
            raw = compressed = 0
            foreign = []
            for requested in dict.fromkeys(urls):
                if not requested.startswith(base):
                    if urlparse(requested).scheme in {"http", "https"}:
                        foreign.append(requested)
                    continue
                local = _local_file(site, requested)
                if local is None:
                    continue
                data = local.read_bytes()
                raw += len(data)
                compressed += len(gzip.compress(data, compresslevel=6))
            rows.append(
                {
                    "page": "/" + page_path,
                    "requests": len(urls),
                    "raw": raw,
                    "gzip": compressed,
                    "foreign": foreign,
                }
            )
            context.close()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("site", type=Path, help="a built site directory (mkdocs build)")
    parser.add_argument(
        "pages", nargs="+", help='page paths relative to the site root ("" for the home page)'
    )
    parser.add_argument(
        "--search", action="store_true", help="open the search box too (loads the search index)"
    )
    args = parser.parse_args()
    print(f"{'page':40} {'requests':>8} {'raw KiB':>9} {'gzip KiB':>9}  foreign")
    for row in measure(args.site, args.pages, search=args.search):
        print(
            f"{row['page']:40} {row['requests']:>8} {row['raw'] / 1024:>9.1f} {row['gzip'] / 1024:>9.1f}  "
            f"{len(row['foreign'])}"
        )


if __name__ == "__main__":
    main()
