"""Fixtures for the site tests: one strict build of the real site per session
(per xdist worker), served on loopback, and a Chromium page that records every
request it makes."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from site_helpers import CHROMIUM, CHROMIUM_ARGS, SUB_PATH, build_site, serve_directory


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # SITE_TEST_DIR: test an already built site (built with SITE_URL=TEST_SITE_URL) instead
    # of building one, e.g. a copy broken on purpose to see a test fail.
    if os.environ.get("SITE_TEST_DIR"):
        return Path(os.environ["SITE_TEST_DIR"]).resolve()
    # Under pytest-xdist every worker asks for the site: the first builds it into the run's
    # shared temporary folder, the others wait on the lock and reuse it.
    base = tmp_path_factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    site_dir, done = shared / "real-site", shared / "real-site.built"
    from filelock import FileLock

    with FileLock(str(shared / "real-site.lock")):
        if not done.exists():
            result = build_site(site_dir)
            assert result.returncode == 0, (
                "mkdocs build --strict failed:\n" + result.stdout[-4000:] + result.stderr[-8000:]
            )
            done.write_text("ok\n", encoding="utf-8")
    return site_dir


@pytest.fixture(scope="session")
def site_url(built_site: Path) -> Iterator[str]:
    with serve_directory(built_site, prefix=SUB_PATH) as url:
        yield url


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} not found (looked at $CHROMIUM_PATH, /usr/bin/chromium, then "
            "Chrome/Chromium on PATH): run `make browser`"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class RecordedPage:
    """A Playwright page plus the URL of every request it made, every response with
    status 400 or more, and every console error."""

    def __init__(self, page: object) -> None:
        self.page = page
        self.requests: list[str] = []
        self.failed: list[str] = []
        self.console_errors: list[str] = []
        page.on("request", lambda request: self.requests.append(request.url))
        page.on(
            "response",
            lambda response: (
                self.failed.append(f"{response.status} {response.url}") if response.status >= 400 else None
            ),
        )
        page.on("pageerror", lambda error: self.console_errors.append(f"uncaught: {error}"))
        page.on(
            "console",
            lambda message: self.console_errors.append(message.text) if message.type == "error" else None,
        )


@pytest.fixture()
def recorded_page(browser: object) -> Iterator[RecordedPage]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(20_000)
    yield RecordedPage(page)
    context.close()
