"""Headless Chromium as the tests and benchmarks drive it: Debian's browser
(never one downloaded by Playwright) with the flags this machine kind needs."""

from __future__ import annotations

import os
from pathlib import Path

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
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
