"""Shared helpers for the site tests: build the real site once; serving it on
loopback and driving Debian's Chromium come from tools.browser."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from tools.browser import CHROMIUM, CHROMIUM_ARGS, serve_directory  # noqa: F401 - re-exported for the tests

ROOT = Path(__file__).resolve().parents[2]
# The tests build and serve the site under a project Pages sub-path, as it is published,
# so every link, asset and 404 page is checked where a root-absolute URL would break.
SUB_PATH = "/llm-site/"
TEST_SITE_URL = "http://127.0.0.1" + SUB_PATH


def build_site(
    site_dir: Path, *, site_url: str = TEST_SITE_URL, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run `mkdocs build --strict` on the real project into `site_dir` (`env`: extra variables)."""
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1", SITE_URL=site_url, **(env or {}))
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site_dir)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def source_pages(root: Path = ROOT) -> list[str]:
    """Directory URLs (relative to a language root) of the pages the site builds, known without
    building it: the Markdown pages of docs/zh and one notebook page per program (tools.site.files),
    so tests can be parametrized by page at collection. test_site_build checks that the built
    site has exactly these pages."""
    from tools.programs import scan_programs
    from tools.site.render import page_url

    docs = root / "docs" / "zh"
    urls = [
        page_url("zh/" + path.relative_to(docs).as_posix())
        for path in docs.rglob("*.md")
        if path.parts[len(docs.parts)] != "notebooks"
    ]
    programs, _ = scan_programs(root, lang="zh")
    urls += [f"notebooks/{snippet_id}/" for snippet_id in programs]
    return sorted(urls)


def html_pages(site_dir: Path) -> list[str]:
    """Relative paths of the HTML pages of one language tree (en/ excluded)."""
    pages = []
    for path in site_dir.rglob("*.html"):
        rel = path.relative_to(site_dir).as_posix()
        if rel.startswith("en/") or rel.endswith("404.html") or rel.startswith("assets/"):
            continue
        pages.append(rel)
    return sorted(pages)


def search(page, query: str, *, results: str, timeout_s: float = 60.0) -> list:
    """Type `query` into Material's search box; the `results` elements once there are some.

    The search worker builds its index after the page loads; a query typed before it is ready is
    dropped, so retype until results appear or time runs out."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

    box = page.locator("input.md-search__input")
    box.click()
    items = page.locator(results)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        # fill() inserts the text without key events, and Material reads the query on
        # keyboard events: a final key press makes it search (CJK text too).
        box.fill(query)
        box.press("End")
        try:
            items.first.wait_for(state="attached", timeout=4_000)
            page.wait_for_timeout(300)  # let the whole list render
            return items.all()
        except PlaywrightTimeoutError:
            continue
    return []
