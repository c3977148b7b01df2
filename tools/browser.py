"""Headless Chromium as the tests and benchmarks drive it: an installed Chrome or
Chromium (never one downloaded by Playwright) with the flags this machine kind needs.

    python -m tools.browser    prints the browser it picks; exit status 1 if none

The order, shared with the Makefile's `browser` target: $CHROMIUM_PATH, Debian's
/usr/bin/chromium, then a Chrome or Chromium on PATH (GitHub's Ubuntu runner has Chrome).
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import io
import os
import shutil
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

DEBIAN_CHROMIUM = Path("/usr/bin/chromium")
ON_PATH = ("google-chrome", "google-chrome-stable", "chromium", "chromium-browser", "chrome")


def _is_real_browser(path: Path) -> bool:
    """An executable that is not one of Ubuntu's snap shims (a /snap/ path, or a launcher
    script that runs one), which headless Playwright cannot drive."""
    real = path.resolve()
    if not real.is_file() or not os.access(real, os.X_OK) or real.parts[1:2] == ("snap",):
        return False
    with real.open("rb") as handle:
        head = handle.read(4096)
    return not (head.startswith(b"#!") and b"snap" in head)


def find_chromium() -> Path:
    """$CHROMIUM_PATH, else Debian's chromium, else the first Chrome/Chromium on PATH.

    Falls back to /usr/bin/chromium (missing) so that the tests can say `make browser`.
    """
    if os.environ.get("CHROMIUM_PATH"):
        return Path(os.environ["CHROMIUM_PATH"])
    if _is_real_browser(DEBIAN_CHROMIUM):
        return DEBIAN_CHROMIUM
    for name in ON_PATH:
        found = shutil.which(name)
        if found and _is_real_browser(Path(found)):
            return Path(found)
    return DEBIAN_CHROMIUM


CHROMIUM = find_chromium()
# Without the background-networking flags Chromium keeps trying to reach
# Google hosts, which a closed network refuses (measured on this machine kind).
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib name
        pass


class _SiteHandler(_QuietHandler):
    """Serves the site under `prefix` (a project Pages sub-path such as "/llm-site") and,
    like a static host, answers a missing path with status 404 and the nearest 404 page:
    `<lang>/404.html` for a path under a language folder that has one, else `404.html`."""

    prefix = ""

    def send_head(self):  # noqa: ANN201, ANN202 - stdlib override
        path = self.path.split("?", 1)[0].split("#", 1)[0]
        if self.prefix and not (path == self.prefix or path.startswith(self.prefix + "/")):
            return self._not_found("")
        rel = path[len(self.prefix) :]
        self.path = rel or "/"
        target = Path(self.translate_path(self.path))
        if not target.exists() or (target.is_dir() and not (target / "index.html").is_file()):
            return self._not_found(rel)
        if target.is_dir() and not self.path.endswith("/"):
            self.send_response(301)  # the stdlib's redirect would drop the prefix
            self.send_header("Location", self.prefix + self.path + "/")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        return super().send_head()

    def _not_found(self, rel: str):  # noqa: ANN202
        root = Path(self.directory)
        first = rel.lstrip("/").split("/", 1)[0]
        page = (
            root / first / "404.html"
            if first and (root / first / "404.html").is_file()
            else root / "404.html"
        )
        if not page.is_file():
            self.send_error(404)
            return None
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return io.BytesIO(body)


@contextlib.contextmanager
def serve_directory(directory: Path, *, prefix: str = "") -> Iterator[str]:
    """Serve `directory` on a free loopback port; yields the base URL (no trailing slash).

    With `prefix` (e.g. "/llm-site") the site lives under that path, as on a project Pages
    site, and missing paths get the site's own 404 page with status 404."""
    prefix = prefix.rstrip("/")
    if prefix and not prefix.startswith("/"):
        prefix = "/" + prefix
    site_handler = type("SiteHandler", (_SiteHandler,), {"prefix": prefix})
    handler = functools.partial(site_handler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}{prefix}"
    finally:
        server.shutdown()
        server.server_close()


if __name__ == "__main__":
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        print(
            f"no browser: {CHROMIUM} is missing (set CHROMIUM_PATH, or run `make browser`)", file=sys.stderr
        )
        sys.exit(1)
    print(CHROMIUM)
